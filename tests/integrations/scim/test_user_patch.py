"""PATCH of a user in Entra ID's dialect; a path prr does not know changes nothing."""

from __future__ import annotations

from prr.accounts.models import User
from tests.integrations.scim.conftest import IdentityProvider, error


def test_entra_updates_attributes_by_path(idp: IdentityProvider) -> None:
    """Entra ID updates a user with capitalised ops and filtered paths such as
    `emails[type eq "work"].value` (learn.microsoft.com, "Tutorial: Develop and plan
    provisioning for a SCIM endpoint", Update user [Multi-valued properties])."""
    alice = idp.provision("alice@example.com", "Alice", "Smith")

    answer = idp.patch(
        f"Users/{alice['id']}",
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "alice@corp.example"},
        {"op": "Replace", "path": "name.familyName", "value": "Jones"},
        {"op": "Replace", "path": "displayName", "value": "Alice Jones"},
        {"op": "Add", "path": "externalId", "value": "8a1c-entra"},
        {"op": "Replace", "path": "title", "value": "Engineer"},  # kept nowhere, accepted
        {
            "op": "Add",
            "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
            "value": "Payments",
        },
    )

    assert answer.status == 200, answer.body
    user = User.objects.get(username="alice")
    assert (user.email, user.display_name) == ("alice@corp.example", "Alice Jones")
    assert answer.body["name"]["familyName"] == "Jones"
    assert answer.body["name"]["givenName"] == "Alice"  # not named: unchanged
    assert answer.body["externalId"] == "8a1c-entra"


def test_an_unknown_path_is_invalid_path_and_changes_nothing(idp: IdentityProvider) -> None:
    alice = idp.provision("alice@example.com", "Alice", "Smith")

    answer = idp.patch(
        f"Users/{alice['id']}",
        {"op": "Replace", "path": "active", "value": False},
        {"op": "Replace", "path": "favouriteColour", "value": "teal"},
    )

    assert error(answer) == (400, "invalidPath")
    assert "favouriteColour" in answer.body["detail"]
    assert User.objects.get(username="alice").is_active  # the first op was rolled back


def test_a_bad_value_is_invalid_value(idp: IdentityProvider) -> None:
    alice = idp.provision("alice@example.com", "Alice", "Smith")

    not_a_boolean = idp.patch(
        f"Users/{alice['id']}", {"op": "Replace", "path": "active", "value": "maybe"}
    )
    unknown_op = idp.patch(f"Users/{alice['id']}", {"op": "Merge", "path": "active"})
    not_patch = idp.call("PATCH", f"Users/{alice['id']}", {"Operations": []})

    assert error(not_a_boolean) == (400, "invalidValue")
    assert "active" in not_a_boolean.body["detail"]
    assert error(unknown_op) == (400, "invalidValue")
    assert error(not_patch) == (400, "invalidValue")


def test_a_rename_to_a_taken_username_is_409(idp: IdentityProvider) -> None:
    alice = idp.provision("alice@example.com", "Alice", "Smith")
    idp.provision("bob@example.com", "Bob", "Jones")

    answer = idp.patch(
        f"Users/{alice['id']}", {"op": "replace", "path": "userName", "value": "Bob@example.com"}
    )

    assert error(answer) == (409, "uniqueness")
    assert idp.get(f"Users/{alice['id']}").body["userName"] == "alice@example.com"
