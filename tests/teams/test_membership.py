"""Teams and who is in them: all-or-none changes by an admin, with history kept."""

from __future__ import annotations

import pytest

from prr.accounts.models import User
from prr.accounts.services import create_user, deactivate_user
from prr.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from prr.teams.models import Membership, Team
from prr.teams.queries import current_member_handles, current_team_ids, is_current_member
from prr.teams.services import add_members, create_team, get_team, remove_members

# Adding


def test_it_adds_several_members_at_once(teams: dict[str, Team], dri: User, outsider: User):
    added = add_members(teams["platform"], [dri, outsider])

    assert [m.user for m in added] == [dri, outsider]
    assert current_member_handles(teams["platform"]) == ["@dana", "@oscar"]


def test_it_adds_a_user_named_twice_once(teams: dict[str, Team], outsider: User) -> None:
    add_members(teams["platform"], [outsider, outsider])

    assert Membership.objects.filter(team=teams["platform"], user=outsider).count() == 1


def test_it_refuses_the_whole_call_when_one_user_is_already_a_member(
    teams: dict[str, Team], sre_member: User, outsider: User
) -> None:
    with pytest.raises(RuleViolation) as info:
        add_members(teams["sre"], [outsider, sre_member])

    assert info.value.message == "@sam is already a member of SRE."
    assert current_member_handles(teams["sre"]) == ["@sam"]
    assert not is_current_member(outsider, teams["sre"])


def test_it_refuses_the_whole_call_when_one_user_is_deactivated(
    teams: dict[str, Team], dri: User, outsider: User
) -> None:
    deactivate_user(outsider)

    with pytest.raises(RuleViolation) as info:
        add_members(teams["security"], [dri, outsider])

    assert info.value.message == "@oscar is deactivated and cannot join a team."
    assert current_member_handles(teams["security"]) == []


def test_it_refuses_adding_members_for_someone_who_is_not_an_admin(
    teams: dict[str, Team], sre_member: User, outsider: User
) -> None:
    with pytest.raises(PermissionDenied) as info:
        add_members(teams["sre"], [outsider], by=sre_member)

    assert info.value.message == "Only an admin can add members to team SRE."
    assert not is_current_member(outsider, teams["sre"])


def test_it_lets_an_admin_add_members(teams: dict[str, Team], admin: User, outsider: User) -> None:
    add_members(teams["sre"], [outsider], by=admin)

    assert is_current_member(outsider, teams["sre"])


def test_it_refuses_a_deactivated_admin(teams: dict[str, Team], outsider: User) -> None:
    former_admin = create_user("ada", admin=True)
    deactivate_user(former_admin)

    with pytest.raises(PermissionDenied):
        add_members(teams["sre"], [outsider], by=former_admin)

    assert not is_current_member(outsider, teams["sre"])


# Removing


def test_it_removes_a_member_and_keeps_the_record(teams: dict[str, Team], sre_member: User) -> None:
    ended = remove_members(teams["sre"], [sre_member])

    assert [m.user for m in ended] == [sre_member]
    record = Membership.objects.get(team=teams["sre"], user=sre_member)
    assert record.removed_at is not None
    assert record.removed_at >= record.added_at
    assert current_member_handles(teams["sre"]) == []


def test_it_stops_counting_a_removed_member(teams: dict[str, Team], sre_member: User) -> None:
    add_members(teams["platform"], [sre_member])
    assert current_team_ids(sre_member) == {teams["sre"].pk, teams["platform"].pk}

    remove_members(teams["sre"], [sre_member])

    assert not is_current_member(sre_member, teams["sre"])
    assert is_current_member(sre_member, teams["platform"])
    assert current_team_ids(sre_member) == {teams["platform"].pk}


def test_it_readds_a_removed_member_as_a_new_stint(
    teams: dict[str, Team], sre_member: User
) -> None:
    remove_members(teams["sre"], [sre_member])

    add_members(teams["sre"], [sre_member])

    assert is_current_member(sre_member, teams["sre"])
    stints = Membership.objects.filter(team=teams["sre"], user=sre_member).order_by("pk")
    assert [m.removed_at is None for m in stints] == [False, True]


def test_it_refuses_the_whole_removal_when_one_user_is_not_a_member(
    teams: dict[str, Team], sre_member: User, outsider: User
) -> None:
    with pytest.raises(RuleViolation) as info:
        remove_members(teams["sre"], [sre_member, outsider])

    assert info.value.message == "@oscar is not a member of SRE."
    assert is_current_member(sre_member, teams["sre"])


def test_it_refuses_removing_members_for_someone_who_is_not_an_admin(
    teams: dict[str, Team], sre_member: User
) -> None:
    with pytest.raises(PermissionDenied) as info:
        remove_members(teams["sre"], [sre_member], by=sre_member)

    assert info.value.message == "Only an admin can remove members from team SRE."
    assert is_current_member(sre_member, teams["sre"])


def test_it_lets_an_admin_remove_members(
    teams: dict[str, Team], admin: User, sre_member: User
) -> None:
    remove_members(teams["sre"], [sre_member], by=admin)

    assert not is_current_member(sre_member, teams["sre"])


# Teams


def test_it_creates_a_team_with_a_default_name(db: None) -> None:
    team = create_team(" DBA ")

    assert (team.slug, team.name) == ("dba", "DBA")
    assert get_team("dba") == team


def test_it_creates_a_team_with_the_given_name(admin: User) -> None:
    team = create_team("data-eng", name=" Data engineering ", by=admin)

    assert (team.slug, team.name) == ("data-eng", "Data engineering")


@pytest.mark.parametrize("slug", ["", "-ops", "data eng", "dba!", "é", "a" * 51])
def test_it_refuses_a_bad_team_slug(db: None, slug: str) -> None:
    with pytest.raises(InvalidInput) as info:
        create_team(slug)

    assert "is not a valid team slug: lowercase letters, digits and '-'" in info.value.message
    assert not Team.objects.exists()


def test_it_refuses_a_team_that_already_exists(teams: dict[str, Team]) -> None:
    with pytest.raises(RuleViolation) as info:
        create_team("SRE", name="Site reliability")

    assert info.value.message == "A team 'sre' already exists."
    assert get_team("sre").name == "SRE"


def test_it_refuses_team_creation_by_someone_who_is_not_an_admin(outsider: User) -> None:
    with pytest.raises(PermissionDenied) as info:
        create_team("dba", by=outsider)

    assert info.value.message == "Only an admin can create teams."
    assert not Team.objects.exists()


def test_it_finds_a_team_whatever_the_case(teams: dict[str, Team]) -> None:
    assert get_team(" Security ") == teams["security"]


def test_it_lists_the_teams_when_a_slug_is_unknown(teams: dict[str, Team]) -> None:
    with pytest.raises(NotFound) as info:
        get_team("ops")

    assert info.value.message == "No team 'ops' (teams: platform, product, security, sre)."


def test_it_says_there_are_no_teams_yet(db: None) -> None:
    with pytest.raises(NotFound) as info:
        get_team("sre")

    assert info.value.message == "No team 'sre' (teams: none yet)."
