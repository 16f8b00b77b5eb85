"""A Mattermost account's verified address, so prr can find its person without a link.

`GET /api/v4/users/{id}` gives `email` and `email_verified` to the bot when the server shows
addresses to it (Privacy settings, or a bot with the permission to read users' email).
"""

from __future__ import annotations

import logging
from dataclasses import replace

from prr.integrations.chat.models import ChatIdentity, Platform
from prr.integrations.mattermost.client import MattermostApi, MattermostApiError

logger = logging.getLogger(__name__)

LOOKUP_TIMEOUT = 3.0  # the lookup runs while Mattermost waits for prr's answer


def verified_email(user_id: str) -> str:
    """The account's address if Mattermost verified it; "" when linked, unknown or unverified."""
    if ChatIdentity.objects.filter(platform=Platform.MATTERMOST, external_id=user_id).exists():
        return ""  # the link decides
    api = MattermostApi.from_settings()
    if api is None:
        return ""
    try:
        user = replace(api, timeout=min(api.timeout, LOOKUP_TIMEOUT)).get_user(user_id)
    except MattermostApiError as exc:
        logger.warning("Mattermost user %s: could not read the address: %s", user_id, exc.message)
        return ""
    email = user.get("email")
    return email if user.get("email_verified") is True and isinstance(email, str) else ""
