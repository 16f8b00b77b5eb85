"""`prr check`: what to change before production, in prr's own settings' names."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from prr.operations import heartbeats
from tests.cli.conftest import Cli


def test_it_lists_what_to_change_with_the_prr_setting_that_fixes_it(cli: Cli) -> None:
    result = cli("check")

    assert result.exit_code == 1
    assert (
        "- security.W012: set PRR_BASE_URL=https://…: prr then marks the session cookie secure"
        in result.stdout
    )
    assert "- prr: PRR_BASE_URL is http://" in result.stdout
    assert "- prr: No `prr worker` was seen in the last minutes" in result.stdout
    assert "things to change before production (above)." in result.stderr


def test_an_https_setup_with_a_worker_passes_django_s_checks(cli: Cli, settings: Any) -> None:
    settings.DEBUG = False
    settings.BASE_URL = "https://prr.example.com"
    settings.ALLOWED_HOSTS = ["prr.example.com"]
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECRET_KEY = "k" * 60 + "-a-long-random-production-key"
    heartbeats.beat("host-a-1", timezone.now())

    result = cli("check")

    assert "security." not in result.stdout
    assert "PRR_BASE_URL is" not in result.stdout
    assert "No `prr worker`" not in result.stdout
