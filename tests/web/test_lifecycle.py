"""Close, reopen and cancel: confirmation pages, reasons, refusals."""

from __future__ import annotations

from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import cancel_review, close_review
from prr.reviews.models import Review, Snapshot


def url(review, verb: str) -> str:
    return f"/reviews/{review.number}/{verb}/"


def complete(review, admin) -> None:
    for key in ("dashboards", "load-test", "sre-review", "security-review"):
        set_item_state(review, key, "done", by=admin)


def status(review) -> str:
    return Review.objects.get(pk=review.pk).status


def test_the_close_confirmation_lists_what_is_missing(as_dri, review) -> None:
    html = as_dri.get(url(review, "close")).content.decode()
    assert ">Confirm close</button>" in html
    assert "SRE review is still open; waiting for a member of team SRE to approve" in html
    assert 'name="reason"' not in html  # the DRI's close needs no reason


def test_a_refused_close_shows_the_missing_items(as_dri, review) -> None:
    response = as_dri.post(url(review, "close"))
    assert response.status_code == 409
    html = response.content.decode()
    assert f"PRR-{review.number} cannot be closed yet:" in html
    assert "Security review is still open; waiting for a member of team Security" in html
    assert "Dashboards linked is still open; waiting for the DRI @dana" in html
    assert status(review) == "open"


def test_the_dri_closes_a_complete_review_and_gets_a_snapshot(as_dri, review, admin) -> None:
    complete(review, admin)
    response = as_dri.post(url(review, "close"), follow=True)
    assert status(review) == "closed"
    html = response.content.decode()
    assert f"Closed PRR-{review.number}; snapshot v1 written." in html
    assert f'href="/reviews/{review.number}/snapshots/1/">Snapshot v1</a>' in html


def test_the_outsider_may_not_close(as_outsider, review, admin) -> None:
    complete(review, admin)
    response = as_outsider.post(url(review, "close"))
    assert response.status_code == 403
    assert f"Only the DRI (@dana) or an admin can close PRR-{review.number}." in (
        response.content.decode()
    )
    assert status(review) == "open"


def test_an_admin_force_closes_with_a_reason(as_admin, review) -> None:
    page = as_admin.get(url(review, "close")).content.decode()
    assert "Force close" in page
    assert '<label for="reason">Reason</label>' in page
    refused = as_admin.post(url(review, "close"), {"force": "on", "reason": ""})
    assert refused.status_code == 400
    assert "A reason is required to force-close a review." in refused.content.decode()
    as_admin.post(url(review, "close"), {"force": "on", "reason": "Approved in the meeting"})
    assert status(review) == "closed"
    assert Snapshot.objects.get().version == 1


def test_the_dri_may_not_force_close(as_dri, review) -> None:
    assert "Force close" not in as_dri.get(url(review, "close")).content.decode()
    response = as_dri.post(url(review, "close"), {"force": "on", "reason": "Hurry"})
    assert response.status_code == 403
    assert "Only an admin can force-close a review." in response.content.decode()


def test_cancel_needs_a_reason(as_dri, review) -> None:
    page = as_dri.get(url(review, "cancel")).content.decode()
    assert ">Confirm cancel</button>" in page
    refused = as_dri.post(url(review, "cancel"), {"reason": "  "})
    assert refused.status_code == 400
    assert "A reason is required to cancel a review." in refused.content.decode()
    assert status(review) == "open"
    response = as_dri.post(url(review, "cancel"), {"reason": "Project stopped"})
    assert response.status_code == 302
    assert status(review) == "cancelled"


def test_the_sre_member_may_not_cancel(as_sre, review) -> None:
    response = as_sre.post(url(review, "cancel"), {"reason": "Not ready"})
    assert response.status_code == 403
    assert status(review) == "open"


def test_only_an_admin_reopens_with_a_reason(as_dri, as_admin, review, dri, admin) -> None:
    close_review(review, by=admin, force=True, reason="Approved in the meeting")
    refused = as_dri.post(url(review, "reopen"), {"reason": "Found a problem"})
    assert refused.status_code == 403
    assert "Only an admin can reopen a review." in refused.content.decode()
    page = as_admin.get(url(review, "reopen")).content.decode()
    assert ">Confirm reopen</button>" in page
    response = as_admin.post(url(review, "reopen"), {"reason": "Found a problem"}, follow=True)
    assert status(review) == "open"
    assert f"Reopened PRR-{review.number}." in response.content.decode()
    assert "Snapshot v1" in response.content.decode()  # the old snapshot stays


def test_reopening_an_open_review_is_refused(as_admin, review) -> None:
    response = as_admin.post(url(review, "reopen"), {"reason": "Why not"})
    assert response.status_code == 409
    assert f"PRR-{review.number} is already open." in response.content.decode()


def test_a_cancelled_review_cannot_be_closed(as_dri, review, dri) -> None:
    cancel_review(review, by=dri, reason="Project stopped")
    response = as_dri.post(url(review, "close"))
    assert response.status_code == 409
    assert "is cancelled; cannot close it." in response.content.decode()


def test_an_unknown_action_is_a_404(as_dri, review) -> None:
    assert as_dri.get(f"/reviews/{review.number}/delete/").status_code == 404
