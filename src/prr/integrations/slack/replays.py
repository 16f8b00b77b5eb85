"""A signed slash command runs once, even when the same request is sent again.

The signature only proves that Slack sent the request within five minutes; a copy of it (from a
proxy's log, a retrying load balancer) passes that check for as long. Slack does not retry slash
commands, so a second request with the same timestamp and signature is never a new command.
The first one is remembered by a unique key: of two identical requests at the same moment, the
database lets one insert it, and only that one runs.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from prr.integrations.slack.models import CommandReceipt
from prr.integrations.slack.signing import TOLERANCE

# A request is accepted from 5 minutes before its timestamp until 5 minutes after it, so it
# may come again up to 10 minutes after it was first seen; older receipts protect nothing.
KEEP_FOR = timedelta(seconds=2 * TOLERANCE + 60)

REPLAYED = (
    "This /prr command was already received: the same signed request was sent again, "
    "and prr runs a command once. Type the command again to run it again."
)


def receipt_key(timestamp: str, signature: str) -> str:
    return hashlib.sha256(f"{timestamp.strip()}:{signature.strip()}".encode()).hexdigest()


def first_time(timestamp: str, signature: str) -> bool:
    """Record the request; False when it was recorded before (a replay)."""
    now = timezone.now()
    # One indexed DELETE per command keeps the table to the last ten minutes of commands.
    CommandReceipt.objects.filter(created_at__lt=now - KEEP_FOR).delete()
    try:
        with transaction.atomic():
            CommandReceipt.objects.create(key=receipt_key(timestamp, signature))
    except IntegrityError:
        return False
    return True
