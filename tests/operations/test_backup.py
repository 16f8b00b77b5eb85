"""`prr backup` and `prr restore`, as an operator runs them: real processes, a real database.

The restored database has every review, message, timeline event and snapshot, and each
snapshot still matches its SHA-256; a restore never replaces data without --force.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from prr.reviews.channel import post_message
from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import close_review
from prr.reviews.models import Review
from tests.server.conftest import database_url

pytestmark = pytest.mark.django_db(transaction=True)

PRR = [sys.executable, "-c", "from prr.cli import main; main()"]


def run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRR_")}
    env |= {
        "PRR_DATABASE_URL": url,
        "PRR_DATA_DIR": str(Path(url.removeprefix("sqlite:///")).parent)
        if url.startswith("sqlite")
        else os.environ.get("PRR_DATA_DIR", "/tmp"),
        "PRR_SECRET_KEY": "test-only-secret-key-for-backups",
        "DJANGO_SETTINGS_MODULE": "prr.settings",
    }
    return subprocess.run([*PRR, *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """A second, empty database of the suite's kind to restore into."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"{connection.settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield database_url().rsplit("/", 1)[0] + f"/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def a_closed_review(review: Review, dri, sre_member, security_member) -> None:
    post_message(review, author=dri, body="Runbook: wiki/payments-vault")
    post_message(review, author=sre_member, body="SRE review is completed")
    post_message(review, author=security_member, body="Security review is completed")
    for key in ("dashboards", "load-test"):
        set_item_state(review, key, "done", by=dri)
    close_review(review, by=dri)


def test_a_backup_restores_every_review_message_event_and_snapshot(
    review, dri, sre_member, security_member, tmp_path: Path, empty_database: str
) -> None:
    a_closed_review(review, dri, sre_member, security_member)
    source = database_url()
    backup_file = tmp_path / "prr.backup"

    made = run(source, "backup", str(backup_file))
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("Backed up 3 people, 1 reviews, 5 messages, ")
    assert oct(backup_file.stat().st_mode & 0o777) == "0o600"

    restored = run(empty_database, "restore", str(backup_file))
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.splitlines()[-1] == "All 1 snapshots match their SHA-256."

    for what in (["review", "show", "1", "--json"], ["review", "timeline", "1", "--json"]):
        before, after = run(source, *what), run(empty_database, *what)
        assert after.returncode == 0, after.stderr
        assert json.loads(after.stdout) == json.loads(before.stdout)
    exported = json.loads(run(empty_database, "review", "export", "1", "--format", "json").stdout)
    assert exported["sha256"] == review.snapshots.get().sha256


def test_a_restore_never_replaces_data_without_force(
    review, dri, tmp_path: Path, empty_database: str
) -> None:
    source = database_url()
    backup_file = tmp_path / "prr.backup"
    assert run(source, "backup", str(backup_file)).returncode == 0
    assert run(empty_database, "restore", str(backup_file)).returncode == 0

    again = run(empty_database, "restore", str(backup_file))

    assert again.returncode == 1
    assert "The database already holds people or reviews" in again.stderr
    assert "--force" in again.stderr
    forced = run(empty_database, "restore", str(backup_file), "--force")
    assert forced.returncode == 0, forced.stderr


def test_a_backup_does_not_overwrite_a_file(review, tmp_path: Path) -> None:
    existing = tmp_path / "prr.backup"
    existing.write_text("precious")

    refused = run(database_url(), "backup", str(existing))

    assert refused.returncode == 1
    assert f"{existing} already exists; choose another file or add --force." in refused.stderr
    assert existing.read_text() == "precious"


def test_a_file_that_is_not_a_backup_is_refused(tmp_path: Path, empty_database: str) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database")

    refused = run(empty_database, "restore", str(junk))

    assert refused.returncode == 1
    assert "is not a prr backup" in refused.stderr
