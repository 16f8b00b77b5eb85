"""Benchmark: the bytes and time of one live update of the review page.

A review from the default playbook, with its document answered and a channel of 200
messages, open in a page. For each change — one new message, one item changed by hand, an
approval by phrase (a message that changes an item), nothing — the poll's answer now (only
what changed) next to what it was before (the header, checklist, channel and timeline regions
sent whole for any change, rendered here the old way); then the answer to the page's own post.
SQLite, in a scratch data directory.
Usage: `make bench` or `python bench/live_updates.py`.
"""

from __future__ import annotations

import os
import re
import statistics
import tempfile
import time
from collections.abc import Callable

MESSAGES = 200
RUNS = 7
OLD_REGIONS = {"header", "checklist", "messages", "timeline", "live"}
BODY = (
    "Rolled the canary to **5%** in eu-west; p99 latency is flat at 180 ms and the error "
    "budget burn is 0.2x. Dashboard: https://grafana.example.com/d/payments-api — next step "
    "is 25% after the `payments-ledger` migration finishes. Message {n}."
)


def main() -> None:
    os.environ["PRR_DATA_DIR"] = tempfile.mkdtemp(prefix="prr-bench-live-")
    os.environ.pop("PRR_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prr.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.template.loader import render_to_string
    from django.test import Client, RequestFactory
    from django.test.utils import setup_test_environment

    from prr.accounts.services import create_user
    from prr.playbooks.services import load_default_playbook
    from prr.reviews.answers import answer_section
    from prr.reviews.channel import post_message
    from prr.reviews.items import set_item_state
    from prr.reviews.models import Message, ReviewItem
    from prr.reviews.starting import start_review
    from prr.teams.models import Team
    from prr.teams.services import add_members, ensure_default_teams
    from prr.web.review_page import review_context

    setup_test_environment()
    call_command("migrate", verbosity=0)
    ensure_default_teams()
    dana, sam = create_user("dana"), create_user("sam")
    add_members(Team.objects.get(slug="sre"), [sam])
    review = start_review(
        version=load_default_playbook().version,
        title="Payments API launch in the eu-west region",
        dri=dana,
        kind="service",
    )
    for section in review.playbook_version.spec.sections:
        answer_section(review, section.key, f"Answer for {section.title}: " + BODY, by=dana)
    Message.objects.bulk_create(
        Message(review=review, author=sam, body=BODY.format(n=n), source="web")
        for n in range(MESSAGES)
    )
    dri_items = list(
        ReviewItem.objects.filter(review=review, owner_team=None).values_list("key", flat=True)
    )
    client = Client()
    client.force_login(dana)
    page = client.get(f"/reviews/{review.number}/").content.decode()

    def token_of(html: str) -> str:
        match = re.search(r'data-version="([\d-]+)"', html)
        assert match, "no live version in the page"
        return match.group(1)

    token = token_of(page)

    def poll() -> tuple[float, bytes]:
        nonlocal token
        started = time.perf_counter()
        response = client.get(f"/reviews/{review.number}/live/?v={token}", HTTP_HX_REQUEST="true")
        elapsed = time.perf_counter() - started
        if response.status_code == 200:
            token = token_of(response.content.decode())
        return elapsed, response.content

    def old_update(regions: set[str] = OLD_REGIONS) -> tuple[float, bytes]:
        """The update as it was: every changing region rendered whole."""
        request = RequestFactory().get(f"/reviews/{review.number}/live/")
        request.user = dana
        started = time.perf_counter()
        context = review_context(review, dana)
        context["regions"], context["oob_sections"] = regions, []
        html = render_to_string("web/review/regions.html", context, request)
        return time.perf_counter() - started, html.encode()

    done = iter(dri_items)

    def one_message(n: int) -> None:
        post_message(review, author=sam, body=f"Canary at {n}% looks healthy, moving on.")

    def one_item(n: int) -> None:
        set_item_state(review, next(done), "done", by=dana)

    def approval(n: int) -> None:
        phrase = "SRE review is reopened" if n % 2 else "SRE review is completed"
        post_message(review, author=sam, body=phrase)

    cases: list[tuple[str, Callable[[int], None] | None]] = [
        ("one new message", one_message),
        ("one item changed", one_item),
        ("approval by phrase", approval),
        ("nothing changed", None),
    ]
    print(
        f"live update of a review page: {review.items.count()} items, "
        f"{MESSAGES}+ messages, median of {RUNS} runs"
    )
    print(f"  {'change':<20} {'before':>9} {'after':>9} {'ratio':>7} {'before':>8} {'after':>8}")
    for label, change in cases:
        new_times, new_sizes, old_times, old_sizes = [], [], [], []
        for n in range(RUNS):
            if change is not None:
                change(n)
            elapsed, body = poll()
            new_times.append(elapsed)
            new_sizes.append(len(body))
            if change is None:
                old_times.append(elapsed)  # both answered 204 with no body
                old_sizes.append(0)
            else:
                elapsed, body = old_update()
                old_times.append(elapsed)
                old_sizes.append(len(body))
        old, new = statistics.median(old_sizes), statistics.median(new_sizes)
        ratio = f"{old / new:6.0f}x" if new else "     -"
        old_ms, new_ms = statistics.median(old_times) * 1000, statistics.median(new_times) * 1000
        print(
            f"  {label:<20} {old / 1024:7.1f}KB {new / 1024:7.1f}KB {ratio} "
            f"{old_ms:6.1f}ms {new_ms:6.1f}ms"
        )

    # The poster's own answer: what changed since the page's version, and an emptied composer.
    old_times, new_times, old_sizes, new_sizes = [], [], [], []
    for n in range(RUNS):
        started = time.perf_counter()
        response = client.post(
            f"/reviews/{review.number}/messages/",
            {"body": f"My own note {n}", "since": token},
            HTTP_HX_REQUEST="true",
        )
        new_times.append(time.perf_counter() - started)
        new_sizes.append(len(response.content))
        token = token_of(response.content.decode())
        elapsed, body = old_update(OLD_REGIONS | {"composer"})
        old_times.append(elapsed)
        old_sizes.append(len(body))
    old, new = statistics.median(old_sizes), statistics.median(new_sizes)
    print(
        f"  {'my own post (POST)':<20} {old / 1024:7.1f}KB {new / 1024:7.1f}KB {old / new:6.0f}x "
        f"{statistics.median(old_times) * 1000:6.1f}ms {statistics.median(new_times) * 1000:6.1f}ms"
    )


if __name__ == "__main__":
    main()
