"""User Markdown (answers, messages, snapshots) as HTML that is safe to put in a page."""

from __future__ import annotations

import re
from datetime import datetime

import nh3
from django.utils import dateformat, timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# Raw HTML in the source stays text; nh3 then removes anything a renderer let through.
# Bare web addresses become links (linkify-it-py); only http(s) ones: no www. guesses, no
# e-mail addresses, no ftp: or protocol-relative addresses.
_renderer = MarkdownIt("commonmark", {"html": False, "linkify": True}).enable(
    ["table", "strikethrough", "linkify"]
)
_linkify = _renderer.linkify
if _linkify is None:  # markdown-it-py sets it only when linkify-it-py is installed
    raise ImportError("prr needs linkify-it-py to make web addresses clickable")
_linkify.set({"fuzzy_link": False, "fuzzy_email": False, "fuzzy_ip": False})
for _schema in ("ftp:", "//", "mailto:"):
    _linkify.add(_schema, None)

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr",
    "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"align"}, "th": {"align"}}
# Links written by people go elsewhere: search engines are not told to follow them, and the
# page they open gets neither this window nor the address of the review.
LINK_REL = "nofollow noopener noreferrer"

# A moment as the snapshot writes it (ISO 8601 with its offset), e.g. 2025-06-01T14:02:00+00:00.
ISO_MOMENT = re.compile(
    r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})(?![\w:])"
)
# markdown-it escapes < and > everywhere but in its own tags, so this splits tags from text.
_TAG = re.compile(r"(<[^>]*>)")


def readable_moment(match: re.Match[str]) -> str:
    text = match.group(0)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    # As every page shows times: in the reader's zone, which the page's footer names once.
    shown = dateformat.format(timezone.localtime(moment), "Y-m-d H:i")
    return f'<time datetime="{escape(text)}">{escape(shown)}</time>'


def with_readable_times(html: str) -> str:
    """`html` with each ISO moment in its text (not in its tags) shown as a `<time>`."""
    parts = _TAG.split(html)
    for index in range(0, len(parts), 2):  # even parts are text, odd ones tags
        parts[index] = ISO_MOMENT.sub(readable_moment, parts[index])
    return "".join(parts)


def render_markdown(text: str, *, readable_times: bool = False) -> SafeString:
    """Sanitised HTML of `text`; `readable_times`: its ISO moments shown in the reader's zone."""
    html = _renderer.render(text or "")
    tags, attributes = ALLOWED_TAGS, ALLOWED_ATTRIBUTES
    if readable_times:
        html = with_readable_times(html)
        tags, attributes = tags | {"time"}, {**attributes, "time": {"datetime"}}
    clean = nh3.clean(
        html,
        tags=tags,
        attributes=attributes,
        link_rel=LINK_REL,
        url_schemes={"http", "https", "mailto"},
    )
    # Safe: sanitised by nh3 just above.
    return mark_safe(clean)
