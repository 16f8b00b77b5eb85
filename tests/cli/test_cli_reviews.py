"""`prr review …`: the whole PRR process from the command line, and `prr demo`."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from prr.accounts.models import User
from prr.playbooks.models import PlaybookVersion
from prr.representation import as_json
from prr.reviews.models import Review
from prr.reviews.schemas import ReviewOut, ReviewSummaryOut
from tests.cli.conftest import Cli, stdout_json
from tests.conftest import SMALL_PLAYBOOK

pytestmark = pytest.mark.django_db

TITLE = "Payments API: move card tokenisation to the vault"
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.stderr
    return result


def refused(result: Result) -> str:
    """The reason of a refusal (exit status 1, nothing on stdout)."""
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    return result.stderr


def usage_error(result: Result) -> str:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    return result.stderr


def show(cli: Cli, ref: str = "PRR-1") -> dict[str, Any]:
    data: dict[str, Any] = stdout_json(cli("review", "show", ref, "--json"))
    return data


def item(cli: Cli, key: str, ref: str = "PRR-1") -> dict[str, Any]:
    return next(i for i in show(cli, ref)["items"] if i["key"] == key)


def make_ready(cli: Cli) -> None:
    """Complete every required item of the small playbook's service review PRR-1."""
    ok(cli("review", "set", "1", "dashboards", "done", "--as", "dana"))
    ok(cli("review", "set", "1", "load-test", "done", "--as", "dana"))
    ok(cli("review", "post", "1", "SRE review is completed", "--as", "sam"))
    ok(cli("review", "post", "1", "Security review is completed", "--as", "sid"))


@pytest.fixture
def ready(review: Review, sre_member: User, security_member: User, cli: Cli) -> Review:
    make_ready(cli)
    return review


@pytest.fixture
def closed(ready: Review, cli: Cli) -> Review:
    ok(cli("review", "close", "1", "--as", "dana"))
    return ready


# -- prr review start -----------------------------------------------------------------------


def test_it_starts_a_review(cli: Cli, small_playbook: PlaybookVersion, dri: User) -> None:
    result = ok(cli("review", "start", "--playbook", "small", "--title", TITLE, "--dri", "dana"))

    assert result.stdout.splitlines() == [
        f"Started PRR-1: {TITLE}",
        "  6 checklist items; approvals by: Security, SRE",
    ]


def test_it_starts_a_review_as_json(
    cli: Cli, small_playbook: PlaybookVersion, dri: User, outsider: User
) -> None:
    data = stdout_json(
        cli(
            "review",
            "start",
            "--playbook",
            "small",
            "--title",
            TITLE,
            "--dri",
            "dana",
            "--kind",
            "feature",
            "--reviewer",
            "oscar",
            "--json",
        )
    )

    assert (data["ref"], data["kind"], data["status"], data["dri"]) == (
        "PRR-1",
        "feature",
        "open",
        "dana",
    )
    assert data["reviewers"] == ["oscar"]
    assert data["reviewer_teams"] == ["security", "sre"]
    # The load test is for services only.
    assert "load-test" not in [i["key"] for i in data["items"]]


def test_it_refuses_a_title_that_is_not_self_descriptive(
    cli: Cli, small_playbook: PlaybookVersion, dri: User
) -> None:
    reason = refused(
        cli("review", "start", "--playbook", "small", "--title", "Fix it", "--dri", "dana")
    )

    assert "The title 'Fix it' is not self-descriptive" in reason
    assert not Review.objects.exists()


def test_it_refuses_the_playbooks_own_title(
    cli: Cli, small_playbook: PlaybookVersion, dri: User
) -> None:
    reason = refused(
        cli(
            "review",
            "start",
            "--playbook",
            "small",
            "--title",
            "small  readiness REVIEW",
            "--dri",
            "dana",
        )
    )

    assert "is only the playbook's title; say what this review is about." in reason


def test_it_refuses_the_title_of_another_open_review(cli: Cli, review: Review) -> None:
    reason = refused(
        cli("review", "start", "--playbook", "small", "--title", TITLE.upper(), "--dri", "dana")
    )

    assert "PRR-1 is already open with the title" in reason


def test_it_refuses_an_unknown_kind(cli: Cli, small_playbook: PlaybookVersion, dri: User):
    reason = refused(
        cli(
            "review",
            "start",
            "--playbook",
            "small",
            "--title",
            TITLE,
            "--dri",
            "dana",
            "--kind",
            "library",
        )
    )

    assert "Playbook 'small' has no kind 'library'" in reason


def test_it_refuses_to_start_a_review_for_someone_else_unless_admin(
    cli: Cli, small_playbook: PlaybookVersion, dri: User, outsider: User, admin: User
) -> None:
    args = ("review", "start", "--playbook", "small", "--title", TITLE, "--dri", "dana")

    assert "Only an admin can start a review with someone else as the DRI." in refused(
        cli(*args, "--as", "oscar")
    )
    ok(cli(*args, "--as", "ada"))
    assert show(cli)["dri"] == "dana"


def test_it_refuses_to_start_from_an_unknown_playbook(cli: Cli, dri: User) -> None:
    reason = refused(
        cli("review", "start", "--playbook", "nope", "--title", TITLE, "--dri", "dana")
    )

    assert "No playbook 'nope'" in reason


# -- prr review list ------------------------------------------------------------------------


def test_it_lists_open_reviews_as_json(cli: Cli, review: Review, sre_member: User) -> None:
    ok(cli("review", "post", "1", "SRE review is completed", "--as", "sam"))

    rows = stdout_json(cli("review", "list", "--json"))

    # The API's review summary (before: `required_complete` instead of `complete`, and no
    # playbook, dates or url).
    [row] = rows
    assert {k: row[k] for k in ("number", "ref", "title", "kind", "status", "dri")} == {
        "number": 1,
        "ref": "PRR-1",
        "title": TITLE,
        "kind": "service",
        "status": "open",
        "dri": "dana",
    }
    assert (row["complete"], row["required"]) == (1, 4)
    assert (row["playbook"], row["playbook_version"], row["closed_at"]) == ("small", 1, None)
    assert row["url"].endswith("/reviews/1/")
    assert rows == as_json(ReviewSummaryOut.list_of([review]))


def test_it_lists_open_reviews_as_text_with_their_progress(cli: Cli, review: Review) -> None:
    result = ok(cli("review", "list"))

    assert result.stdout.split() == ["PRR-1", "open", "0/4", "@dana", *TITLE.split()]


def test_it_lists_reviews_by_status_newest_first(cli: Cli, closed: Review) -> None:
    ok(cli("review", "start", "--playbook", "small", "--title", TITLE + " again", "--dri", "dana"))

    assert [r["ref"] for r in stdout_json(cli("review", "list", "--json"))] == ["PRR-2"]
    assert [
        r["ref"] for r in stdout_json(cli("review", "list", "--status", "closed", "--json"))
    ] == ["PRR-1"]
    assert [r["ref"] for r in stdout_json(cli("review", "list", "--status", "all", "--json"))] == [
        "PRR-2",
        "PRR-1",
    ]


def test_it_says_when_there_are_no_reviews(cli: Cli) -> None:
    assert ok(cli("review", "list")).stdout == "No open reviews.\n"
    assert ok(cli("review", "list", "--status", "all")).stdout == "No reviews.\n"


def test_it_refuses_an_unknown_status_as_a_usage_error(cli: Cli) -> None:
    assert "'done' is not one of" in usage_error(cli("review", "list", "--status", "done"))


# -- prr review show ------------------------------------------------------------------------


def test_it_shows_a_review_as_json(cli: Cli, review: Review) -> None:
    data = show(cli)

    assert (
        data["number"],
        data["title"],
        data["status"],
        data["kind"],
        data["dri"],
        data["readiness"]["ready"],
    ) == (1, TITLE, "open", "service", "dana", False)
    # The API's review (before: `ready_to_close` and `missing` as sentences).
    assert data == as_json(ReviewOut.of(review))
    assert "SRE review is still open; waiting for a member of team SRE to approve" in [
        m["reason"] for m in data["readiness"]["missing"]
    ]
    assert [
        (i["key"], i["title"], i["owner"], i["required"], i["state"], i["changed_by"], i["via"])
        for i in data["items"]
    ] == [
        ("dashboards", "Dashboards linked", "dri", True, "open", None, None),
        ("load-test", "Load test done", "dri", True, "open", None, None),
        ("tracing", "Tracing enabled", "dri", False, "open", None, None),
        ("sre-review", "SRE review", "sre", True, "open", None, None),
        ("security-review", "Security review", "security", True, "open", None, None),
        ("product-review", "Product review", "product", False, "open", None, None),
    ]
    assert [(s["key"], s["title"], s["answer"]) for s in data["sections"]] == [
        ("summary", "Summary", None),
        ("architecture", "Architecture", None),
    ]
    assert data["snapshots"] == []


def test_it_shows_a_review_as_text(cli: Cli, review: Review) -> None:
    lines = ok(cli("review", "show", "PRR-1")).stdout.splitlines()

    assert lines[0] == f"PRR-1: {TITLE}"
    assert "  status open · kind service · DRI @dana · playbook small v1" in lines
    assert "  Not ready to close (4 required item(s) open):" in lines
    assert "    - SRE review is still open; waiting for a member of team SRE to approve" in lines
    assert "  [summary] Summary: not answered" in lines
    assert "    [ ] tracing: Tracing enabled (optional) [dri]" in lines


def test_it_shows_a_ready_review_as_ready_to_close(cli: Cli, ready: Review) -> None:
    assert show(cli)["readiness"]["ready"] is True
    assert "  Ready to close." in ok(cli("review", "show", "1")).stdout.splitlines()


@pytest.mark.parametrize("ref", ["PRR-1", "prr-1", "1", " 1 "])
def test_it_accepts_a_review_reference_in_any_form(cli: Cli, review: Review, ref: str) -> None:
    assert show(cli, ref)["ref"] == "PRR-1"


@pytest.mark.parametrize(
    "args",
    [
        ("show", "PRR-99"),
        ("timeline", "PRR-99"),
        ("export", "PRR-99"),
        ("post", "PRR-99", "hello", "--as", "dana"),
        ("set", "PRR-99", "dashboards", "done", "--as", "dana"),
        ("answer", "PRR-99", "summary", "text", "--as", "dana"),
        ("close", "PRR-99", "--as", "dana"),
        ("reopen", "PRR-99", "--as", "ada", "--reason", "why"),
        ("cancel", "PRR-99", "--as", "dana", "--reason", "why"),
    ],
    ids=lambda args: args[0],
)
def test_it_refuses_an_unknown_review(
    cli: Cli, review: Review, admin: User, args: tuple[str, ...]
) -> None:
    assert refused(cli("review", *args)) == "Error: No review PRR-99.\n"


def test_it_refuses_a_bad_review_reference(cli: Cli, review: Review) -> None:
    assert refused(cli("review", "show", "abc")) == (
        "Error: 'abc' is not a review reference; use PRR-12 or 12.\n"
    )


# -- prr review post ------------------------------------------------------------------------


def test_it_posts_a_message(cli: Cli, review: Review, outsider: User) -> None:
    result = ok(cli("review", "post", "PRR-1", "Where is the runbook?", "--as", "oscar"))

    assert re.fullmatch(r"Posted message #\d+\.\n", result.stdout)


def test_it_posts_a_message_as_json(cli: Cli, review: Review, outsider: User) -> None:
    data = stdout_json(
        cli("review", "post", "PRR-1", "Where is the runbook?", "--as", "oscar", "--json")
    )

    # The API's answer to a post (before: the message's id only, and the replies' texts).
    assert set(data) == {"message", "effects", "replies", "duplicate"}
    assert (data["message"]["author"], data["message"]["body"]) == (
        "oscar",
        "Where is the runbook?",
    )
    assert (data["effects"], data["replies"], data["duplicate"]) == ([], [], False)


def test_it_approves_by_phrase(cli: Cli, review: Review, sre_member: User) -> None:
    data = stdout_json(
        cli("review", "post", "1", "Thanks. **SRE review is completed**", "--as", "sam", "--json")
    )

    assert data["effects"] == [{"item": "sre-review", "state": "done"}]
    assert [r["body"] for r in data["replies"]] == [
        f"'SRE review' is now done: approved by @sam (member of team SRE) in message "
        f"#{data['message']['id']}."
    ]
    assert data["replies"][0]["author"] is None
    sre = item(cli, "sre-review")
    assert (sre["state"], sre["changed_by"], sre["via"], sre["message"]) == (
        "done",
        "sam",
        "message",
        data["message"]["id"],
    )


def test_it_prints_the_replies_to_a_post(cli: Cli, review: Review, sre_member: User) -> None:
    result = ok(cli("review", "post", "1", "SRE review is completed", "--as", "sam"))

    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("  prr: 'SRE review' is now done: approved by @sam")


def test_it_refuses_an_outsiders_phrase_with_a_reply(
    cli: Cli, review: Review, sre_member: User, outsider: User
) -> None:
    data = stdout_json(
        cli("review", "post", "1", "SRE review is completed", "--as", "oscar", "--json")
    )

    assert data["effects"] == []
    assert [r["body"] for r in data["replies"]] == [
        "@oscar is not a member of team SRE, so this does not change 'SRE review'. "
        "Who can: SRE: @sam."
    ]
    assert item(cli, "sre-review")["state"] == "open"


def test_it_refuses_the_phrase_of_a_removed_team_member(
    cli: Cli, review: Review, sre_member: User
) -> None:
    ok(cli("team", "remove-member", "sre", "sam"))

    data = stdout_json(
        cli("review", "post", "1", "SRE review is completed", "--as", "sam", "--json")
    )

    assert data["effects"] == []
    assert "@sam is not a member of team SRE" in data["replies"][0]["body"]


def test_it_ignores_a_negated_phrase(cli: Cli, review: Review, sre_member: User) -> None:
    data = stdout_json(
        cli("review", "post", "1", "SRE review is not completed yet", "--as", "sam", "--json")
    )

    assert (data["effects"], data["replies"]) == ([], [])


def test_it_refuses_a_post_as_an_unknown_user(cli: Cli, review: Review) -> None:
    assert refused(cli("review", "post", "1", "hello", "--as", "ghost")) == (
        "Error: No user @ghost.\n"
    )


def test_it_refuses_a_deactivated_user_acting(cli: Cli, review: Review, sre_member: User):
    ok(cli("user", "deactivate", "sam"))

    reason = refused(cli("review", "post", "1", "SRE review is completed", "--as", "sam"))

    assert reason == "Error: @sam is deactivated and cannot act.\n"
    assert item(cli, "sre-review")["state"] == "open"


def test_it_needs_someone_to_post_as(cli: Cli, review: Review) -> None:
    assert "Missing option '--as'" in usage_error(cli("review", "post", "1", "hello"))


def test_it_refuses_an_empty_message(cli: Cli, review: Review, dri: User) -> None:
    assert refused(cli("review", "post", "1", "   ", "--as", "dana")) == (
        "Error: The message is empty.\n"
    )


# -- prr review set -------------------------------------------------------------------------


def test_it_marks_an_item_done(cli: Cli, review: Review) -> None:
    result = ok(cli("review", "set", "1", "dashboards", "done", "--as", "dana"))

    assert result.stdout == "'Dashboards linked' is now done.\n"
    dashboards = item(cli, "dashboards")
    assert (dashboards["state"], dashboards["changed_by"], dashboards["via"]) == (
        "done",
        "dana",
        "manual",
    )


def test_it_marks_an_item_open_again(cli: Cli, review: Review) -> None:
    ok(cli("review", "set", "1", "dashboards", "done", "--as", "dana"))

    result = ok(cli("review", "set", "1", "dashboards", "open", "--as", "dana"))

    assert result.stdout == "'Dashboards linked' is now open.\n"


def test_it_marks_an_item_na_with_a_reason(cli: Cli, review: Review) -> None:
    result = ok(
        cli("review", "set", "1", "load-test", "na", "--as", "dana", "--reason", "no traffic yet")
    )

    assert result.stdout == "'Load test done' is now n/a.\n"
    load_test = item(cli, "load-test")
    assert (load_test["state"], load_test["na_reason"]) == ("n/a", "no traffic yet")


def test_it_refuses_na_without_a_reason(cli: Cli, review: Review) -> None:
    reason = refused(cli("review", "set", "1", "load-test", "na", "--as", "dana"))

    assert reason == "Error: A reason is required to mark 'Load test done' n/a.\n"
    assert item(cli, "load-test")["state"] == "open"


def test_it_refuses_na_on_an_approval(cli: Cli, review: Review, sre_member: User) -> None:
    reason = refused(
        cli("review", "set", "1", "sre-review", "n/a", "--as", "sam", "--reason", "trivial")
    )

    assert "'SRE review' cannot be marked n/a; it must be done." in reason


def test_it_lets_a_team_member_mark_the_teams_item_by_hand(
    cli: Cli, review: Review, sre_member: User
) -> None:
    ok(cli("review", "set", "1", "sre-review", "done", "--as", "sam"))

    assert item(cli, "sre-review")["changed_by"] == "sam"


def test_it_refuses_a_change_by_someone_who_does_not_own_the_item(
    cli: Cli, review: Review, outsider: User
) -> None:
    assert "Only the DRI (@dana) or an admin can change 'Dashboards linked'." in refused(
        cli("review", "set", "1", "dashboards", "done", "--as", "oscar")
    )
    assert "Only a member of team SRE or an admin can change 'SRE review'." in refused(
        cli("review", "set", "1", "sre-review", "done", "--as", "dana")
    )


def test_it_lets_an_admin_change_any_item(cli: Cli, review: Review, admin: User) -> None:
    ok(cli("review", "set", "1", "sre-review", "done", "--as", "ada"))

    timeline = stdout_json(cli("review", "timeline", "1", "--json"))
    assert timeline[-1]["summary"] == "@ada marked 'SRE review' done (as admin)"


def test_it_refuses_an_item_already_in_that_state(cli: Cli, review: Review) -> None:
    assert "'Dashboards linked' is already open." in refused(
        cli("review", "set", "1", "dashboards", "open", "--as", "dana")
    )


def test_it_refuses_an_unknown_item(cli: Cli, review: Review) -> None:
    assert "PRR-1 has no item 'nope' (items: dashboards, load-test" in refused(
        cli("review", "set", "1", "nope", "done", "--as", "dana")
    )


def test_it_refuses_an_unknown_state_as_a_usage_error(cli: Cli, review: Review) -> None:
    usage_error(cli("review", "set", "1", "dashboards", "maybe", "--as", "dana"))


# -- prr review answer ----------------------------------------------------------------------


def test_it_answers_a_section_with_text(cli: Cli, review: Review) -> None:
    result = ok(cli("review", "answer", "1", "summary", "We launch a vault.", "--as", "dana"))

    assert result.stdout == "Answered 'summary' (18 characters).\n"
    summary = show(cli)["sections"][0]
    assert (summary["answer"], summary["answered_by"]) == ("We launch a vault.", "dana")


def test_it_answers_a_section_from_a_file(cli: Cli, review: Review, tmp_path: Path) -> None:
    answer = "## Dependencies\n\n- PostgreSQL: checkout falls back.\n- KMS — fails closed ✓\n"
    path = tmp_path / "architecture.md"
    path.write_text(answer, encoding="utf-8")

    ok(cli("review", "answer", "1", "architecture", "--file", str(path), "--as", "dana"))

    assert show(cli)["sections"][1]["answer"] == answer.strip()


def test_it_answers_a_section_from_stdin(cli: Cli, review: Review) -> None:
    ok(cli("review", "answer", "1", "summary", "--file", "-", "--as", "dana", input="From stdin"))

    assert show(cli)["sections"][0]["answer"] == "From stdin"


def test_it_refuses_an_answer_as_text_and_file_together(
    cli: Cli, review: Review, tmp_path: Path
) -> None:
    path = tmp_path / "a.md"
    path.write_text("from a file")

    stderr = usage_error(
        cli("review", "answer", "1", "summary", "text", "--file", str(path), "--as", "dana")
    )

    assert "Give the answer as TEXT or with --file PATH (one of them)." in stderr
    assert show(cli)["sections"][0]["answer"] is None


def test_it_refuses_an_answer_with_neither_text_nor_file(cli: Cli, review: Review) -> None:
    usage_error(cli("review", "answer", "1", "summary", "--as", "dana"))


def test_it_refuses_an_unchanged_answer(cli: Cli, review: Review) -> None:
    ok(cli("review", "answer", "1", "summary", "Same.", "--as", "dana"))

    assert "The answer to 'Summary' is unchanged." in refused(
        cli("review", "answer", "1", "summary", "Same.", "--as", "dana")
    )


def test_it_refuses_an_answer_to_an_unknown_section(cli: Cli, review: Review) -> None:
    assert "PRR-1 has no section 'nope' (sections: summary, architecture)." in refused(
        cli("review", "answer", "1", "nope", "text", "--as", "dana")
    )


def test_it_refuses_an_answer_by_someone_other_than_the_dri(
    cli: Cli, review: Review, outsider: User
) -> None:
    assert "Only the DRI (@dana) or an admin can answer the review document." in refused(
        cli("review", "answer", "1", "summary", "text", "--as", "oscar")
    )


# -- prr review close -----------------------------------------------------------------------


def test_it_refuses_to_close_listing_what_is_missing(
    cli: Cli, review: Review, sre_member: User
) -> None:
    ok(cli("review", "post", "1", "SRE review is completed", "--as", "sam"))

    reason = refused(cli("review", "close", "1", "--as", "dana"))

    assert reason.splitlines() == [
        "Error: PRR-1 cannot be closed yet:",
        "  - Dashboards linked is still open; waiting for the DRI @dana",
        "  - Load test done is still open; waiting for the DRI @dana",
        "  - Security review is still open; waiting for a member of team Security to approve",
    ]
    assert show(cli)["status"] == "open"


def test_it_closes_a_ready_review_with_a_snapshot(cli: Cli, ready: Review) -> None:
    result = ok(cli("review", "close", "1", "--as", "dana"))

    match = re.fullmatch(r"Closed PRR-1\. Snapshot v1, sha256 ([0-9a-f]{64})\.\n", result.stdout)
    assert match
    data = show(cli)
    assert (data["status"], data["readiness"]["ready"]) == ("closed", False)
    assert [(s["version"], s["sha256"]) for s in data["snapshots"]] == [(1, match.group(1))]


def test_it_shows_the_snapshot_of_a_closed_review(cli: Cli, closed: Review) -> None:
    sha256 = show(cli)["snapshots"][0]["sha256"]

    assert f"Snapshot v1: sha256 {sha256}" in ok(cli("review", "show", "1")).stdout


def test_it_refuses_a_close_by_someone_other_than_the_dri(
    cli: Cli, ready: Review, outsider: User
) -> None:
    for username in ("sam", "oscar"):
        assert refused(cli("review", "close", "1", "--as", username)) == (
            "Error: Only the DRI (@dana) or an admin can close PRR-1.\n"
        )
    assert show(cli)["status"] == "open"


def test_it_lets_an_admin_close_a_ready_review(cli: Cli, ready: Review, admin: User) -> None:
    ok(cli("review", "close", "1", "--as", "ada"))

    assert show(cli)["status"] == "closed"


def test_it_refuses_a_reason_without_force_as_a_usage_error(cli: Cli, review: Review):
    stderr = usage_error(cli("review", "close", "1", "--as", "dana", "--reason", "urgent"))

    assert "--reason goes with --force." in stderr
    assert show(cli)["status"] == "open"


def test_it_refuses_a_force_close_by_the_dri(cli: Cli, review: Review) -> None:
    assert refused(cli("review", "close", "1", "--as", "dana", "--force", "--reason", "now")) == (
        "Error: Only an admin can force-close a review.\n"
    )


def test_it_refuses_a_force_close_without_a_reason(cli: Cli, review: Review, admin: User):
    assert refused(cli("review", "close", "1", "--as", "ada", "--force")) == (
        "Error: A reason is required to force-close a review.\n"
    )


def test_it_force_closes_by_an_admin_with_a_reason(cli: Cli, review: Review, admin: User):
    ok(cli("review", "close", "1", "--as", "ada", "--force", "--reason", "launch freeze"))

    assert show(cli)["status"] == "closed"
    summaries = [e["summary"] for e in stdout_json(cli("review", "timeline", "1", "--json"))]
    assert (
        "@ada force-closed PRR-1 with 4 required item(s) open: launch freeze (snapshot v1)"
        in summaries
    )


def test_it_refuses_to_close_a_closed_review(cli: Cli, closed: Review) -> None:
    assert refused(cli("review", "close", "1", "--as", "dana")) == (
        "Error: PRR-1 is already closed.\n"
    )


def test_it_refuses_changes_to_a_closed_review(cli: Cli, closed: Review) -> None:
    assert refused(cli("review", "set", "1", "tracing", "done", "--as", "dana")) == (
        "Error: PRR-1 is closed; cannot change its checklist. An admin can reopen it.\n"
    )
    assert "PRR-1 is closed; cannot change its answers." in refused(
        cli("review", "answer", "1", "summary", "late", "--as", "dana")
    )


def test_it_replies_that_a_closed_review_ignores_approvals(cli: Cli, closed: Review) -> None:
    data = stdout_json(
        cli("review", "post", "1", "SRE review is reopened", "--as", "sam", "--json")
    )

    assert data["effects"] == []
    assert [r["body"] for r in data["replies"]] == [
        "PRR-1 is closed; approvals no longer change it ('SRE review')."
    ]
    assert item(cli, "sre-review")["state"] == "done"


# -- prr review export ----------------------------------------------------------------------


def test_it_exports_a_closed_review_as_markdown(cli: Cli, closed: Review) -> None:
    markdown = ok(cli("review", "export", "1")).stdout

    lines = markdown.splitlines()
    assert lines[0] == f"# PRR-1: {TITLE}"
    assert "- **Status:** closed" in lines
    assert "- **Snapshot:** version 1" in lines
    assert any(line.startswith("- [x] **SRE review**: by @sam at ") for line in lines)
    assert "- [ ] **Product review** (optional): not given" in lines
    assert markdown.endswith("\n")


def test_it_exports_a_closed_review_as_json_with_its_sha256(cli: Cli, closed: Review) -> None:
    data = stdout_json(cli("review", "export", "1", "--format", "json"))

    # The API's snapshot (before: only `sha256` and `content`).
    assert set(data) == {"version", "sha256", "created_at", "created_by", "content", "addenda"}
    assert (data["version"], data["created_by"], data["addenda"]) == (1, "dana", [])
    assert data["sha256"] == show(cli)["snapshots"][0]["sha256"]
    canonical = json.dumps(
        data["content"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert hashlib.sha256(canonical.encode()).hexdigest() == data["sha256"]
    assert data["content"]["review"]["ref"] == "PRR-1"
    assert data["content"]["snapshot"] == {"version": 1, "closed_by": "dana"}


def test_it_refuses_to_export_a_review_never_closed(cli: Cli, review: Review) -> None:
    assert refused(cli("review", "export", "1")) == (
        "Error: PRR-1 has no snapshot yet; it gets one when it is closed.\n"
    )


def test_it_refuses_to_export_an_unknown_snapshot(cli: Cli, closed: Review) -> None:
    assert refused(cli("review", "export", "1", "--snapshot", "2")) == (
        "Error: PRR-1 has no snapshot v2.\n"
    )


# -- prr review reopen / cancel -------------------------------------------------------------


def test_it_reopens_a_closed_review_by_an_admin_with_a_reason(
    cli: Cli, closed: Review, admin: User
) -> None:
    result = ok(cli("review", "reopen", "1", "--as", "ada", "--reason", "the vault moved"))

    assert result.stdout == "Reopened PRR-1.\n"
    data = show(cli)
    assert data["status"] == "open"
    assert [s["version"] for s in data["snapshots"]] == [1]
    assert stdout_json(cli("review", "timeline", "1", "--json"))[-1]["summary"] == (
        "@ada reopened PRR-1: the vault moved"
    )


def test_it_writes_the_next_snapshot_when_closed_again(
    cli: Cli, closed: Review, admin: User
) -> None:
    first = show(cli)["snapshots"][0]["sha256"]
    ok(cli("review", "reopen", "1", "--as", "ada", "--reason", "the vault moved"))

    ok(cli("review", "close", "1", "--as", "dana"))

    snapshots = show(cli)["snapshots"]
    assert [s["version"] for s in snapshots] == [1, 2]
    assert (
        stdout_json(cli("review", "export", "1", "--format", "json", "--snapshot", "1"))["sha256"]
        == first
    )
    latest = stdout_json(cli("review", "export", "1", "--format", "json"))
    assert latest["sha256"] == snapshots[1]["sha256"] != first
    assert latest["content"]["snapshot"]["version"] == 2


def test_it_refuses_a_reopen_by_someone_other_than_an_admin(cli: Cli, closed: Review) -> None:
    assert refused(cli("review", "reopen", "1", "--as", "dana", "--reason", "oops")) == (
        "Error: Only an admin can reopen a review.\n"
    )


def test_it_needs_a_reason_to_reopen(cli: Cli, closed: Review, admin: User) -> None:
    assert "Missing option '--reason'" in usage_error(cli("review", "reopen", "1", "--as", "ada"))
    assert refused(cli("review", "reopen", "1", "--as", "ada", "--reason", "  ")) == (
        "Error: A reason is required to reopen a review.\n"
    )


def test_it_refuses_to_reopen_an_open_review(cli: Cli, review: Review, admin: User) -> None:
    assert refused(cli("review", "reopen", "1", "--as", "ada", "--reason", "why")) == (
        "Error: PRR-1 is already open.\n"
    )


def test_it_refuses_to_reopen_when_another_open_review_has_the_title(
    cli: Cli, closed: Review, admin: User
) -> None:
    ok(cli("review", "start", "--playbook", "small", "--title", TITLE, "--dri", "dana"))

    assert "PRR-2 is open with the same title" in refused(
        cli("review", "reopen", "1", "--as", "ada", "--reason", "why")
    )


def test_it_cancels_a_review_by_the_dri_with_a_reason(cli: Cli, review: Review) -> None:
    result = ok(cli("review", "cancel", "1", "--as", "dana", "--reason", "project dropped"))

    assert result.stdout == "Cancelled PRR-1.\n"
    assert [
        r["ref"] for r in stdout_json(cli("review", "list", "--status", "cancelled", "--json"))
    ] == ["PRR-1"]
    assert stdout_json(cli("review", "list", "--json")) == []


def test_it_refuses_a_cancel_by_someone_other_than_the_dri(
    cli: Cli, review: Review, outsider: User
) -> None:
    assert refused(cli("review", "cancel", "1", "--as", "oscar", "--reason", "no")) == (
        "Error: Only the DRI (@dana) or an admin can cancel PRR-1.\n"
    )


def test_it_refuses_to_close_a_cancelled_review(cli: Cli, review: Review) -> None:
    ok(cli("review", "cancel", "1", "--as", "dana", "--reason", "project dropped"))

    assert refused(cli("review", "close", "1", "--as", "dana")) == (
        "Error: PRR-1 is cancelled; cannot close it.\n"
    )


def test_it_refuses_to_cancel_a_closed_review(cli: Cli, closed: Review) -> None:
    assert refused(cli("review", "cancel", "1", "--as", "dana", "--reason", "no")) == (
        "Error: PRR-1 is closed; cannot cancel it. An admin can reopen it.\n"
    )


# -- prr review timeline --------------------------------------------------------------------


def test_it_shows_the_timeline_as_json(cli: Cli, review: Review, outsider: User) -> None:
    posted = stdout_json(
        cli("review", "post", "1", "SRE review is completed", "--as", "oscar", "--json")
    )
    ok(cli("review", "set", "1", "dashboards", "done", "--as", "dana"))

    rows = stdout_json(cli("review", "timeline", "PRR-1", "--json"))

    assert [(r["kind"], r["actor"]) for r in rows] == [
        ("review.started", "dana"),
        ("task_action.refused", "oscar"),
        ("item.changed", "dana"),
    ]
    # The API's timeline events (before: `at` instead of `created_at`, and no id or item).
    assert set(rows[0]) == {
        "id",
        "created_at",
        "kind",
        "actor",
        "summary",
        "item",
        "message",
        "data",
    }
    assert rows[1]["message"] == posted["message"]["id"]
    assert rows[2]["item"] == "dashboards"
    assert rows[2]["data"]["state"] == "done"
    assert rows[2]["summary"] == "@dana marked 'Dashboards linked' done"


def test_it_shows_the_timeline_as_text(cli: Cli, review: Review) -> None:
    lines = ok(cli("review", "timeline", "1")).stdout.splitlines()

    assert len(lines) == 1
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00  @dana started PRR-1 .* DRI @dana", lines[0]
    )


# -- a whole review from the command line alone ---------------------------------------------


def test_it_runs_a_whole_review_from_the_cli_alone(cli: Cli, tmp_path: Path) -> None:
    ok(cli("init"))
    for username, name in (("dana", "Dana Reyes"), ("sam", "Sam Okafor"), ("sid", "Sid Kapoor")):
        ok(cli("user", "add", username, "--name", name))
    ok(cli("user", "add", "oscar"))
    ok(cli("user", "add", "ada", "--admin"))
    ok(cli("team", "add-member", "sre", "sam"))
    ok(cli("team", "add-member", "security", "sid"))
    playbook_file = tmp_path / "small.yaml"
    playbook_file.write_text(SMALL_PLAYBOOK)
    assert ok(cli("playbook", "import", str(playbook_file))).stdout == (
        "Imported small as version 1.\n"
    )

    started = ok(cli("review", "start", "--playbook", "small", "--title", TITLE, "--dri", "dana"))
    assert started.stdout.startswith(f"Started PRR-1: {TITLE}\n")

    ok(cli("review", "answer", "PRR-1", "summary", "We launch payments-vault.", "--as", "dana"))
    architecture = tmp_path / "architecture.md"
    architecture.write_text("Depends on PostgreSQL and KMS; both fail closed.\n")
    ok(
        cli(
            "review", "answer", "PRR-1", "architecture", "--file", str(architecture), "--as", "dana"
        )
    )

    approved = stdout_json(
        cli("review", "post", "PRR-1", "SRE review is completed", "--as", "sam", "--json")
    )
    assert approved["effects"] == [{"item": "sre-review", "state": "done"}]
    outsider = stdout_json(
        cli("review", "post", "PRR-1", "Security review is completed", "--as", "oscar", "--json")
    )
    assert outsider["effects"] == []
    assert outsider["replies"][0]["body"].startswith("@oscar is not a member of team Security")

    ok(cli("review", "set", "PRR-1", "dashboards", "done", "--as", "dana"))
    ok(
        cli(
            "review", "set", "PRR-1", "load-test", "na", "--as", "dana", "--reason", "internal only"
        )
    )

    reason = refused(cli("review", "close", "PRR-1", "--as", "dana"))
    assert reason.splitlines() == [
        "Error: PRR-1 cannot be closed yet:",
        "  - Security review is still open; waiting for a member of team Security to approve",
    ]

    ok(cli("review", "post", "PRR-1", "Security review is completed", "--as", "sid"))
    assert show(cli)["readiness"]["ready"] is True
    closing = ok(cli("review", "close", "PRR-1", "--as", "dana"))
    assert closing.stdout.startswith("Closed PRR-1. Snapshot v1, sha256 ")

    markdown = ok(cli("review", "export", "PRR-1", "--format", "md")).stdout
    assert "We launch payments-vault." in markdown
    assert "Depends on PostgreSQL and KMS; both fail closed." in markdown
    assert "- [-] Load test done: n/a, internal only (@dana, " in markdown
    exported = stdout_json(cli("review", "export", "PRR-1", "--format", "json"))
    assert exported["sha256"] == show(cli)["snapshots"][0]["sha256"]
    assert exported["content"]["review"]["status"] == "closed"

    ok(cli("review", "reopen", "PRR-1", "--as", "ada", "--reason", "scope grew"))
    ok(cli("review", "cancel", "PRR-1", "--as", "dana", "--reason", "replaced by PRR-2"))

    final = show(cli)
    assert (final["status"], len(final["snapshots"])) == ("cancelled", 1)
    kinds = [e["kind"] for e in stdout_json(cli("review", "timeline", "PRR-1", "--json"))]
    assert kinds[0] == "review.started"
    assert kinds[-3:] == ["review.closed", "review.reopened", "review.cancelled"]


# -- prr demo -------------------------------------------------------------------------------


def test_it_creates_demo_data_without_serving(cli: Cli, no_serving: None) -> None:
    result = ok(cli("demo", "--no-serve"))

    assert "People (username / password / role):" in result.stdout
    assert "prr review post PRR-2 --as paula 'Platform review is completed'" in result.stdout
    reviews = stdout_json(cli("review", "list", "--status", "all", "--json"))
    assert [(r["ref"], r["status"]) for r in reviews] == [
        ("PRR-3", "open"),
        ("PRR-2", "open"),
        ("PRR-1", "closed"),
    ]
    sre = next(i for i in show(cli, "PRR-2")["items"] if i["owner"] == "sre" and i["required"])
    assert (sre["state"], sre["changed_by"], sre["via"]) == ("done", "sam", "message")
    late = show(cli, "PRR-3")
    assert (late["kind"], late["dri"]) == ("feature", "priya")
    overdue = [i for i in late["items"] if i["due_at"] and i["state"] == "open"]
    assert overdue, "the feature review shows overdue items on the dashboard"


def test_it_refuses_a_demo_when_users_exist(cli: Cli, dri: User, no_serving: None) -> None:
    reason = refused(cli("demo", "--no-serve"))

    assert "already has users; `prr demo` only fills an empty one." in reason
    assert stdout_json(cli("review", "list", "--status", "all", "--json")) == []
