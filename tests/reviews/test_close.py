"""Closing is gated on approvals; a closed review is frozen; reopen and cancel need reasons."""

from __future__ import annotations

import pytest

from prr.errors import InvalidInput, PermissionDenied, RuleViolation
from prr.reviews.answers import answer_section
from prr.reviews.channel import post_message
from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import cancel_review, close_review, reopen_review
from prr.reviews.models import Review


@pytest.fixture
def ready_review(review, dri, sre_member, security_member):
    set_item_state(review, "dashboards", "done", by=dri)
    set_item_state(review, "load-test", "n/a", by=dri, reason="Internal tool, 3 users")
    post_message(review, author=sre_member, body="SRE review is completed")
    post_message(review, author=security_member, body="Security review is completed")
    return review


def test_close_is_refused_with_the_list_of_what_is_missing(review, dri, sre_member):
    post_message(review, author=sre_member, body="SRE review is completed")
    with pytest.raises(RuleViolation) as refused:
        close_review(review, by=dri)
    message = refused.value.message
    assert "PRR-1 cannot be closed yet" in message
    assert "Security review is still open; waiting for a member of team Security to approve" in (
        message
    )
    assert "Dashboards linked is still open; waiting for the DRI @dana" in message
    assert "SRE review" not in message
    # Optional items (tracing, product review) do not hold a close.
    assert "Tracing" not in message
    assert "Product" not in message
    assert [d["item"] for d in refused.value.details] == [
        "dashboards",
        "load-test",
        "security-review",
    ]
    assert Review.objects.get(pk=review.pk).status == "open"


def test_the_dri_closes_a_ready_review_and_gets_snapshot_1(ready_review, dri):
    snapshot = close_review(ready_review, by=dri)
    ready_review.refresh_from_db()
    assert ready_review.status == "closed"
    assert ready_review.closed_at is not None
    assert snapshot.version == 1
    assert ready_review.timeline.filter(kind="review.closed").count() == 1


def test_only_the_dri_or_an_admin_closes(ready_review, sre_member, admin):
    with pytest.raises(PermissionDenied, match=r"Only the DRI \(@dana\) or an admin can close"):
        close_review(ready_review, by=sre_member)
    assert close_review(ready_review, by=admin).version == 1


def test_an_admin_may_force_close_with_a_reason(review, admin, dri):
    with pytest.raises(PermissionDenied, match="Only an admin can force-close"):
        close_review(review, by=dri, force=True, reason="urgent")
    with pytest.raises(InvalidInput, match="A reason is required"):
        close_review(review, by=admin, force=True)
    snapshot = close_review(review, by=admin, force=True, reason="Incident fix, reviewed live")
    event = review.timeline.get(kind="review.closed")
    assert event.data["forced"] is True
    assert "force-closed PRR-1 with 4 required item(s) open: Incident fix" in event.summary
    assert snapshot.content["review"]["status"] == "closed"


def test_a_closed_review_refuses_every_change_but_messages(ready_review, dri, sre_member):
    close_review(ready_review, by=dri)
    with pytest.raises(RuleViolation, match="PRR-1 is closed; cannot change its checklist"):
        set_item_state(ready_review, "dashboards", "open", by=dri)
    with pytest.raises(RuleViolation, match="PRR-1 is closed"):
        answer_section(ready_review, "summary", "late edit", by=dri)
    with pytest.raises(RuleViolation, match="already closed"):
        close_review(ready_review, by=dri)
    with pytest.raises(RuleViolation, match="PRR-1 is closed"):
        cancel_review(ready_review, by=dri, reason="x")
    result = post_message(ready_review, author=sre_member, body="Thanks all, great review")
    assert result.message.pk is not None


def test_reopen_is_for_admins_with_a_reason_and_keeps_the_old_snapshot(ready_review, dri, admin):
    close_review(ready_review, by=dri)
    with pytest.raises(PermissionDenied, match="Only an admin can reopen"):
        reopen_review(ready_review, by=dri, reason="more work")
    with pytest.raises(InvalidInput, match="A reason is required"):
        reopen_review(ready_review, by=admin, reason="")
    reopen_review(ready_review, by=admin, reason="Scope grew: a new region")
    ready_review.refresh_from_db()
    assert ready_review.status == "open"
    answer_section(ready_review, "summary", "Now with a second region", by=dri)
    second = close_review(ready_review, by=dri)
    assert second.version == 2
    first = ready_review.snapshots.get(version=1)
    assert "Now with a second region" not in first.markdown
    assert "Now with a second region" in second.markdown


def test_reopening_an_open_review_is_refused(review, admin):
    with pytest.raises(RuleViolation, match="already open"):
        reopen_review(review, by=admin, reason="why not")


def test_cancel_by_the_dri_with_a_reason(review, dri, outsider):
    with pytest.raises(PermissionDenied, match="Only the DRI"):
        cancel_review(review, by=outsider, reason="no")
    with pytest.raises(InvalidInput, match="A reason is required"):
        cancel_review(review, by=dri, reason="")
    cancel_review(review, by=dri, reason="Project dropped")
    review.refresh_from_db()
    assert review.status == "cancelled"
    assert review.timeline.get(kind="review.cancelled").data["reason"] == "Project dropped"


def test_reopen_is_refused_while_another_open_review_has_the_title(review, dri, admin):
    from prr.reviews.starting import start_review

    cancel_review(review, by=dri, reason="Restarting with the new playbook")
    again = start_review(version=review.playbook_version, title=review.title, dri=dri)
    with pytest.raises(RuleViolation, match=f"{again.ref} is open with the same title"):
        reopen_review(review, by=admin, reason="Wrong one cancelled")
