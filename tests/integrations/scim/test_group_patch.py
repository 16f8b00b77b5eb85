"""Membership changes as Okta and Entra ID send them, through the directory module."""

from __future__ import annotations

from typing import Any

from prr.teams.models import Team
from prr.teams.queries import current_member_handles
from tests.integrations.scim.conftest import IdentityProvider, error


def _people(idp: IdentityProvider) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    return (
        idp.provision("sam@example.com", "Sam", "Okafor"),
        idp.provision("sid@example.com", "Sid", "Kapoor"),
        idp.provision("oscar@example.com", "Oscar", "Vidal"),
    )


def test_okta_adds_and_removes_members_by_path(
    idp: IdentityProvider, teams: dict[str, Team]
) -> None:
    """Okta: {"op": "add", "path": "members", "value": [{"value": id, "display": …}]} and
    {"op": "remove", "path": "members[value eq \\"id\\"]"} (developer.okta.com, "SCIM 2.0
    Protocol", Update a specific group name / group membership (PATCH))."""
    sam, sid, _ = _people(idp)
    sre = idp.push_group("SRE")

    added = idp.patch(
        f"Groups/{sre['id']}",
        {
            "op": "add",
            "path": "members",
            "value": [
                {"value": sam["id"], "display": "sam@example.com"},
                {"value": sid["id"], "display": "sid@example.com"},
            ],
        },
    )
    assert added.status == 200
    assert current_member_handles(teams["sre"]) == ["@sam", "@sid"]

    idp.patch(f"Groups/{sre['id']}", {"op": "remove", "path": f'members[value eq "{sam["id"]}"]'})
    assert current_member_handles(teams["sre"]) == ["@sid"]


def test_entra_removes_a_member_with_a_filtered_path(
    idp: IdentityProvider, teams: dict[str, Team]
) -> None:
    """Entra ID: {"op": "Remove", "path": "members[value eq \\"id\\"]"} (learn.microsoft.com,
    "Tutorial: Develop and plan provisioning for a SCIM endpoint", Update Group [Remove
    Members])."""
    sam, sid, _ = _people(idp)
    sre = idp.push_group("SRE", sam, sid)

    answer = idp.patch(
        f"Groups/{sre['id']}", {"op": "Remove", "path": f'members[value eq "{sid["id"]}"]'}
    )

    assert answer.status == 200
    assert [m["value"] for m in answer.body["members"]] == [sam["id"]]
    assert current_member_handles(teams["sre"]) == ["@sam"]


def test_entra_adds_members_in_a_value_with_no_path(
    idp: IdentityProvider, teams: dict[str, Team]
) -> None:
    """Entra ID: {"op": "Add", "value": {"members": [{"value": id}]}} (learn.microsoft.com,
    "Known issues and resolutions with SCIM 2.0 protocol compliance", PATCH without path)."""
    sam, _, oscar = _people(idp)
    sre = idp.push_group("SRE", sam)

    idp.patch(f"Groups/{sre['id']}", {"op": "Add", "value": {"members": [{"value": oscar["id"]}]}})

    assert current_member_handles(teams["sre"]) == ["@oscar", "@sam"]


def test_replace_members_sets_the_whole_team(idp: IdentityProvider, teams: dict[str, Team]) -> None:
    sam, sid, oscar = _people(idp)
    sre = idp.push_group("SRE", sam, sid)

    idp.patch(
        f"Groups/{sre['id']}",
        {"op": "replace", "path": "members", "value": [{"value": oscar["id"]}]},
    )
    assert current_member_handles(teams["sre"]) == ["@oscar"]

    idp.patch(f"Groups/{sre['id']}", {"op": "remove", "path": "members"})
    assert current_member_handles(teams["sre"]) == []


def test_a_rename_follows_the_group_and_keeps_the_team(
    idp: IdentityProvider, teams: dict[str, Team]
) -> None:
    """Okta renames with {"op": "replace", "value": {"id": …, "displayName": …}}."""
    sam, _, _ = _people(idp)
    sre = idp.push_group("SRE", sam)

    answer = idp.patch(
        f"Groups/{sre['id']}",
        {"op": "replace", "value": {"id": sre["id"], "displayName": "Site Reliability"}},
    )

    assert answer.body["displayName"] == "Site Reliability"
    team = Team.objects.get(slug="sre")
    assert (team.name, team.directory_group) == ("SRE", "Site Reliability")
    assert current_member_handles(team) == ["@sam"]


def test_a_bad_operation_changes_nothing(idp: IdentityProvider, teams: dict[str, Team]) -> None:
    sam, sid, _ = _people(idp)
    sre = idp.push_group("SRE", sam)

    answer = idp.patch(
        f"Groups/{sre['id']}",
        {"op": "add", "path": "members", "value": [{"value": sid["id"]}]},
        {"op": "replace", "path": "owner", "value": "x"},
    )
    unknown_member = idp.patch(
        f"Groups/{sre['id']}",
        {"op": "add", "path": "members", "value": [{"value": "nobody"}]},
    )

    assert error(answer) == (400, "invalidPath")
    assert error(unknown_member) == (400, "invalidValue")
    assert current_member_handles(teams["sre"]) == ["@sam"]
