"""`prr review list` shows a page (`--limit N`, 50 by default) or every review (`--all`).

When more reviews exist than are shown, it says how many and how to see them, on standard
error, so the list itself (text or `--json`) stays clean for a pipe.
"""

from __future__ import annotations

import json

import pytest

from prr.accounts.models import User
from prr.playbooks.models import PlaybookVersion
from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import cancel_review
from prr.reviews.models import Review
from prr.reviews.starting import start_review
from tests.cli.conftest import Cli, stdout_json


def start_many(count: int, version: PlaybookVersion, dri: User) -> list[Review]:
    return [
        start_review(version=version, title=f"Service number {n} goes to production", dri=dri)
        for n in range(1, count + 1)
    ]


def test_it_shows_the_newest_50_and_says_how_to_see_the_rest(
    cli: Cli, small_playbook: PlaybookVersion, dri: User
) -> None:
    start_many(53, small_playbook, dri)

    result = cli("review", "list")

    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 50
    assert (lines[0].split()[0], lines[-1].split()[0]) == ("PRR-53", "PRR-4")
    assert result.stderr == ("3 more open reviews not shown; see them with --limit 53 or --all.\n")


def test_limit_shows_the_newest_n(cli: Cli, small_playbook: PlaybookVersion, dri: User) -> None:
    start_many(3, small_playbook, dri)

    result = cli("review", "list", "--limit", "2", "--json")

    assert [row["ref"] for row in stdout_json(result)] == ["PRR-3", "PRR-2"]
    assert result.stderr == "1 more open review not shown; see them with --limit 3 or --all.\n"


def test_no_hint_when_everything_is_shown(
    cli: Cli, small_playbook: PlaybookVersion, dri: User
) -> None:
    start_many(3, small_playbook, dri)

    result = cli("review", "list", "--limit", "3")

    assert len(result.stdout.splitlines()) == 3
    assert result.stderr == ""


def test_the_hint_counts_only_the_status_asked_for(
    cli: Cli, small_playbook: PlaybookVersion, dri: User, admin: User
) -> None:
    reviews = start_many(4, small_playbook, dri)
    cancel_review(reviews[0], by=admin, reason="Replaced by a later plan")

    result = cli("review", "list", "--status", "all", "--limit", "1")
    assert result.stderr == "3 more reviews not shown; see them with --limit 4 or --all.\n"
    result = cli("review", "list", "--limit", "1")
    assert result.stderr == "2 more open reviews not shown; see them with --limit 3 or --all.\n"


def test_all_shows_every_review_read_a_batch_at_a_time(
    cli: Cli,
    small_playbook: PlaybookVersion,
    dri: User,
    admin: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("prr.cli.reviews.LIST_BATCH", 2)
    reviews = start_many(5, small_playbook, dri)
    set_item_state(reviews[0], "sre-review", "done", by=admin)  # PRR-1, in the last batch
    set_item_state(reviews[3], "dashboards", "done", by=dri)  # PRR-4, in the first

    result = cli("review", "list", "--all", "--json")

    rows = stdout_json(result)
    assert [(r["ref"], r["complete"]) for r in rows] == [
        ("PRR-5", 0),
        ("PRR-4", 1),
        ("PRR-3", 0),
        ("PRR-2", 0),
        ("PRR-1", 1),
    ]
    assert result.stderr == ""
    text = cli("review", "list", "--all")
    assert [line.split()[:3] for line in text.stdout.splitlines()][-2:] == [
        ["PRR-2", "open", "0/4"],
        ["PRR-1", "open", "1/4"],
    ]


def test_all_as_json_is_the_same_document_as_a_page(
    cli: Cli, small_playbook: PlaybookVersion, dri: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("prr.cli.reviews.LIST_BATCH", 2)
    start_many(3, small_playbook, dri)

    streamed = cli("review", "list", "--all", "--json").stdout
    paged = cli("review", "list", "--json").stdout

    assert streamed == paged
    assert streamed == json.dumps(json.loads(paged), indent=2, ensure_ascii=False) + "\n"


def test_all_with_no_reviews_is_an_empty_list(cli: Cli) -> None:
    assert stdout_json(cli("review", "list", "--all", "--json")) == []
    assert cli("review", "list", "--all").stdout == "No open reviews.\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--limit", "5", "--all"), "Use --limit N or --all, not both."),
        (("--limit", "0"), "0 is not in the range x>=1."),
    ],
)
def test_it_refuses_a_bad_limit(cli: Cli, args: tuple[str, ...], message: str) -> None:
    result = cli("review", "list", *args)

    assert result.exit_code == 2
    assert message in result.stderr
