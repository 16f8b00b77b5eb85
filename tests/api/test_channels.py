"""/api/v1/reviews/{ref}/channels: linking chat channels over HTTP."""

from __future__ import annotations

from collections.abc import Callable

from prr.accounts.models import User
from prr.integrations.chat.models import ChannelLink
from prr.reviews.models import Review
from tests.api.conftest import ApiClient, error_of

Api = Callable[[User | None], ApiClient]


def test_the_dri_links_lists_and_unlinks(api_as: Api, review: Review, dri: User) -> None:
    api = api_as(dri)
    created = api.post(
        "/reviews/PRR-1/channels",
        {"platform": "slack", "channel_id": "C0PAY", "channel_name": "payments"},
    )
    assert created.status_code == 201, created.content
    assert created.json()["channel_name"] == "payments"
    assert created.json()["linked_by"] == "dana"
    listed = api.get("/reviews/1/channels").json()
    assert [(c["platform"], c["channel_id"], c["notifications"]) for c in listed] == [
        ("slack", "C0PAY", "default")
    ]
    removed = api.delete("/reviews/1/channels/slack")
    assert removed.status_code == 200
    assert not ChannelLink.objects.exists()


def test_an_outsider_is_refused_and_nothing_changes(
    api_as: Api, review: Review, outsider: User
) -> None:
    response = api_as(outsider).post(
        "/reviews/1/channels", {"platform": "slack", "channel_id": "C0PAY"}
    )
    assert error_of(response) == (403, "permission_denied")
    assert not ChannelLink.objects.exists()


def test_conflicts_and_bad_input(api_as: Api, review: Review, dri: User) -> None:
    api = api_as(dri)
    api.post("/reviews/1/channels", {"platform": "mattermost", "channel_id": "m1"})
    again = api.post("/reviews/1/channels", {"platform": "mattermost", "channel_id": "m2"})
    assert error_of(again) == (409, "rule_violation")
    assert "already linked to Mattermost channel m1" in again.json()["message"]
    unknown = api.post("/reviews/1/channels", {"platform": "teams", "channel_id": "x"})
    assert error_of(unknown)[0] == 422
    bad_url = api.post(
        "/reviews/1/channels",
        {"platform": "slack", "channel_id": "C1", "notify_url": "not a url"},
    )
    assert error_of(bad_url) == (422, "invalid_input")
    assert api.delete("/reviews/1/channels/slack").status_code == 409
    assert api.get("/reviews/PRR-99/channels").status_code == 404
    assert ChannelLink.objects.count() == 1
