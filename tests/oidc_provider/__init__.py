"""A real OpenID Connect provider for the tests: django-oauth-toolkit's, in its own process.

`python -m tests.oidc_provider DIR` serves discovery, authorize, token, userinfo and JWKS on
127.0.0.1 (a free port) with an RSA key generated at start; `process.start_provider` runs it
and talks to its test-only control endpoints (people, their groups, expiring codes).
"""

CLIENT_ID = "prr-test-client"
CLIENT_SECRET = "prr-test-client-secret"
