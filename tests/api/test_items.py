"""PUT /reviews/{ref}/items/{key}/state: the checklist by hand, with the same rules as the UI."""

from __future__ import annotations

from prr.reviews.models import ReviewItem
from tests.api.conftest import error_of


def state_of(review, key: str) -> str:
    return ReviewItem.objects.get(review=review, key=key).state


def test_the_dri_marks_their_item_done(api_as, dri, review):
    client = api_as(dri)
    response = client.put("/reviews/PRR-1/items/dashboards/state", {"state": "done"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["key"], body["state"], body["changed_by"], body["via"]) == (
        "dashboards",
        "done",
        "dana",
        "api",
    )
    listed = {i["key"]: i for i in client.get("/reviews/PRR-1/items").json()}
    assert (listed["dashboards"]["state"], listed["dashboards"]["via"]) == ("done", "api")
    assert listed["load-test"]["state"] == "open"
    event = review.timeline.get(kind="item.changed")
    assert (event.actor, event.data["via"], event.data["as_admin"]) == (dri, "api", False)


def test_the_checklist_lists_every_item_in_order(api_as, outsider, review):
    items = api_as(outsider).get("/reviews/PRR-1/items").json()
    assert [(i["key"], i["owner"], i["required"], i["allow_na"]) for i in items] == [
        ("dashboards", "dri", True, True),
        ("load-test", "dri", True, True),
        ("tracing", "dri", False, True),
        ("sre-review", "sre", True, False),
        ("security-review", "security", True, False),
        ("product-review", "product", False, False),
    ]


def test_an_outsider_cannot_change_an_item(api_as, outsider, review):
    response = api_as(outsider).put("/reviews/PRR-1/items/dashboards/state", {"state": "done"})
    assert error_of(response) == (403, "permission_denied")
    assert (
        response.json()["message"]
        == "Only the DRI (@dana) or an admin can change 'Dashboards linked'."
    )
    assert state_of(review, "dashboards") == "open"


def test_an_outsider_cannot_approve_for_a_team(api_as, outsider, review):
    response = api_as(outsider).put("/reviews/PRR-1/items/sre-review/state", {"state": "done"})
    assert error_of(response) == (403, "permission_denied")
    assert (
        response.json()["message"]
        == "Only a member of team SRE or an admin can change 'SRE review'."
    )


def test_the_dri_cannot_approve_for_a_team(api_as, dri, review):
    response = api_as(dri).put("/reviews/PRR-1/items/sre-review/state", {"state": "done"})
    assert error_of(response) == (403, "permission_denied")
    assert state_of(review, "sre-review") == "open"


def test_a_member_of_the_team_approves_its_item(api_as, sre_member, review):
    response = api_as(sre_member).put("/reviews/PRR-1/items/sre-review/state", {"state": "done"})
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["changed_by"]) == ("done", "sam")
    assert state_of(review, "sre-review") == "done"


def test_an_admin_changes_any_item_as_admin(api_as, admin, review):
    response = api_as(admin).put("/reviews/PRR-1/items/sre-review/state", {"state": "done"})
    assert response.status_code == 200
    assert review.timeline.get(kind="item.changed").data["as_admin"] is True


def test_an_item_can_be_opened_again(api_as, dri, review):
    client = api_as(dri)
    client.put("/reviews/PRR-1/items/dashboards/state", {"state": "done"})
    response = client.put("/reviews/PRR-1/items/dashboards/state", {"state": "open"})
    assert response.json()["state"] == "open"


def test_setting_the_same_state_again_is_refused(api_as, dri, review):
    response = api_as(dri).put("/reviews/PRR-1/items/dashboards/state", {"state": "open"})
    assert error_of(response) == (409, "rule_violation")
    assert "already open" in response.json()["message"]


def test_na_with_a_reason(api_as, dri, review):
    response = api_as(dri).put(
        "/reviews/PRR-1/items/load-test/state",
        {"state": "n/a", "reason": "Read-only endpoint behind the CDN"},
    )
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["na_reason"]) == (
        "n/a",
        "Read-only endpoint behind the CDN",
    )


def test_na_without_a_reason_is_refused(api_as, dri, review):
    for reason in ({}, {"reason": "   "}):
        response = api_as(dri).put(
            "/reviews/PRR-1/items/load-test/state", {"state": "n/a", **reason}
        )
        assert error_of(response) == (422, "invalid_input")
        assert "reason is required" in response.json()["message"]
    assert state_of(review, "load-test") == "open"


def test_na_is_never_allowed_on_an_approval(api_as, sre_member, review):
    response = api_as(sre_member).put(
        "/reviews/PRR-1/items/sre-review/state", {"state": "n/a", "reason": "No infra change"}
    )
    assert error_of(response) == (409, "rule_violation")
    assert "cannot be marked n/a" in response.json()["message"]
    assert state_of(review, "sre-review") == "open"


def test_an_unknown_item_is_404(api_as, dri, review):
    response = api_as(dri).put("/reviews/PRR-1/items/backups/state", {"state": "done"})
    assert error_of(response) == (404, "not_found")
    assert "no item 'backups'" in response.json()["message"]


def test_an_item_of_an_unknown_review_is_404(api_as, dri, review):
    response = api_as(dri).put("/reviews/PRR-7/items/dashboards/state", {"state": "done"})
    assert error_of(response) == (404, "not_found")


def test_an_invalid_state_is_refused_by_the_schema(api_as, dri, review):
    response = api_as(dri).put("/reviews/PRR-1/items/dashboards/state", {"state": "finished"})
    assert error_of(response) == (422, "invalid_fields")
    assert response.json()["details"][0]["field"].endswith("state")
    assert state_of(review, "dashboards") == "open"


def test_a_missing_state_is_refused_by_the_schema(api_as, dri, review):
    response = api_as(dri).put("/reviews/PRR-1/items/dashboards/state", {})
    assert error_of(response) == (422, "invalid_fields")
