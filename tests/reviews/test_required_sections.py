"""A playbook section marked `required: true` must be answered before the review closes."""

from __future__ import annotations

import pytest

from prr.errors import RuleViolation
from prr.playbooks.services import import_playbook
from prr.reviews import events
from prr.reviews.answers import answer_section
from prr.reviews.channel import post_message
from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import close_review
from prr.reviews.queries import readiness, unanswered_sections
from prr.reviews.starting import start_review
from tests.api.conftest import api_as
from tests.conftest import SMALL_PLAYBOOK
from tests.web.conftest import signed_in

__all__ = ["api_as"]

WITH_REQUIRED = SMALL_PLAYBOOK.replace(
    'questions: ["Which services does it depend on?", "What happens when each is down?"]',
    'questions: ["Which services does it depend on?", "What happens when each is down?"]\n'
    "    required: true",
)


@pytest.fixture
def strict_review(teams, dri):
    assert WITH_REQUIRED != SMALL_PLAYBOOK
    version = import_playbook(WITH_REQUIRED).version
    return start_review(version=version, title="Ledger service moves to the new cluster", dri=dri)


def approve_everything(review, dri, sre_member, security_member) -> None:
    set_item_state(review, "dashboards", "done", by=dri)
    set_item_state(review, "load-test", "done", by=dri)
    post_message(review, author=sre_member, body="SRE review is completed")
    post_message(review, author=security_member, body="Security review is completed")


def test_close_is_refused_until_the_required_section_is_answered(
    strict_review, dri, sre_member, security_member, admin
) -> None:
    approve_everything(strict_review, dri, sre_member, security_member)
    state = readiness(strict_review)
    assert state["ready"] is False
    assert state["missing"] == []
    assert state["missing_sections"] == [{"section": "architecture", "title": "Architecture"}]

    with pytest.raises(RuleViolation) as refused:
        close_review(strict_review, by=dri)
    assert str(refused.value.message) == (
        f"{strict_review.ref} cannot be closed yet:\n"
        "  - the section 'Architecture' is required and not answered"
    )
    assert refused.value.details == [
        {
            "section": "architecture",
            "reason": "the section 'Architecture' is required and not answered",
        }
    ]
    answer_section(strict_review, "architecture", "Postgres and the vault.", by=dri)
    assert readiness(strict_review)["ready"] is True
    assert close_review(strict_review, by=dri).version == 1


def test_answering_the_last_required_section_makes_the_review_ready(
    strict_review, dri, sre_member, security_member, django_capture_on_commit_callbacks
) -> None:
    heard: list[events.Event] = []
    events.subscribe(heard.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            approve_everything(strict_review, dri, sre_member, security_member)
        assert [e.type for e in heard].count(events.READY) == 0  # the section is missing
        with django_capture_on_commit_callbacks(execute=True):
            answer_section(strict_review, "architecture", "It depends on the vault.", by=dri)
        assert [e.change for e in heard if e.type == events.READY] == [
            {"completed_by": "architecture"}
        ]
    finally:
        events.unsubscribe(heard.append)


def test_the_close_page_shows_unanswered_sections_and_the_api_says_why(
    strict_review, dri, sre_member, security_member, api_as
) -> None:
    approve_everything(strict_review, dri, sre_member, security_member)
    assert [s.key for s in unanswered_sections(strict_review)] == ["summary", "architecture"]
    page = signed_in(dri).get(f"/reviews/{strict_review.number}/close/").content.decode()
    assert "Unanswered in the review document" in page
    assert "Architecture <strong>(required: the review cannot close without it)</strong>" in page
    assert "<li>Summary</li>" in page  # shown, but does not stop the close

    refused = api_as(dri).post(f"/reviews/{strict_review.ref}/close", {})
    assert refused.status_code == 409
    assert "the section 'Architecture' is required and not answered" in refused.json()["message"]
    readiness_now = api_as(dri).get(f"/reviews/{strict_review.ref}/readiness").json()
    assert readiness_now["missing_sections"] == [
        {"section": "architecture", "title": "Architecture"}
    ]


def test_sections_are_optional_unless_the_playbook_says_so(
    review, dri, sre_member, security_member
) -> None:
    approve_everything(review, dri, sre_member, security_member)
    assert readiness(review)["missing_sections"] == []
    assert close_review(review, by=dri).version == 1


def test_the_cli_does_not_call_a_review_ready_while_a_required_section_is_unanswered(
    strict_review, dri, sre_member, security_member
) -> None:
    # `prr review show` used to judge readiness by the items alone and said "Ready to close."
    from click.testing import CliRunner

    from prr.cli import prr

    approve_everything(strict_review, dri, sre_member, security_member)
    shown = CliRunner().invoke(prr, ["review", "show", strict_review.ref])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert "  Not ready to close:" in lines
    assert "    - the section 'Architecture' is not answered yet" in lines
    assert "  Ready to close." not in lines
