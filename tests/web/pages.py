"""Reading the parts of a rendered review page that a person looks at."""

from __future__ import annotations

import re


def item_html(html: str, key: str) -> str:
    match = re.search(rf'<li id="item-{key}" data-item="{key}".*?</li>', html, re.S)
    assert match, f"no item {key} on the page"
    return match.group(0)


def section_html(html: str, key: str) -> str:
    match = re.search(rf'<article id="section-{key}".*?</article>', html, re.S)
    assert match, f"no section {key} on the page"
    return match.group(0)


def region(html: str, element_id: str) -> str:
    match = re.search(rf'<(\w+) id="{element_id}".*?</\1>', html, re.S)
    assert match, f"no #{element_id} in the response"
    return match.group(0)


def header_html(html: str) -> str:
    return region(html, "review-header")
