"""`prr user …` and `prr team …`."""

from __future__ import annotations

import sys

import click

from prr.cli.base import PrrGroup, json_option, print_json


@click.group(cls=PrrGroup)
def user() -> None:
    """People who take part in reviews."""


@user.command("add")
@click.argument("username")
@click.option("--name", default="", help="Display name, e.g. 'Alice Martin'.")
@click.option("--email", default="")
@click.option("--admin", is_flag=True, help="Make the user an admin (Django superuser).")
@click.option(
    "--password-stdin", is_flag=True, help="Read a password from standard input (first line)."
)
def user_add(username: str, name: str, email: str, admin: bool, password_stdin: bool) -> None:
    """Create a user; USERNAME is their @handle."""
    from prr.accounts.services import create_user

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    if password_stdin and not password:
        raise click.UsageError("--password-stdin read an empty password.")
    created = create_user(username, display_name=name, email=email, admin=admin, password=password)
    role = "admin" if created.is_superuser else "user"
    click.echo(f"Created {role} @{created.username} ({created.name}).")
    if not password:
        click.echo(
            "No password set: they can sign in to the web UI once one is set with "
            f"`prr user set-password {created.username} --password-stdin`."
        )


@user.command("list")
@json_option
def user_list(as_json: bool) -> None:
    """List users with their teams."""
    from prr.accounts.models import User
    from prr.accounts.schemas import UserOut

    rows = UserOut.list_of(User.objects.order_by("username"))
    if as_json:
        print_json(rows)
        return
    if not rows:
        click.echo("No users yet. Add one with `prr user add USERNAME`.")
    for row in rows:
        flags = [f for f, on in (("admin", row.admin), ("deactivated", not row.active)) if on]
        extra = f" [{', '.join(flags)}]" if flags else ""
        click.echo(f"@{row.username:<16} {row.name:<24} {', '.join(row.teams)}{extra}")


@user.command("set-password")
@click.argument("username")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input (first line). Required: a password on the "
    "command line would end up in the shell history.",
)
def user_set_password(username: str, password_stdin: bool) -> None:
    """Set a user's password so they can sign in to the web UI."""
    from prr.accounts.services import get_user, set_password

    if not password_stdin:
        raise click.UsageError("Give the password on standard input with --password-stdin.")
    password = sys.stdin.readline().rstrip("\n")
    if not password:
        raise click.UsageError("--password-stdin read an empty password.")
    target = set_password(get_user(username), password)
    click.echo(f"Password set for @{target.username}.")


@user.command("deactivate")
@click.argument("username")
def user_deactivate(username: str) -> None:
    """Deactivate a user: they keep their history but can no longer act."""
    from prr.accounts.services import deactivate_user, get_user

    target = deactivate_user(get_user(username))
    click.echo(f"Deactivated @{target.username}.")


@user.command("unlock")
@click.argument("username", required=False)
@click.option(
    "--address",
    default=None,
    metavar="IP",
    help="Also lift the lock on this client IP address (or only it).",
)
def user_unlock(username: str | None, address: str | None) -> None:
    """Let a user sign in again after too many wrong passwords, before the cool-off ends."""
    from prr.accounts.services import get_user
    from prr.accounts.throttling import unlock_sign_in

    if username is None and address is None:
        raise click.UsageError("Name the user to unlock, or give --address.")
    handle = get_user(username).username if username is not None else None
    removed = unlock_sign_in(handle, address=address)
    what = " and ".join(part for part in (f"@{handle}" if handle else "", address or "") if part)
    if removed:
        click.echo(f"Unlocked {what}: {removed} failed sign-in record(s) forgotten.")
    else:
        click.echo(f"{what} had no failed sign-ins to forget; nothing to unlock.")


@click.group(cls=PrrGroup)
def team() -> None:
    """Teams and their current members (membership decides who may approve)."""


@team.command("add")
@click.argument("slug")
@click.option("--name", default="", help="Display name, e.g. 'SRE'.")
def team_add(slug: str, name: str) -> None:
    """Create a team."""
    from prr.teams.services import create_team

    created = create_team(slug, name=name)
    click.echo(f"Created team {created.slug} ({created.name}).")


@team.command("list")
@json_option
def team_list(as_json: bool) -> None:
    """List teams and their current members."""
    from prr.teams.queries import teams_with_members
    from prr.teams.schemas import TeamOut

    rows = [TeamOut.of(t) for t in teams_with_members()]
    if as_json:
        print_json(rows)
        return
    if not rows:
        click.echo("No teams yet. Run `prr init` or `prr team add SLUG`.")
    for row in rows:
        members = ", ".join(
            [f"@{m}" for m in row.members]
            + [f"@{m} (deactivated)" for m in row.deactivated_members]
        )
        members = members or "(no members)"
        kept = row.directory
        via = f"  [from {kept.source} group '{kept.group}']" if kept else ""
        click.echo(f"{row.slug:<12} {row.name:<16} {members}{via}")


@team.command("link")
@click.argument("slug")
@click.option(
    "--group", required=True, metavar="ID_OR_NAME", help="The directory group's id or name."
)
@click.option(
    "--source",
    required=True,
    type=click.Choice(["scim", "ldap", "oidc"]),
    help="The directory that keeps the group: SCIM pushes, LDAP sync, or the OIDC groups claim.",
)
def team_link(slug: str, group: str, source: str) -> None:
    """Let a directory group keep a team's members; hand changes are refused from then on.

    The current members stay until the directory's next update (a SCIM push, `prr directory
    sync`, or each member's next OIDC sign-in) says otherwise.
    """
    from prr.teams.directory import describe_source, link_team
    from prr.teams.services import get_team

    linked = link_team(get_team(slug), source=source, group=group)
    click.echo(f"Team {linked.name} is now kept by {describe_source(linked)}.")


@team.command("unlink")
@click.argument("slug")
def team_unlink(slug: str) -> None:
    """Keep a team's members by hand in prr again (its current members stay)."""
    from prr.teams.directory import unlink_team
    from prr.teams.services import get_team

    unlinked = unlink_team(get_team(slug))
    click.echo(f"Team {unlinked.name} is kept by hand in prr again.")


@team.command("add-member")
@click.argument("slug")
@click.argument("usernames", nargs=-1, required=True)
def team_add_member(slug: str, usernames: tuple[str, ...]) -> None:
    """Add people to a team (all or none)."""
    from prr.accounts.services import get_user
    from prr.teams.services import add_members, get_team

    target = get_team(slug)
    added = add_members(target, [get_user(name) for name in usernames])
    handles = ", ".join(f"@{m.user.username}" for m in added)
    click.echo(f"Added {handles} to {target.name}.")


@team.command("remove-member")
@click.argument("slug")
@click.argument("usernames", nargs=-1, required=True)
def team_remove_member(slug: str, usernames: tuple[str, ...]) -> None:
    """Remove people from a team; approvals they already gave stay valid."""
    from prr.accounts.services import get_user
    from prr.teams.services import get_team, remove_members

    target = get_team(slug)
    removed = remove_members(target, [get_user(name) for name in usernames])
    handles = ", ".join(f"@{m.user.username}" for m in removed)
    click.echo(f"Removed {handles} from {target.name}.")
