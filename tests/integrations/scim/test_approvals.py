"""The heart of prr with SCIM: an approval counts only while the IdP keeps its author in the
team's group."""

from __future__ import annotations

from prr.accounts.models import User
from prr.reviews.channel import post_message
from prr.reviews.models import Review
from prr.teams.models import Membership, Team
from tests.integrations.scim.conftest import IdentityProvider


def test_a_phrase_from_someone_the_group_dropped_no_longer_counts(
    idp: IdentityProvider, review: Review, teams: dict[str, Team]
) -> None:
    sam = idp.provision("sam@example.com", "Sam", "Okafor")
    sid = idp.provision("sid@example.com", "Sid", "Kapoor")
    sre = idp.push_group("SRE", sam, sid)
    assert Team.objects.get(slug="sre").is_directory_managed
    idp.patch(f"Groups/{sre['id']}", {"op": "Remove", "path": f'members[value eq "{sam["id"]}"]'})

    refused = post_message(
        review, author=User.objects.get(username="sam"), body="SRE review is completed"
    )

    assert refused.effects == []
    assert review.items.get(key="sre-review").state == "open"
    assert "SRE" in refused.replies[0].body  # the reply says who can approve

    approved = post_message(
        review, author=User.objects.get(username="sid"), body="SRE review is completed"
    )
    assert [e.item for e in approved.effects] == ["sre-review"]


def test_an_approval_given_while_a_member_stays_after_the_group_drops_them(
    idp: IdentityProvider, review: Review
) -> None:
    sam = idp.provision("sam@example.com", "Sam", "Okafor")
    sre = idp.push_group("SRE", sam)
    author = User.objects.get(username="sam")
    post_message(review, author=author, body="SRE review is completed")

    idp.patch(f"Groups/{sre['id']}", {"op": "remove", "path": "members"})
    idp.patch(f"Users/{sam['id']}", {"op": "replace", "value": {"active": False}})

    item = review.items.get(key="sre-review")
    assert (item.state, item.changed_by) == ("done", author)
    ended = Membership.objects.get(user=author, team__slug="sre")
    assert (ended.source, ended.group, ended.removed_by_source) == ("scim", "SRE", "scim")
