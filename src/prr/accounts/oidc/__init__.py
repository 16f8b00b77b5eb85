"""Signing in with the organisation's OpenID Connect provider (Okta, Entra ID, Keycloak, …).

mozilla-django-oidc does the protocol (state, nonce, PKCE, the code exchange, the ID token's
RS256 signature against the provider's JWKS); this package adds what prr needs around it:
endpoints from the issuer's discovery document (`discovery`), the rules of who signs in as
whom (`signin`), password sign-in turned off except for break-glass accounts (`passwords`),
and a clear page for every way a sign-in can fail (`views`).
"""
