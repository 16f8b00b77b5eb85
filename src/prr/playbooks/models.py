from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.db import models

from prr.playbooks.spec import PlaybookSpec


class Playbook(models.Model):
    """A template for reviews; its content lives in immutable versions."""

    slug = models.SlugField(max_length=64, unique=True)
    title = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.title


class PlaybookVersion(models.Model):
    """One immutable version of a playbook: a validated spec and its digest."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    spec_json = models.JSONField()
    digest = models.CharField(max_length=64, help_text="SHA-256 of the canonical spec JSON")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["playbook__slug", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["playbook", "number"], name="one_number_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.playbook.slug} v{self.number}"

    @cached_property
    def spec(self) -> PlaybookSpec:
        return PlaybookSpec.model_validate(self.spec_json)
