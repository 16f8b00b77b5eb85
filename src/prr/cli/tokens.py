"""`prr token …`: personal API tokens."""

from __future__ import annotations

import click

from prr.cli.base import PrrGroup


@click.group(cls=PrrGroup)
def token() -> None:
    """Personal API tokens, sent as `Authorization: Bearer …` to the REST API."""
