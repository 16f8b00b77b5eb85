"""Changing checklist items by hand: who may, n/a with a reason, admins audited."""

from __future__ import annotations

import pytest

from prr.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from prr.reviews.items import set_item_state


def test_the_dri_marks_their_own_item_done(review, dri):
    item = set_item_state(review, "dashboards", "done", by=dri)
    assert (item.state, item.changed_by, item.changed_via) == ("done", dri, "manual")
    event = review.timeline.get(kind="item.changed")
    assert event.summary == "@dana marked 'Dashboards linked' done"


def test_a_team_member_marks_their_teams_item_done(review, sre_member):
    assert set_item_state(review, "sre-review", "done", by=sre_member).state == "done"


def test_the_dri_cannot_approve_for_a_team(review, dri):
    with pytest.raises(PermissionDenied, match="Only a member of team SRE or an admin"):
        set_item_state(review, "sre-review", "done", by=dri)
    assert review.items.get(key="sre-review").state == "open"


def test_an_outsider_cannot_change_the_dris_item(review, outsider):
    with pytest.raises(PermissionDenied, match=r"Only the DRI \(@dana\) or an admin"):
        set_item_state(review, "dashboards", "done", by=outsider)


def test_an_admin_may_change_any_item_and_is_audited(review, admin):
    set_item_state(review, "sre-review", "done", by=admin)
    event = review.timeline.get(kind="item.changed")
    assert event.data["as_admin"] is True
    assert event.summary.endswith("(as admin)")


def test_na_needs_a_reason(review, dri):
    with pytest.raises(InvalidInput, match="A reason is required"):
        set_item_state(review, "dashboards", "n/a", by=dri, reason="  ")
    item = set_item_state(review, "dashboards", "na", by=dri, reason="Batch job, no UI")
    assert (item.state, item.na_reason) == ("n/a", "Batch job, no UI")


def test_an_approval_can_never_be_na(review, sre_member):
    with pytest.raises(RuleViolation, match="cannot be marked n/a"):
        set_item_state(review, "sre-review", "n/a", by=sre_member, reason="not needed")


def test_setting_the_current_state_again_is_refused_not_ignored(review, dri):
    with pytest.raises(RuleViolation, match="already open"):
        set_item_state(review, "dashboards", "open", by=dri)


def test_reopening_an_item_clears_its_na_reason(review, dri):
    set_item_state(review, "dashboards", "n/a", by=dri, reason="No UI")
    item = set_item_state(review, "dashboards", "open", by=dri)
    assert (item.state, item.na_reason) == ("open", "")


def test_an_unknown_item_or_state_is_named(review, dri):
    with pytest.raises(NotFound, match="has no item 'nope'"):
        set_item_state(review, "nope", "done", by=dri)
    with pytest.raises(InvalidInput, match="Unknown state 'finished'"):
        set_item_state(review, "dashboards", "finished", by=dri)
