"""`sync_ldap_teams` against a real slapd: teams follow their groups, whatever the group type."""

from __future__ import annotations

from typing import Any

from prr.accounts.models import User
from prr.accounts.services import create_user, deactivate_user
from prr.integrations.ldap.sync import sync_ldap_teams
from prr.teams.models import Membership
from tests.integrations.ldap.conftest import (
    AD_GROUPS,
    AD_USERS,
    GROUPS,
    Slapd,
    group,
    members,
    person,
)


def test_it_fills_a_team_from_its_group_and_creates_the_people(
    ldap_settings: Any, link: Any
) -> None:
    link("sre", "sre")

    report = sync_ldap_teams()

    assert members("sre") == ["sam", "sid"]
    [result] = report.teams
    assert sorted(u.username for u in result.change.joined) == ["sam", "sid"]
    assert sorted(u.username for u in result.created) == ["sam", "sid"]
    sid = User.objects.get(username="sid")
    # displayName first, else cn; the email from mail; no password (single sign-on).
    assert (sid.display_name, sid.email, sid.has_usable_password()) == (
        "Sid K.",
        "sid@example.com",
        False,
    )
    assert User.objects.get(username="sam").display_name == "Sam Okafor"
    joined = Membership.objects.get(user=sid, team__slug="sre")
    assert (joined.source, joined.group) == ("ldap", "sre")


def test_an_existing_user_keeps_the_name_prr_has(ldap_settings: Any, link: Any) -> None:
    create_user("sam", display_name="Samuel O.", email="sam@personal.example")
    link("sre", "sre")

    sync_ldap_teams()

    sam = User.objects.get(username="sam")
    assert (sam.display_name, sam.email) == ("Samuel O.", "sam@personal.example")
    assert members("sre") == ["sam", "sid"]


def test_a_change_in_the_group_is_followed_at_the_next_sync(
    slapd: Slapd, ldap_settings: Any, link: Any
) -> None:
    link("sre", "sre")
    sync_ldap_teams()
    slapd.remove_member(group("sre"), person("sam"))
    slapd.add_member(group("sre"), person("amy"))

    [result] = sync_ldap_teams().teams

    assert members("sre") == ["amy", "sid"]
    assert [u.username for u in result.change.joined] == ["amy"]
    assert [u.username for u in result.change.left] == ["sam"]
    ended = Membership.objects.get(user__username="sam", team__slug="sre")
    assert ended.removed_by_source == "ldap"
    assert ended.removed_at is not None


def test_a_second_sync_without_changes_changes_nothing(ldap_settings: Any, link: Any) -> None:
    link("sre", "sre")
    sync_ldap_teams()

    [result] = sync_ldap_teams().teams

    assert (result.change.joined, result.change.left, result.members) == ([], [], 2)
    assert Membership.objects.filter(team__slug="sre").count() == 2


def test_it_reads_unique_members_and_member_uids(ldap_settings: Any, link: Any) -> None:
    link("platform", "platform")  # groupOfUniqueNames, one value with a #'0101'B uid
    link("security", "security")  # posixGroup: memberUid sid, nobody-here

    report = sync_ldap_teams()

    assert members("platform") == ["amy", "bob"]
    assert members("security") == ["sid"]
    security = next(t for t in report.teams if t.team.slug == "security")
    assert security.skipped == ["memberUid nobody-here: no uid=nobody-here under the user base"]


def test_it_finds_a_group_by_its_dn(ldap_settings: Any, link: Any) -> None:
    link("sre", f"CN=SRE,{GROUPS.upper()}")

    sync_ldap_teams()

    assert members("sre") == ["sam", "sid"]


def test_nested_groups_are_followed_once_each_when_enabled(ldap_settings: Any, link: Any) -> None:
    # engineering holds sre (sam, sid), leads (bob, and engineering again: a cycle) and amy.
    ldap_settings.LDAP_NESTED_GROUPS = True
    link("platform", "engineering")

    [result] = sync_ldap_teams().teams

    assert members("platform") == ["amy", "bob", "sam", "sid"]
    assert result.skipped == []


def test_nested_groups_are_skipped_and_reported_when_disabled(
    ldap_settings: Any, link: Any
) -> None:
    link("platform", "engineering")

    [result] = sync_ldap_teams().teams

    assert members("platform") == ["amy"]
    assert result.skipped == [
        f"{group('sre')}: a group (PRR_LDAP_NESTED_GROUPS is off)",
        f"{group('leads')}: a group (PRR_LDAP_NESTED_GROUPS is off)",
    ]


def test_a_missing_group_leaves_its_team_unchanged_and_is_reported(
    ldap_settings: Any, link: Any
) -> None:
    link("sre", "sre")
    sync_ldap_teams()
    link("sre", "sre-typo")
    link("platform", "platform")

    report = sync_ldap_teams()

    assert members("sre") == ["sam", "sid"]
    assert members("platform") == ["amy", "bob"]  # the other teams are still synced
    [problem] = report.problems
    assert problem.team.slug == "sre"
    assert problem.problem == (
        f"LDAP group 'sre-typo' not found under {GROUPS}; team left unchanged"
    )


def test_a_group_linked_by_a_dn_that_is_not_there_changes_nothing(
    ldap_settings: Any, link: Any
) -> None:
    link("sre", "sre")
    sync_ldap_teams()
    link("sre", group("sre-old"))

    [result] = sync_ldap_teams().teams

    assert members("sre") == ["sam", "sid"]
    assert result.problem == (
        f"LDAP group '{group('sre-old')}' not found (no entry at that DN matches "
        "PRR_LDAP_GROUP_FILTER); team left unchanged"
    )


def test_two_groups_with_the_linked_cn_change_nothing_and_ask_for_a_dn(
    slapd: Slapd, ldap_settings: Any, link: Any
) -> None:
    ldap_settings.LDAP_GROUP_BASE_DN = "dc=example,dc=com"
    slapd.add(
        f"cn=sre,{AD_GROUPS}",
        ["groupOfNames"],
        {"cn": "sre", "member": [person("amy")]},
    )
    link("sre", "sre")

    [result] = sync_ldap_teams().teams

    assert members("sre") == []
    assert result.problem == (
        "LDAP group 'sre' is ambiguous: 2 groups have that cn under dc=example,dc=com; link "
        "the team by DN; team left unchanged"
    )


def test_entries_that_are_no_person_are_skipped_with_the_reason(
    ldap_settings: Any, link: Any
) -> None:
    link("sre", "misfiled")  # a dangling DN, and the bind account outside the people

    [result] = sync_ldap_teams().teams

    assert members("sre") == []
    assert result.skipped == [
        "cn=nobody,dc=example,dc=com: no such entry",
        "cn=prr,dc=example,dc=com: outside PRR_LDAP_USER_BASE_DN",
    ]


def test_a_username_prr_cannot_use_is_skipped(slapd: Slapd, ldap_settings: Any, link: Any) -> None:
    slapd.add_member(group("sre"), person("Jo Smith"))
    link("sre", "sre")

    [result] = sync_ldap_teams().teams

    assert members("sre") == ["sam", "sid"]
    assert result.skipped == [f"{person('Jo Smith')}: 'jo smith' is not a valid prr username"]


def test_a_user_deactivated_in_prr_is_no_member(ldap_settings: Any, link: Any) -> None:
    deactivate_user(create_user("sam"))
    link("sre", "sre")

    [result] = sync_ldap_teams().teams

    assert members("sre") == ["sid"]
    assert result.skipped == [f"{person('sam')}: @sam is deactivated in prr"]


def test_active_directory_groups_nested_and_disabled_accounts(
    slapd: Slapd, ad_settings: Any, link: Any
) -> None:
    # Engineering-SRE: Sam (512: enabled), Dee (514: disabled) and the group SRE-Oncall (Ann).
    link("sre", "Engineering-SRE")

    sync_ldap_teams()

    assert members("sre") == ["alee", "sokafor"]
    assert not User.objects.filter(username="dgone").exists()
    assert User.objects.get(username="sokafor").email == "sam.okafor@corp.example.com"

    # Disabling Sam's account in AD takes him out at the next sync.
    slapd.replace(f"cn=Sam Okafor,{AD_USERS}", "userAccountControl", "514")
    [result] = sync_ldap_teams().teams

    assert members("sre") == ["alee"]
    assert [u.username for u in result.change.left] == ["sokafor"]
