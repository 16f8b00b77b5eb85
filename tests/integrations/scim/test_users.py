"""People provisioned by the identity provider: created, found, replaced and deleted."""

from __future__ import annotations

from prr.accounts.models import User
from prr.accounts.services import create_user
from tests.integrations.scim.conftest import USER, IdentityProvider, error


def test_okta_creates_a_user_whose_handle_is_the_email_s_local_part(idp: IdentityProvider) -> None:
    """Okta sends the email as userName (developer.okta.com, "SCIM 2.0 Protocol", Create
    the user): prr keeps it as the SCIM userName and makes @alice.smith of it."""
    created = idp.provision("Alice.Smith@example.com", "Alice", "Smith", externalId="00u1abc")

    user = User.objects.get(username="alice.smith")
    assert (user.display_name, user.email, user.is_active) == (
        "Alice Smith",
        "Alice.Smith@example.com",
        True,
    )
    assert not user.has_usable_password()  # people sign in with the organisation's OIDC
    assert created["userName"] == "Alice.Smith@example.com"
    assert created["externalId"] == "00u1abc"
    assert created["active"] is True
    assert created["meta"]["location"].endswith(f"/scim/v2/Users/{created['id']}")
    assert len(created["id"]) == 36  # a uuid of prr's, not a database key


def test_a_username_that_is_already_a_valid_handle_is_kept_whole(idp: IdentityProvider) -> None:
    idp.post("Users", {"schemas": [USER], "userName": "Sam.Okafor"})

    assert User.objects.filter(username="sam.okafor").exists()


def test_a_taken_username_is_409_uniqueness_and_creates_nothing(idp: IdentityProvider) -> None:
    idp.provision("sam@example.com", "Sam", "Okafor")

    again = idp.post("Users", {"schemas": [USER], "userName": "SAM@example.com"})
    other_domain = idp.post("Users", {"schemas": [USER], "userName": "sam@elsewhere.org"})

    assert error(again) == (409, "uniqueness")
    assert error(other_domain) == (409, "uniqueness")
    assert "@sam" in other_domain.body["detail"]
    assert User.objects.filter(username__startswith="sam").count() == 1


def test_an_existing_person_is_taken_over_but_never_an_admin(
    idp: IdentityProvider, admin: User
) -> None:
    create_user("oscar", display_name="Oscar")

    taken = idp.post("Users", {"schemas": [USER], "userName": "oscar@example.com"})
    refused = idp.post("Users", {"schemas": [USER], "userName": "ada@example.com"})

    assert taken.status == 201
    assert User.objects.get(username="oscar").scim.user_name == "oscar@example.com"
    assert error(refused) == (409, "uniqueness")
    assert "admin" in refused.body["detail"]
    admin.refresh_from_db()
    assert admin.is_active


def test_an_invalid_username_is_refused_with_invalid_value(idp: IdentityProvider) -> None:
    answer = idp.post("Users", {"schemas": [USER], "userName": "Ann Lee (contractor)"})

    assert error(answer) == (400, "invalidValue")
    assert "userName" in answer.body["detail"]
    assert not User.objects.filter(username__icontains="ann").exists()


def test_a_filter_on_username_finds_the_user_ignoring_case(idp: IdentityProvider) -> None:
    """Okta looks a user up before creating it: GET /Users?filter=userName eq "…"
    &startIndex=1&count=100 (developer.okta.com, "SCIM 2.0 Protocol", Determine if the user
    already exists)."""
    alice = idp.provision("alice@example.com", "Alice", "Smith")
    idp.provision("bob@example.com", "Bob", "Jones")

    found = idp.get('Users?filter=userName%20eq%20"ALICE@example.com"&startIndex=1&count=100')
    missing = idp.get('Users?filter=userName eq "carol@example.com"')

    assert found.status == 200
    assert found.headers["Content-Type"] == "application/scim+json"
    assert found.body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
    assert (found.body["totalResults"], found.body["itemsPerPage"]) == (1, 1)
    assert found.body["Resources"][0]["id"] == alice["id"]
    assert (missing.body["totalResults"], missing.body["Resources"]) == (0, [])


def test_lists_are_paginated_by_start_index_and_count(idp: IdentityProvider) -> None:
    for name in ("ann", "ben", "cid", "dee", "eve"):
        idp.provision(f"{name}@example.com", name.title(), "Example")

    page = idp.get("Users?startIndex=2&count=2")
    past_the_end = idp.get("Users?startIndex=9&count=2")

    assert page.body["totalResults"] == 5
    assert page.body["startIndex"] == 2
    assert [u["userName"] for u in page.body["Resources"]] == [
        "ben@example.com",
        "cid@example.com",
    ]
    assert (past_the_end.body["totalResults"], past_the_end.body["Resources"]) == (5, [])


def test_put_replaces_the_profile_but_keeps_the_handle(idp: IdentityProvider) -> None:
    """Okta's profile update is a PUT of the whole user (developer.okta.com, "SCIM 2.0
    Protocol", Update a specific user (PUT))."""
    alice = idp.provision("alice@example.com", "Alice", "Smith")

    answer = idp.put(
        f"Users/{alice['id']}",
        {
            "schemas": [USER],
            "id": alice["id"],
            "userName": "alice.jones@example.com",
            "name": {"givenName": "Alice", "familyName": "Jones"},
            "emails": [{"primary": True, "value": "alice.jones@example.com", "type": "work"}],
            "active": True,
        },
    )

    assert answer.status == 200
    user = User.objects.get(scim__scim_id=alice["id"])
    assert (user.username, user.display_name, user.email) == (
        "alice",
        "Alice Jones",
        "alice.jones@example.com",
    )
    assert answer.body["userName"] == "alice.jones@example.com"


def test_an_unknown_id_is_404(idp: IdentityProvider) -> None:
    assert error(idp.get("Users/0b7c3f1e-0000-4000-8000-000000000000")) == (404, None)
    assert error(idp.get("Users/not-a-uuid")) == (404, None)
