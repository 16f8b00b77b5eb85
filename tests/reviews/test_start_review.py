from __future__ import annotations

import pytest

from prr.errors import InvalidInput, PermissionDenied, RuleViolation
from prr.playbooks.services import import_playbook
from prr.reviews.lifecycle import cancel_review
from prr.reviews.models import Review
from prr.reviews.starting import start_review
from tests.conftest import SMALL_PLAYBOOK


def start(version, dri, title="Payments API: move card tokenisation to the vault", **kw):
    return start_review(version=version, title=title, dri=dri, **kw)


def test_it_numbers_reviews_prr_n(small_playbook, dri):
    first = start(small_playbook, dri)
    second = start(small_playbook, dri, title="Search cluster: upgrade to version eight")
    assert (first.ref, second.ref) == ("PRR-1", "PRR-2")


@pytest.mark.parametrize("title", ["Payments", "New vault", "Do the thing", "a b c"])
def test_it_refuses_a_title_that_is_not_self_descriptive(small_playbook, dri, title):
    with pytest.raises(InvalidInput, match="not self-descriptive"):
        start(small_playbook, dri, title=title)
    assert Review.objects.count() == 0


def test_it_refuses_the_playbook_title_as_review_title(small_playbook, dri):
    with pytest.raises(InvalidInput, match="only the playbook's title"):
        start(small_playbook, dri, title="small READINESS review")


def test_it_refuses_the_title_of_another_open_review_whatever_the_case(small_playbook, dri):
    first = start(small_playbook, dri)
    with pytest.raises(RuleViolation, match=f"{first.ref} is already open"):
        start(small_playbook, dri, title="PAYMENTS API: move card tokenisation to the VAULT")


def test_it_allows_the_title_of_a_cancelled_review(small_playbook, dri):
    first = start(small_playbook, dri)
    cancel_review(first, by=dri, reason="Started by mistake")
    again = start(small_playbook, dri)
    assert again.title == first.title


def test_it_copies_only_the_items_of_the_reviews_kind(small_playbook, dri):
    service = start(small_playbook, dri, kind="service")
    feature = start(small_playbook, dri, kind="feature", title="Checkout: one-click reorder button")
    assert "load-test" in set(service.items.values_list("key", flat=True))
    assert "load-test" not in set(feature.items.values_list("key", flat=True))


def test_it_refuses_a_kind_the_playbook_does_not_have(small_playbook, dri):
    with pytest.raises(InvalidInput, match="no kind 'database'"):
        start(small_playbook, dri, kind="database")


def test_it_adds_the_owning_teams_of_required_items_as_reviewers(small_playbook, dri):
    review = start(small_playbook, dri)
    # Product review is optional, so team product is not added.
    assert sorted(review.reviewer_teams.values_list("slug", flat=True)) == ["security", "sre"]


def test_it_records_the_start_on_the_timeline(small_playbook, dri):
    review = start(small_playbook, dri)
    event = review.timeline.get()
    assert event.kind == "review.started"
    assert "@dana started PRR-1" in event.summary


def test_it_refuses_a_deactivated_dri(small_playbook, dri, admin):
    dri.is_active = False
    dri.save()
    with pytest.raises(RuleViolation, match="deactivated"):
        start(small_playbook, dri, by=admin)


def test_only_an_admin_may_name_someone_else_as_dri(small_playbook, dri, outsider, admin):
    with pytest.raises(PermissionDenied, match="someone else as the DRI"):
        start(small_playbook, dri, by=outsider)
    assert start(small_playbook, dri, by=admin).dri == dri


def test_a_new_playbook_version_does_not_change_a_running_review(small_playbook, dri):
    review = start(small_playbook, dri)
    before = sorted(review.items.values_list("key", flat=True))
    import_playbook(SMALL_PLAYBOOK.replace("Tracing enabled", "Tracing enabled everywhere"))
    review.refresh_from_db()
    assert review.playbook_version == small_playbook
    assert sorted(review.items.values_list("key", flat=True)) == before
    assert review.items.get(key="tracing").title == "Tracing enabled"


def test_it_sets_due_dates_from_the_playbook(default_playbook, dri):
    review = start(default_playbook, dri)
    dated = review.items.exclude(due_at=None)
    assert dated.exists()
    for item in dated:
        assert item.due_at > review.created_at


def test_the_database_refuses_two_open_reviews_with_one_title(small_playbook, dri):
    from django.db import IntegrityError, transaction

    first = start(small_playbook, dri)
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            number=99,
            title=first.title.upper(),
            kind="service",
            playbook_version=small_playbook,
            dri=dri,
            created_by=dri,
        )
