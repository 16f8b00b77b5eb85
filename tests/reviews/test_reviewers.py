from __future__ import annotations

import pytest

from prr.errors import PermissionDenied, RuleViolation
from prr.reviews.starting import add_reviewers, start_review


def test_reviewers_named_at_start_are_on_the_review(small_playbook, dri, outsider):
    review = start_review(
        version=small_playbook,
        title="Checkout: one-click reorder button",
        dri=dri,
        reviewers=[outsider, outsider],
    )
    assert list(review.reviewers.values_list("username", flat=True)) == ["oscar"]
    assert review.timeline.get().data["reviewers"] == ["oscar"]


def test_the_dri_adds_people_and_teams_as_reviewers(review, dri, outsider, teams):
    add_reviewers(review, by=dri, users=[outsider], teams=[teams["product"]])
    assert list(review.reviewers.values_list("username", flat=True)) == ["oscar"]
    assert "product" in set(review.reviewer_teams.values_list("slug", flat=True))
    event = review.timeline.get(kind="reviewers.added")
    assert event.summary == "@dana added reviewers: @oscar, team Product"


def test_only_the_dri_or_an_admin_adds_reviewers(review, outsider, admin):
    with pytest.raises(PermissionDenied, match="Only the DRI"):
        add_reviewers(review, by=outsider, users=[outsider])
    add_reviewers(review, by=admin, users=[outsider])
    assert review.reviewers.count() == 1


def test_adding_only_existing_reviewers_is_refused(review, dri, teams):
    with pytest.raises(RuleViolation, match="already a reviewer"):
        add_reviewers(review, by=dri, teams=[teams["sre"]])


def test_a_deactivated_person_cannot_become_a_reviewer(review, dri, outsider):
    outsider.is_active = False
    outsider.save()
    with pytest.raises(RuleViolation, match="deactivated"):
        add_reviewers(review, by=dri, users=[outsider])
    assert review.reviewers.count() == 0
