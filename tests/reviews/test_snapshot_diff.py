"""Comparing two snapshots of a review: from the service, the CLI, the API and the web."""

from __future__ import annotations

import pytest

from prr.errors import InvalidInput, NotFound
from prr.reviews.answers import answer_section
from prr.reviews.channel import post_message
from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import close_review, reopen_review
from prr.reviews.snapshot_diff import diff_snapshots, pick_snapshots
from tests.api.conftest import api_as
from tests.cli.conftest import cli
from tests.web.conftest import signed_in

__all__ = ["api_as", "cli"]


@pytest.fixture
def twice_closed(review, dri, sre_member, security_member, admin):
    """PRR-1 closed (v1), reopened, changed, closed again (v2)."""
    answer_section(review, "summary", "Cards move to the vault.\nOne region.", by=dri)
    set_item_state(review, "dashboards", "done", by=dri)
    set_item_state(review, "load-test", "done", by=dri)
    post_message(review, author=sre_member, body="SRE review is completed")
    post_message(review, author=security_member, body="Security review is completed")
    close_review(review, by=dri)
    reopen_review(review, by=admin, reason="The vault moved to a second region")
    answer_section(review, "summary", "Cards move to the vault.\nTwo regions.", by=dri)
    answer_section(review, "architecture", "The vault and Postgres.", by=dri)
    set_item_state(review, "tracing", "n/a", by=dri, reason="Tracing comes next quarter")
    close_review(review, by=dri)
    return review


def test_the_diff_shows_sections_and_items_that_changed(twice_closed) -> None:
    before, after = pick_snapshots(twice_closed)
    diff = diff_snapshots(twice_closed, before, after)

    assert (before.version, after.version) == (1, 2)
    assert [(s.key, s.change) for s in diff.sections] == [
        ("summary", "changed"),
        ("architecture", "answered"),
    ]
    assert diff.sections[0].diff[2:] == [
        "@@ -1,2 +1,2 @@",
        " Cards move to the vault.",
        "-One region.",
        "+Two regions.",
    ]
    (tracing,) = diff.items
    assert (tracing.key, tracing.change) == ("tracing", "changed")
    assert tracing.fields["state"] == ("open", "n/a")
    assert tracing.fields["na_reason"] == (None, "Tracing comes next quarter")
    assert tracing.fields["changed_by"] == (None, "dana")


def test_wrong_versions_are_refused_clearly(review, twice_closed) -> None:
    with pytest.raises(NotFound, match=r"has no snapshot v7 \(snapshots: 1, 2\)"):
        pick_snapshots(twice_closed, 1, 7)
    with pytest.raises(InvalidInput, match="not v2 twice"):
        pick_snapshots(twice_closed, 2, 2)


def test_one_snapshot_is_not_enough(review, dri, sre_member, security_member) -> None:
    set_item_state(review, "dashboards", "done", by=dri)
    set_item_state(review, "load-test", "done", by=dri)
    post_message(review, author=sre_member, body="SRE review is completed")
    post_message(review, author=security_member, body="Security review is completed")
    close_review(review, by=dri)
    with pytest.raises(NotFound, match="has 1 snapshot"):
        pick_snapshots(review)


def test_the_diff_from_the_cli_api_and_web(twice_closed, dri, outsider, api_as, cli) -> None:
    v1, v2 = twice_closed.snapshots.order_by("version")

    printed = cli("review", "diff", twice_closed.ref).output
    ref = twice_closed.ref
    assert f"  {ref} v1 sha256 {v1.sha256}\n  {ref} v2 sha256 {v2.sha256}\n" in printed
    assert "  changed    Summary (summary)\n" in printed
    assert "      -One region.\n      +Two regions.\n" in printed
    assert "  changed    Tracing enabled (tracing): state open -> n/a;" in printed
    assert cli("review", "diff", twice_closed.ref, "--from", "2", "--to", "9").exit_code == 1

    answer = api_as(outsider).get(f"/reviews/{twice_closed.ref}/diff?from=1&to=2").json()
    assert answer["from"] == {"review": twice_closed.ref, "version": 1, "sha256": v1.sha256}
    assert answer["to"] == {"review": twice_closed.ref, "version": 2, "sha256": v2.sha256}
    assert [s["section"] for s in answer["sections"]] == ["summary", "architecture"]
    assert answer["items"][0]["fields"]["state"] == {"from": "open", "to": "n/a"}
    assert api_as(outsider).get(f"/reviews/{twice_closed.ref}/diff?from=3").status_code == 404

    page = signed_in(outsider).get(f"/reviews/{twice_closed.number}/diff/").content.decode()
    assert "What changed from snapshot v1 to v2" in page
    assert v1.sha256 in page
    assert v2.sha256 in page
    assert '<span class="added">+Two regions.</span>' in page
    missing = signed_in(outsider).get(f"/reviews/{twice_closed.number}/diff/?from=5&to=1")
    assert missing.status_code == 404
