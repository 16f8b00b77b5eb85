from __future__ import annotations

from django.conf import settings
from django.db import models


class Source(models.TextChoices):
    """Where a membership comes from: prr's own list, or the organisation's directory."""

    MANUAL = "manual", "by hand in prr"
    SCIM = "scim", "SCIM"
    LDAP = "ldap", "LDAP"
    OIDC = "oidc", "OIDC groups claim"


class Team(models.Model):
    """A group that owns approvals: `sre`, `platform`, `security`, `product`, …

    A team is kept by hand in prr, or directory-managed: linked to one external group, whose
    members only the directory changes (`prr.teams.directory`).
    """

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    directory_source = models.CharField(
        max_length=8,
        choices=[c for c in Source.choices if c[0] != Source.MANUAL],
        blank=True,
        help_text="Empty: members are kept by hand in prr.",
    )
    directory_group = models.CharField(
        max_length=255, blank=True, help_text="The directory group's id or name."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_directory_managed(self) -> bool:
        return bool(self.directory_source)


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
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL)
    group = models.CharField(
        max_length=255, blank=True, help_text="The directory group the person was a member of."
    )
    removed_by_source = models.CharField(
        max_length=8, choices=Source.choices, blank=True, help_text="What ended the membership."
    )

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
