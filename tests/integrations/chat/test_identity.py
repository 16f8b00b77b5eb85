"""Who a chat account speaks as: an explicit link, never someone else's name.

By default only a link (`prr user link`) maps a chat account to a prr user. With the small-team
setting PRR_CHAT_USERNAME_FALLBACK an unlinked account also speaks as the prr user of the same
username, but never as a user who has linked an account on that chat: a Mattermost or Slack
user named "sam" cannot approve as @sam when @sam's own account is linked.
"""

from __future__ import annotations

from typing import Any

import pytest

from prr.accounts.models import User
from prr.errors import NotFound
from prr.integrations.chat.services import link_user, resolve_author

SAM_ID = "s4m7x1ohq3fdbbxe8yt7a1zjzh"
IMPOSTOR_ID = "1mp0st0r1mp0st0r1mp0st0r1"


@pytest.fixture
def no_fallback(settings: Any) -> None:
    settings.CHAT_USERNAME_FALLBACK = False


def test_by_default_an_unlinked_account_is_nobody(no_fallback: None, sre_member: User) -> None:
    with pytest.raises(NotFound) as refused:
        resolve_author("mattermost", IMPOSTOR_ID, "sam")

    assert refused.value.message == (
        f"prr does not know the Mattermost user @sam. Ask a prr admin to link your account: "
        f"`prr user link USERNAME --mattermost {IMPOSTOR_ID}`."
    )


def test_a_linked_account_is_its_user(no_fallback: None, sre_member: User) -> None:
    link_user(sre_member, platform="slack", external_id="U0SAM", by=None)

    assert resolve_author("slack", "U0SAM", "whatever-handle") == sre_member


@pytest.mark.parametrize("platform", ["mattermost", "slack"])
def test_with_the_fallback_a_linked_user_is_not_reachable_by_name(
    platform: str, sre_member: User
) -> None:
    link_user(sre_member, platform=platform, external_id=SAM_ID, by=None)

    with pytest.raises(NotFound):
        resolve_author(platform, IMPOSTOR_ID, "sam")
    assert resolve_author(platform, SAM_ID, "sam") == sre_member


def test_with_the_fallback_an_unlinked_user_is_found_by_name(sre_member: User) -> None:
    assert resolve_author("mattermost", IMPOSTOR_ID, "sam") == sre_member


def test_a_verified_address_finds_its_person(no_fallback: None, sre_member: User) -> None:
    sre_member.email = "Sam.Okafor@example.com"
    sre_member.save()

    found = resolve_author(
        "slack", "U0NEW", "sam.o", verified_email=lambda: "sam.okafor@example.com"
    )

    assert found == sre_member


def test_a_verified_address_does_not_reach_a_linked_person(
    no_fallback: None, sre_member: User
) -> None:
    sre_member.email = "sam@example.com"
    sre_member.save()
    link_user(sre_member, platform="mattermost", external_id=SAM_ID, by=None)

    with pytest.raises(NotFound):
        resolve_author("mattermost", IMPOSTOR_ID, "sam", verified_email=lambda: "sam@example.com")


def test_an_address_two_people_share_finds_nobody(
    no_fallback: None, sre_member: User, dri: User
) -> None:
    for person in (sre_member, dri):
        person.email = "team@example.com"
        person.save()

    with pytest.raises(NotFound):
        resolve_author("slack", "U0NEW", "x", verified_email=lambda: "team@example.com")
