"""`prr webhook …`: outgoing webhook subscriptions (admins' operator tool)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from prr.cli.base import PrrGroup, json_option, print_json, when

if TYPE_CHECKING:
    pass


@click.group(cls=PrrGroup)
def webhook() -> None:
    """Outgoing webhooks: where prr sends review events, signed with a secret (docs/webhooks.md)."""


def event_types_epilog() -> str:
    from prr.reviews.events import EVENT_DESCRIPTIONS

    lines = [f"  {name:<22} {description}" for name, description in EVENT_DESCRIPTIONS.items()]
    return "\b\nEvent types:\n" + "\n".join(lines) + "\n  *                      all of them"


@webhook.command("add", epilog=event_types_epilog())
@click.argument("url")
@click.option(
    "--events",
    "events",
    multiple=True,
    required=True,
    metavar="TYPES",
    help="Event types to send, comma-separated or repeated (e.g. review.closed,review.ready); "
    "'*' for all (listed below).",
)
@click.option(
    "--secret",
    default=None,
    help="The signing secret (16 to 128 characters); generated when left out.",
)
def webhook_add(url: str, events: tuple[str, ...], secret: str | None) -> None:
    """Send review events to URL (http or https), signed with a secret shown once."""
    from prr.integrations.webhooks.services import add_subscription

    created = add_subscription(url, events, secret, by=None)
    click.echo(f"Added webhook #{created.pk}: {created.url} ({', '.join(created.events)}).")
    click.echo(f"Secret (shown once; the receiver checks signatures with it): {created.secret}")


@webhook.command("list")
@json_option
def webhook_list(as_json: bool) -> None:
    """List webhook subscriptions (secrets are never shown again)."""
    from prr.integrations.webhooks.schemas import SubscriptionOut
    from prr.integrations.webhooks.services import list_subscriptions

    rows = [SubscriptionOut.of(s) for s in list_subscriptions(by=None)]
    if as_json:
        print_json(rows)
        return
    if not rows:
        click.echo("No webhooks yet. Add one with `prr webhook add URL --events TYPES`.")
    for row in rows:
        state = "" if row.active else " [inactive]"
        counts = f"{row.pending_deliveries} waiting, {row.failed_deliveries} failed"
        click.echo(f"#{row.id:<4} {row.url}{state}  {', '.join(row.events)}  ({counts})")


@webhook.command("remove")
@click.argument("subscription_id", metavar="ID", type=int)
def webhook_remove(subscription_id: int) -> None:
    """Remove a subscription and its deliveries; nothing more is sent to it."""
    from prr.integrations.webhooks.services import remove_subscription

    removed = remove_subscription(subscription_id, by=None)
    click.echo(f"Removed webhook #{subscription_id} ({removed.url}).")


@webhook.command("deliveries")
@click.option(
    "--status",
    type=click.Choice(["pending", "sending", "retrying", "delivered", "failed"]),
    default=None,
    help="Only deliveries in this state.",
)
@click.option(
    "--webhook", "subscription_id", type=int, metavar="ID", help="Only those for webhook ID."
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=50, show_default=True, help="At most this many."
)
@json_option
def webhook_deliveries(
    status: str | None, subscription_id: int | None, limit: int, as_json: bool
) -> None:
    """List the latest deliveries, newest first."""
    from prr.integrations.webhooks.schemas import DeliveryOut
    from prr.integrations.webhooks.services import list_deliveries

    found = list_deliveries(by=None, status=status, subscription_id=subscription_id, limit=limit)
    rows = [DeliveryOut.of(d) for d in found]
    if as_json:
        print_json(rows)
        return
    if not rows:
        click.echo("No deliveries.")
    for row in rows:
        line = (
            f"#{row.id:<5} {row.status:<9} {row.event_type:<22} {row.review or '-':<8} "
            f"webhook #{row.subscription}  attempts: {row.attempts}"
        )
        if row.round > 1:
            line += f" (round {row.round})"
        if row.next_attempt_at:
            line += f"  next: {when(row.next_attempt_at)}"
        if row.last_error and row.status != "delivered":
            line += f"  last error: {row.last_error}"
        click.echo(line)


@webhook.command("retry")
@click.argument("delivery_id", metavar="DELIVERY_ID", type=int)
def webhook_retry(delivery_id: int) -> None:
    """Queue another attempt at a delivery now (a failed one gets a fresh round)."""
    from prr.integrations.webhooks.services import retry_delivery

    delivery = retry_delivery(delivery_id, by=None)
    click.echo(
        f"Queued delivery #{delivery.pk} ({delivery.event_type} to {delivery.subscription.url}); "
        "a running `prr worker` sends it."
    )
