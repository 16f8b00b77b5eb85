"""Pruning, with a controlled clock: what has been kept long enough goes, nothing else does."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from prr.accounts.models import User
from prr.cli import prr
from prr.cli.worker import prune_loop
from prr.integrations.chat.models import ChatPost, OwnPost
from prr.integrations.webhooks.models import Delivery, DeliveryAttempt, Subscription
from prr.integrations.webhooks.tasks import enqueue_delivery
from prr.operations import pruning
from prr.reviews.channel import post_message
from prr.reviews.models import Review, TimelineEvent

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=31)  # past the default 30 days
RECENT = NOW - timedelta(days=29)


@pytest.fixture
def subscription() -> Subscription:
    return Subscription.objects.create(url="https://hooks.example.com/prr", events=["*"])


def delivery(subscription: Subscription, status: str, at: datetime, review: Any = None) -> Delivery:
    made = Delivery.objects.create(
        subscription=subscription,
        event_id=f"e-{Delivery.objects.count()}",
        event_type="review.started",
        payload={},
        status=status,
        review=review,
    )
    Delivery.objects.filter(pk=made.pk).update(
        created_at=at, delivered_at=at if status == "delivered" else None
    )
    return made


def chat_post(status: str, at: datetime) -> ChatPost:
    post = ChatPost.objects.create(platform="slack", target="C1", payload={}, status=status)
    ChatPost.objects.filter(pk=post.pk).update(
        created_at=at, delivered_at=at if status == "delivered" else None
    )
    return post


def task_result(status: str, finished: datetime | None) -> Any:
    enqueue_delivery(999)
    result = DBTaskResult.objects.order_by("-enqueued_at").first()
    assert result is not None
    DBTaskResult.objects.filter(pk=result.pk).update(status=status, finished_at=finished)
    return result


def test_delivered_webhooks_older_than_the_setting_go_with_their_attempts(
    subscription: Subscription,
) -> None:
    old = delivery(subscription, "delivered", OLD)
    DeliveryAttempt.objects.create(
        delivery=old, number=1, started_at=OLD, duration_ms=3, status_code=200
    )
    recent = delivery(subscription, "delivered", RECENT)

    pruned = pruning.prune(now=NOW)

    assert pruned.deliveries == 1
    assert list(Delivery.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not DeliveryAttempt.objects.exists()


@pytest.mark.parametrize("status", ["pending", "sending", "retrying", "failed"])
def test_a_delivery_still_to_send_or_to_retry_by_hand_is_never_pruned(
    subscription: Subscription, status: str
) -> None:
    kept = delivery(subscription, status, NOW - timedelta(days=400))

    assert pruning.prune(now=NOW).deliveries == 0
    assert Delivery.objects.filter(pk=kept.pk).exists()


@pytest.mark.parametrize("status", ["pending", "retrying", "failed"])
def test_sent_chat_posts_go_and_unsent_ones_stay(status: str) -> None:
    chat_post("delivered", OLD)
    chat_post("delivered", RECENT)
    unsent = chat_post(status, NOW - timedelta(days=400))

    assert pruning.prune(now=NOW).chat_posts == 1
    assert set(ChatPost.objects.values_list("status", flat=True)) == {"delivered", status}
    assert ChatPost.objects.filter(pk=unsent.pk).exists()


def test_finished_task_results_go_and_queued_or_running_ones_stay() -> None:
    task_result("SUCCESSFUL", OLD)
    task_result("FAILED", OLD)
    recent = task_result("SUCCESSFUL", RECENT)
    queued = task_result("READY", None)
    running = task_result("RUNNING", None)

    assert pruning.prune(now=NOW).task_results == 2
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {
        recent.pk,
        queued.pk,
        running.pk,
    }


def test_own_chat_posts_go_after_their_echo_window() -> None:
    expired = OwnPost.objects.create(platform="mattermost", channel_id="c1", digest="a" * 64)
    fresh = OwnPost.objects.create(platform="mattermost", channel_id="c1", digest="b" * 64)
    OwnPost.objects.filter(pk=expired.pk).update(created_at=NOW - timedelta(minutes=11))
    OwnPost.objects.filter(pk=fresh.pk).update(created_at=NOW - timedelta(minutes=2))

    assert pruning.prune(now=NOW).own_posts == 1
    assert list(OwnPost.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_the_age_is_a_setting(subscription: Subscription, settings: Any) -> None:
    settings.PRUNE_AFTER_DAYS = 90
    delivery(subscription, "delivered", OLD)

    assert pruning.prune(now=NOW).deliveries == 0
    assert pruning.prune(now=NOW + timedelta(days=60)).deliveries == 1


def test_a_dry_run_counts_and_deletes_nothing(subscription: Subscription) -> None:
    delivery(subscription, "delivered", OLD)
    chat_post("delivered", OLD)

    counted = pruning.prune(now=NOW, dry_run=True)

    assert (counted.deliveries, counted.chat_posts) == (1, 1)
    assert Delivery.objects.count() == ChatPost.objects.count() == 1


def test_rows_go_in_batches(subscription: Subscription, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pruning, "BATCH", 2)
    for _ in range(5):
        delivery(subscription, "delivered", OLD)

    assert pruning.prune(now=NOW).deliveries == 5
    assert not Delivery.objects.exists()


def test_the_audit_trail_is_untouched(
    review: Review, sre_member: User, subscription: Subscription
) -> None:
    post_message(review, author=sre_member, body="SRE review is completed")
    for made in Delivery.objects.all():  # the deliveries of those events
        Delivery.objects.filter(pk=made.pk).update(status="delivered", delivered_at=OLD)
    delivery(subscription, "delivered", OLD, review=review)
    events = list(TimelineEvent.objects.filter(review=review).values_list("pk", "summary"))

    assert pruning.prune(now=NOW).deliveries >= 1

    assert list(TimelineEvent.objects.filter(review=review).values_list("pk", "summary")) == (
        events
    )
    review.refresh_from_db()
    assert review.items.get(key="sre-review").state == "done"


def test_prr_prune_prints_what_it_deleted(subscription: Subscription) -> None:
    def cli(*args: str) -> Any:
        return CliRunner().invoke(prr, list(args), catch_exceptions=False)

    delivery(subscription, "delivered", timezone.now() - timedelta(days=40))
    chat_post("delivered", timezone.now() - timedelta(days=40))

    dry = cli("prune", "--dry-run")
    done = cli("prune")
    again = cli("prune")

    assert dry.exit_code == done.exit_code == 0
    assert dry.stdout == (
        "Would delete 0 finished task results, 1 delivered webhook deliveries, 1 sent chat "
        "posts, 0 expired chat echo records (kept for 30 days).\n"
    )
    assert done.stdout.startswith("Deleted 0 finished task results, 1 delivered webhook")
    assert "0 delivered webhook deliveries, 0 sent chat posts" in again.stdout


def test_the_worker_prunes_on_its_own(
    subscription: Subscription, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    delivery(subscription, "delivered", timezone.now() - timedelta(days=40))
    stop = threading.Event()
    monkeypatch.setattr("django.db.connection.close", lambda: None)  # the test's connection

    def stop_after_first_prune() -> pruning.Pruned:
        stop.set()
        return real_prune()

    real_prune = pruning.prune
    monkeypatch.setattr(pruning, "prune", stop_after_first_prune)

    prune_loop(stop, every=0.01)  # in this thread: the test's database connection

    assert not Delivery.objects.exists()
    assert "Pruned 0 finished task results, 1 delivered webhook deliveries" in (
        capsys.readouterr().out
    )
