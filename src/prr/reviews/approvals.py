"""What a review waits on: its approvals (who gave each, who can give it now, and the phrase
to write), and which of its items are overdue or due soon."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from prr.accounts.models import User
from prr.reviews.models import Review, ReviewItem, TaskAction
from prr.reviews.queries import due_state
from prr.teams.models import Team
from prr.teams.queries import current_memberships


@dataclass(frozen=True)
class ApprovalRow:
    """One approval of a review (an item a team's phrase marks done), as `viewer` sees it."""

    item: ReviewItem
    team: Team  # whose members approve: the team of the item's first `then: done` action
    phrase: str  # what a member writes to approve: that action's first phrase
    approvers: tuple[str, ...]  # the team's current members, as handles
    viewer_is_member: bool
    review_is_open: bool
    due: str = ""  # "overdue", "due soon" or ""
    with_follow_ups: bool = False  # approved while follow-ups its team raised are open

    @property
    def state(self) -> str:
        if self.item.state == ReviewItem.State.DONE:
            return "approved with follow-ups" if self.with_follow_ups else "approved"
        if self.item.state == ReviewItem.State.NA:
            return "n/a"
        if self.item.state == ReviewItem.State.WAIVED:
            return "waived"
        return "waiting" if self.review_is_open else "not approved"

    @property
    def can_approve(self) -> bool:
        """Whether the viewer's message with the phrase would approve it now."""
        return (
            self.viewer_is_member
            and self.review_is_open
            and self.item.state == ReviewItem.State.OPEN
        )


def approvals_of(
    review: Review, viewer: User, *, now: datetime, followed_up: Collection[int] = ()
) -> list[ApprovalRow]:
    """The review's approvals in checklist order, those waiting on `viewer` first; two queries
    however many approvals and members there are. `followed_up`: the ids of the teams whose
    approval is "with follow-ups" (`follow_ups.approved_with_follow_ups`)."""
    actions = (
        TaskAction.objects.filter(
            review=review, then=TaskAction.Then.DONE, item__owner_team__isnull=False
        )
        .select_related("team", "item__owner_team", "item__changed_by")
        .order_by("item__position", "pk")
    )
    first: dict[int, TaskAction] = {}
    for action in actions:
        first.setdefault(action.item_id, action)
    if not first:
        return []
    members: dict[int, list[tuple[int, str]]] = {a.team_id: [] for a in first.values()}
    memberships = (
        current_memberships()
        .filter(team_id__in=members, user__is_active=True)
        .order_by("user__username")
        .values_list("team_id", "user_id", "user__username")
    )
    for team_id, user_id, username in memberships:
        members[team_id].append((user_id, username))
    rows = [
        ApprovalRow(
            item=action.item,
            team=action.team,
            phrase=str(action.phrases[0]),
            approvers=tuple(f"@{username}" for _, username in members[action.team_id]),
            viewer_is_member=viewer.is_active
            and any(user_id == viewer.pk for user_id, _ in members[action.team_id]),
            review_is_open=review.is_open,
            due=due_state(action.item, now) if review.is_open else "",
            with_follow_ups=action.item.state == ReviewItem.State.DONE
            and action.item.owner_team_id in followed_up,
        )
        for action in first.values()
    ]
    rows.sort(key=lambda row: not row.can_approve)  # stable: checklist order otherwise
    return rows
