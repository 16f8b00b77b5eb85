"""Starting a review from the web: the service's title and DRI rules, shown on the form."""

from __future__ import annotations

from prr.reviews.models import Review


def form_data(version, **overrides) -> dict[str, str]:
    data = {
        "playbook": str(version.pk),
        "kind": "service",
        "title": "Payments API: move card tokenisation to the vault",
        "dri": "dana",
        "reviewers": "",
    }
    data.update(overrides)
    return data


def test_the_form_has_the_labelled_fields_and_the_title_rule(as_dri, small_playbook) -> None:
    html = as_dri.get("/reviews/new/").content.decode()
    for label in ("Playbook", "Kind", "Title", "DRI", "Reviewers"):
        assert f">{label}</label>" in html
    assert "At least 3 words and 15 characters" in html
    assert "Small readiness review (small v1)" in html
    assert 'name="dri" value="dana"' in html
    assert ">Start review</button>" in html


def test_starting_a_review_redirects_to_it(as_dri, small_playbook, sre_member) -> None:
    response = as_dri.post("/reviews/new/", form_data(small_playbook, reviewers="@sam,"))
    review = Review.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reviews/{review.number}/"
    assert review.dri.username == "dana"
    assert review.kind == "service"
    assert [u.username for u in review.reviewers.all()] == ["sam"]


def test_every_reviewer_must_exist(as_dri, small_playbook, sre_member) -> None:
    response = as_dri.post("/reviews/new/", form_data(small_playbook, reviewers="sam nobody"))
    assert response.status_code == 400
    assert "No user @nobody." in response.content.decode()
    assert not Review.objects.exists()


def test_a_vague_title_is_refused_in_the_services_words(as_dri, small_playbook) -> None:
    response = as_dri.post("/reviews/new/", form_data(small_playbook, title="New service"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "The title &#x27;New service&#x27; is not self-descriptive" in html
    assert 'value="New service"' in html  # what was typed is kept
    assert not Review.objects.exists()


def test_a_title_taken_by_an_open_review_is_refused(as_dri, small_playbook, review) -> None:
    response = as_dri.post("/reviews/new/", form_data(small_playbook))
    assert response.status_code == 409
    assert f"PRR-{review.number} is already open with the title" in response.content.decode()
    assert Review.objects.count() == 1


def test_only_an_admin_may_name_someone_else_as_dri(
    as_outsider, as_admin, small_playbook, dri
) -> None:
    response = as_outsider.post("/reviews/new/", form_data(small_playbook))
    assert response.status_code == 403
    assert "Only an admin can start a review with someone else as the DRI." in (
        response.content.decode()
    )
    assert not Review.objects.exists()
    response = as_admin.post("/reviews/new/", form_data(small_playbook))
    assert response.status_code == 302
    assert Review.objects.get().dri == dri
