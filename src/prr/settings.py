"""Django settings, read from PRR_* environment variables (see README, "Configuration")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prr.accounts.oidc import config as oidc_config
from prr.config import (
    data_dir,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_networks,
    env_secrets,
    env_str,
    parse_database_url,
    private_file,
    secret_key,
)
from prr.integrations import outgoing_guard
from prr.integrations.ldap import config as ldap_config
from prr.operations import config as operations_config
from prr.operations import logs

DATA_DIR = data_dir()
SECRET_KEY = secret_key(DATA_DIR)
DEBUG = env_bool("PRR_DEBUG", False)
ALLOWED_HOSTS = env_list("PRR_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
BASE_URL = env_str("PRR_BASE_URL", "http://localhost:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = [BASE_URL] if BASE_URL.startswith("http") else []

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "django_htmx",
    "template_partials",
    "ninja",
    "axes",
    "prr.accounts",
    "prr.teams",
    "prr.playbooks",
    "prr.reviews",
    "prr.web",
    "prr.api",
    "prr.integrations.webhooks",
    "prr.notifications",
    "prr.integrations.chat",
    "prr.integrations.mattermost",
    "prr.integrations.slack",
    "prr.integrations.scim",
    "prr.integrations.ldap",
    "prr.operations",
]

MIDDLEWARE = [
    # First: every request gets its id, its /metrics counts and (JSON logs) its log line.
    "prr.operations.middleware.RequestObservationMiddleware",
    "prr.api.middleware.ApiErrorShapeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "prr.web.middleware.ReaderTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "prr.web.middleware.SecurityHeadersMiddleware",
    "prr.web.middleware.BusyDatabaseMiddleware",
    # After the auth middleware (django-axes): turns a throttled sign-in into its 429 page.
    "axes.middleware.AxesMiddleware",
    # NUL characters, JSON nested too deep or with huge numbers: a 400, never a 500.
    "prr.operations.request_guard.RequestGuardMiddleware",
]

ROOT_URLCONF = "prr.urls"
WSGI_APPLICATION = "prr.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "prr.notifications.context.unread_notifications",
            ],
        },
    },
]


def _database() -> dict[str, Any]:
    url = parse_database_url(env_str("PRR_DATABASE_URL", f"sqlite:///{DATA_DIR / 'prr.sqlite3'}"))
    if url.engine.endswith("sqlite3"):
        private_file(Path(url.name))  # created 0600: it holds every review and token hash
        return {
            "ENGINE": url.engine,
            "NAME": url.name,
            # Tests use a file too (not shared-cache memory, which locks whole tables), so the
            # end-to-end tests' live server and the test itself read and write as in production.
            "TEST": {"NAME": str(DATA_DIR / "test-prr.sqlite3")},
            "OPTIONS": {
                # Several processes write one file: WAL lets readers run beside a writer,
                # IMMEDIATE takes the write lock at BEGIN so a transaction never fails
                # half-way on an upgrade, and the timeout waits out a briefly locked file.
                "transaction_mode": "IMMEDIATE",
                "timeout": env_int("PRR_SQLITE_TIMEOUT", 20, minimum=1),
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    return {
        "ENGINE": url.engine,
        "NAME": url.name,
        "USER": url.user,
        "PASSWORD": url.password,
        "HOST": url.host,
        "PORT": url.port,
        "OPTIONS": dict(url.options),
        "CONN_MAX_AGE": env_int("PRR_DB_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Static files are served from the installed apps directly: no collectstatic step to forget.
WHITENOISE_USE_FINDERS = True

# /readyz is not ready when no `prr worker` was seen for this many seconds.
READY_WORKER_WINDOW = env_int("PRR_READY_WORKER_WINDOW", 300, minimum=30)

# Request bodies above this size are refused (413 from the API, an error page on the web).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("PRR_MAX_BODY_BYTES", 2_000_000, minimum=10_000)

# Background work (webhook deliveries, chat notifications) is queued in the database and run
# by `prr worker`, on any number of hosts.
TASKS = {
    "default": {
        # django-tasks-db's, keeping the id of the request that queued each task.
        "BACKEND": "prr.operations.task_context.RequestIdDatabaseBackend",
        "QUEUES": ["default"],
    }
}

# What workers send (prr.integrations.outbox), each with its own limits: how long to wait for
# an answer, how many attempts in a round, and the back-off (the first retry after
# *_RETRY_DELAY seconds, doubling up to *_RETRY_MAX_DELAY). Outgoing webhooks:
WEBHOOK_TIMEOUT = env_int("PRR_WEBHOOK_TIMEOUT", 10, minimum=1)
WEBHOOK_MAX_ATTEMPTS = env_int("PRR_WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)
WEBHOOK_RETRY_DELAY = env_int("PRR_WEBHOOK_RETRY_DELAY", 10, minimum=1)
WEBHOOK_RETRY_MAX_DELAY = env_int("PRR_WEBHOOK_RETRY_MAX_DELAY", 3600, minimum=1)
# Chat posts to Mattermost and Slack, and the Mattermost bot's API calls:
CHAT_TIMEOUT = env_int("PRR_CHAT_TIMEOUT", 10, minimum=1)
CHAT_MAX_ATTEMPTS = env_int("PRR_CHAT_MAX_ATTEMPTS", 8, minimum=1)
CHAT_RETRY_DELAY = env_int("PRR_CHAT_RETRY_DELAY", 10, minimum=1)
CHAT_RETRY_MAX_DELAY = env_int("PRR_CHAT_RETRY_MAX_DELAY", 3600, minimum=1)
# Email (EMAIL_TIMEOUT is Django's: how long an SMTP server has for each step):
EMAIL_TIMEOUT = env_int("PRR_SMTP_TIMEOUT", 10, minimum=1)
EMAIL_MAX_ATTEMPTS = env_int("PRR_EMAIL_MAX_ATTEMPTS", 8, minimum=1)
EMAIL_RETRY_DELAY = env_int("PRR_EMAIL_RETRY_DELAY", 10, minimum=1)
EMAIL_RETRY_MAX_DELAY = env_int("PRR_EMAIL_RETRY_MAX_DELAY", 3600, minimum=1)

# Email about notifications (prr.notifications.email), sent by `prr worker`; off without a host.
# PRR_SMTP_TLS: `starttls` (port 587), `ssl` (port 465) or `none` (a relay on the host or LAN).
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("PRR_SMTP_HOST").strip()
_SMTP_TLS = env_choice("PRR_SMTP_TLS", ("starttls", "ssl", "none"), "starttls")
EMAIL_PORT = env_int(
    "PRR_SMTP_PORT", {"starttls": 587, "ssl": 465, "none": 25}[_SMTP_TLS], minimum=1
)
EMAIL_USE_TLS = _SMTP_TLS == "starttls"
EMAIL_USE_SSL = _SMTP_TLS == "ssl"
EMAIL_HOST_USER = env_str("PRR_SMTP_USER").strip()
EMAIL_HOST_PASSWORD = env_str("PRR_SMTP_PASSWORD")
DEFAULT_FROM_EMAIL = env_str("PRR_EMAIL_FROM").strip() or "prr <prr@localhost>"
EMAIL_SUBJECT_PREFIX = ""
# How often `prr worker` looks for reminders and daily digests that are due (each goes out at
# most once a day whatever this is; prr.notifications.reminders).
REMINDER_INTERVAL = env_int("PRR_REMINDER_INTERVAL", 600, minimum=1)

# Where prr sends (webhooks, chat posts, the chat APIs): never to loopback, private,
# link-local, multicast or reserved addresses, checked when a URL is saved and at each
# connection (prr.integrations.outgoing_guard), unless allowed here: all of them, or some
# host names and networks (`mattermost.internal,10.20.0.0/16`).
OUTGOING_ALLOW_PRIVATE = env_bool("PRR_OUTGOING_ALLOW_PRIVATE", False)
OUTGOING_ALLOW = outgoing_guard.env_allow("PRR_OUTGOING_ALLOW")

# Mattermost (docs/integrations/mattermost.md). Each part is enabled by its own settings: the
# outgoing webhook and the slash command by their tokens, notifications by an incoming webhook
# URL, the bot (a channel per review) by the server URL, a bot token and a team id.
MATTERMOST_WEBHOOK_TOKENS = env_secrets("PRR_MATTERMOST_WEBHOOK_TOKENS")
MATTERMOST_COMMAND_TOKENS = env_secrets("PRR_MATTERMOST_COMMAND_TOKENS")
MATTERMOST_WEBHOOK_URL = env_str("PRR_MATTERMOST_WEBHOOK_URL")
MATTERMOST_URL = env_str("PRR_MATTERMOST_URL").rstrip("/")
MATTERMOST_BOT_TOKEN = env_str("PRR_MATTERMOST_BOT_TOKEN")
MATTERMOST_TEAM_ID = env_str("PRR_MATTERMOST_TEAM_ID")
MATTERMOST_CHANNEL_TEMPLATE = env_str("PRR_MATTERMOST_CHANNEL_TEMPLATE", "prr-{number}-{title}")

# Slack (docs/integrations/slack.md): requests are verified with the signing secret; replies
# and notifications are posted with the bot token, to the linked channel or the default one.
SLACK_SIGNING_SECRETS = env_secrets("PRR_SLACK_SIGNING_SECRET")
SLACK_BOT_TOKEN = env_str("PRR_SLACK_BOT_TOKEN")
SLACK_NOTIFY_CHANNEL = env_str("PRR_SLACK_NOTIFY_CHANNEL")
SLACK_API_URL = env_str("PRR_SLACK_API_URL", "https://slack.com/api/")

# LDAP / Active Directory (docs/identity.md): `prr directory sync`, and `prr worker` every
# LDAP_SYNC_INTERVAL seconds (one host at a time), read the members of the groups teams are
# linked to. Off while PRR_LDAP_URL is empty.
LDAP_URL = ldap_config.env_ldap_url("PRR_LDAP_URL")
LDAP_BIND_DN = ldap_config.env_dn("PRR_LDAP_BIND_DN")
LDAP_BIND_PASSWORD = env_str("PRR_LDAP_BIND_PASSWORD")
LDAP_USER_BASE_DN = ldap_config.env_dn("PRR_LDAP_USER_BASE_DN")
LDAP_GROUP_BASE_DN = ldap_config.env_dn("PRR_LDAP_GROUP_BASE_DN")
LDAP_GROUP_FILTER = ldap_config.env_ldap_filter(
    "PRR_LDAP_GROUP_FILTER", ldap_config.DEFAULT_GROUP_FILTER
)
LDAP_USERNAME_ATTRIBUTE = ldap_config.env_attribute("PRR_LDAP_USERNAME_ATTRIBUTE", "uid")
LDAP_NESTED_GROUPS = env_bool("PRR_LDAP_NESTED_GROUPS", False)
LDAP_START_TLS = env_bool("PRR_LDAP_START_TLS", False)
LDAP_CA_FILE = ldap_config.env_file("PRR_LDAP_CA_FILE")
LDAP_SYNC_INTERVAL = env_int("PRR_LDAP_SYNC_INTERVAL", 300, minimum=10)
ldap_config.check_ldap_settings(
    url=LDAP_URL,
    bind_dn=LDAP_BIND_DN,
    bind_password=LDAP_BIND_PASSWORD,
    user_base=LDAP_USER_BASE_DN,
    group_base=LDAP_GROUP_BASE_DN,
    start_tls=LDAP_START_TLS,
)

# A chat account speaks as a prr user through an explicit link (`prr user link`). Small teams
# may let an unlinked account speak as the prr user of the same username; never for a user who
# has a link on that chat.
CHAT_USERNAME_FALLBACK = env_bool("PRR_CHAT_USERNAME_FALLBACK", False)

# Sign-in (docs/identity.md, "OIDC sign-in"): the organisation's OpenID Connect provider, off
# while PRR_OIDC_ISSUER is empty; its endpoints and keys come from its discovery document at the
# first sign-in. Passwords can be kept for break-glass accounts only.
OIDC_ISSUER = oidc_config.env_issuer("PRR_OIDC_ISSUER")
OIDC_CLIENT_ID = env_str("PRR_OIDC_CLIENT_ID").strip()
OIDC_CLIENT_SECRET = env_str("PRR_OIDC_CLIENT_SECRET").strip()
OIDC_NAME = env_str("PRR_OIDC_NAME", "SSO").strip() or "SSO"
OIDC_USERNAME_CLAIM = oidc_config.env_claim("PRR_OIDC_USERNAME_CLAIM", "preferred_username")
OIDC_USERNAME_DOMAIN = oidc_config.env_domain("PRR_OIDC_USERNAME_DOMAIN")
OIDC_NAME_CLAIM = oidc_config.env_claim("PRR_OIDC_NAME_CLAIM", "name", optional=True)
OIDC_EMAIL_CLAIM = oidc_config.env_claim("PRR_OIDC_EMAIL_CLAIM", "email", optional=True)
OIDC_GROUPS_CLAIM = oidc_config.env_claim("PRR_OIDC_GROUPS_CLAIM", "groups", optional=True)
OIDC_RP_SCOPES = oidc_config.env_scopes("PRR_OIDC_SCOPES", "openid profile email")
OIDC_TIMEOUT = env_int("PRR_OIDC_TIMEOUT", 10, minimum=1)
PASSWORD_LOGIN = env_bool("PRR_PASSWORD_LOGIN", True)
BREAK_GLASS_USERS = oidc_config.env_usernames("PRR_BREAK_GLASS_USERS")
oidc_config.check_sign_in_settings(
    issuer=OIDC_ISSUER,
    client_id=OIDC_CLIENT_ID,
    client_secret=OIDC_CLIENT_SECRET,
    password_login=PASSWORD_LOGIN,
)
# mozilla-django-oidc's own settings: RS256 ID tokens checked against the provider's JWKS,
# and PKCE on top of state and nonce.
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_USE_PKCE = True
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc:callback"
AUTHENTICATION_BACKENDS = [
    # First: refuses a throttled password sign-in before any password is checked.
    "prr.accounts.throttling.PasswordThrottleBackend",
    "prr.accounts.oidc.passwords.PasswordBackend",
    "prr.accounts.oidc.backend.OidcBackend",
]

# Sign-in throttling (prr.accounts.throttling, django-axes): an account is refused after
# LOGIN_FAILURE_LIMIT wrong passwords, a client address after LOGIN_IP_FAILURE_LIMIT (for any
# usernames), each counted over the last LOGIN_COOLOFF_MINUTES; `prr user unlock` lifts a
# lock. The client address is REMOTE_ADDR, or X-Forwarded-For when the request comes from one
# of TRUSTED_PROXIES (addresses or networks of the reverse proxies in front of prr).
LOGIN_FAILURE_LIMIT = env_int("PRR_LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_IP_FAILURE_LIMIT = env_int("PRR_LOGIN_IP_FAILURE_LIMIT", 20, minimum=1)
LOGIN_COOLOFF_MINUTES = env_int("PRR_LOGIN_COOLOFF_MINUTES", 15, minimum=1)
TRUSTED_PROXIES = env_networks("PRR_TRUSTED_PROXIES")
AXES_HANDLER = "prr.accounts.throttling.PasswordThrottleHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = "prr.accounts.throttling.failure_limit"
AXES_COOLOFF_TIME = "prr.accounts.throttling.cool_off"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "prr.accounts.throttling.username_of"
AXES_CLIENT_IP_CALLABLE = "prr.accounts.proxies.client_ip"
AXES_LOCKOUT_CALLABLE = "prr.accounts.throttling.lockout_response"
# Successful sign-ins are not logged by axes (Django's own last_login is kept).
AXES_DISABLE_ACCESS_LOG = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = BASE_URL.startswith("https://")
if SESSION_COOKIE_SECURE:
    # Served over https by a reverse proxy that sets X-Forwarded-Proto (see README).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Served over https: browsers are told to come back over https only (HSTS).
SECURE_HSTS_SECONDS = env_int(
    "PRR_HSTS_SECONDS", 31_536_000 if SESSION_COOKIE_SECURE else 0, minimum=0
)
# The TLS-terminating proxy redirects http to https (README, "Running in production"); prr
# does it itself only when told to, so Django's reminder about it is silenced; so are HSTS for
# subdomains and preloading, decisions for the whole domain (made at the proxy), not for prr.
SECURE_SSL_REDIRECT = env_bool("PRR_SSL_REDIRECT", False)
SILENCED_SYSTEM_CHECKS = ["security.W008", "security.W005", "security.W021"]

# Monitoring (docs/monitoring.md). /metrics for Prometheus: with a token, the token is needed
# (`Authorization: Bearer …`); without one, only callers from these networks (not through a
# proxy). Each process on this host counts into PRR_METRICS_DIR (cleared by `prr serve`).
METRICS_TOKEN = env_str("PRR_METRICS_TOKEN").strip()
METRICS_ALLOW = env_networks("PRR_METRICS_ALLOW", operations_config.DEFAULT_METRICS_ALLOW)
METRICS_DIR = operations_config.use_metrics_dir(
    Path(env_str("PRR_METRICS_DIR") or DATA_DIR / "metrics").expanduser()
)
# Logs: `plain` text, or `json` (one object a line, one line per request, with a request id
# that the tasks it queued carry too).
LOG_FORMAT = env_choice("PRR_LOG_FORMAT", operations_config.LOG_FORMATS, "plain")
LOGGING = logs.logging_config(LOG_FORMAT)
# Finished task results, delivered webhooks and sent chat posts are deleted after this many
# days (`prr prune`, and `prr worker` hourly).
PRUNE_AFTER_DAYS = env_int("PRR_PRUNE_AFTER_DAYS", 30, minimum=1)
