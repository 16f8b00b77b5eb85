"""Pushed groups keep teams: an existing one named like the group, or a new one."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prr.accounts.models import User
from prr.accounts.services import create_user
from prr.errors import RuleViolation
from prr.teams.directory import link_team
from prr.teams.models import Membership, Team
from prr.teams.queries import current_member_handles
from prr.teams.services import add_members
from tests.integrations.scim.conftest import GROUP, IdentityProvider, error


def test_a_group_named_like_a_team_keeps_that_team(
    idp: IdentityProvider, teams: dict[str, Team]
) -> None:
    """Okta pushes a group with POST /Groups {displayName, members: []}, then adds members
    (developer.okta.com, "SCIM 2.0 Protocol", Create groups)."""
    sam = idp.provision("sam@example.com", "Sam", "Okafor")

    by_slug = idp.push_group("sre", sam)
    by_name = idp.push_group("SECURITY")

    sre, security = Team.objects.get(slug="sre"), Team.objects.get(slug="security")
    assert (sre.directory_source, sre.directory_group) == ("scim", "sre")
    assert (security.directory_source, security.directory_group) == ("scim", "SECURITY")
    assert current_member_handles(sre) == ["@sam"]
    assert by_slug["members"][0]["value"] == sam["id"]
    assert by_name["members"] == []
    assert Team.objects.count() == len(teams)


def test_another_group_becomes_a_new_team(idp: IdentityProvider, teams: dict[str, Team]) -> None:
    idp.push_group("Data Platform (EU)")

    team = Team.objects.get(slug="data-platform-eu")
    assert (team.name, team.directory_group) == ("Data Platform (EU)", "Data Platform (EU)")


def test_a_team_linked_by_the_operator_is_kept_by_its_group(
    idp: IdentityProvider, teams: dict[str, Team]
) -> None:
    link_team(teams["platform"], source="scim", group="Engineering-Platform")

    idp.push_group("engineering-platform")

    assert Team.objects.count() == len(teams)
    assert teams["platform"].scim.display_name == "engineering-platform"


def test_pushed_members_replace_the_hand_kept_ones(
    idp: IdentityProvider, teams: dict[str, Team]
) -> None:
    oscar = create_user("oscar")
    add_members(teams["sre"], [oscar])
    sam = idp.provision("sam@example.com", "Sam", "Okafor")

    idp.push_group("SRE", sam)

    assert current_member_handles(teams["sre"]) == ["@sam"]
    assert Membership.objects.get(user=oscar).removed_by_source == "scim"
    with pytest.raises(RuleViolation, match=r"managed by the directory \(SCIM group 'SRE'\)"):
        add_members(Team.objects.get(slug="sre"), [oscar])


def test_a_second_group_for_a_team_or_a_taken_name_is_409(
    idp: IdentityProvider, teams: dict[str, Team]
) -> None:
    idp.push_group("SRE")
    link_team(teams["security"], source="ldap", group="cn=security")

    same_name = idp.post("Groups", {"schemas": [GROUP], "displayName": "sre"})
    ldap_team = idp.post("Groups", {"schemas": [GROUP], "displayName": "Security"})

    assert error(same_name) == (409, "uniqueness")
    assert error(ldap_team) == (409, "uniqueness")
    assert "LDAP group 'cn=security'" in ldap_team.body["detail"]
    teams["security"].refresh_from_db()
    assert teams["security"].directory_source == "ldap"


def test_an_unknown_member_refuses_the_whole_push(
    idp: IdentityProvider, teams: dict[str, Team]
) -> None:
    answer = idp.post(
        "Groups",
        {
            "schemas": [GROUP],
            "displayName": "Brand New Team",
            "members": [{"value": "0b7c3f1e-0000-4000-8000-000000000000"}],
        },
    )

    assert error(answer) == (400, "invalidValue")
    assert not Team.objects.filter(slug="brand-new-team").exists()


def test_groups_are_found_by_display_name_and_listed_without_members(
    idp: IdentityProvider,
) -> None:
    """Entra ID checks a group with GET /Groups?excludedAttributes=members&filter=
    displayName eq "…" (learn.microsoft.com, "Tutorial: Develop and plan provisioning for a
    SCIM endpoint", Get group by displayName)."""
    sam = idp.provision("sam@example.com", "Sam", "Okafor")
    sre = idp.push_group("SRE", sam)
    idp.push_group("Platform")

    found = idp.get('Groups?excludedAttributes=members&filter=displayName eq "sre"')
    one = idp.get(f"Groups/{sre['id']}")

    assert found.body["totalResults"] == 1
    assert found.body["Resources"][0]["id"] == sre["id"]
    assert "members" not in found.body["Resources"][0]
    assert [m["display"] for m in one.body["members"]] == ["Sam Okafor"]


def test_delete_unlinks_the_team_and_ends_its_memberships(
    idp: IdentityProvider, teams: dict[str, Team]
) -> None:
    sam = idp.provision("sam@example.com", "Sam", "Okafor")
    sre = idp.push_group("SRE", sam)

    answer = idp.delete(f"Groups/{sre['id']}")

    assert answer.status == 204
    team = Team.objects.get(slug="sre")
    assert (team.directory_source, team.directory_group) == ("", "")
    assert current_member_handles(team) == []
    assert Membership.objects.filter(team=team).count() == 1  # the history stays
    assert User.objects.get(username="sam").is_active
    assert error(idp.get(f"Groups/{sre['id']}")) == (404, None)


def test_a_list_of_groups_costs_the_same_queries_for_more_groups(idp: IdentityProvider) -> None:
    sam = idp.provision("sam@example.com", "Sam", "Okafor")
    sid = idp.provision("sid@example.com", "Sid", "Kapoor")
    idp.push_group("SRE", sam, sid)

    def queries_for_a_list() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert idp.get("Groups").status == 200
        return len(queries)

    one = queries_for_a_list()
    for name in ("Platform", "Security", "Payments", "Search"):
        idp.push_group(name, sam, sid)

    assert queries_for_a_list() == one
