"""/reviews: listing with filters and pages, getting one, starting, readiness, reviewers."""

from __future__ import annotations

import pytest

from prr.accounts.services import create_user
from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import cancel_review
from prr.reviews.models import Review
from prr.reviews.starting import start_review
from tests.api.conftest import error_of


@pytest.fixture
def several(review, small_playbook, default_playbook, dri, sre_member, admin):
    """PRR-1 (service, small, dana), PRR-2 (feature, small, sam), PRR-3 (prr, dana, cancelled),
    PRR-4 (feature, small, dana; SRE and Security approved)."""
    start_review(
        version=small_playbook,
        title="Search ranking: new model for feeds",
        dri=sre_member,
        kind="feature",
    )
    third = start_review(
        version=default_playbook, title="Billing exports to the data lake", dri=dri
    )
    cancel_review(third, by=admin, reason="Superseded by the lakehouse project")
    fourth = start_review(
        version=small_playbook, title="Checkout page redesign for mobile", dri=dri, kind="feature"
    )
    set_item_state(fourth, "sre-review", "done", by=admin)
    set_item_state(fourth, "security-review", "done", by=admin)


def refs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [r["ref"] for r in response.json()["items"]]


def test_list_shows_open_reviews_newest_first_with_progress(api_as, outsider, several):
    response = api_as(outsider).get("/reviews")
    assert refs(response) == ["PRR-4", "PRR-2", "PRR-1"]
    first = response.json()["items"][-1]
    assert first["title"] == "Payments API: move card tokenisation to the vault"
    assert (first["status"], first["kind"], first["dri"]) == ("open", "service", "dana")
    assert (first["playbook"], first["playbook_version"]) == ("small", 1)
    assert (first["required"], first["complete"]) == (4, 0)
    assert first["url"].endswith("/reviews/1/")
    assert response.json()["items"][0]["complete"] == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=all", ["PRR-4", "PRR-3", "PRR-2", "PRR-1"]),
        ("status=cancelled", ["PRR-3"]),
        ("status=closed", []),
        ("kind=feature", ["PRR-4", "PRR-2"]),
        ("kind=service", ["PRR-1"]),
        ("playbook=small", ["PRR-4", "PRR-2", "PRR-1"]),
        ("playbook=prr&status=all", ["PRR-3"]),
        ("dri=sam", ["PRR-2"]),
        ("dri=@Dana", ["PRR-4", "PRR-1"]),
        ("awaiting=sre", ["PRR-2", "PRR-1"]),
        ("awaiting=product", []),
        ("q=CHECKOUT", ["PRR-4"]),
        ("q=nothing-like-this", []),
        ("kind=feature&dri=dana", ["PRR-4"]),
    ],
)
def test_list_filters(api_as, outsider, several, query, expected):
    assert refs(api_as(outsider).get(f"/reviews?{query}")) == expected


def test_awaiting_me_means_the_callers_teams(api_as, sre_member, outsider, several):
    assert refs(api_as(sre_member).get("/reviews?awaiting=me")) == ["PRR-2", "PRR-1"]
    assert refs(api_as(outsider).get("/reviews?awaiting=me")) == []


def test_list_rejects_an_unknown_status(api_as, outsider, review):
    response = api_as(outsider).get("/reviews?status=frozen")
    assert error_of(response) == (422, "invalid_fields")
    assert response.json()["details"][0]["field"] == "query.status"


def test_list_is_paginated(api_as, outsider, several):
    client = api_as(outsider)
    first = client.get("/reviews?status=all&per_page=3").json()
    assert [r["ref"] for r in first["items"]] == ["PRR-4", "PRR-3", "PRR-2"]
    assert (first["total"], first["page"], first["per_page"], first["pages"]) == (4, 1, 3, 2)
    second = client.get("/reviews?status=all&per_page=3&page=2").json()
    assert [r["ref"] for r in second["items"]] == ["PRR-1"]
    assert (second["total"], second["page"], second["pages"]) == (4, 2, 2)
    beyond = client.get("/reviews?status=all&per_page=3&page=9").json()
    assert (beyond["items"], beyond["total"]) == ([], 4)


def test_an_empty_list_has_one_page(api_as, outsider):
    assert api_as(outsider).get("/reviews").json() == {
        "items": [],
        "total": 0,
        "page": 1,
        "per_page": 25,
        "pages": 1,
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("per_page=0", "query.per_page"),
        ("per_page=101", "query.per_page"),
        ("page=0", "query.page"),
        ("page=two", "query.page"),
    ],
)
def test_list_refuses_page_parameters_out_of_bounds(api_as, outsider, query, field):
    response = api_as(outsider).get(f"/reviews?{query}")
    assert error_of(response) == (422, "invalid_fields")
    assert [d["field"] for d in response.json()["details"]] == [field]


def test_per_page_100_is_allowed(api_as, outsider, review):
    assert api_as(outsider).get("/reviews?per_page=100").json()["per_page"] == 100


@pytest.mark.parametrize("ref", ["PRR-1", "prr-1", "1"])
def test_get_a_review_by_ref_or_number(api_as, outsider, review, ref):
    response = api_as(outsider).get(f"/reviews/{ref}")
    assert response.status_code == 200
    body = response.json()
    assert (body["ref"], body["number"], body["dri"]) == ("PRR-1", 1, "dana")
    assert [i["key"] for i in body["items"]] == [
        "dashboards",
        "load-test",
        "tracing",
        "sre-review",
        "security-review",
        "product-review",
    ]
    assert [s["key"] for s in body["sections"]] == ["summary", "architecture"]
    assert body["reviewer_teams"] == ["security", "sre"]
    assert body["snapshots"] == []
    assert body["readiness"]["ready"] is False


def test_get_an_unknown_review_is_404(api_as, outsider, review):
    response = api_as(outsider).get("/reviews/PRR-999")
    assert error_of(response) == (404, "not_found")
    assert response.json()["message"] == "No review PRR-999."


@pytest.mark.parametrize("ref", ["abc", "PRR-", "PRR-1x", "1234567890"])
def test_a_malformed_ref_is_refused(api_as, outsider, review, ref):
    response = api_as(outsider).get(f"/reviews/{ref}")
    assert error_of(response) == (422, "invalid_fields")
    assert response.json()["details"][0]["field"] == "path.ref"


# -- starting ---------------------------------------------------------------------------------


def start_body(**overrides):
    return {"playbook": "small", "title": "Ledger service: new write path", **overrides}


def test_start_makes_the_caller_the_dri(api_as, sre_member, small_playbook):
    response = api_as(sre_member).post("/reviews", start_body(kind="feature"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["ref"], body["dri"], body["kind"], body["status"]) == (
        "PRR-1",
        "sam",
        "feature",
        "open",
    )
    assert "load-test" not in [i["key"] for i in body["items"]]  # service-only item
    review = Review.objects.get(number=1)
    assert review.dri == sre_member
    assert review.timeline.filter(kind="review.started", actor=sre_member).exists()


def test_start_takes_the_first_kind_by_default_and_named_reviewers(
    api_as, dri, sre_member, small_playbook
):
    response = api_as(dri).post("/reviews", start_body(reviewers=["sam"]))
    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["reviewers"]) == ("service", ["sam"])


@pytest.mark.parametrize(
    "title",
    ["Too short", "Ledger", "small readiness review", "Small Readiness Review"],
)
def test_start_refuses_a_title_that_is_not_self_descriptive(api_as, dri, small_playbook, title):
    response = api_as(dri).post("/reviews", start_body(title=title))
    assert error_of(response) == (422, "invalid_input")
    assert not Review.objects.exists()


def test_start_refuses_the_title_of_another_open_review(api_as, dri, review):
    response = api_as(dri).post(
        "/reviews", start_body(title="PAYMENTS API: move card tokenisation to the  vault")
    )
    assert error_of(response) == (409, "rule_violation")
    assert "PRR-1 is already open" in response.json()["message"]
    assert Review.objects.count() == 1


def test_start_allows_the_title_of_a_cancelled_review(api_as, dri, admin, review):
    cancel_review(review, by=dri, reason="Moved to next quarter")
    response = api_as(dri).post("/reviews", start_body(title=review.title))
    assert response.status_code == 201


def test_start_from_an_unknown_playbook_is_404(api_as, dri, small_playbook):
    response = api_as(dri).post("/reviews", start_body(playbook="nope"))
    assert error_of(response) == (404, "not_found")
    assert "No playbook 'nope'" in response.json()["message"]


def test_start_from_an_unknown_version_is_404(api_as, dri, small_playbook):
    response = api_as(dri).post("/reviews", start_body(version=7))
    assert error_of(response) == (404, "not_found")


def test_start_with_an_unknown_kind_is_refused(api_as, dri, small_playbook):
    response = api_as(dri).post("/reviews", start_body(kind="spaceship"))
    assert error_of(response) == (422, "invalid_input")
    assert "no kind 'spaceship'" in response.json()["message"]


def test_start_without_a_title_lists_the_field(api_as, dri, small_playbook):
    response = api_as(dri).post("/reviews", {"playbook": "small"})
    assert error_of(response) == (422, "invalid_fields")
    # The exact path ("body.title", as documented) is checked in test_errors.
    assert response.json()["details"][0]["field"].endswith(".title")


def test_a_non_admin_cannot_name_another_dri(api_as, outsider, dri, small_playbook):
    response = api_as(outsider).post("/reviews", start_body(dri="dana"))
    assert error_of(response) == (403, "permission_denied")
    assert not Review.objects.exists()


def test_an_admin_may_name_the_dri(api_as, admin, dri, small_playbook):
    response = api_as(admin).post("/reviews", start_body(dri="@dana"))
    assert response.status_code == 201
    assert response.json()["dri"] == "dana"
    assert Review.objects.get().created_by == admin


def test_start_with_an_unknown_dri_or_reviewer_is_404(api_as, admin, small_playbook):
    assert error_of(api_as(admin).post("/reviews", start_body(dri="ghost"))) == (404, "not_found")
    response = api_as(admin).post("/reviews", start_body(reviewers=["ghost"]))
    assert error_of(response) == (404, "not_found")


def test_a_bot_cannot_be_the_dri(api_as, admin, small_playbook):
    create_user("deploybot", is_bot=True)
    response = api_as(admin).post("/reviews", start_body(dri="deploybot"))
    assert error_of(response) == (409, "rule_violation")


# -- readiness --------------------------------------------------------------------------------


def test_readiness_lists_what_is_missing(api_as, outsider, review, dri):
    set_item_state(review, "dashboards", "done", by=dri)
    response = api_as(outsider).get("/reviews/PRR-1/readiness")
    assert response.status_code == 200
    body = response.json()
    assert (body["ready"], body["closed"], body["required"], body["complete"]) == (
        False,
        False,
        4,
        1,
    )
    assert body["missing"] == [
        {
            "item": "load-test",
            "title": "Load test done",
            "owner": "dri",
            "reason": "Load test done is still open; waiting for the DRI @dana",
        },
        {
            "item": "sre-review",
            "title": "SRE review",
            "owner": "sre",
            "reason": "SRE review is still open; waiting for a member of team SRE to approve",
        },
        {
            "item": "security-review",
            "title": "Security review",
            "owner": "security",
            "reason": "Security review is still open; waiting for a member of team Security "
            "to approve",
        },
    ]


def test_readiness_is_true_when_every_required_item_is_done(api_as, outsider, ready_review):
    body = api_as(outsider).get("/reviews/1/readiness").json()
    assert (body["ready"], body["required"], body["complete"], body["missing"]) == (
        True,
        4,
        4,
        [],
    )


def test_readiness_of_an_unknown_review_is_404(api_as, outsider, review):
    assert error_of(api_as(outsider).get("/reviews/PRR-2/readiness")) == (404, "not_found")


# -- reviewers --------------------------------------------------------------------------------


def test_the_dri_adds_reviewers(api_as, dri, outsider, review):
    response = api_as(dri).post(
        "/reviews/PRR-1/reviewers", {"users": ["oscar"], "teams": ["product"]}
    )
    assert response.status_code == 200, response.content
    assert response.json()["reviewers"] == ["oscar"]
    assert response.json()["reviewer_teams"] == ["product", "security", "sre"]
    assert review.timeline.filter(kind="reviewers.added").exists()


def test_an_outsider_cannot_add_reviewers(api_as, outsider, review):
    response = api_as(outsider).post("/reviews/PRR-1/reviewers", {"users": ["oscar"]})
    assert error_of(response) == (403, "permission_denied")
    assert not review.reviewers.exists()


def test_adding_nobody_new_is_refused(api_as, dri, review):
    response = api_as(dri).post("/reviews/PRR-1/reviewers", {"teams": ["sre"]})
    assert error_of(response) == (409, "rule_violation")


def test_adding_an_unknown_team_is_404(api_as, dri, review):
    response = api_as(dri).post("/reviews/PRR-1/reviewers", {"teams": ["dba"]})
    assert error_of(response) == (404, "not_found")
