"""The snapshot: what was reviewed and approved, frozen and verifiable."""

from __future__ import annotations

import pytest

from prr.reviews.answers import answer_section
from prr.reviews.channel import post_message
from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import close_review
from prr.reviews.snapshot import content_sha256


@pytest.fixture
def snapshot(review, dri, sre_member, security_member):
    answer_section(review, "summary", "We launch **payments-vault** for checkout.", by=dri)
    set_item_state(review, "dashboards", "done", by=dri)
    set_item_state(review, "load-test", "n/a", by=dri, reason="Internal tool")
    post_message(review, author=sre_member, body="SRE review is completed")
    post_message(review, author=security_member, body="Security review is completed")
    return close_review(review, by=dri)


def test_its_sha256_is_that_of_its_content(snapshot):
    assert snapshot.sha256 == content_sha256(snapshot.content)
    assert len(snapshot.sha256) == 64


def test_its_content_holds_review_answers_items_reviewers_and_timeline(snapshot):
    content = snapshot.content
    assert content["review"]["ref"] == "PRR-1"
    assert content["review"]["dri"]["username"] == "dana"
    assert [t["slug"] for t in content["reviewers"]["teams"]] == ["security", "sre"]
    summary = next(s for s in content["sections"] if s["key"] == "summary")
    assert summary["answer"].startswith("We launch")
    assert summary["answered_by"] == "dana"
    sre = next(i for i in content["items"] if i["key"] == "sre-review")
    assert (sre["state"], sre["changed_by"], sre["via"]) == ("done", "sam", "message")
    assert sre["message"] is not None
    assert content["timeline"][-1]["kind"] == "review.closed"


def test_its_markdown_is_a_document_to_file(snapshot):
    md = snapshot.markdown
    assert md.startswith("# PRR-1: Payments API: move card tokenisation to the vault")
    assert "- **DRI:** Dana Reyes (@dana)" in md
    assert "- **Status:** closed" in md
    assert "### Summary" in md
    assert "> What is being launched, and for whom?" in md
    assert "We launch **payments-vault** for checkout." in md
    assert "*Not answered.*" in md  # the architecture section
    assert "- [x] **SRE review**: by @sam at" in md
    assert "- [ ] **Product review** (optional): not given" in md
    assert "- [-] Load test done: n/a, Internal tool" in md


def test_later_changes_do_not_alter_it(snapshot, review, sre_member):
    before = (snapshot.markdown, snapshot.sha256)
    post_message(review, author=sre_member, body="A note after the close")
    snapshot.refresh_from_db()
    assert (snapshot.markdown, snapshot.sha256) == before
