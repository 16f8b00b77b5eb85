"""Admins subscribe URLs to events; every bad input and every non-admin is refused clearly."""

from __future__ import annotations

import pytest

from prr.errors import InvalidInput, NotFound, PermissionDenied
from prr.integrations.webhooks.models import Subscription
from prr.integrations.webhooks.services import (
    add_subscription,
    get_subscription,
    list_subscriptions,
    remove_subscription,
    set_subscription_active,
)
from prr.reviews.events import EVENT_TYPES

pytestmark = pytest.mark.django_db


def test_an_admin_subscribes_a_url_to_events(admin):
    created = add_subscription(
        "https://hooks.example.com/prr", ["review.ready", "review.closed"], by=admin
    )
    assert created.url == "https://hooks.example.com/prr"
    assert created.events == ["review.ready", "review.closed"]  # the canonical order
    assert created.active
    assert created.created_by == admin
    assert len(created.secret) >= 32


def test_comma_separated_and_repeated_event_names_are_merged():
    created = add_subscription(
        "http://127.0.0.1:9000/", ["review.closed, review.started", "review.closed"], by=None
    )
    assert created.events == ["review.started", "review.closed"]


def test_a_star_subscribes_to_every_event():
    created = add_subscription("https://hooks.example.com/", "*", by=None)
    assert created.events == ["*"]
    assert all(created.wants(t) for t in EVENT_TYPES)


def test_a_given_secret_is_kept_and_a_short_one_refused():
    kept = add_subscription("https://a.example.com/", ["*"], "a-long-enough-secret", by=None)
    assert kept.secret == "a-long-enough-secret"
    with pytest.raises(InvalidInput, match="16 to 128 characters"):
        add_subscription("https://a.example.com/", ["*"], "short", by=None)


@pytest.mark.parametrize(
    "url", ["ftp://example.com/hook", "example.com/hook", "javascript:alert(1)", "", "http://"]
)
def test_a_url_that_is_not_http_is_refused(url):
    with pytest.raises(InvalidInput, match="not a valid webhook URL"):
        add_subscription(url, ["review.closed"], by=None)
    assert not Subscription.objects.exists()


def test_an_unknown_event_type_is_refused_with_the_known_ones():
    with pytest.raises(InvalidInput) as refused:
        add_subscription("https://hooks.example.com/", ["review.closed", "review.deleted"], by=None)
    assert "Unknown event type review.deleted" in refused.value.message
    assert "review.started" in refused.value.message


def test_no_event_type_is_refused():
    with pytest.raises(InvalidInput, match="at least one event type"):
        add_subscription("https://hooks.example.com/", [" ", ""], by=None)


@pytest.mark.parametrize("persona", ["dri", "sre_member", "outsider"])
def test_only_admins_manage_webhooks(request, persona):
    someone = request.getfixturevalue(persona)
    existing = add_subscription("https://hooks.example.com/", ["*"], by=None)
    with pytest.raises(PermissionDenied, match="Only an admin can add webhooks"):
        add_subscription("https://hooks.example.com/", ["*"], by=someone)
    with pytest.raises(PermissionDenied, match="Only an admin can remove webhooks"):
        remove_subscription(existing.pk, by=someone)
    with pytest.raises(PermissionDenied, match="Only an admin can see webhooks"):
        list_subscriptions(by=someone)
    with pytest.raises(PermissionDenied):
        set_subscription_active(existing.pk, False, by=someone)
    assert Subscription.objects.count() == 1


def test_a_removed_subscription_is_gone(admin):
    existing = add_subscription("https://hooks.example.com/", ["*"], by=admin)
    removed = remove_subscription(existing.pk, by=admin)
    assert removed.pk == existing.pk
    assert not Subscription.objects.exists()
    with pytest.raises(NotFound, match=f"No webhook #{existing.pk}"):
        get_subscription(existing.pk, by=admin)
    with pytest.raises(NotFound):
        remove_subscription(existing.pk, by=admin)


def test_a_subscription_can_be_paused_and_resumed(admin):
    existing = add_subscription("https://hooks.example.com/", ["*"], by=admin)
    assert not set_subscription_active(existing.pk, False, by=admin).active
    assert get_subscription(existing.pk, by=admin).active is False
    assert set_subscription_active(existing.pk, True, by=admin).active
