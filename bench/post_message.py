"""Benchmark: messages per second through post_message, against a bare Message insert.

A review with 60 items, 8 of them with task actions; 2,000 messages, a tenth approval
phrases by team members, a tenth the same phrases by outsiders, the rest ordinary chat.
Then the cost per message against the size of the review's phrase table: the same messages in a
review with 10 task actions and in one with 2,000 (goal: at most 1.5x).
Runs on SQLite and, when PRR_TEST_DATABASE_URL is set, on PostgreSQL (in a scratch database
`prr_bench` that it creates and drops). Usage: `make bench` or `python bench/post_message.py`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

MESSAGES = 2_000
ITEMS = 60
WITH_ACTIONS = 8
CHAT = [
    "Looked at the dashboards, the latency graph is missing the p99 line.",
    "Can we link the runbook for the queue-depth alert from the review document?",
    "Load test results are in the capacity section now, with the 2x spike.",
    "Rollback took four minutes in staging; I added the numbers.",
    "Thanks, that answers my question about the retry budget.",
]


SMALL_TABLE, LARGE_TABLE = 10, 2_000  # task actions
TABLE_MESSAGES = 600
TABLE_GOAL = 1.5


def playbook_yaml(
    items_count: int = ITEMS, with_actions: int = WITH_ACTIONS, slug: str = "bench"
) -> str:
    import yaml

    items = []
    for n in range(items_count):
        item: dict[str, object] = {"key": f"item-{n}", "title": f"Checklist item {n}"}
        if n < with_actions:
            item.update(
                owner="sre",
                task_actions=[
                    {"phrases": [f"Area {n} review is completed"], "team": "sre", "then": "done"},
                    {"phrases": [f"Area {n} review is reopened"], "team": "sre", "then": "reopen"},
                ],
            )
        items.append(item)
    return yaml.safe_dump(
        {
            "slug": slug,
            "title": f"Benchmark playbook {slug}",
            "checklists": [{"title": "All", "items": items}],
        }
    )


def run_one() -> None:
    """Runs inside a child process whose PRR_DATABASE_URL points at an empty database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prr.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from prr.accounts.services import create_user
    from prr.playbooks.services import import_playbook
    from prr.reviews.channel import post_message
    from prr.reviews.models import Message
    from prr.reviews.starting import start_review
    from prr.teams.services import add_members, ensure_default_teams, get_team

    call_command("migrate", interactive=False, verbosity=0)
    ensure_default_teams()
    dri = create_user("dri")
    members = [create_user(f"member{n}") for n in range(4)]
    outsiders = [create_user(f"outsider{n}") for n in range(4)]
    add_members(get_team("sre"), members)
    version = import_playbook(playbook_yaml()).version
    review = start_review(version=version, title="Benchmark review with sixty items", dri=dri)

    plan = []
    for n in range(MESSAGES):
        area = n % WITH_ACTIONS
        verb = "completed" if (n // WITH_ACTIONS) % 2 == 0 else "reopened"
        if n % 10 == 0:
            plan.append(("member phrase", members[n % 4], f"Area {area} review is {verb}"))
        elif n % 10 == 5:
            plan.append(("outsider phrase", outsiders[n % 4], f"Area {area} review is {verb}"))
        else:
            author = members[n % 4] if n % 2 else outsiders[n % 4]
            plan.append(("chat", author, CHAT[n % len(CHAT)]))

    spent: dict[str, list[float]] = {}
    for category, author, body in plan:
        start = time.perf_counter()
        post_message(review, author=author, body=body, source="cli")
        spent.setdefault(category, []).append(time.perf_counter() - start)
    service_seconds = sum(sum(times) for times in spent.values())
    # Counted apart, on the first 200 of the plan: counting slows what it counts.
    with CaptureQueriesContext(connection) as captured:
        for _, author, body in plan[:200]:
            post_message(review, author=author, body=body, source="cli")
    queries = len(captured) / 200

    start = time.perf_counter()
    for _, author, body in plan:
        Message.objects.create(review=review, author=author, body=body, source="cli")
    bare_seconds = time.perf_counter() - start

    effects = review.timeline.filter(kind="item.changed").count()
    refusals = review.timeline.filter(kind="task_action.refused").count()
    service_rate, bare_rate = MESSAGES / service_seconds, MESSAGES / bare_seconds
    print(
        f"{connection.vendor:<10} post_message {service_rate:8.0f} msg/s   "
        f"Message.objects.create {bare_rate:8.0f} msg/s   ratio {service_rate / bare_rate:.2f}   "
        f"queries/message {queries:.2f}   "
        f"(state changes {effects}, refusals {refusals})"
    )
    for category, times in spent.items():
        rate = len(times) / sum(times)
        print(
            f"{'':<10}   {category:<16} {rate:8.0f} msg/s   ratio {rate / bare_rate:.2f}   "
            f"({len(times)} messages)"
        )
    per_table = {size: time_per_message(size, dri, members, outsiders) for size in TABLES}
    small, large = per_table[SMALL_TABLE], per_table[LARGE_TABLE]
    verdict = "PASS" if large <= TABLE_GOAL * small else "FAIL"
    print(
        f"{'':<10} per message: {small * 1000:.2f} ms at {SMALL_TABLE} task actions, "
        f"{large * 1000:.2f} ms at {LARGE_TABLE:,}: {large / small:.2f}x "
        f"(goal <= {TABLE_GOAL}x) {verdict}"
    )


TABLES = (SMALL_TABLE, LARGE_TABLE)


def time_per_message(actions: int, dri: Any, members: list[Any], outsiders: list[Any]) -> float:
    """Mean seconds per message (the plan's mix) in a review with `actions` task actions
    (two per item), after its first message."""
    from prr.playbooks.services import import_playbook
    from prr.reviews.channel import post_message
    from prr.reviews.starting import start_review

    items = actions // 2
    yaml_text = playbook_yaml(items, items, slug=f"table-{actions}")
    version = import_playbook(yaml_text).version
    review = start_review(
        version=version, title=f"Benchmark review with {actions} task actions", dri=dri
    )
    post_message(review, author=dri, body="Warming up the channel.", source="cli")
    spent = 0.0
    for n in range(TABLE_MESSAGES):
        area = n % WITH_ACTIONS
        if n % 10 == 0:
            author, body = members[n % 4], f"Area {area} review is completed"
        elif n % 10 == 5:
            author, body = outsiders[n % 4], f"Area {area} review is completed"
        else:
            author, body = members[n % 4], CHAT[n % len(CHAT)]
        start = time.perf_counter()
        post_message(review, author=author, body=body, source="cli")
        spent += time.perf_counter() - start
    return spent / TABLE_MESSAGES


def child(database_url: str, data_dir: str) -> None:
    env = {**os.environ, "PRR_DATABASE_URL": database_url, "PRR_DATA_DIR": data_dir}
    env["PRR_BENCH_CHILD"] = "1"
    subprocess.run([sys.executable, __file__], env=env, check=True)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def main() -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        print(f"{MESSAGES} messages, review of {ITEMS} items ({WITH_ACTIONS} with task actions)")
        child(f"sqlite:///{data_dir}/bench.sqlite3", data_dir)
        pg_url = os.environ.get("PRR_TEST_DATABASE_URL")
        if not pg_url:
            print("PRR_TEST_DATABASE_URL is not set: PostgreSQL skipped.")
            return
        import psycopg

        with psycopg.connect(
            pg_url.replace("postgres://", "postgresql://", 1), autocommit=True
        ) as conn:
            conn.execute("DROP DATABASE IF EXISTS prr_bench")
            conn.execute("CREATE DATABASE prr_bench")
        try:
            child(with_database(pg_url, "prr_bench"), data_dir)
        finally:
            with psycopg.connect(
                pg_url.replace("postgres://", "postgresql://", 1), autocommit=True
            ) as conn:
                conn.execute("DROP DATABASE IF EXISTS prr_bench")


if __name__ == "__main__":
    if os.environ.get("PRR_BENCH_CHILD"):
        run_one()
    else:
        main()
