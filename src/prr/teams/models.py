from __future__ import annotations

from django.conf import settings
from django.db import models


class Team(models.Model):
    """A group that owns approvals: `sre`, `platform`, `security`, `product`, …"""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """One stint of a person in a team; `removed_at` is set when it ends.

    Ended memberships are kept, so the record shows that an approver was a member at the
    time they approved.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["team__slug", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"],
                condition=models.Q(removed_at__isnull=True),
                name="one_current_membership_per_team",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"
