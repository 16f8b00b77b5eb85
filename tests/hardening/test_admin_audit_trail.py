"""The audit trail cannot be edited in the Django admin, even by an admin: timeline events,
the history of memberships, and when a token was revoked stay as they were written."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from prr.accounts.models import ApiToken, User
from prr.accounts.tokens import create_token, revoke_token
from prr.reviews.models import Review, TimelineEvent
from prr.teams.models import Membership, Team
from prr.teams.services import remove_members


def test_a_timeline_event_cannot_be_changed_or_deleted(as_admin: Client, review: Review) -> None:
    event = TimelineEvent.objects.first()
    change = reverse("admin:reviews_timelineevent_change", args=[event.pk])
    delete = reverse("admin:reviews_timelineevent_delete", args=[event.pk])
    assert as_admin.post(change, {"kind": "review.closed", "summary": "forged"}).status_code == 403
    assert as_admin.post(delete, {"post": "yes"}).status_code == 403
    assert TimelineEvent.objects.get(pk=event.pk).kind == event.kind


def test_a_review_cannot_be_deleted_with_its_timeline(as_admin: Client, review: Review) -> None:
    delete = reverse("admin:reviews_review_delete", args=[review.pk])
    assert as_admin.post(delete, {"post": "yes"}).status_code == 403
    assert TimelineEvent.objects.filter(review=review).exists()


def test_an_ended_membership_cannot_be_rewritten_or_deleted(
    as_admin: Client, teams: dict[str, Team], sre_member: User
) -> None:
    sre = teams["sre"]
    ended = remove_members(sre, [sre_member])[0]
    page = as_admin.get(reverse("admin:teams_team_change", args=[sre.pk])).content.decode()
    assert "memberships-0-removed_at" not in page  # shown as text, not as a field
    as_admin.post(
        reverse("admin:teams_team_change", args=[sre.pk]),
        {
            "slug": "sre",
            "name": "SRE",
            "memberships-TOTAL_FORMS": "2",
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": str(ended.pk),
            "memberships-0-team": str(sre.pk),
            "memberships-0-removed_at_0": "",
            "memberships-0-removed_at_1": "",
            "memberships-0-DELETE": "on",
            "memberships-1-team": str(sre.pk),
            "memberships-1-user": str(sre_member.pk),
        },
    )
    memberships = list(Membership.objects.filter(team=sre, user=sre_member))
    assert len(memberships) == 1
    assert memberships[0].removed_at == ended.removed_at


def test_a_team_or_a_user_with_memberships_cannot_be_deleted(
    as_admin: Client, teams: dict[str, Team], sre_member: User
) -> None:
    team_delete = reverse("admin:teams_team_delete", args=[teams["sre"].pk])
    user_delete = reverse("admin:accounts_user_delete", args=[sre_member.pk])
    assert as_admin.post(team_delete, {"post": "yes"}).status_code == 403
    assert as_admin.post(user_delete, {"post": "yes"}).status_code == 403
    assert Membership.objects.filter(user=sre_member).exists()


def test_a_revoked_token_stays_revoked(as_admin: Client, outsider: User) -> None:
    token = revoke_token(create_token(outsider, name="deploy").token)
    change = reverse("admin:accounts_apitoken_change", args=[token.pk])
    page = as_admin.get(change).content.decode()
    assert 'name="revoked_at' not in page
    as_admin.post(change, {"revoked_at_0": "", "revoked_at_1": ""})
    assert ApiToken.objects.get(pk=token.pk).revoked_at == token.revoked_at
