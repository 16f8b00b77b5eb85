"""/reviews/{ref}/answers: the review document, written by the DRI."""

from __future__ import annotations

from prr.reviews.answers import answer_section
from prr.reviews.lifecycle import close_review
from prr.reviews.models import Answer
from tests.api.conftest import error_of


def test_the_document_lists_every_section_with_its_questions(api_as, outsider, review, dri):
    answer_section(review, "summary", "Card tokens move to the vault.", by=dri)
    response = api_as(outsider).get("/reviews/PRR-1/answers")
    assert response.status_code == 200
    summary, architecture = response.json()
    assert (summary["key"], summary["title"]) == ("summary", "Summary")
    assert summary["questions"] == ["What is being launched, and for whom?"]
    assert (summary["answer"], summary["answered_by"], summary["revisions"]) == (
        "Card tokens move to the vault.",
        "dana",
        1,
    )
    assert architecture["questions"] == [
        "Which services does it depend on?",
        "What happens when each is down?",
    ]
    assert (architecture["answer"], architecture["answered_by"], architecture["revisions"]) == (
        None,
        None,
        0,
    )


def test_one_section(api_as, outsider, review):
    response = api_as(outsider).get("/reviews/PRR-1/answers/architecture")
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["answer"]) == ("Architecture", None)


def test_the_dri_answers_and_every_text_is_a_revision(api_as, dri, review):
    client = api_as(dri)
    first = client.put("/reviews/PRR-1/answers/summary", {"body": "Tokens move to the vault."})
    assert first.status_code == 200, first.content
    assert (first.json()["answer"], first.json()["revisions"]) == ("Tokens move to the vault.", 1)
    second = client.put(
        "/reviews/PRR-1/answers/summary", {"body": "Tokens move to the vault, region by region."}
    )
    assert second.json()["revisions"] == 2
    assert client.get("/reviews/PRR-1/answers").json()[0]["revisions"] == 2
    assert review.timeline.filter(kind="answer.updated").count() == 2


def test_a_section_reads_the_same_here_and_in_the_whole_review(api_as, dri, review):
    # One representation: /answers and the review's `sections` share their keys and values
    # (before, /answers said `section`, `body`, `updated_by`, `updated_at`).
    client = api_as(dri)
    client.put("/reviews/PRR-1/answers/summary", {"body": "Tokens move to the vault."})
    alone = client.get("/reviews/PRR-1/answers/summary").json()
    [in_review] = [
        s for s in client.get("/reviews/PRR-1").json()["sections"] if s["key"] == "summary"
    ]
    assert alone == in_review
    assert set(alone) == {
        "key",
        "title",
        "questions",
        "answer",
        "answered_by",
        "answered_at",
        "revisions",
    }


def test_an_unchanged_answer_is_refused(api_as, dri, review):
    client = api_as(dri)
    client.put("/reviews/PRR-1/answers/summary", {"body": "Tokens move to the vault."})
    response = client.put("/reviews/PRR-1/answers/summary", {"body": "Tokens move to the vault."})
    assert error_of(response) == (409, "rule_violation")


def test_an_outsider_cannot_answer(api_as, outsider, review):
    response = api_as(outsider).put("/reviews/PRR-1/answers/summary", {"body": "I say so."})
    assert error_of(response) == (403, "permission_denied")
    assert "Only the DRI (@dana) or an admin" in response.json()["message"]
    assert not Answer.objects.exists()


def test_a_reviewing_team_member_cannot_answer(api_as, sre_member, review):
    response = api_as(sre_member).put("/reviews/PRR-1/answers/summary", {"body": "Looks fine."})
    assert error_of(response) == (403, "permission_denied")


def test_an_unknown_section_is_404(api_as, dri, review):
    client = api_as(dri)
    response = client.put("/reviews/PRR-1/answers/backups", {"body": "Nightly."})
    assert error_of(response) == (404, "not_found")
    assert "sections: summary, architecture" in response.json()["message"]
    assert error_of(client.get("/reviews/PRR-1/answers/backups")) == (404, "not_found")


def test_an_empty_answer_is_refused(api_as, dri, review):
    client = api_as(dri)
    assert error_of(client.put("/reviews/PRR-1/answers/summary", {"body": ""})) == (
        422,
        "invalid_fields",
    )
    assert error_of(client.put("/reviews/PRR-1/answers/summary", {})) == (422, "invalid_fields")
    response = client.put("/reviews/PRR-1/answers/summary", {"body": "  \n "})
    assert error_of(response) == (422, "invalid_input")
    assert not Answer.objects.exists()


def test_a_closed_review_refuses_answers(api_as, dri, admin, review):
    close_review(review, by=admin, force=True, reason="Launch happened already")
    response = api_as(dri).put("/reviews/PRR-1/answers/summary", {"body": "Too late."})
    assert error_of(response) == (409, "rule_violation")
    assert "PRR-1 is closed" in response.json()["message"]
