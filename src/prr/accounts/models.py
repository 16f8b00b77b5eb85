from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person (or a bot) who takes part in reviews; `username` is the @handle."""

    display_name = models.CharField(max_length=150, blank=True)
    is_bot = models.BooleanField(
        default=False, help_text="Bots may post, but their messages never trigger task actions."
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
