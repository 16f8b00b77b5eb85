"""The claims the provider gives: the standard profile and email claims, and `groups`.

django-oauth-toolkit releases a claim only for a scope the client was granted
(`OAuth2Validator.oidc_claim_scope`); `groups` comes with the `groups` scope, as at Okta.
"""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator


class ClaimsValidator(OAuth2Validator):  # type: ignore[misc]
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "groups": "groups"}

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user = request.user
        return {
            "preferred_username": user.username,
            "name": user.get_full_name(),
            "email": user.email,
            "groups": sorted(user.groups.values_list("name", flat=True)),
        }
