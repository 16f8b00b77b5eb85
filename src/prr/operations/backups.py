"""`prr backup` and `prr restore`: the whole database to one file and back.

SQLite is copied with its online backup API (a consistent copy while the server and workers
keep writing); PostgreSQL with `pg_dump --format=custom` and `pg_restore`. A restore refuses to
replace a database that holds people or reviews unless told to (`force`), and checks afterwards
that every snapshot still matches its SHA-256.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connections

from prr.errors import InvalidInput, RuleViolation

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


@dataclass(frozen=True)
class Contents:
    """What a database holds, in the words of a person checking a backup."""

    users: int
    reviews: int
    messages: int
    timeline_events: int
    snapshots: int
    snapshots_verified: int

    def summary(self) -> str:
        return (
            f"{self.users} people, {self.reviews} reviews, {self.messages} messages, "
            f"{self.timeline_events} timeline events, {self.snapshots} snapshots"
        )


def engine() -> str:
    return "sqlite" if connections["default"].vendor == "sqlite" else "postgresql"


def contents() -> Contents:
    from prr.accounts.models import User
    from prr.reviews.models import Message, Review, Snapshot, TimelineEvent
    from prr.reviews.snapshot import content_sha256

    snapshots = list(Snapshot.objects.only("content", "sha256"))
    return Contents(
        users=User.objects.count(),
        reviews=Review.objects.count(),
        messages=Message.objects.count(),
        timeline_events=TimelineEvent.objects.count(),
        snapshots=len(snapshots),
        snapshots_verified=sum(content_sha256(s.content) == s.sha256 for s in snapshots),
    )


def holds_data() -> bool:
    """Whether the database has people or reviews a restore would destroy."""
    from prr.accounts.models import User
    from prr.reviews.models import Review

    try:
        return User.objects.exists() or Review.objects.exists()
    except DatabaseError:  # no schema yet: an empty database
        connections["default"].close()
        return False


def backup(path: Path, *, force: bool = False) -> Contents:
    if path.exists() and not force:
        raise RuleViolation(f"{path} already exists; choose another file or add --force.")
    if not path.parent.is_dir():
        raise InvalidInput(f"The folder {path.parent} does not exist.")
    if engine() == "sqlite":
        _sqlite_backup(path)
    else:
        _pg(["pg_dump", "--format=custom", "--no-owner", "--file", str(path)])
    os.chmod(path, 0o600)  # it holds everything, tokens' hashes included
    return contents()


def restore(path: Path, *, force: bool = False) -> Contents:
    if not path.is_file():
        raise InvalidInput(f"No backup file {path}.")
    with path.open("rb") as file:
        head = file.read(16)
    kind = (
        "sqlite"
        if head.startswith(SQLITE_MAGIC)
        else "postgresql"
        if head.startswith(PG_DUMP_MAGIC)
        else ""
    )
    if not kind:
        raise InvalidInput(f"{path} is not a prr backup (neither SQLite nor a pg_dump file).")
    if kind != engine():
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise RuleViolation(
            f"{path} is a {names[kind]} backup, but this prr uses {names[engine()]}; restore it "
            "with the same kind of database."
        )
    if holds_data() and not force:
        raise RuleViolation(
            "The database already holds people or reviews; a restore replaces all of it. Add "
            "--force to do so (make a backup of it first)."
        )
    connections.close_all()
    if kind == "sqlite":
        _sqlite_restore(path)
    else:
        _pg(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                str(settings.DATABASES["default"]["NAME"]),
                str(path),
            ]
        )
    return contents()


def _sqlite_backup(path: Path) -> None:
    source = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
    target = sqlite3.connect(str(path))
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _sqlite_restore(path: Path) -> None:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master")}
        if "django_migrations" not in tables or "reviews_review" not in tables:
            raise InvalidInput(f"{path} is an SQLite file, but not a prr database.")
        target = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]), timeout=30)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


def _pg(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise RuleViolation(
            f"`{command[0]}` is not installed; install PostgreSQL's client tools "
            "(Debian: apt-get install postgresql-client)."
        )
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if db.get(key):
            env[variable] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    if command[0] == "pg_dump":
        command = [*command, str(db["NAME"])]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        said = done.stderr.strip().splitlines()
        raise RuleViolation(f"{command[0]} failed: {said[-1] if said else done.returncode}")
