"""`prr review link/unlink` and `prr user link/unlink`."""

from __future__ import annotations

from prr.accounts.models import User
from prr.integrations.chat.models import ChannelLink, ChatIdentity, ChatPost
from prr.integrations.chat.services import linked_review
from prr.reviews.models import Review
from tests.cli.conftest import Cli
from tests.cli.test_cli_reviews import ok, refused


def test_the_operator_links_and_unlinks_a_mattermost_channel(cli: Cli, review: Review) -> None:
    result = ok(
        cli(
            "review", "link", "PRR-1", "--mattermost-channel", "4xp9", "--channel-name",
            "prr-1-payments", "--notify-url", "https://chat.example.com/hooks/x",
        )
    )  # fmt: skip
    assert result.stdout == "Linked Mattermost channel ~prr-1-payments to PRR-1.\n"
    link = ChannelLink.objects.get()
    assert (link.channel_id, link.notify_url, link.created_by) == (
        "4xp9",
        "https://chat.example.com/hooks/x",
        None,
    )
    assert ok(cli("review", "unlink", "1", "--mattermost")).stdout == (
        "Unlinked Mattermost channel ~prr-1-payments from PRR-1.\n"
    )
    assert linked_review("mattermost", "4xp9") is None


def test_link_as_a_person_follows_the_rules(cli: Cli, review: Review, outsider: User) -> None:
    assert "Only the DRI (@dana) or an admin" in refused(
        cli("review", "link", "1", "--slack-channel", "C1", "--as", "oscar")
    )
    ok(cli("review", "link", "1", "--slack-channel", "C1", "--as", "dana"))
    assert ChannelLink.objects.get().created_by is not None


def test_exactly_one_chat_must_be_named(cli: Cli, review: Review) -> None:
    message = "Give exactly one of --mattermost… or --slack…."
    assert message in refused(cli("review", "link", "1"))
    assert message in refused(
        cli("review", "link", "1", "--slack-channel", "C1", "--mattermost-channel", "m")
    )
    assert message in refused(cli("review", "unlink", "1"))
    assert not ChannelLink.objects.exists()


def test_unlinking_what_is_not_linked_is_refused(cli: Cli, review: Review) -> None:
    assert "PRR-1 has no Slack channel linked" in refused(cli("review", "unlink", "1", "--slack"))


def test_user_link_and_unlink(cli: Cli, dri: User) -> None:
    assert ok(cli("user", "link", "dana", "--slack", "U0DANA")).stdout == (
        "Linked Slack user U0DANA to @dana.\n"
    )
    assert ChatIdentity.objects.get().user == dri
    assert "No user @zed." in refused(cli("user", "link", "zed", "--mattermost", "x"))
    ok(cli("user", "unlink", "dana", "--slack"))
    assert not ChatIdentity.objects.exists()
    assert "has no Slack account linked" in refused(cli("user", "unlink", "dana", "--slack"))


def failed_post(review: Review) -> ChatPost:
    return ChatPost.objects.create(
        platform="slack",
        target="C1",
        payload={"text": "SRE review approved"},
        review=review,
        event_type="review.item_changed",
        status=ChatPost.Status.FAILED,
        attempts=8,
        last_error="slack: channel_not_found",
    )


def test_chat_posts_lists_failures_and_retry_queues_them_again(cli: Cli, review: Review) -> None:
    post = failed_post(review)
    listed = ok(cli("chat", "posts", "--status", "failed")).stdout
    assert f"#{post.pk}" in listed
    assert "PRR-1" in listed
    assert "failed (8 attempts) — slack: channel_not_found" in listed
    assert ok(cli("chat", "retry", str(post.pk))).stdout == (
        f"Queued chat post #{post.pk} again; `prr worker` sends it.\n"
    )
    post.refresh_from_db()
    assert (post.status, post.attempts) == ("pending", 0)
    assert "only a failed post is sent again" in refused(cli("chat", "retry", str(post.pk)))
    assert f"No chat post #{post.pk + 1}." in refused(cli("chat", "retry", str(post.pk + 1)))
    assert ok(cli("chat", "posts", "--status", "failed")).stdout == "No chat posts failed.\n"
