"""What every page shares: error pages, security headers, static files, no inline code."""

from __future__ import annotations

import re
from pathlib import Path

from django.template.loader import get_template


def test_pages_send_a_strict_content_security_policy(as_dri, review) -> None:
    response = as_dri.get(f"/reviews/{review.number}/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "style-src 'self'" in response["Content-Security-Policy"]


def test_htmx_is_configured_without_inline_styles_or_eval(as_dri, review) -> None:
    html = as_dri.get(f"/reviews/{review.number}/").content.decode()
    assert '"includeIndicatorStyles": false' in html
    assert '"allowEval": false' in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None


def test_the_vendored_htmx_and_the_stylesheet_are_served(as_dri, db) -> None:
    from django.contrib.staticfiles import finders

    htmx = finders.find("web/vendor/htmx.min.js")
    assert isinstance(htmx, str)
    assert "htmx" in Path(htmx).read_text(encoding="utf-8")
    assert finders.find("web/vendor/LICENSE")
    css = finders.find("web/prr.css")
    assert isinstance(css, str)
    assert "@media (max-width: 480px)" in Path(css).read_text(encoding="utf-8")


def test_the_403_page_says_why(rf, outsider) -> None:
    from django.core.exceptions import PermissionDenied

    from prr.web.views.common import permission_denied

    request = rf.get("/somewhere/")
    request.user = outsider
    response = permission_denied(request, PermissionDenied("Only an admin can do this."))
    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in html
    assert "Only an admin can do this." in html
    assert "@oscar" in html  # the site's header, for a signed-in user


def test_the_500_page_needs_no_request_and_leaks_nothing() -> None:
    html = get_template("500.html").render({})
    assert "Something went wrong" in html
    assert "Traceback" not in html
    assert "/static/web/prr.css" in html


def test_every_field_on_the_review_page_has_a_label(as_dri, review) -> None:
    html = as_dri.get(f"/reviews/{review.number}/").content.decode()
    ids = re.findall(r'<(?:textarea|input type="text"|select)[^>]*\bid="([^"]+)"', html)
    assert ids
    for field_id in ids:
        assert f'<label for="{field_id}">' in html, field_id


def test_a_missing_csrf_token_gets_a_page_in_the_sites_style(sre_member, review) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(sre_member)
    response = client.post(f"/reviews/{review.number}/messages/", {"body": "hello there"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "This form has expired" in html
    assert "/static/web/prr.css" in html
    assert review.messages.count() == 0
