"""`prr review link/unlink/channels` and `prr user link/unlink`: chat channels and accounts."""

from __future__ import annotations

import click

from prr.cli.base import PrrCommand, PrrGroup, acting_user, fail, json_option, print_json

as_option = click.option(
    "--as",
    "as_user",
    metavar="USERNAME",
    help="Act as this user: the DRI or an admin (default: the operator, who may link any review).",
)


def one_platform(mattermost: str | bool | None, slack: str | bool | None) -> str:
    if bool(mattermost) == bool(slack):
        fail("Give exactly one of --mattermost… or --slack….")
    return "mattermost" if mattermost else "slack"


@click.command("link", cls=PrrCommand)
@click.argument("ref")
@click.option("--mattermost-channel", metavar="ID", help="The Mattermost channel id.")
@click.option("--slack-channel", metavar="ID", help="The Slack channel id (C0123…).")
@click.option(
    "--channel-name", default="", metavar="NAME", help="The channel's name, shown in messages."
)
@click.option(
    "--notify-url",
    default="",
    metavar="URL",
    help="Mattermost: the channel's incoming webhook URL for notifications.",
)
@as_option
def review_link(
    ref: str,
    mattermost_channel: str | None,
    slack_channel: str | None,
    channel_name: str,
    notify_url: str,
    as_user: str | None,
) -> None:
    """Link a chat channel to a review: its messages go to the review, its news is posted there."""
    from prr.integrations.chat.services import link_channel
    from prr.reviews.queries import get_review

    platform = one_platform(mattermost_channel, slack_channel)
    review = get_review(ref)
    link = link_channel(
        review,
        platform=platform,
        channel_id=mattermost_channel or slack_channel or "",
        channel_name=channel_name,
        notify_url=notify_url,
        by=acting_user(as_user) if as_user else None,
    )
    click.echo(f"Linked {link.get_platform_display()} channel {link.label} to {review.ref}.")


@click.command("unlink", cls=PrrCommand)
@click.argument("ref")
@click.option("--mattermost", is_flag=True, help="Unlink the review's Mattermost channel.")
@click.option("--slack", is_flag=True, help="Unlink the review's Slack channel.")
@as_option
def review_unlink(ref: str, mattermost: bool, slack: bool, as_user: str | None) -> None:
    """Stop sending a chat channel's messages to a review."""
    from prr.integrations.chat.services import unlink_channel
    from prr.reviews.queries import get_review

    review = get_review(ref)
    link = unlink_channel(
        review,
        platform=one_platform(mattermost, slack),
        by=acting_user(as_user) if as_user else None,
    )
    click.echo(f"Unlinked {link.get_platform_display()} channel {link.label} from {review.ref}.")


@click.command("link", cls=PrrCommand)
@click.argument("username")
@click.option("--mattermost", metavar="USER_ID", help="The person's Mattermost user id.")
@click.option("--slack", metavar="USER_ID", help="The person's Slack user id (U0123…).")
def user_link(username: str, mattermost: str | None, slack: str | None) -> None:
    """Let a chat account speak as USERNAME (needed when the chat username differs).

    Without a link, an account speaks as the prr user with the email the chat verified, or
    (with PRR_CHAT_USERNAME_FALLBACK) the one with the same username (docs/identity.md).
    """
    from prr.accounts.services import get_user
    from prr.integrations.chat.services import link_user

    platform = one_platform(mattermost, slack)
    identity = link_user(
        get_user(username), platform=platform, external_id=mattermost or slack or "", by=None
    )
    click.echo(
        f"Linked {identity.get_platform_display()} user {identity.external_id} to @{username}."
    )


@click.command("unlink", cls=PrrCommand)
@click.argument("username")
@click.option("--mattermost", is_flag=True, help="Unlink the person's Mattermost account.")
@click.option("--slack", is_flag=True, help="Unlink the person's Slack account.")
def user_unlink(username: str, mattermost: bool, slack: bool) -> None:
    """Remove the link between a chat account and USERNAME."""
    from prr.accounts.services import get_user
    from prr.integrations.chat.services import unlink_user

    identity = unlink_user(get_user(username), platform=one_platform(mattermost, slack), by=None)
    click.echo(
        f"Unlinked {identity.get_platform_display()} user {identity.external_id} from @{username}."
    )


@click.group("chat", cls=PrrGroup)
def chat() -> None:
    """What prr posted to Mattermost and Slack (replies, review news), and sending it again."""


@chat.command("posts", cls=PrrCommand)
@click.option(
    "--status",
    type=click.Choice(["pending", "sending", "retrying", "delivered", "failed"]),
    help="Only posts in this state.",
)
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@json_option
def chat_posts(status: str | None, limit: int, as_json: bool) -> None:
    """The latest chat posts, newest first, with their attempts and last error."""
    from prr.integrations.chat.models import ChatPost

    posts = ChatPost.objects.select_related("review").order_by("-pk")
    if status:
        posts = posts.filter(status=status)
    rows = [
        {
            "id": p.pk,
            "platform": p.platform,
            "to": p.target if p.platform == "slack" else p.target.split("?")[0][:60],
            "review": p.review.ref if p.review else None,
            "event": p.event_type or "reply",
            "status": p.status,
            "attempts": p.attempts,
            "last_error": p.last_error or None,
            "created_at": p.created_at.isoformat(timespec="seconds"),
            "text": str(p.payload.get("text", "")),
        }
        for p in posts[:limit]
    ]
    if as_json:
        print_json(rows)
        return
    if not rows:
        click.echo("No chat posts" + (f" {status}." if status else " yet."))
    for row in rows:
        error = f" — {row['last_error']}" if row["last_error"] else ""
        click.echo(
            f"#{row['id']:<5} {row['created_at']} {row['platform']:<10} {row['review'] or '-':<8} "
            f"{row['event']:<20} {row['status']} ({row['attempts']} attempts){error}"
        )


@chat.command("retry", cls=PrrCommand)
@click.argument("post_id", type=int)
def chat_retry(post_id: int) -> None:
    """Send a failed chat post again, with a fresh round of attempts."""
    from prr.integrations.chat.outgoing import get_post, retry_post

    retry_post(get_post(post_id))
    click.echo(f"Queued chat post #{post_id} again; `prr worker` sends it.")
