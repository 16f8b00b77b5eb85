"""Benchmark: the review page and its live update, as a review's channel grows.

For 10, 500 and 2,000 messages: the time to render the review page and a full live update
(what every open page fetches after any change), and their size. The channel shows its latest
200 messages, so past that both should stay flat. SQLite, in a scratch data directory.
Usage: `make bench` or `python bench/review_page.py`.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time

SIZES = (10, 500, 2_000)
RUNS = 5


def main() -> None:
    os.environ["PRR_DATA_DIR"] = tempfile.mkdtemp(prefix="prr-bench-page-")
    os.environ.pop("PRR_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prr.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from prr.accounts.services import create_user
    from prr.playbooks.services import load_default_playbook
    from prr.reviews.models import Message
    from prr.reviews.starting import start_review
    from prr.teams.services import ensure_default_teams

    setup_test_environment()
    call_command("migrate", verbosity=0)
    ensure_default_teams()
    dana = create_user("dana")
    review = start_review(
        version=load_default_playbook().version,
        title="Payments API launch in the eu-west region",
        dri=dana,
        kind="service",
    )
    client = Client()
    client.force_login(dana)
    client.get(f"/reviews/{review.number}/")  # templates compiled once, outside the timing
    print(f"review page of a {review.items.count()}-item review, median of {RUNS} runs")
    for size in SIZES:
        have = Message.objects.filter(review=review).count()
        Message.objects.bulk_create(
            Message(review=review, author=dana, body=f"Message {n} about the rollout", source="web")
            for n in range(size - have)
        )
        for label, url in (
            ("page", f"/reviews/{review.number}/"),
            ("live update", f"/reviews/{review.number}/live/?v=0-0"),
        ):
            times, size_kb = [], 0
            for _ in range(RUNS):
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
                size_kb = len(response.content) // 1024
            print(
                f"  {size:5,d} messages  {label:<12} {statistics.median(times) * 1000:6.0f} ms"
                f"  {size_kb:5,d} KB"
            )


if __name__ == "__main__":
    main()
