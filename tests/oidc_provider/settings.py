"""Settings of the test provider (never prr's): django-oauth-toolkit with OIDC on, RS256.

The behaviour is django-oauth-toolkit's own (docs: "OpenID Connect" in
https://django-oauth-toolkit.readthedocs.io/, source `oauth2_provider/views/oidc.py`); only the
people, the client and the control endpoints in `control.py` are ours.
"""

from __future__ import annotations

import os
from pathlib import Path

HERE = Path(__file__).parent
STATE_DIR = Path(os.environ["OIDC_PROVIDER_DIR"])
PORT = os.environ["OIDC_PROVIDER_PORT"]
ISSUER = f"http://127.0.0.1:{PORT}/o"

SECRET_KEY = os.environ["OIDC_PROVIDER_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
    "tests.oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "tests.oidc_provider.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(STATE_DIR / "provider.db")}
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
STATIC_URL = "static/"
LOGIN_URL = "/accounts/login/"
# Signing in at the provider is not what is tested; a fast hash keeps the suite quick.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A prr under test shares 127.0.0.1 with the provider: distinct cookie names keep the two
# sessions apart in one browser (cookies are per host, not per port).
SESSION_COOKIE_NAME = "provider_session"
CSRF_COOKIE_NAME = "provider_csrftoken"

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": (STATE_DIR / "rsa.pem").read_text(),
    "OIDC_ISS_ENDPOINT": ISSUER,
    "OAUTH2_VALIDATOR_CLASS": "tests.oidc_provider.validator.ClaimsValidator",
    "PKCE_REQUIRED": True,
    "SCOPES": {
        "openid": "OpenID Connect",
        "profile": "Your name and username",
        "email": "Your email address",
        "groups": "Your groups",
    },
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
