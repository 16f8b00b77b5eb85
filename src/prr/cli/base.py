"""What every `prr` command shares: Django set up on demand, domain errors as exit codes."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from typing import Any, NoReturn

import click

EXIT_REFUSED = 1


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prr.settings")
    import django

    django.setup()


def fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(EXIT_REFUSED)


class PrrCommand(click.Command):
    """A command that needs Django; refusals become exit status 1 with the reason on stderr."""

    def invoke(self, ctx: click.Context) -> Any:
        from prr.config import ConfigError

        try:
            setup_django()
        except ConfigError as exc:
            fail(str(exc))
        from django.db import DatabaseError, OperationalError, ProgrammingError

        from prr.errors import PrrError, is_database_busy

        try:
            return super().invoke(ctx)
        except PrrError as exc:
            fail(exc.message)
        except OperationalError as exc:
            if is_database_busy(exc):
                fail("The database is busy (another process holds its lock); try again.")
            if "no such table" in str(exc):
                fail("The database is not set up yet; run `prr init` first.")
            fail(f"The database refused the operation: {exc}")
        except ProgrammingError as exc:
            if "does not exist" in str(exc):
                fail("The database is not set up yet; run `prr init` first.")
            fail(f"The database refused the operation: {exc}")
        except DatabaseError as exc:
            fail(f"The database refused the operation: {exc}")
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except BrokenPipeError:
            # The reader went away (`prr review export 1 | head`): not an error of ours.
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
            sys.exit(0)
        except Exception as exc:
            from django.conf import settings

            if settings.DEBUG:
                raise
            fail(
                f"prr failed unexpectedly ({type(exc).__name__}: {exc}). "
                "Run again with PRR_DEBUG=1 to see the traceback, and report it."
            )


class PrrGroup(click.Group):
    command_class = PrrCommand
    group_class = type  # subgroups are PrrGroup too


def print_json(data: Any) -> None:
    """Data (or schemas, written as the REST API writes them) as indented JSON."""
    from prr.representation import as_json

    click.echo(json.dumps(as_json(data), indent=2, ensure_ascii=False, default=str))


def when(value: datetime) -> str:
    """A timestamp in text output: to the second, with its UTC offset."""
    return value.isoformat(timespec="seconds")


def acting_user(username: str) -> Any:
    """The active user named by `--as`."""
    from prr.accounts.services import get_active_user

    return get_active_user(username)


as_option = click.option(
    "--as",
    "as_user",
    metavar="USERNAME",
    required=True,
    help="Act as this user, with this user's permissions.",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
