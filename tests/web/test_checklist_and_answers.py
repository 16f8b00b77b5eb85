"""Changing checklist items and answering the document, by each persona."""

from __future__ import annotations

from prr.reviews.models import Answer, ReviewItem, TimelineEvent
from tests.web.conftest import HTMX
from tests.web.pages import item_html, region, section_html


def item_url(review, key: str) -> str:
    return f"/reviews/{review.number}/items/{key}/"


def answer_url(review, key: str) -> str:
    return f"/reviews/{review.number}/answers/{key}/"


def state(review, key: str) -> str:
    return review.items.get(key=key).state


def test_the_sre_member_marks_the_sre_review_done(as_sre, review) -> None:
    response = as_sre.post(item_url(review, "sre-review"), {"state": "done"})
    assert response.status_code == 302
    assert response["Location"] == f"/reviews/{review.number}/#item-sre-review"
    assert state(review, "sre-review") == ReviewItem.State.DONE
    page = as_sre.get(response["Location"]).content.decode()
    assert "&#x27;SRE review&#x27; is now done." in page
    assert "by hand" in item_html(page, "sre-review")


def test_the_outsider_is_refused_with_the_services_message(as_outsider, review) -> None:
    response = as_outsider.post(item_url(review, "sre-review"), {"state": "done"})
    assert response.status_code == 403
    assert state(review, "sre-review") == ReviewItem.State.OPEN
    item = item_html(response.content.decode(), "sre-review")
    assert "Only a member of team SRE or an admin can change &#x27;SRE review&#x27;." in item


def test_the_outsider_is_refused_in_place_with_htmx(as_outsider, review) -> None:
    response = as_outsider.post(item_url(review, "dashboards"), {"state": "done"}, **HTMX)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Only the DRI (@dana) or an admin can change" in item_html(html, "dashboards")
    assert state(review, "dashboards") == ReviewItem.State.OPEN


def test_the_dri_marks_an_item_na_with_a_reason(as_dri, review) -> None:
    response = as_dri.post(
        item_url(review, "dashboards"), {"state": "n/a", "reason": "No UI at all"}, **HTMX
    )
    assert response.status_code == 200
    item = review.items.get(key="dashboards")
    assert (item.state, item.na_reason) == (ReviewItem.State.NA, "No UI at all")
    html = response.content.decode()
    assert "Reason: No UI at all" in item_html(html, "dashboards")
    assert "marked &#x27;Dashboards linked&#x27; n/a: No UI at all" in region(html, "timeline")


def test_na_without_a_reason_is_refused_and_the_item_stays_open(as_dri, review) -> None:
    response = as_dri.post(item_url(review, "dashboards"), {"state": "n/a", "reason": ""})
    assert response.status_code == 400
    assert "A reason is required to mark &#x27;Dashboards linked&#x27; n/a." in item_html(
        response.content.decode(), "dashboards"
    )
    assert state(review, "dashboards") == ReviewItem.State.OPEN


def test_an_approval_cannot_be_na_even_for_an_admin(as_admin, review) -> None:
    response = as_admin.post(item_url(review, "sre-review"), {"state": "n/a", "reason": "x"})
    assert response.status_code == 409
    assert "cannot be marked n/a; it must be done" in response.content.decode()


def test_the_admin_may_change_any_item_and_it_is_audited(as_admin, review) -> None:
    as_admin.post(item_url(review, "security-review"), {"state": "done"})
    assert state(review, "security-review") == ReviewItem.State.DONE
    event = TimelineEvent.objects.filter(kind="item.changed").get()
    assert event.summary == "@ada marked 'Security review' done (as admin)"


def test_reopening_a_done_item(as_sre, review) -> None:
    as_sre.post(item_url(review, "sre-review"), {"state": "done"})
    as_sre.post(item_url(review, "sre-review"), {"state": "open"})
    assert state(review, "sre-review") == ReviewItem.State.OPEN


def test_an_unknown_item_is_a_404(as_dri, review) -> None:
    response = as_dri.post(item_url(review, "nope"), {"state": "done"})
    assert response.status_code == 404


def test_the_dri_answers_a_section_without_javascript(as_dri, review) -> None:
    response = as_dri.post(answer_url(review, "summary"), {"body": "Tokens move to the vault."})
    assert response.status_code == 302
    assert response["Location"] == f"/reviews/{review.number}/#section-summary"
    assert Answer.objects.get(section_key="summary").body == "Tokens move to the vault."


def test_the_dri_answers_a_section_with_htmx(as_dri, review) -> None:
    response = as_dri.post(answer_url(review, "summary"), {"body": "Tokens *move*."}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    section = section_html(html, "summary")
    assert 'hx-swap-oob="true"' in section
    assert "Tokens <em>move</em>." in section
    assert "answered &#x27;Summary&#x27;" in region(html, "timeline")
    assert 'id="section-architecture"' not in html  # only the section that changed


def test_the_sre_member_may_not_answer(as_sre, review) -> None:
    response = as_sre.post(answer_url(review, "summary"), {"body": "I answer for Dana."})
    assert response.status_code == 403
    assert "Only the DRI (@dana) or an admin can answer the review document." in (
        response.content.decode()
    )
    assert not Answer.objects.exists()


def test_an_empty_answer_is_refused_in_place(as_dri, review) -> None:
    response = as_dri.post(answer_url(review, "architecture"), {"body": " "}, **HTMX)
    assert response.status_code == 400
    section = section_html(response.content.decode(), "architecture")
    assert "The answer is empty; write the answer, with links to evidence." in section


def test_an_unchanged_answer_keeps_the_text_typed(as_dri, review) -> None:
    as_dri.post(answer_url(review, "summary"), {"body": "Same text."})
    response = as_dri.post(answer_url(review, "summary"), {"body": "Same text."})
    assert response.status_code == 409
    section = section_html(response.content.decode(), "summary")
    assert "The answer to &#x27;Summary&#x27; is unchanged." in section
    assert ">Same text.</textarea>" in section
