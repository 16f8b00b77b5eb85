"""One host at a time: the LDAP sync (and the reminders) run under a lease row in the database.

No broker and no advisory locks: the claim is one `UPDATE … WHERE holder = '' OR expires_at <
now`, which PostgreSQL re-checks on the locked row and SQLite runs under its write lock, so of
two hosts claiming at once exactly one sees a row count of 1.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from prr.integrations.ldap.models import SyncLease

LDAP_SYNC = "ldap-sync"
# Longer than any sync should take: a host that dies while syncing holds the lease this long.
LEASE_SECONDS = 900


def claim_lease(
    holder: str,
    *,
    due_after: timedelta | None = None,
    now: datetime | None = None,
    name: str = LDAP_SYNC,
) -> bool:
    """Take the lease of job `name` for `holder`; with `due_after`, only if the last run ended
    that long ago."""
    now = now or timezone.now()
    SyncLease.objects.get_or_create(name=name)
    claim = SyncLease.objects.filter(Q(holder="") | Q(expires_at__lt=now), name=name)
    if due_after is not None:
        claim = claim.filter(Q(ran_at__isnull=True) | Q(ran_at__lte=now - due_after))
    claimed = claim.update(holder=holder, expires_at=now + timedelta(seconds=LEASE_SECONDS))
    return claimed == 1


def release_lease(
    holder: str, *, outcome: str, now: datetime | None = None, name: str = LDAP_SYNC
) -> bool:
    """Give the lease back; False if it had expired and another host holds it now."""
    released = SyncLease.objects.filter(name=name, holder=holder).update(
        holder="", expires_at=None, ran_at=now or timezone.now(), outcome=outcome[:500]
    )
    return released == 1


def current_lease() -> SyncLease | None:
    return SyncLease.objects.filter(name=LDAP_SYNC).first()
