"""The close / cancel / reopen confirmation says who may, before anyone fills it in."""

from __future__ import annotations

from html import unescape

from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import close_review


def test_an_outsider_is_told_who_may_close_and_gets_no_form(client, outsider, review):
    client.force_login(outsider)
    page = unescape(client.get(f"/reviews/{review.number}/close/").content.decode())
    assert "Only the DRI (@dana) or an admin can close PRR-1." in page
    assert "Confirm close" not in page


def test_the_dri_gets_the_form_with_what_is_missing(client, dri, review):
    client.force_login(dri)
    page = unescape(client.get(f"/reviews/{review.number}/close/").content.decode())
    assert "Confirm close" in page
    assert "Still missing" in page


def test_reopen_is_offered_to_admins_only_and_only_when_not_open(
    client, dri, admin, review, sre_member, security_member
):
    client.force_login(admin)
    page = unescape(client.get(f"/reviews/{review.number}/reopen/").content.decode())
    assert "PRR-1 is open; there is nothing to reopen." in page
    for key in ("dashboards", "load-test"):
        set_item_state(review, key, "done", by=dri)
    set_item_state(review, "sre-review", "done", by=sre_member)
    set_item_state(review, "security-review", "done", by=security_member)
    close_review(review, by=dri)
    assert "Confirm reopen" in client.get(f"/reviews/{review.number}/reopen/").content.decode()
    client.force_login(dri)
    page = unescape(client.get(f"/reviews/{review.number}/reopen/").content.decode())
    assert "Only an admin can reopen PRR-1." in page
    page = unescape(client.get(f"/reviews/{review.number}/cancel/").content.decode())
    assert "PRR-1 is closed." in page
