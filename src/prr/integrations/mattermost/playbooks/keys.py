"""Slugs and keys: the one shape prr gives a playbook's slug and an item's key (lowercase
letters, digits and hyphens, at most `KEY_LENGTH`), the slug of an imported playbook (given
with --slug or made from its title), and `slugify`, which makes a key from a title.
"""

from __future__ import annotations

import re

from django.utils.text import slugify as django_slugify

from prr.errors import InvalidInput

KEY_LENGTH = 64
KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def playbook_slug(title: str, slug: str | None) -> str:
    if slug is not None:
        if not KEY.match(slug) or len(slug) > KEY_LENGTH:
            raise InvalidInput(
                f"--slug '{slug}' is not a playbook slug: up to {KEY_LENGTH} lowercase letters, "
                "digits and hyphens, starting with a letter or digit."
            )
        return slug
    made = slugify(title)
    if not made:
        raise InvalidInput(f'Cannot make a slug from the title "{title}"; give one with --slug.')
    return made


def slugify(text: str) -> str:
    # Punctuation separates words ("Go/no-go" -> "go-no-go"), as spaces do.
    words = re.sub(r"[^\w\s-]|_", " ", text)
    return django_slugify(words)[:KEY_LENGTH].strip("-")
