"""The `prr` command line: an operator tool on the server, one command per step."""

from __future__ import annotations

import click

from prr import __version__
from prr.cli.backup import backup, restore
from prr.cli.base import PrrGroup
from prr.cli.chat import chat, review_link, review_unlink, user_link, user_unlink
from prr.cli.check import check
from prr.cli.directory import directory
from prr.cli.people import team, user
from prr.cli.playbooks import playbook
from prr.cli.prune import prune
from prr.cli.reports import report
from prr.cli.reviews import review
from prr.cli.server import demo, init, serve
from prr.cli.tokens import token
from prr.cli.webhooks import webhook
from prr.cli.worker import worker
from prr.integrations.scim.cli import scim


@click.group(cls=PrrGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="prr")
def prr() -> None:
    """prr: Production Readiness Reviews from the command line.

    Settings come from PRR_* environment variables (PRR_DATA_DIR, PRR_DATABASE_URL, …).
    Exit status: 0 done, 1 refused (the reason is on stderr), 2 usage error.
    """


for command in (init, serve, demo, worker, user, team, playbook, review, token, webhook, chat):
    prr.add_command(command)
review.add_command(review_link)
review.add_command(review_unlink)
user.add_command(user_link)
user.add_command(user_unlink)
prr.add_command(scim)
prr.add_command(backup)
prr.add_command(restore)
prr.add_command(check)
prr.add_command(directory)
prr.add_command(prune)
prr.add_command(report)


def main() -> None:
    prr()
