"""Which Mattermost channels prr can hear: outgoing webhooks fire in public channels only.

server/channels/app/webhook.go, handleWebhookEvents: `if channel.Type != model.ChannelTypeOpen
{ return nil }`. Messages in private channels, direct and group messages never reach prr, so
such a channel cannot be linked to a review: its approvals would be lost without a word. The
slash command's request does not say the channel's type; a direct message's name is the two
user ids joined by `__`, a group message's the SHA-1 of its members' ids (model/channel.go,
GetDMNameFromIds, GetGroupNameFromUserIds); with the bot configured, prr asks the API.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from prr.integrations.chat.commands import CommandCall
from prr.integrations.mattermost.client import MattermostApi, MattermostApiError

logger = logging.getLogger(__name__)

DIRECT_MESSAGE_NAME = re.compile(r"[a-z0-9]{26}__[a-z0-9]{26}")
GROUP_MESSAGE_NAME = re.compile(r"[0-9a-f]{40}")
LOOKUP_TIMEOUT = 3.0

WHY = {
    "D": "a direct message",
    "G": "a group message",
    "P": "a private channel",
}


def channel_type(call: CommandCall) -> str:
    """O public, P private, D direct, G group; "" when prr cannot tell."""
    if DIRECT_MESSAGE_NAME.fullmatch(call.channel_name):
        return "D"
    if GROUP_MESSAGE_NAME.fullmatch(call.channel_name):
        return "G"
    api = MattermostApi.from_settings()
    if api is None:
        return ""
    try:
        channel = replace(api, timeout=min(api.timeout, LOOKUP_TIMEOUT)).get_channel(
            call.channel_id
        )
    except MattermostApiError as exc:
        logger.warning("Mattermost channel %s: type unknown: %s", call.channel_id, exc.message)
        return ""
    return str(channel.get("type", ""))


def unheard_channel(call: CommandCall) -> str | None:
    """Why prr would never receive this channel's messages, or None."""
    kind = WHY.get(channel_type(call))
    if kind is None:
        return None
    return (
        f"This is {kind}: Mattermost sends prr messages from public channels only (outgoing "
        "webhooks never fire elsewhere), so approvals written here would never reach the review. "
        "Link a public channel instead, or start the review with `/prr start` in one."
    )
