from __future__ import annotations

from django.db import models


class SyncLease(models.Model):
    """Which host runs the LDAP sync now, and when it last ran, whatever the host.

    One row per job. A host takes it with one conditional UPDATE (free or expired, and due)
    and a look at the row count, so two workers on two hosts never sync at once and the fleet
    syncs once per PRR_LDAP_SYNC_INTERVAL, not once per worker.
    """

    name = models.CharField(max_length=50, unique=True)
    holder = models.CharField(max_length=64, blank=True, help_text="Empty: free.")
    expires_at = models.DateTimeField(null=True, blank=True)
    ran_at = models.DateTimeField(null=True, blank=True, help_text="When the last run ended.")
    outcome = models.CharField(max_length=500, blank=True, help_text="What the last run did.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        held = f"held by {self.holder} until {self.expires_at:%H:%M:%S}" if self.holder else "free"
        return f"{self.name} ({held})"
