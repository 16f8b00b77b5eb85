"""`prr review …`: the whole PRR process from the command line."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from itertools import chain
from typing import TYPE_CHECKING, Any

import click

from prr.cli.base import PrrGroup, acting_user, as_option, json_option, print_json, when

if TYPE_CHECKING:
    from prr.reviews.schemas import ReviewOut, ReviewSummaryOut


@click.group(cls=PrrGroup)
def review() -> None:
    """Start, discuss, approve, close and export reviews. REF is PRR-12 or 12."""


@review.command("start")
@click.option(
    "--playbook", "playbook_slug", required=True, metavar="SLUG", help="Playbook slug, e.g. prr."
)
@click.option("--title", required=True, help="Self-descriptive: 3+ words, 15+ characters.")
@click.option("--dri", required=True, metavar="USERNAME", help="The person responsible.")
@click.option(
    "--kind",
    help="One of the playbook's kinds (default: its first; `prr playbook list` shows them).",
)
@click.option(
    "--reviewer",
    "reviewer_names",
    multiple=True,
    metavar="USERNAME",
    help="A person to add as reviewer (repeat for several).",
)
@click.option("--as", "as_user", metavar="USERNAME", help="Who starts it (default: the DRI).")
@json_option
def review_start(
    playbook_slug: str,
    title: str,
    dri: str,
    kind: str | None,
    reviewer_names: tuple[str, ...],
    as_user: str | None,
    as_json: bool,
) -> None:
    """Start a review from the latest version of a playbook."""
    from prr.accounts.services import get_user
    from prr.playbooks.services import get_playbook, get_version
    from prr.reviews.schemas import ReviewOut
    from prr.reviews.starting import start_review

    started = start_review(
        version=get_version(get_playbook(playbook_slug)),
        title=title,
        dri=get_user(dri),
        kind=kind,
        reviewers=[get_user(name) for name in reviewer_names],
        by=acting_user(as_user) if as_user else None,
    )
    if as_json:
        print_json(ReviewOut.of(started))
        return
    teams = ", ".join(t.name for t in started.reviewer_teams.all()) or "none"
    click.echo(f"Started {started.ref}: {started.title}")
    click.echo(f"  {started.items.count()} checklist items; approvals by: {teams}")


LIST_LIMIT = 50
# `--all` reads this many reviews at a time, after the last one printed: memory stays flat
# however many there are, and each batch costs the same (no OFFSET to skip).
LIST_BATCH = 500


@review.command("list")
@click.option(
    "--status",
    type=click.Choice(["open", "closed", "cancelled", "all"]),
    default="open",
    show_default=True,
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    metavar="N",
    help=f"Show the newest N reviews (default: {LIST_LIMIT}).",
)
@click.option("--all", "show_all", is_flag=True, help="Show every review, however many.")
@json_option
def review_list(status: str, limit: int | None, show_all: bool, as_json: bool) -> None:
    """List reviews, newest first, with their progress."""
    from prr.reviews.queries import list_reviews

    if show_all and limit is not None:
        raise click.UsageError("Use --limit N or --all, not both.")
    reviews = list_reviews(status)
    hint = ""
    if show_all:
        rows = all_rows(reviews)
    else:
        shown = limit or LIST_LIMIT
        page = list(reviews[: shown + 1])
        rows = iter(list_rows(page[:shown]))
        if len(page) > shown:
            hint = more_hint(reviews.count(), shown, status)
    if as_json:
        echo_json_array(rows)
    else:
        echo_list(rows, status)
    if hint:
        click.echo(hint, err=True)


def more_hint(total: int, shown: int, status: str) -> str:
    more = total - shown
    which = "" if status == "all" else f"{status} "
    return (
        f"{more:,} more {which}review{'s' if more > 1 else ''} not shown; "
        f"see them with --limit {total} or --all."
    )


def list_rows(reviews: list[Any]) -> list[ReviewSummaryOut]:
    """A batch of reviews, with their progress read in one query."""
    from prr.reviews.schemas import ReviewSummaryOut

    return ReviewSummaryOut.list_of(reviews)


def all_rows(reviews: Any) -> Iterator[ReviewSummaryOut]:
    """Every review of the list, read LIST_BATCH at a time."""
    batch = list(reviews[:LIST_BATCH])
    while batch:
        yield from list_rows(batch)
        if len(batch) < LIST_BATCH:
            return
        batch = list(reviews.filter(number__lt=batch[-1].number)[:LIST_BATCH])


def echo_list(rows: Iterator[ReviewSummaryOut], status: str) -> None:
    shown = False
    for row in rows:
        shown = True
        progress = f"{row.complete}/{row.required}"
        click.echo(f"{row.ref:<8} {row.status:<9} {progress:>7}  @{row.dri:<12} {row.title}")
    if not shown:
        click.echo(f"No {'' if status == 'all' else status + ' '}reviews.")


def echo_json_array(rows: Iterator[ReviewSummaryOut]) -> None:
    """The rows as one JSON array, written as they come (the same text as `print_json`)."""
    from prr.representation import as_json

    first = next(rows, None)
    if first is None:
        click.echo("[]")
        return
    click.echo("[")
    for row in chain([first], rows):
        data = json.dumps(as_json(row), indent=2, ensure_ascii=False, default=str)
        text = textwrap.indent(data, "  ")
        click.echo(text if row is first else f",\n{text}", nl=False)
    click.echo("\n]")


@review.command("show")
@click.argument("ref")
@json_option
def review_show(ref: str, as_json: bool) -> None:
    """Show a review: readiness, document, checklist and snapshots."""
    from prr.reviews.queries import get_review
    from prr.reviews.schemas import ReviewOut

    data = ReviewOut.of(get_review(ref))
    if as_json:
        print_json(data)
        return
    echo_review(data)


ITEM_MARKS = {"done": "[x]", "open": "[ ]", "n/a": "[-]", "waived": "[~]"}


def echo_review(data: ReviewOut) -> None:
    click.secho(f"{data.ref}: {data.title}", bold=True)
    click.echo(
        f"  status {data.status} · kind {data.kind} · DRI @{data.dri} · "
        f"playbook {data.playbook} v{data.playbook_version}"
    )
    teams = ", ".join(data.reviewer_teams) or "none"
    people = ", ".join(f"@{u}" for u in data.reviewers) or "none"
    click.echo(f"  reviewer teams: {teams} · reviewers: {people}")
    ready = data.readiness
    if data.status == "open":
        if ready.ready:
            click.secho("  Ready to close.", fg="green")
        else:
            if ready.missing:
                click.echo(f"  Not ready to close ({len(ready.missing)} required item(s) open):")
            else:
                click.echo("  Not ready to close:")
            for missing in ready.missing:
                click.echo(f"    - {missing.reason}")
            for unanswered in ready.missing_sections:
                click.echo(f"    - the section '{unanswered.title}' is not answered yet")
    click.echo("\nReview document:")
    for section in data.sections:
        state = f"answered by @{section.answered_by}" if section.answer else "not answered"
        click.echo(f"  [{section.key}] {section.title}: {state}")
    click.echo("\nChecklist:")
    checklist = None
    for item in data.items:
        if item.checklist != checklist:
            checklist = item.checklist
            click.echo(f"  {checklist}")
        who = f" — @{item.changed_by} ({item.via})" if item.changed_by else ""
        optional = "" if item.required else " (optional)"
        click.echo(
            f"    {ITEM_MARKS[item.state]} {item.key}: {item.title}{optional} [{item.owner}]{who}"
        )
    for snapshot in data.snapshots:
        click.echo(f"\nSnapshot v{snapshot.version}: sha256 {snapshot.sha256}")


@review.command("post")
@click.argument("ref")
@click.argument("text")
@as_option
@json_option
def review_post(ref: str, text: str, as_user: str, as_json: bool) -> None:
    """Post TEXT in the review's channel; approval phrases take effect at once."""
    from prr.reviews.channel import post_message
    from prr.reviews.models import Message
    from prr.reviews.queries import get_review

    result = post_message(
        get_review(ref), author=acting_user(as_user), body=text, source=Message.Source.CLI
    )
    if as_json:
        from prr.reviews.schemas import PostedOut

        print_json(PostedOut.of(result))
        return
    click.echo(f"Posted message #{result.message.pk}.")
    for reply in result.replies:
        click.echo(f"  prr: {reply.body}")


@review.command("set")
@click.argument("ref")
@click.argument("item_key")
@click.argument("state", type=click.Choice(["done", "open", "na", "n/a"]))
@as_option
@click.option(
    "--reason", default="", help="Why (required for na; recorded on the timeline for any state)."
)
def review_set(ref: str, item_key: str, state: str, as_user: str, reason: str) -> None:
    """Mark a checklist item done, open again, or n/a (with --reason)."""
    from prr.reviews.items import set_item_state
    from prr.reviews.queries import get_review

    item = set_item_state(get_review(ref), item_key, state, by=acting_user(as_user), reason=reason)
    click.echo(f"'{item.title}' is now {item.state}.")


@review.command("assign")
@click.argument("ref")
@click.argument("item_key")
@click.argument("username", required=False)
@click.option("--clear", is_flag=True, help="Assign the item to nobody.")
@as_option
def review_assign(ref: str, item_key: str, username: str | None, clear: bool, as_user: str) -> None:
    """Assign an item to USERNAME (a current member of its team, for a team's item).

    They see it as theirs, are told in their inbox and get its reminders.
    """
    from prr.accounts.services import get_user
    from prr.reviews.assignment import assign_item
    from prr.reviews.queries import get_review

    if (username is None) == (not clear):
        raise click.UsageError("Give USERNAME or --clear (one of them).")
    assignee = get_user(username) if username else None
    item = assign_item(get_review(ref), item_key, assignee, by=acting_user(as_user))
    who = f"@{assignee.username}" if assignee else "nobody"
    click.echo(f"'{item.title}' is assigned to {who}.")


@review.group("follow-up")
def follow_up() -> None:
    """Follow-ups: work a reviewer asks for that need not hold the review up."""


@follow_up.command("add")
@click.argument("ref")
@click.argument("text")
@click.option(
    "--owner",
    metavar="USER|TEAM",
    help="Who does it: a username or a team slug (default: the DRI).",
)
@click.option("--due", type=click.DateTime(formats=["%Y-%m-%d"]), help="Due date (YYYY-MM-DD).")
@click.option(
    "--link", default="", metavar="URL", help="Its issue in a tracker (an http or https link)."
)
@as_option
def follow_up_add(
    ref: str, text: str, owner: str | None, due: Any, link: str, as_user: str
) -> None:
    """Raise a follow-up on an open review (a reviewer, the DRI or an admin).

    A chat message starting with `Follow-up:` raises one too. While it is open, the team whose
    member raised it reads "approved with follow-ups"; it survives the close and reminds its
    owner when due.
    """
    from prr.reviews.follow_ups import raise_follow_up
    from prr.reviews.queries import get_review
    from prr.teams.queries import person_or_team

    raised = raise_follow_up(
        get_review(ref),
        text,
        by=acting_user(as_user),
        owner=person_or_team(owner, what="follow-up's owner") if owner else None,
        due=due.date() if due else None,
        link=link,
    )
    click.echo(f"Follow-up {raised.number} on {raised.review.ref} for {raised.owner_label}.")


@follow_up.command("done")
@click.argument("ref")
@click.argument("number", type=click.IntRange(min=1))
@as_option
def follow_up_done(ref: str, number: int, as_user: str) -> None:
    """Mark a follow-up done (its owner, the DRI or an admin; also after the close).

    After the close it is an addendum to the snapshot.
    """
    from prr.reviews.follow_ups import complete_follow_up
    from prr.reviews.queries import get_review

    done = complete_follow_up(get_review(ref), number, by=acting_user(as_user))
    click.echo(f"Follow-up {done.number} of {done.review.ref} is done.")


@follow_up.command("list")
@click.argument("ref", required=False)
@json_option
def follow_up_list(ref: str | None, as_json: bool) -> None:
    """Open follow-ups, of one review or of all, soonest due first."""
    from prr.reviews.follow_ups import open_follow_ups
    from prr.reviews.queries import get_review
    from prr.reviews.schemas import FollowUpOut

    rows = [FollowUpOut.of(f) for f in open_follow_ups(get_review(ref) if ref else None)]
    if as_json:
        print_json(rows)
        return
    if not rows:
        click.echo("No open follow-ups.")
    for row in rows:
        due = f" due {row.due}" if row.due else ""
        click.echo(f"{row.review} #{row.number} ({row.owner}{due}): {row.text}")


@review.command("restart")
@click.argument("ref")
@as_option
def review_restart(ref: str, as_user: str) -> None:
    """Start the re-review of a closed review: a new review linked to it, its answers copied.

    By its DRI or an admin. The new review starts from the playbook's latest version, with the
    same kind, DRI and reviewers.
    """
    from prr.reviews.queries import get_review
    from prr.reviews.rereview import restart_review

    previous = get_review(ref)
    review = restart_review(previous, by=acting_user(as_user))
    click.echo(
        f"Started {review.ref} as the re-review of {previous.ref}, with its answers to start "
        f"from. When it closes: prr review diff {review.ref} --previous"
    )


@review.command("request-rereview")
@click.argument("ref")
@click.option("--reason", required=True, help="Why it is looked at again before its time.")
@as_option
def review_request_rereview(ref: str, reason: str, as_user: str) -> None:
    """Ask for a re-review of a closed review (admins)."""
    from prr.reviews.queries import get_review
    from prr.reviews.rereview import request_rereview

    review = request_rereview(get_review(ref), by=acting_user(as_user), reason=reason)
    click.echo(f"{review.ref} is due for a re-review.")


@review.command("due")
@json_option
def review_due(as_json: bool) -> None:
    """Closed reviews due for a re-review, and why.

    Why: the playbook's recertify_after_days have passed, a waiver expired, or an admin asked.
    """
    from prr.reviews.rereview import due_for_rereview
    from prr.reviews.schemas import DueOut

    rows = [DueOut.of(d) for d in due_for_rereview()]
    if as_json:
        print_json(rows)
        return
    if not rows:
        click.echo("No review is due for a re-review.")
    for row in rows:
        click.echo(f"{row.ref:<8} @{row.dri:<12} {row.title}: {row.why}")


@review.command("waive")
@click.argument("ref")
@click.argument("item_key")
@click.option("--reason", required=True, help="Why the item is accepted as it is, for now.")
@click.option(
    "--until",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The waiver's last day (YYYY-MM-DD); the item opens again (or a closed review is "
    "flagged for re-review) after it.",
)
@click.option(
    "--owner",
    metavar="USER|TEAM",
    help="Who answers for it: a username or a team slug (default: you).",
)
@as_option
def review_waive(
    ref: str, item_key: str, reason: str, until: Any, owner: str | None, as_user: str
) -> None:
    """Waive an item until a date: it counts as complete for closing meanwhile.

    Where n/a is allowed; an approval only if the playbook says `waivable: true`, and only by an
    admin. Its owner answers for it meanwhile.
    """
    from prr.reviews.queries import get_review
    from prr.reviews.waivers import waive_item
    from prr.teams.queries import person_or_team

    owned_by = person_or_team(owner, what="waiver's owner") if owner else None
    waiver = waive_item(
        get_review(ref),
        item_key,
        by=acting_user(as_user),
        reason=reason,
        until=until.date(),
        owner=owned_by,
    )
    click.echo(
        f"'{waiver.item.title}' is waived until {waiver.expires_on:%Y-%m-%d} "
        f"(owner {waiver.owner_label})."
    )


@review.command("waivers")
@click.option(
    "--expiring",
    type=click.IntRange(min=0),
    metavar="DAYS",
    help="Only those ending within DAYS days.",
)
@json_option
def review_waivers(expiring: int | None, as_json: bool) -> None:
    """Waivers in force across reviews, soonest to end first.

    The same list is at /waivers/ and GET /api/v1/waivers.
    """
    from prr.reviews.schemas import WaiverOut
    from prr.reviews.waivers import active_waivers

    rows = [WaiverOut.of(w) for w in active_waivers(expiring_within=expiring)]
    if as_json:
        print_json(rows)
        return
    if not rows:
        click.echo("No waivers in force.")
    for row in rows:
        click.echo(f"{row.until}  {row.review:<8} {row.title} ({row.owner}): {row.reason}")


@review.command("snooze")
@click.argument("ref")
@click.argument("item_key")
@click.option(
    "--until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="No reminders about the item until the end of this day (YYYY-MM-DD).",
)
@click.option("--clear", is_flag=True, help="Remind about the item again.")
@as_option
def review_snooze(ref: str, item_key: str, until: Any, clear: bool, as_user: str) -> None:
    """Snooze the daily reminders about a due or overdue item.

    No reminders until the end of the --until day; for those who may change the item, and
    admins. --clear reminds again.
    """
    from prr.notifications.reminders import snooze
    from prr.reviews.queries import get_review

    if (until is None) == (not clear):
        raise click.UsageError("Give --until YYYY-MM-DD or --clear (one of them).")
    found = snooze(
        get_review(ref), item_key, until=None if clear else until.date(), by=acting_user(as_user)
    )
    if found is None:
        click.echo(f"Reminders about '{item_key}' are on again.")
    else:
        click.echo(f"No reminders about '{item_key}' until {found.until:%Y-%m-%d} (end of day).")


@review.command("answer")
@click.argument("ref")
@click.argument("section_key")
@click.argument("text", required=False)
@click.option("--file", "file", type=click.File("r"), help="Read the answer (Markdown) from FILE.")
@as_option
def review_answer(ref: str, section_key: str, text: str | None, file: Any, as_user: str) -> None:
    """Answer a section of the review document (TEXT or --file PATH, Markdown)."""
    from prr.reviews.answers import answer_section
    from prr.reviews.queries import get_review

    if (text is None) == (file is None):
        raise click.UsageError("Give the answer as TEXT or with --file PATH (one of them).")
    body = file.read() if file is not None else text
    answer = answer_section(get_review(ref), section_key, body or "", by=acting_user(as_user))
    click.echo(f"Answered '{answer.section_key}' ({len(answer.body)} characters).")


@review.command("close")
@click.argument("ref")
@as_option
@click.option("--force", is_flag=True, help="Admins only: close with required items open.")
@click.option("--reason", default="", help="Why a force-close is justified.")
def review_close(ref: str, as_user: str, force: bool, reason: str) -> None:
    """Close a review whose required items are all done or n/a; writes a snapshot."""
    from prr.reviews.lifecycle import close_review
    from prr.reviews.queries import get_review

    if reason and not force:
        raise click.UsageError("--reason goes with --force.")
    snapshot = close_review(get_review(ref), by=acting_user(as_user), force=force, reason=reason)
    click.echo(
        f"Closed {snapshot.review.ref}. Snapshot v{snapshot.version}, sha256 {snapshot.sha256}."
    )


@review.command("reopen")
@click.argument("ref")
@as_option
@click.option("--reason", required=True, help="Why the review is reopened.")
def review_reopen(ref: str, as_user: str, reason: str) -> None:
    """Reopen a closed or cancelled review (admins); its snapshots are kept."""
    from prr.reviews.lifecycle import reopen_review
    from prr.reviews.queries import get_review

    reopened = reopen_review(get_review(ref), by=acting_user(as_user), reason=reason)
    click.echo(f"Reopened {reopened.ref}.")


@review.command("cancel")
@click.argument("ref")
@as_option
@click.option("--reason", required=True, help="Why the review is cancelled.")
def review_cancel(ref: str, as_user: str, reason: str) -> None:
    """Cancel an open review (the DRI or an admin)."""
    from prr.reviews.lifecycle import cancel_review
    from prr.reviews.queries import get_review

    cancelled = cancel_review(get_review(ref), by=acting_user(as_user), reason=reason)
    click.echo(f"Cancelled {cancelled.ref}.")


@review.command("timeline")
@click.argument("ref")
@json_option
def review_timeline(ref: str, as_json: bool) -> None:
    """Everything that happened to a review, oldest first."""
    from prr.reviews.queries import get_review
    from prr.reviews.schemas import TimelineEventOut

    events = get_review(ref).timeline.select_related("actor", "item").order_by("created_at", "pk")
    if as_json:
        print_json([TimelineEventOut.of(e) for e in events])
        return
    for event in events:
        click.echo(f"{when(event.created_at)}  {event.summary}")


@review.command("diff")
@click.argument("ref")
@click.option(
    "--from",
    "before",
    type=click.IntRange(min=1),
    help="Snapshot version (default: the one before --to).",
)
@click.option(
    "--to", "after", type=click.IntRange(min=1), help="Snapshot version (default: the latest)."
)
@click.option(
    "--previous",
    is_flag=True,
    help="Compare with the review this one re-reviews (its last snapshot with this one's).",
)
@json_option
def review_diff(
    ref: str, before: int | None, after: int | None, previous: bool, as_json: bool
) -> None:
    """What changed between two snapshots of a review: section by section, item by item.

    By default its last two; --previous compares with the review it re-reviews. Both SHA-256
    are shown.
    """
    from prr.reviews.queries import get_review
    from prr.reviews.snapshot_diff import against_previous, diff_snapshots, pick_snapshots

    review = get_review(ref)
    old, new = against_previous(review) if previous else pick_snapshots(review, before, after)
    diff = diff_snapshots(review, old, new)
    if as_json:
        print_json(diff.as_dict())
        return
    names = diff.as_dict()
    was, now = (f"{names[side]['review']} v{names[side]['version']}" for side in ("from", "to"))
    click.echo(f"{review.ref}: snapshot {was} -> {now}")
    click.echo(f"  {was} sha256 {old.sha256}")
    click.echo(f"  {now} sha256 {new.sha256}")
    if diff.unchanged:
        click.echo("No change in the document or the checklist.")
        return
    if diff.sections:
        click.echo("Document:")
        for section in diff.sections:
            click.echo(f"  {section.change:<10} {section.title} ({section.key})")
            for line in section.diff[2:]:  # the ---/+++ header names the versions above
                click.echo(f"      {line}")
    if diff.items:
        click.echo("Checklist:")
        for item in diff.items:
            what = "; ".join(
                f"{name} {before_value or '-'} -> {after_value or '-'}"
                for name, (before_value, after_value) in item.fields.items()
            )
            click.echo(
                f"  {item.change:<10} {item.title} ({item.key})" + (f": {what}" if what else "")
            )


@review.command("export")
@click.argument("ref")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
@click.option("--snapshot", "version", type=int, help="Snapshot version (default: the latest).")
def review_export(ref: str, fmt: str, version: int | None) -> None:
    """Print a closed review's snapshot as Markdown or JSON.

    The JSON carries `sha256` and `content`.
    """
    from prr.reviews.queries import get_review, get_snapshot

    snapshot = get_snapshot(get_review(ref), version)
    if fmt == "json":
        from prr.reviews.schemas import SnapshotOut

        print_json(SnapshotOut.of(snapshot))
    else:
        click.echo(snapshot.markdown, nl=False)
