"""The review's chat channels page: linking and unlinking from the browser."""

from __future__ import annotations

from django.test import Client

from prr.integrations.chat.models import ChannelLink
from prr.integrations.chat.services import link_channel
from prr.reviews.models import Review


def test_the_review_page_names_its_linked_channels(as_dri: Client, review: Review) -> None:
    link_channel(review, platform="slack", channel_id="C1", channel_name="payments", by=None)
    page = as_dri.get("/reviews/1/").content.decode()
    assert "Linked to Slack channel ~payments" in page
    assert 'href="/reviews/1/channels/"' in page


def test_the_dri_links_a_channel_from_the_page(as_dri: Client, review: Review) -> None:
    form = as_dri.get("/reviews/1/channels/")
    assert "No chat channel is linked to PRR-1." in form.content.decode()
    response = as_dri.post(
        "/reviews/1/channels/",
        {"platform": "mattermost", "channel_id": "m1", "channel_name": "prr-1"},
        follow=True,
    )
    assert "Linked Mattermost channel ~prr-1." in response.content.decode()
    assert ChannelLink.objects.get().channel_id == "m1"


def test_a_refusal_is_shown_with_what_was_typed(as_dri: Client, review: Review) -> None:
    link_channel(review, platform="mattermost", channel_id="m1", by=None)
    response = as_dri.post(
        "/reviews/1/channels/", {"platform": "mattermost", "channel_id": "m2-typed"}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "already linked to Mattermost channel m1" in page
    assert 'value="m2-typed"' in page


def test_an_empty_form_is_refused(as_dri: Client, review: Review) -> None:
    response = as_dri.post("/reviews/1/channels/", {"platform": "slack", "channel_id": ""})
    assert response.status_code == 400
    assert not ChannelLink.objects.exists()


def test_others_see_the_links_but_no_form(as_outsider: Client, review: Review) -> None:
    page = as_outsider.get("/reviews/1/channels/").content.decode()
    assert "Only the DRI (@dana) or an admin can link or unlink channels." in page
    assert "Link channel</button>" not in page
    refused = as_outsider.post("/reviews/1/channels/", {"platform": "slack", "channel_id": "C1"})
    assert refused.status_code == 403
    assert not ChannelLink.objects.exists()


def test_unlink(as_dri: Client, as_outsider: Client, review: Review) -> None:
    link_channel(review, platform="slack", channel_id="C1", by=None)
    as_outsider.post("/reviews/1/channels/slack/unlink/")
    assert ChannelLink.objects.count() == 1
    page = as_dri.post("/reviews/1/channels/slack/unlink/", follow=True).content.decode()
    assert "Unlinked Slack channel C1." in page
    assert not ChannelLink.objects.exists()
