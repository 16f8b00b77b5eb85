"""Run the `prr` command line in-process, against the test database."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner, Result

from prr.cli import prr

Cli = Callable[..., Result]


@pytest.fixture
def cli(db: None, settings: Any) -> Cli:
    """`cli("review", "show", "1")` runs `prr review show 1`; `input=` feeds standard input.

    DEBUG makes an unexpected exception fail the test with its traceback, instead of
    becoming the CLI's "prr failed unexpectedly" message. A fast password hasher keeps
    `user add --password-stdin` and `prr demo` quick.
    """
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(prr, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def no_serving(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any attempt to start the web server fail the test instead of blocking it."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the command tried to serve")

    monkeypatch.setattr("prr.cli.server.run_gunicorn", refuse)


def stdout_json(result: Result) -> Any:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)
