"""`active: false` (or DELETE) stops a person: no sign-in, no approval, history kept."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from prr.accounts.models import User
from prr.accounts.services import set_password
from prr.errors import PermissionDenied
from prr.reviews.channel import post_message
from prr.reviews.models import Review
from prr.teams.models import Membership, Team
from prr.teams.queries import current_member_handles
from tests.integrations.scim.conftest import IdentityProvider, error


def _sre_with_sam(idp: IdentityProvider) -> tuple[dict[str, Any], User]:
    sam = idp.provision("sam@example.com", "Sam", "Okafor")
    idp.push_group("SRE", sam)
    return sam, User.objects.get(username="sam")


def test_okta_deactivates_with_a_replace_of_active_in_value(
    idp: IdentityProvider, review: Review, teams: dict[str, Team]
) -> None:
    """Okta deactivates with PATCH {"op": "replace", "value": {"id": …, "active": false}}, no
    path (developer.okta.com, "SCIM 2.0 Protocol", Update a specific user (PATCH))."""
    sam, user = _sre_with_sam(idp)
    post_message(review, author=user, body="Looking at it")  # some history to keep

    answer = idp.patch(
        f"Users/{sam['id']}", {"op": "replace", "value": {"id": sam["id"], "active": False}}
    )

    assert answer.status == 200
    assert answer.body["active"] is False
    user.refresh_from_db()
    assert not user.is_active
    assert current_member_handles(teams["sre"]) == []
    ended = Membership.objects.get(user=user, team=teams["sre"])
    assert (ended.removed_by_source, ended.removed_at is not None) == ("scim", True)
    assert review.messages.filter(author=user).count() == 1


def test_entra_deactivates_with_a_string_boolean(idp: IdentityProvider) -> None:
    """Entra ID sends {"op": "Replace", "path": "active", "value": "False"}, a string
    (learn.microsoft.com, "Tutorial: Develop and plan provisioning for a SCIM endpoint",
    Disable user)."""
    sam, user = _sre_with_sam(idp)

    answer = idp.patch(f"Users/{sam['id']}", {"op": "Replace", "path": "active", "value": "False"})

    assert answer.status == 200
    user.refresh_from_db()
    assert not user.is_active


def test_a_deactivated_person_can_neither_sign_in_nor_approve(
    idp: IdentityProvider, review: Review
) -> None:
    sam, user = _sre_with_sam(idp)
    set_password(user, "correct horse battery staple")
    idp.patch(f"Users/{sam['id']}", {"op": "Replace", "path": "active", "value": False})

    assert not Client().login(username="sam", password="correct horse battery staple")
    user.refresh_from_db()
    with pytest.raises(PermissionDenied, match="@sam is deactivated and cannot act"):
        post_message(review, author=user, body="SRE review is completed")
    assert review.items.get(key="sre-review").state == "open"


def test_reactivated_people_get_their_scim_teams_back(
    idp: IdentityProvider, teams: dict[str, Team]
) -> None:
    sam, user = _sre_with_sam(idp)
    idp.patch(f"Users/{sam['id']}", {"op": "Replace", "path": "active", "value": "False"})

    answer = idp.patch(f"Users/{sam['id']}", {"op": "Replace", "path": "active", "value": "True"})

    assert answer.body["active"] is True
    user.refresh_from_db()
    assert user.is_active
    assert current_member_handles(teams["sre"]) == ["@sam"]
    assert Membership.objects.filter(user=user, team=teams["sre"]).count() == 2  # both stints


def test_delete_deactivates_and_the_user_is_gone_for_scim(
    idp: IdentityProvider, review: Review, teams: dict[str, Team]
) -> None:
    sam, user = _sre_with_sam(idp)
    post_message(review, author=user, body="Looking at it")

    deleted = idp.delete(f"Users/{sam['id']}")

    assert (deleted.status, deleted.body) == (204, None)
    assert error(idp.get(f"Users/{sam['id']}")) == (404, None)
    user.refresh_from_db()
    assert not user.is_active
    assert current_member_handles(teams["sre"]) == []
    assert review.messages.filter(author=user).count() == 1
    group = idp.get('Groups?filter=displayName eq "SRE"').body["Resources"][0]
    assert group["members"] == []


def test_a_deleted_user_pushed_again_is_the_same_person(idp: IdentityProvider) -> None:
    sam, user = _sre_with_sam(idp)
    idp.delete(f"Users/{sam['id']}")

    again = idp.provision("sam@example.com", "Sam", "Okafor")

    assert again["id"] == sam["id"]
    user.refresh_from_db()
    assert user.is_active
