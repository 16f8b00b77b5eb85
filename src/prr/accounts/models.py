from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person (or a bot) who takes part in reviews; `username` is the @handle."""

    display_name = models.CharField(max_length=150, blank=True)
    is_bot = models.BooleanField(
        default=False, help_text="Bots may post, but their messages never trigger task actions."
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        help_text="The IANA time zone pages show times in; empty: the browser's.",
    )

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def handle(self) -> str:
        return f"@{self.username}"


class ApiToken(models.Model):
    """A personal API token. Only a hash is kept; the token itself is shown once, at creation.

    A token reads `prr_<prefix>_<secret>`: the prefix finds the row and is safe to display,
    the SHA-256 of the whole token is compared in constant time.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
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
                "user",
                "name",
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_token_name_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (@{self.user.username}, prr_{self.prefix}_…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
