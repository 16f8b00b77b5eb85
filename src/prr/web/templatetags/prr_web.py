"""Filters the prr pages share: Markdown, ages, and how an item changed."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString

from prr.reviews.models import ReviewItem
from prr.web.markdown import render_markdown

register = template.Library()

VIA_WORDS: dict[str, str] = {
    ReviewItem.Via.MANUAL: "by hand",
    ReviewItem.Via.MESSAGE: "by a phrase",
    ReviewItem.Via.API: "through the API",
    ReviewItem.Via.CHECK: "by an automatic check",
}


@register.filter
def markdown(text: str) -> SafeString:
    return render_markdown(text)


@register.filter
def via_words(via: str) -> str:
    return VIA_WORDS.get(via, via)


@register.filter
def age(moment: datetime | None) -> str:
    """A short age: 45m, 5h, 3d."""
    if moment is None:
        return ""
    seconds = max(0, int((timezone.now() - moment).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


@register.filter
def dictget(mapping: dict[str, str], key: str) -> str:
    """mapping[key], or the key itself when the mapping does not have it."""
    return mapping.get(key, key)
