"""Filters the prr pages share: Markdown, ages, how an item changed, what a chat link hears."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.template.context import Context
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from prr.reviews.models import Review, ReviewItem
from prr.web.markdown import render_markdown
from prr.web.review_page import ChatLinkState
from prr.web.review_page import chat_link_states as states_of_links

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
def markdown_document(text: str) -> SafeString:
    """Markdown of a document whose ISO moments are shown readably, in the reader's zone."""
    return render_markdown(text, readable_times=True)


@register.simple_tag
def chat_link_states(review: Review) -> list[ChatLinkState]:
    """`{% chat_link_states review as states %}`: its linked channels, and whether prr posts
    the review's news in each (the same words as on the review page)."""
    return states_of_links(review)


@register.simple_tag(takes_context=True)
def form_csrf(context: Context) -> str:
    """A form's CSRF field, except in an htmx answer: htmx sends the token as a header
    (base.html's hx-headers) and such a fragment only ever lands in a page running htmx, so
    the field would be repeated in every form of every live update for nothing."""
    if getattr(context.get("request"), "htmx", False):
        return ""
    token = context.get("csrf_token")
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


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
