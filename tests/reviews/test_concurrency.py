"""Concurrent writers on one review: every approval is recorded; a close never interleaves."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from prr.accounts.services import create_user
from prr.reviews.channel import post_message
from prr.reviews.models import Review
from prr.reviews.starting import start_review
from prr.teams.services import add_members

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
]


def run_at_once(*calls):
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call):
        try:
            barrier.wait()
            call()
        except BaseException as exc:  # reported by the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def test_two_approvals_at_the_same_moment_are_both_recorded(small_playbook, dri, teams):
    both = create_user("bea")
    sam = create_user("sam")
    add_members(teams["sre"], [sam])
    add_members(teams["security"], [both])
    for attempt in range(5):
        review = start_review(
            version=small_playbook, title=f"Concurrent approvals, attempt {attempt}", dri=dri
        )
        errors = run_at_once(
            lambda r=review: post_message(r, author=sam, body="SRE review is completed"),
            lambda r=review: post_message(r, author=both, body="Security review is completed"),
        )
        assert errors == []
        states = dict(review.items.values_list("key", "state"))
        assert states["sre-review"] == "done"
        assert states["security-review"] == "done"
        assert review.timeline.filter(kind="item.changed").count() == 2


def test_the_same_chat_message_delivered_twice_at_once_is_stored_once(review, sre_member):
    errors = run_at_once(
        *[
            lambda: post_message(
                review, author=sre_member, body="SRE review is completed", external_id="mm-1"
            )
        ]
        * 2
    )
    assert errors == []
    assert Review.objects.get(pk=review.pk).messages.filter(author=sre_member).count() == 1
    assert review.timeline.filter(kind="item.changed").count() == 1


def test_two_reviews_started_at_once_with_one_title_give_one_review(small_playbook, dri):
    from prr.errors import RuleViolation

    start = lambda: start_review(  # noqa: E731
        version=small_playbook, title="Search cluster: upgrade to version eight", dri=dri
    )
    errors = run_at_once(start, start)
    assert len(errors) == 1
    assert isinstance(errors[0], RuleViolation)
    assert "is already open" in str(errors[0])
    assert Review.objects.filter(title="Search cluster: upgrade to version eight").count() == 1


def test_a_message_waits_for_the_review_lock_so_messages_commit_in_id_order(review, dri):
    # The review page's live updates ask for messages after the last id they saw: on
    # PostgreSQL a message whose id was drawn earlier but committed later would be skipped.
    # Every message therefore draws its id under the review's row lock.
    from django.db import transaction

    from prr.reviews.services import lock_review_status

    locked, release, posted = threading.Event(), threading.Event(), threading.Event()

    def hold_the_lock():
        with transaction.atomic():
            lock_review_status(review)
            locked.set()
            release.wait(timeout=10)

    def post_plain_message():
        locked.wait(timeout=10)
        post_message(review, author=dri, body="A plain message, no phrase in it.")
        posted.set()

    def closing(call):
        def run():
            try:
                call()
            finally:
                connection.close()

        return run

    holder = threading.Thread(target=closing(hold_the_lock))
    poster = threading.Thread(target=closing(post_plain_message))
    holder.start()
    poster.start()
    assert locked.wait(timeout=10)
    assert not posted.wait(timeout=1), "the message was stored while the review was locked"
    release.set()
    assert posted.wait(timeout=10)
    holder.join(timeout=10)
    poster.join(timeout=10)
    assert review.messages.filter(body__startswith="A plain message").count() == 1
