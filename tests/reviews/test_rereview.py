"""Re-review: when a closed review is due again, and restarting it from the previous one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from prr.errors import PermissionDenied, RuleViolation
from prr.playbooks.services import import_playbook
from prr.reviews.answers import answer_section
from prr.reviews.channel import post_message
from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import close_review
from prr.reviews.models import Review
from prr.reviews.rereview import due_for_rereview, request_rereview, restart_review, why_due
from prr.reviews.snapshot_diff import against_previous, diff_snapshots
from prr.reviews.starting import add_reviewers, start_review
from prr.reviews.waivers import expire_waivers, waive_item
from tests.api.conftest import api_as
from tests.cli.conftest import cli
from tests.conftest import SMALL_PLAYBOOK

__all__ = ["api_as", "cli"]

YEARLY = SMALL_PLAYBOOK.replace("slug: small\n", "slug: small\nrecertify_after_days: 365\n", 1)


def complete(review, dri, sre_member, security_member) -> None:
    set_item_state(review, "dashboards", "done", by=dri)
    set_item_state(review, "load-test", "done", by=dri)
    post_message(review, author=sre_member, body="SRE review is completed")
    post_message(review, author=security_member, body="Security review is completed")


@pytest.fixture
def closed(teams, dri, sre_member, security_member, outsider) -> Review:
    version = import_playbook(YEARLY).version
    review = start_review(version=version, title="Payments API moves to the vault", dri=dri)
    add_reviewers(review, by=dri, users=[outsider])
    answer_section(review, "summary", "Cards move to the vault.", by=dri)
    complete(review, dri, sre_member, security_member)
    close_review(review, by=dri)
    return Review.objects.get(pk=review.pk)


def test_a_review_is_due_when_its_playbook_says_so(closed) -> None:
    assert why_due(closed) is None
    in_a_year = timezone.now() + timedelta(days=366)
    assert why_due(closed, in_a_year) == (
        "closed more than 365 days ago (the playbook recertifies every 365 days)"
    )
    assert [d.review for d in due_for_rereview(in_a_year)] == [closed]
    assert due_for_rereview() == []


def test_an_admin_can_make_it_due(closed, review, dri, admin) -> None:
    with pytest.raises(PermissionDenied, match="Only an admin can ask for a re-review"):
        request_rereview(closed, by=dri, reason="The vault changed")
    with pytest.raises(RuleViolation, match="only a closed review is re-reviewed"):
        request_rereview(review, by=admin, reason="Too early")
    asked = request_rereview(closed, by=admin, reason="The vault moved to a new region")
    assert why_due(asked) == "an admin asked for a re-review"
    assert asked.timeline.get(kind="review.rereview_requested").summary == (
        f"@ada asked for a re-review of {closed.ref}: The vault moved to a new region"
    )


def test_an_expired_waiver_makes_it_due(review, dri, sre_member, security_member) -> None:
    today = timezone.now().date()
    waive_item(review, "load-test", by=dri, reason="Rig rebuilt", until=today + timedelta(1))
    set_item_state(review, "dashboards", "done", by=dri)
    post_message(review, author=sre_member, body="SRE review is completed")
    post_message(review, author=security_member, body="Security review is completed")
    close_review(review, by=dri)
    assert why_due(review) is None

    expire_waivers(timezone.now() + timedelta(days=3))

    assert why_due(Review.objects.get(pk=review.pk)) == "a waiver expired"


def test_restart_copies_the_answers_and_links_the_reviews(
    closed, dri, sre_member, security_member, outsider
) -> None:
    rereview = restart_review(closed, by=dri)

    assert rereview.previous == closed
    assert rereview.status == "open"
    assert (rereview.title, rereview.kind, rereview.dri) == (closed.title, closed.kind, dri)
    assert list(rereview.reviewers.all()) == [outsider]
    assert rereview.answers.get(section_key="summary").body == "Cards move to the vault."
    assert rereview.timeline.get(kind="review.restarted").summary == (
        f"@dana started {rereview.ref} as the re-review of {closed.ref}; "
        f"1 answer(s) copied from {closed.ref} snapshot v1 to start from"
    )
    assert why_due(closed, timezone.now() + timedelta(days=400)) is None  # re-reviewed
    with pytest.raises(RuleViolation, match=f"already re-reviewed in {rereview.ref}"):
        restart_review(closed, by=dri)

    answer_section(rereview, "summary", "Cards move to the vault in two regions.", by=dri)
    complete(rereview, dri, sre_member, security_member)
    close_review(rereview, by=dri)
    before, after = against_previous(rereview)
    diff = diff_snapshots(rereview, before, after)
    assert (before.review_id, after.review_id) == (closed.pk, rereview.pk)
    assert [(s.key, s.change) for s in diff.sections] == [("summary", "changed")]
    from tests.web.conftest import signed_in

    page = signed_in(outsider).get(f"/reviews/{rereview.number}/diff/?previous=1")
    assert f"What changed from {closed.ref} (v1) to this re-review (v1)" in page.content.decode()


def test_who_may_restart(closed, review, outsider, admin) -> None:
    with pytest.raises(PermissionDenied, match="Only the DRI"):
        restart_review(closed, by=outsider)
    with pytest.raises(RuleViolation, match="only a closed review is re-reviewed"):
        restart_review(review, by=admin)
    assert restart_review(closed, by=admin).previous == closed


def test_restart_and_due_from_the_cli_and_the_api(closed, dri, admin, api_as, cli) -> None:
    assert cli("review", "due").output == "No review is due for a re-review.\n"
    asked = cli("review", "request-rereview", closed.ref, "--reason", "New region", "--as", "ada")
    assert asked.output == f"{closed.ref} is due for a re-review.\n"
    assert api_as(dri).get("/rereviews/due").json() == [
        {
            "ref": closed.ref,
            "title": closed.title,
            "dri": "dana",
            "why": "an admin asked for a re-review",
        }
    ]
    started = api_as(dri).post(f"/reviews/{closed.ref}/restart", {})
    assert started.status_code == 201
    new_ref = started.json()["ref"]
    again = cli("review", "restart", closed.ref, "--as", "dana")
    assert again.exit_code == 1
    assert f"already re-reviewed in {new_ref}" in again.stderr
    assert api_as(dri).get(f"/reviews/{new_ref}/diff?previous=true").status_code == 404
