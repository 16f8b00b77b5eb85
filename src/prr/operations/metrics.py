"""Prometheus metrics (`/metrics`, docs/monitoring.md).

Counters and histograms are kept by prometheus-client in multiprocess mode: every process
(each gunicorn worker, `prr worker`, a CLI command that fires a task action) writes its own
file in the metrics directory (PRR_METRICS_DIR) and a scrape adds the files up. What lives in
the database (open reviews, the task queue, worker heartbeats, the outbox backlog) is read at
scrape time, with a handful of cheap aggregate queries, so every web host reports the same.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Max, Min, Q
from django.http import HttpRequest
from django.utils import timezone
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric

logger = logging.getLogger(__name__)

REQUESTS = Counter(
    "prr_http_requests",
    "HTTP requests answered, by route (the URL pattern), method and status code.",
    ["route", "method", "status"],
)
REQUEST_DURATION = Histogram(
    "prr_http_request_duration_seconds",
    "Time to answer an HTTP request, by route and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
TASK_ACTIONS = Counter(
    "prr_task_actions",
    "Task actions a channel message triggered: fired (the item changed) or refused (the "
    "author is not a current member of the action's team).",
    ["outcome"],
)
WEBHOOK_DELIVERIES = Counter(
    "prr_webhook_deliveries",
    "Webhook delivery attempts made by workers, by outcome.",
    ["outcome"],
)
CHAT_POSTS = Counter(
    "prr_chat_posts",
    "Chat post attempts (replies and news to Mattermost or Slack) made by workers, by outcome.",
    ["outcome"],
)
PRUNED = Counter(
    "prr_pruned_rows",
    "Rows deleted by pruning (`prr prune`, `prr worker`), by kind.",
    ["kind"],
)

METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
UNMATCHED_ROUTE = "unmatched"  # a 404 for a URL no pattern matches: one series, not one a path


def observe_request(request: HttpRequest, status: int, seconds: float) -> None:
    match = getattr(request, "resolver_match", None)
    route = (match.route or match.view_name or UNMATCHED_ROUTE) if match else UNMATCHED_ROUTE
    method = request.method if request.method in METHODS else "other"
    REQUESTS.labels(route, method, str(status)).inc()
    REQUEST_DURATION.labels(route, method).observe(seconds)


def count_task_action(outcome: str) -> None:
    TASK_ACTIONS.labels(outcome).inc()


def metrics_dir() -> Path | None:
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(path) if path else None


def clear_dead_files(path: Path) -> int:
    """Remove the files of processes that are gone (`prr serve` does it as it starts).

    The files of live processes stay: a `prr worker` on this host keeps counting into its own.
    """
    removed = 0
    for file in path.glob("*.db"):
        try:
            pid = int(file.stem.rsplit("_", 1)[1])
        except (IndexError, ValueError):
            continue
        if pid != os.getpid() and not _alive(pid):
            file.unlink(missing_ok=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def mark_process_dead(pid: int) -> None:
    """Gunicorn's child_exit hook: a worker that exited is no longer a live process."""
    path = metrics_dir()
    if path is not None:
        multiprocess.mark_process_dead(pid, str(path))  # type: ignore[no-untyped-call]


def scrape() -> bytes:
    registry = CollectorRegistry()
    path = metrics_dir()
    if path is not None and path.is_dir():
        multiprocess.MultiProcessCollector(registry, path=str(path))  # type: ignore[no-untyped-call]
    registry.register(DatabaseCollector())
    return generate_latest(registry)


class DatabaseCollector:
    """What the database says at scrape time; nothing at all if it cannot be read."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "prr_database_up", "1 if the scrape could read prr's figures from the database."
        )
        try:
            families = list(database_metrics())
        except DatabaseError as exc:
            logger.warning("/metrics: the database could not be read: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families


def database_metrics() -> Iterator[Metric]:
    from django_tasks_db.models import DBTaskResult, get_date_max

    from prr.integrations.chat.models import ChatPost
    from prr.integrations.webhooks.models import Delivery
    from prr.operations.heartbeats import worker_window
    from prr.operations.models import WorkerHeartbeat
    from prr.reviews.models import Review

    now = timezone.now()
    reviews = GaugeMetricFamily("prr_open_reviews", "Reviews open now.")
    reviews.add_metric([], Review.objects.filter(status=Review.Status.OPEN).count())
    yield reviews

    never = get_date_max()  # django-tasks-db's run_after for "as soon as possible"
    ready, running = Q(status="READY"), Q(status="RUNNING")
    due = ready & (Q(run_after=never) | Q(run_after__lte=now))
    queue = DBTaskResult.objects.filter(ready | running).aggregate(
        due=Count("pk", filter=due),
        scheduled=Count("pk", filter=ready & Q(run_after__gt=now) & ~Q(run_after=never)),
        running=Count("pk", filter=running),
        oldest_asap=Min("enqueued_at", filter=ready & Q(run_after=never)),
        oldest_due=Min("run_after", filter=ready & Q(run_after__lte=now)),
    )
    depth = GaugeMetricFamily(
        "prr_task_queue_depth",
        "Background tasks by state: due (waiting for a worker), scheduled (a retry later), "
        "running.",
        labels=["state"],
    )
    for state in ("due", "scheduled", "running"):
        depth.add_metric([state], queue[state])
    yield depth
    waiting_since = [t for t in (queue["oldest_asap"], queue["oldest_due"]) if t is not None]
    oldest = GaugeMetricFamily(
        "prr_task_queue_oldest_seconds",
        "How long the oldest due task has waited for a worker (0 when none waits).",
    )
    oldest.add_metric(
        [], max((now - min(waiting_since)).total_seconds(), 0.0) if waiting_since else 0
    )
    yield oldest

    beats = WorkerHeartbeat.objects.aggregate(
        newest=Max("seen_at"), live=Count("pk", filter=Q(seen_at__gte=now - worker_window()))
    )
    age = GaugeMetricFamily(
        "prr_worker_heartbeat_age_seconds",
        "Seconds since the newest heartbeat of any `prr worker` (+Inf when none was seen).",
    )
    newest = beats["newest"]
    age.add_metric([], (now - newest).total_seconds() if newest else float("inf"))
    yield age
    live = GaugeMetricFamily(
        "prr_workers_live", "`prr worker` processes seen within PRR_READY_WORKER_WINDOW."
    )
    live.add_metric([], beats["live"])
    yield live

    backlog = GaugeMetricFamily(
        "prr_outbox_backlog",
        "Webhook deliveries and chat posts not delivered, by kind and status (failed ones wait "
        "for a retry by hand).",
        labels=["kind", "status"],
    )
    for kind, model in (("webhook", Delivery), ("chat", ChatPost)):
        counts = dict(
            model.objects.filter(status__in=BACKLOG_STATUSES)
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        for status in BACKLOG_STATUSES:
            backlog.add_metric([kind, status], counts.get(status, 0))
    yield backlog


BACKLOG_STATUSES = ("pending", "sending", "retrying", "failed")


def scrape_refusal(request: HttpRequest) -> int | None:
    """None when the caller may read /metrics, else the status to answer (403 or 404).

    With PRR_METRICS_TOKEN set, the token is needed (from anywhere); without it, the client's
    address (through PRR_TRUSTED_PROXIES only) must be in PRR_METRICS_ALLOW. A request that a
    proxy prr does not trust forwarded is refused: its address is the proxy's, not the client's.
    """
    from prr.accounts.proxies import client_ip

    token = str(getattr(settings, "METRICS_TOKEN", ""))
    if token:
        scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
        ok = scheme.lower() == "bearer" and hmac.compare_digest(
            presented.strip().encode(), token.encode()
        )
        return None if ok else 403
    client = client_ip(request)
    forwarded = "X-Forwarded-For" in request.headers or "Forwarded" in request.headers
    if forwarded and client == request.META.get("REMOTE_ADDR"):
        return 404
    try:
        address = ipaddress.ip_address(client.strip("[]"))
    except ValueError:
        return 404
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    networks = getattr(settings, "METRICS_ALLOW", [])
    return None if any(address in network for network in networks) else 404
