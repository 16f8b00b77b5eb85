"""Who is told what in their inbox, and reading it from the web and the API."""

from __future__ import annotations

import pytest

from prr.accounts.services import create_user
from prr.errors import NotFound
from prr.notifications import services
from prr.notifications.listener import mentioned
from prr.reviews.channel import post_message
from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import close_review
from prr.reviews.starting import add_reviewers, start_review
from prr.teams.services import add_members
from tests.api.conftest import api_as
from tests.web.conftest import signed_in

__all__ = ["api_as"]


def texts(user) -> list[str]:
    return [n.text for n in services.inbox(user)]


def test_reviewer_teams_hear_of_a_new_review_but_its_dri_does_not(
    small_playbook, dri, sre_member, security_member, outsider, committing
) -> None:
    with committing():
        review = start_review(version=small_playbook, title="Search index in eu-west", dri=dri)

    (told,) = services.inbox(sre_member)
    assert told.text == f"@dana started {review.ref} Search index in eu-west; you are a reviewer."
    assert (told.kind, told.link, told.review) == ("reviewer", review.path, review)
    assert len(texts(security_member)) == 1
    assert texts(dri) == []
    assert texts(outsider) == []


def test_added_reviewers_and_teams_hear_of_it(review, dri, outsider, teams, committing) -> None:
    platform_member = create_user("pat")
    add_members(teams["platform"], [platform_member])

    with committing():
        add_reviewers(review, by=dri, users=[outsider], teams=[teams["platform"]])

    expected = f"@dana added you as a reviewer of {review.ref} {review.title}."
    assert texts(outsider) == [expected]
    assert texts(platform_member) == [expected]


def test_a_mention_of_a_person_or_a_team_reaches_them_not_the_author(
    review, dri, sre_member, outsider, committing
) -> None:
    services.mark_all_read(sre_member)
    with committing():
        posted = post_message(review, author=dri, body="@oscar and @sre: can you look at `@sid`?")

    assert texts(outsider)[0].startswith(f"@dana mentioned you in {review.ref}: @oscar and @sre")
    (latest, *_) = services.inbox(sre_member)
    assert latest.text.startswith(f"@dana mentioned @sre in {review.ref}:")
    assert latest.link == f"{review.path}#message-{posted.message.pk}"
    assert [n for n in texts(dri) if "mentioned" in n] == []  # the author


def test_mentions_are_read_outside_code_and_email_addresses() -> None:
    assert mentioned("@Sam, ping @sre.") == {"sam", "sre"}
    assert mentioned("mail dana@example.com or `@sid` or ```\n@oscar\n```") == set()


def test_the_dri_hears_of_approvals_readiness_and_a_close_by_someone_else(
    review, dri, sre_member, security_member, admin, committing
) -> None:
    with committing():
        set_item_state(review, "dashboards", "done", by=dri)
        set_item_state(review, "load-test", "done", by=dri)
        post_message(review, author=sre_member, body="SRE review is completed")
        post_message(review, author=security_member, body="Security review is completed")
    with committing():
        close_review(review, by=admin)

    assert texts(dri) == [
        f"@ada closed {review.ref}.",
        f"{review.ref} {review.title} is ready to close: every required item is done or n/a.",
        f"Security: 'Security review' done by @sid on {review.ref}.",
        f"SRE: 'SRE review' done by @sam on {review.ref}.",
    ]


def test_marking_read_is_for_ones_own_notifications(review, dri, outsider, committing) -> None:
    with committing():
        post_message(review, author=dri, body="@oscar please have a look")
    (note,) = services.inbox(outsider)

    with pytest.raises(NotFound):
        services.mark_read(dri, note.pk)
    assert services.mark_read(outsider, note.pk).read_at is not None
    assert services.unread_count(outsider) == 0


def test_the_inbox_page_shows_the_unread_count_and_marks_read(
    review, dri, outsider, committing
) -> None:
    with committing():
        post_message(review, author=dri, body="@oscar first")
        post_message(review, author=dri, body="@oscar second")
    browser = signed_in(outsider)

    page = browser.get("/inbox/").content.decode()
    assert 'aria-label="Inbox, 2 unread"' in page
    assert "(2 unread)" in page
    assert f"@dana mentioned you in {review.ref}: @oscar second" in page

    newest = services.inbox(outsider)[0]
    opened = browser.post(f"/inbox/{newest.pk}/read/", {"open": "1"})
    assert opened.status_code == 302
    assert opened["Location"] == newest.link
    assert services.unread_count(outsider) == 1

    done = browser.post("/inbox/read-all/", follow=True).content.decode()
    assert "Marked 1 notification read." in done
    assert 'aria-label="Inbox, ' not in done
    assert browser.post("/inbox/999999/read/").status_code == 404


def test_the_inbox_through_the_api(review, dri, outsider, api_as, committing) -> None:
    with committing():
        post_message(review, author=dri, body="@oscar have a look")
    client = api_as(outsider)

    listed = client.get("/inbox?unread=true").json()
    assert (listed["total"], listed["unread"]) == (1, 1)
    (item,) = listed["items"]
    assert item["review"] == review.ref
    assert item["kind"] == "mention"
    assert item["url"].endswith(f"{review.path}#message-{review.messages.get().pk}")

    assert client.post(f"/inbox/{item['id']}/read").json()["read_at"] is not None
    assert client.post("/inbox/read-all").json() == {"marked": 0}
    assert client.get("/inbox").json()["unread"] == 0
    assert api_as(dri).post(f"/inbox/{item['id']}/read").status_code == 404
