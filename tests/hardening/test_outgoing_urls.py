"""Outgoing URLs cannot reach loopback, private, link-local, multicast or reserved addresses:
refused when saved, and again at each connection, after prr's own DNS lookup."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from prr.accounts.models import User
from prr.config import ConfigError
from prr.errors import InvalidInput
from prr.integrations import outgoing_guard
from prr.integrations.chat.models import ChannelLink
from prr.integrations.mattermost.client import (
    MattermostApi,
    MattermostApiError,
    send_incoming_webhook,
)
from prr.integrations.slack.client import post_message
from prr.integrations.webhooks import transport
from prr.integrations.webhooks.services import add_subscription
from prr.reviews.models import Review
from tests.hardening.conftest import Receiver

pytestmark = pytest.mark.usefixtures("private_refused")


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://127.0.0.1:8080/hook", "loopback"),
        ("http://[::1]/hook", "loopback"),
        ("http://[::ffff:127.0.0.1]/hook", "loopback"),
        ("http://localhost:9000/hook", "loopback"),
        ("http://admin.localhost/hook", "loopback"),
        ("http://10.1.2.3/hook", "private"),
        ("https://192.168.0.10/hook", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://224.0.0.251/hook", "multicast"),
        ("http://0.0.0.0/hook", "unspecified"),
        ("http://240.0.0.1/hook", "reserved"),
    ],
)
def test_a_webhook_to_an_internal_address_is_refused_when_saved(db, url, kind) -> None:
    with pytest.raises(InvalidInput) as refused:
        add_subscription(url, "*", by=None)
    assert f"is a {kind} " in refused.value.message
    assert "PRR_OUTGOING_ALLOW" in refused.value.message


def test_a_name_resolving_only_to_private_addresses_is_refused(db, dns) -> None:
    dns["hooks.corp.example"] = ["10.0.0.7", "192.168.4.4"]
    with pytest.raises(InvalidInput, match=r"hooks.corp.example \(10.0.0.7\) is a private"):
        add_subscription("https://hooks.corp.example/prr", "*", by=None)


def test_a_public_address_and_a_name_not_resolving_now_are_accepted(db, dns) -> None:
    dns["hooks.example.com"] = []  # checked again when prr connects
    assert add_subscription("https://93.184.215.14/prr", "*", by=None).url
    assert add_subscription("https://hooks.example.com/prr", "*", by=None).url


def test_an_admin_allows_some_networks_and_hosts(db, settings, dns) -> None:
    settings.OUTGOING_ALLOW = ["10.20.0.0/16", "mattermost.internal"]
    dns["mattermost.internal"] = ["10.99.0.1"]
    assert add_subscription("http://10.20.3.4/hook", "*", by=None).url
    assert add_subscription("http://mattermost.internal/hooks/x", "*", by=None).url
    with pytest.raises(InvalidInput, match=r"10\.21\.0\.1 is a private address"):
        add_subscription("http://10.21.0.1/hook", "*", by=None)


def test_an_admin_allows_every_internal_address(db, settings) -> None:
    settings.OUTGOING_ALLOW_PRIVATE = True
    assert add_subscription("http://127.0.0.1:8080/hook", "*", by=None).url


def test_a_typo_in_the_allow_list_is_a_configuration_error(monkeypatch) -> None:
    monkeypatch.setenv("PRR_OUTGOING_ALLOW", "10.0.0.0/8, mattermost internal")
    with pytest.raises(ConfigError, match="'mattermost internal' is neither a host name"):
        outgoing_guard.env_allow("PRR_OUTGOING_ALLOW")


def test_the_channel_form_shows_the_refusal(as_dri: Client, review: Review) -> None:
    response = as_dri.post(
        "/reviews/1/channels/",
        {
            "platform": "mattermost",
            "channel_id": "m1",
            "notify_url": "http://169.254.169.254/latest/meta-data/",
        },
    )
    assert response.status_code == 400
    assert "169.254.169.254 is a link-local address" in response.content.decode()
    assert not ChannelLink.objects.exists()


def test_the_api_refuses_a_webhook_to_loopback(client: Client, admin: User) -> None:
    from prr.accounts.tokens import create_token

    secret = create_token(admin, name="hooks").secret
    response = client.post(
        "/api/v1/webhooks",
        json.dumps({"url": "http://127.0.0.1:2375/containers/create", "events": ["*"]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert 400 <= response.status_code < 500
    assert "127.0.0.1 is a loopback address" in response.json()["message"]


def test_a_name_that_resolves_to_loopback_at_send_time_is_not_connected(
    receiver: Receiver, dns
) -> None:
    # Saved while it resolved to nothing (or to a public address), then rebound to 127.0.0.1.
    dns["hooks.example.com"] = []
    url = f"http://hooks.example.com:{receiver.port}/prr"
    outgoing_guard.check_url(url)
    dns["hooks.example.com"] = ["127.0.0.1"]
    response = transport.post(url, b"{}", {"Content-Type": "application/json"}, timeout=2)
    assert not response.ok
    assert response.permanent
    assert "hooks.example.com (127.0.0.1) is a loopback address" in response.error
    assert receiver.hosts == []


def test_an_allowed_name_is_connected_at_the_address_checked(
    receiver: Receiver, dns, settings
) -> None:
    settings.OUTGOING_ALLOW = ["127.0.0.0/8"]
    dns["hooks.example.com"] = ["127.0.0.1"]
    url = f"http://hooks.example.com:{receiver.port}/prr"
    response = transport.post(url, b"{}", {}, timeout=2)
    assert response.ok
    assert receiver.hosts == [f"hooks.example.com:{receiver.port}"]  # the URL's name, kept


def test_a_mattermost_webhook_rebound_to_a_private_address_fails_for_good(dns) -> None:
    dns["chat.example.com"] = ["10.0.0.9"]
    response = send_incoming_webhook("https://chat.example.com/hooks/abc", {"text": "hi"})
    assert response.permanent
    assert "10.0.0.9) is a private address" in response.error


def test_the_mattermost_api_is_not_called_on_loopback(receiver: Receiver) -> None:
    api = MattermostApi(f"http://127.0.0.1:{receiver.port}", "bot-token", timeout=2)
    with pytest.raises(MattermostApiError, match=r"127\.0\.0\.1 is a loopback address"):
        api.me()
    assert receiver.hosts == []


def test_slack_is_not_called_at_an_internal_api_url(settings, receiver: Receiver) -> None:
    settings.SLACK_BOT_TOKEN = "xoxb-test"
    settings.SLACK_API_URL = f"http://127.0.0.1:{receiver.port}/api/"
    response = post_message("C123", {"text": "hello"})
    assert response.permanent
    assert "127.0.0.1 is a loopback address" in response.error
    assert receiver.hosts == []
