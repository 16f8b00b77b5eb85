"""What SCIM knows that prr's own models do not: its ids, the IdP's ids, and its tokens.

SCIM ids are prr's own stable UUIDs, never a database key or a username, so a rename or a
move between databases never changes what the identity provider points at.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


class ScimToken(models.Model):
    """A bearer token an identity provider presents. Only a hash is kept (like API tokens)."""

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                "name",
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_scim_token_name",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (prrscim_{self.prefix}_…)"


class ScimUser(models.Model):
    """A prr user as the identity provider provisioned them.

    `deleted_at` is set by a SCIM DELETE: the resource is gone for SCIM, the person (now
    deactivated) and their history stay, and a later POST of the same userName takes the row
    back.
    """

    scim_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scim"
    )
    user_name = models.CharField(max_length=255, help_text="userName as the IdP sent it.")
    external_id = models.CharField(max_length=255, blank=True)
    given_name = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # userName is unique ignoring case (RFC 7643 §4.1.1: caseExact false).
            models.UniqueConstraint(
                Lower("user_name"),
                condition=models.Q(deleted_at__isnull=True),
                name="one_live_scim_user_name",
            )
        ]

    def __str__(self) -> str:
        return self.user_name


class ScimGroup(models.Model):
    """A group the IdP pushed, and the team it keeps.

    `members` is the group as the IdP sees it; the team's current members are its active
    ones (a deactivated person stays in the group but is in no team).
    """

    scim_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.OneToOneField("teams.Team", on_delete=models.CASCADE, related_name="scim")
    display_name = models.CharField(max_length=255)
    external_id = models.CharField(max_length=255, blank=True)
    members = models.ManyToManyField(ScimUser, related_name="groups", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(Lower("display_name"), name="one_scim_group_display_name")
        ]

    def __str__(self) -> str:
        return self.display_name
