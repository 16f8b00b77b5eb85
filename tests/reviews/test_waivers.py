"""Waivers with an owner and an expiry, with a controlled clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from prr.errors import InvalidInput, PermissionDenied, RuleViolation
from prr.notifications import services as inbox
from prr.playbooks.services import import_playbook
from prr.reviews.channel import post_message
from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import close_review
from prr.reviews.queries import readiness
from prr.reviews.starting import start_review
from prr.reviews.waivers import (
    active_waivers,
    expire_waivers,
    expired_on_closed_reviews,
    waive_item,
)
from tests.api.conftest import api_as
from tests.cli.conftest import cli
from tests.conftest import SMALL_PLAYBOOK

__all__ = ["api_as", "cli"]

TODAY = date(2027, 3, 1)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


def test_a_waived_item_counts_as_complete_until_it_expires(review, dri, teams) -> None:
    waiver = waive_item(
        review,
        "load-test",
        by=dri,
        reason="The load rig is rebuilt in April",
        until=TODAY + timedelta(days=30),
        owner=teams["sre"],
        today=TODAY,
    )

    item = review.items.get(key="load-test")
    assert item.state == "waived"
    assert "load-test" not in [m["item"] for m in readiness(review)["missing"]]
    assert waiver.owner_label == "team SRE"
    assert review.timeline.get(kind="item.waived").summary == (
        "@dana waived 'Load test done' until 2027-03-31 (owner team SRE): "
        "The load rig is rebuilt in April"
    )
    assert list(active_waivers(expiring_within=None)) == [waiver]

    assert expire_waivers(at(TODAY + timedelta(days=30))) == []  # its last day: still in force
    (ended,) = expire_waivers(at(TODAY + timedelta(days=31)))
    assert ended == waiver
    assert review.items.get(key="load-test").state == "open"
    assert review.timeline.get(kind="waiver.expired").summary == (
        "On 2027-03-31, the waiver of 'Load test done' expired; the item is open again"
    )
    assert expire_waivers(at(TODAY + timedelta(days=32))) == []  # once


def test_an_expired_waiver_flags_a_closed_review_and_tells_its_owner(
    review, dri, sre_member, security_member
) -> None:
    waive_item(
        review, "load-test", by=dri, reason="Rig rebuilt in April", until=TODAY + timedelta(1),
        owner=sre_member, today=TODAY,
    )  # fmt: skip
    set_item_state(review, "dashboards", "done", by=dri)
    post_message(review, author=sre_member, body="SRE review is completed")
    post_message(review, author=security_member, body="Security review is completed")
    snapshot = close_review(review, by=dri)
    assert "[~] Load test done: waived until 2027-03-02 (owner @sam)" in snapshot.markdown

    expire_waivers(at(TODAY + timedelta(days=5)))

    assert list(expired_on_closed_reviews()) == [review]
    assert review.items.get(key="load-test").state == "waived"  # the snapshot's record stays
    (told,) = [n for n in inbox.inbox(sre_member) if "waiver" in n.text]
    assert told.text == (
        f"{review.ref}: the waiver of 'Load test done' expired on the closed review: "
        "a re-review is due (you own the waiver)."
    )


def test_who_may_waive_what(review, dri, sre_member, outsider, admin) -> None:
    until = TODAY + timedelta(days=10)
    with pytest.raises(PermissionDenied, match="Only the DRI"):
        waive_item(review, "load-test", by=outsider, reason="x y", until=until, today=TODAY)
    with pytest.raises(RuleViolation, match="does not mark `waivable: true`"):
        waive_item(review, "sre-review", by=admin, reason="Later", until=until, today=TODAY)
    with pytest.raises(InvalidInput, match="must end after today"):
        waive_item(review, "load-test", by=dri, reason="Later", until=TODAY, today=TODAY)
    with pytest.raises(InvalidInput, match="A reason is required to waive 'Load test done'"):
        waive_item(review, "load-test", by=dri, reason="  ", until=until, today=TODAY)


def test_an_approval_marked_waivable_is_waived_by_an_admin_only(teams, dri, sre_member, admin):
    text = SMALL_PLAYBOOK.replace(
        "        owner: sre\n", "        owner: sre\n        waivable: true\n", 1
    )
    version = import_playbook(text).version
    review = start_review(version=version, title="Queue moves to the managed service", dri=dri)
    until = TODAY + timedelta(days=10)
    with pytest.raises(PermissionDenied, match="Only an admin can waive 'SRE review'"):
        waive_item(review, "sre-review", by=sre_member, reason="Later", until=until, today=TODAY)
    assert waive_item(review, "sre-review", by=admin, reason="SRE signs off in Q2", until=until,
                      today=TODAY).item.state == "waived"  # fmt: skip


def test_changing_a_waived_item_by_hand_lifts_its_waiver(review, dri) -> None:
    waiver = waive_item(
        review, "load-test", by=dri, reason="Rig rebuilt", until=TODAY + timedelta(9), today=TODAY
    )
    set_item_state(review, "load-test", "done", by=dri)
    waiver.refresh_from_db()
    assert waiver.lifted_at is not None
    assert list(active_waivers()) == []


def test_waivers_from_the_cli_and_the_api(review, dri, outsider, api_as, cli) -> None:
    until = (date.today() + timedelta(days=20)).isoformat()
    done = cli(
        "review", "waive", review.ref, "load-test", "--reason", "Rig rebuilt in April",
        "--until", until, "--owner", "sre", "--as", "dana",
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert done.output == f"'Load test done' is waived until {until} (owner team SRE).\n"
    listed = cli("review", "waivers", "--expiring", "30").output
    assert f"{until}  {review.ref}    Load test done (team SRE): Rig rebuilt in April" in listed

    answer = api_as(dri).post(
        f"/reviews/{review.ref}/items/dashboards/waiver",
        {"reason": "Grafana moves next week", "until": until, "owner": "nobody-at-all"},
    )
    assert answer.status_code == 404
    answer = api_as(dri).post(
        f"/reviews/{review.ref}/items/dashboards/waiver",
        {"reason": "Grafana moves next week", "until": until},
    )
    assert answer.status_code == 201
    assert answer.json()["owner"] == "@dana"
    refused = api_as(outsider).post(
        f"/reviews/{review.ref}/items/tracing/waiver", {"reason": "No", "until": until}
    )
    assert refused.status_code == 403
    assert [w["item"] for w in api_as(outsider).get("/waivers").json()] == [
        "load-test",
        "dashboards",
    ]
    assert api_as(outsider).get("/waivers?expiring=5").json() == []


def test_the_waivers_page_lists_those_in_force_and_ending_soon(review, dri, outsider) -> None:
    from tests.web.conftest import signed_in

    soon = date.today() + timedelta(days=10)
    later = date.today() + timedelta(days=90)
    waive_item(review, "load-test", by=dri, reason="Rig rebuilt in April", until=soon)
    waive_item(review, "dashboards", by=dri, reason="Grafana moves in June", until=later)
    browser = signed_in(outsider)

    page = browser.get("/waivers/").content.decode()
    assert page.index("Rig rebuilt in April") < page.index("Grafana moves in June")
    ending = browser.get("/waivers/?show=expiring").content.decode()
    assert "Rig rebuilt in April" in ending
    assert "Grafana moves in June" not in ending
    assert "Re-review due" in ending
