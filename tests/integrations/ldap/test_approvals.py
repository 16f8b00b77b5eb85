"""The heart of prr with LDAP: an approval counts only while the directory keeps its author
in the team's group, as of the last sync."""

from __future__ import annotations

from typing import Any

from prr.accounts.models import User
from prr.integrations.ldap.sync import sync_ldap_teams
from prr.reviews.channel import post_message
from prr.reviews.models import Review
from tests.integrations.ldap.conftest import Slapd, group, person


def test_a_person_removed_from_the_group_can_no_longer_approve_and_one_added_can(
    slapd: Slapd, ldap_settings: Any, link: Any, review: Review
) -> None:
    link("sre", "sre")
    sync_ldap_teams()
    slapd.remove_member(group("sre"), person("sam"))
    slapd.add_member(group("sre"), person("amy"))
    sync_ldap_teams()

    refused = post_message(
        review, author=User.objects.get(username="sam"), body="SRE review is completed"
    )

    assert refused.effects == []
    assert review.items.get(key="sre-review").state == "open"
    assert "@sam is not a member of team SRE" in refused.replies[0].body
    assert "@amy" in refused.replies[0].body  # the reply names who can approve now

    approved = post_message(
        review, author=User.objects.get(username="amy"), body="SRE review is completed"
    )

    assert [e.item for e in approved.effects] == ["sre-review"]
    item = review.items.get(key="sre-review")
    assert (item.state, item.changed_by.username) == ("done", "amy")


def test_an_approval_given_while_a_member_stays_after_the_group_drops_them(
    slapd: Slapd, ldap_settings: Any, link: Any, review: Review
) -> None:
    link("sre", "sre")
    sync_ldap_teams()
    sam = User.objects.get(username="sam")
    post_message(review, author=sam, body="SRE review is completed")

    slapd.remove_member(group("sre"), person("sam"))
    sync_ldap_teams()

    item = review.items.get(key="sre-review")
    assert (item.state, item.changed_by) == ("done", sam)


def test_a_missing_group_keeps_the_members_who_can_approve(
    ldap_settings: Any, link: Any, review: Review
) -> None:
    link("sre", "sre")
    sync_ldap_teams()
    link("sre", "sre-renamed")  # a typo or a renamed group must not lock the team out
    sync_ldap_teams()

    approved = post_message(
        review, author=User.objects.get(username="sid"), body="SRE review is completed"
    )

    assert [e.item for e in approved.effects] == ["sre-review"]
