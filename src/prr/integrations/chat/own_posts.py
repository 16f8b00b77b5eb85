"""prr's own posts in chat, remembered so that an echo of one is never taken as a person's.

A chat may hand prr back what prr itself posted: Mattermost fires outgoing webhooks for a slash
command's in-channel answer (as the user who ran the command) and for the bot's posts (as the
bot). prr remembers a digest of each such post for ECHO_WINDOW; a message in the same channel
with the same text within that window is prr's own and is neither stored nor answered.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.utils import timezone

from prr.integrations.chat.models import OwnPost

# Echoes come within seconds; a window of minutes covers a slow chat server.
ECHO_WINDOW = timedelta(minutes=10)


def digest(text: str) -> str:
    # Chats may trim or re-wrap whitespace; nothing else of the text may differ.
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def remember_own_post(platform: str, channel_id: str, text: str) -> None:
    """Call before posting `text` there: the echo may come back before the post's answer."""
    now = timezone.now()
    OwnPost.objects.filter(created_at__lt=now - ECHO_WINDOW).delete()  # cheap: indexed, few rows
    OwnPost.objects.create(platform=platform, channel_id=channel_id, digest=digest(text))


def is_own_post(platform: str, channel_id: str, text: str) -> bool:
    return OwnPost.objects.filter(
        platform=platform,
        channel_id=channel_id,
        digest=digest(text),
        created_at__gte=timezone.now() - ECHO_WINDOW,
    ).exists()
