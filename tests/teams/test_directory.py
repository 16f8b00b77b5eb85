"""Directory-managed teams: only the directory changes their members, and says how."""

from __future__ import annotations

import pytest

from prr.accounts.models import User
from prr.accounts.services import create_user, deactivate_user
from prr.errors import InvalidInput, PermissionDenied, RuleViolation
from prr.reviews.channel import post_message
from prr.reviews.models import Review
from prr.reviews.snapshot import build_content
from prr.teams.directory import (
    apply_group_members,
    apply_user_groups,
    describe_membership,
    end_all_memberships,
    link_team,
    unlink_team,
)
from prr.teams.models import Membership, Team
from prr.teams.queries import current_member_handles
from prr.teams.services import add_members, remove_members

GROUP = "Engineering-SRE"


@pytest.fixture
def sre(teams: dict[str, Team]) -> Team:
    return link_team(teams["sre"], source="scim", group=GROUP)


def test_a_hand_change_to_a_directory_team_is_refused_naming_the_source(
    sre: Team, outsider: User, admin: User
) -> None:
    with pytest.raises(RuleViolation) as info:
        add_members(sre, [outsider], by=admin)

    assert info.value.message == (
        "Team SRE is managed by the directory (SCIM group 'Engineering-SRE'); "
        "change its members there."
    )
    with pytest.raises(RuleViolation):
        remove_members(sre, [outsider])
    assert current_member_handles(sre) == []


def test_the_group_sets_the_members_and_records_how(sre: Team, dri: User, outsider: User) -> None:
    joined = apply_group_members(sre, [dri, outsider], source="scim")
    assert [u.username for u in joined.joined] == ["dana", "oscar"]

    left = apply_group_members(sre, [dri], source="scim")

    assert [u.username for u in left.left] == ["oscar"]
    assert current_member_handles(sre) == ["@dana"]
    ended = Membership.objects.get(user=outsider, team=sre)
    assert (ended.source, ended.group, ended.removed_by_source) == ("scim", GROUP, "scim")
    assert ended.removed_at is not None
    current = Membership.objects.get(user=dri, team=sre)
    assert describe_membership(current) == (
        f"member of team SRE via SCIM group 'Engineering-SRE' since {current.added_at:%Y-%m-%d}"
    )


def test_another_directory_cannot_change_the_team(sre: Team, dri: User) -> None:
    with pytest.raises(RuleViolation) as info:
        apply_group_members(sre, [dri], source="ldap")

    assert info.value.message == "Team SRE is not kept by LDAP, so it cannot change it."


def test_approvals_follow_the_group(sre: Team, review: Review, dri: User, outsider: User) -> None:
    apply_group_members(sre, [outsider], source="scim")
    apply_group_members(sre, [], source="scim")  # Oscar left the group

    refused = post_message(review, author=outsider, body="SRE review is completed")

    assert refused.effects == []
    assert review.items.get(key="sre-review").state == "open"

    apply_group_members(sre, [outsider], source="scim")
    approved = post_message(review, author=outsider, body="SRE review is completed")
    assert [e.item for e in approved.effects] == ["sre-review"]

    # The reply and the timeline say how the author was a member when approving.
    since = Membership.objects.get(user=outsider, team=sre, removed_at=None).added_at
    how = f"member of team SRE via SCIM group 'Engineering-SRE' since {since:%Y-%m-%d}"
    assert approved.replies[0].body == (
        f"'SRE review' is now done: approved by @oscar ({how}) in message #{approved.message.pk}."
    )
    event = review.timeline.get(kind="item.changed")
    assert event.summary.endswith(f"({how})")
    assert event.data["membership"] == {
        "source": "scim",
        "group": "Engineering-SRE",
        "since": since.isoformat(),
    }
    frozen = build_content(review, version=1, by=dri)  # what a snapshot records
    assert any(e["summary"].endswith(f"({how})") for e in frozen["timeline"])


def test_a_sign_in_s_groups_join_and_leave_oidc_teams(
    teams: dict[str, Team], outsider: User
) -> None:
    link_team(teams["platform"], source="oidc", group="platform-eng")
    link_team(teams["security"], source="oidc", group="SecOps")

    apply_user_groups(outsider, ["platform-eng", "secops", "unrelated"], source="oidc")
    assert current_member_handles(teams["platform"]) == ["@oscar"]
    assert current_member_handles(teams["security"]) == ["@oscar"]  # names ignore case

    apply_user_groups(outsider, ["platform-eng"], source="oidc")
    assert current_member_handles(teams["security"]) == []
    assert current_member_handles(teams["platform"]) == ["@oscar"]


def test_a_deactivated_person_is_not_made_a_member(sre: Team, dri: User) -> None:
    ghost = create_user("gone")
    deactivate_user(ghost)

    apply_group_members(sre, [dri, ghost], source="scim")

    assert current_member_handles(sre) == ["@dana"]


def test_ending_all_memberships_keeps_the_history(sre: Team, dri: User) -> None:
    apply_group_members(sre, [dri], source="scim")

    ended = end_all_memberships(dri, source="scim")

    assert [m.team.slug for m in ended] == ["sre"]
    assert Membership.objects.filter(user=dri).count() == 1
    assert current_member_handles(sre) == []


def test_linking_is_for_admins_and_one_group_keeps_one_team(
    teams: dict[str, Team], sre_member: User, sre: Team, admin: User
) -> None:
    with pytest.raises(PermissionDenied):
        link_team(teams["platform"], source="scim", group="Platform", by=sre_member)
    with pytest.raises(RuleViolation) as taken:
        link_team(teams["platform"], source="scim", group="engineering-sre", by=admin)
    assert taken.value.message == "SCIM group 'engineering-sre' already keeps team SRE."
    with pytest.raises(InvalidInput):
        link_team(teams["platform"], source="github", group="x", by=admin)


def test_unlinking_keeps_the_members_and_allows_hand_changes_again(
    sre: Team, dri: User, outsider: User
) -> None:
    apply_group_members(sre, [dri], source="scim")

    unlink_team(sre)
    add_members(sre, [outsider])

    assert current_member_handles(sre) == ["@dana", "@oscar"]
