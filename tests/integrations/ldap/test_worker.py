"""`prr worker` syncs LDAP groups by itself: two real workers, one sync, one host at a time."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from prr.cli.directory import start_directory_sync
from prr.integrations.ldap.leases import current_lease
from tests.integrations.ldap.conftest import BIND_DN, BIND_PASSWORD, GROUPS, PEOPLE, Slapd, members
from tests.server.conftest import database_url

PRR = [sys.executable, "-c", "from prr.cli import main; main()"]


@pytest.mark.django_db(transaction=True)
def test_two_workers_sync_the_groups_once_between_them(
    slapd: Slapd, link: Any, tmp_path: Path
) -> None:
    link("sre", "sre")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRR_")} | {
        "PRR_DATA_DIR": str(tmp_path),
        "PRR_DATABASE_URL": database_url(),
        "PRR_SECRET_KEY": "test-only-secret-key-for-the-workers",
        "PRR_LDAP_URL": slapd.url,
        "PRR_LDAP_BIND_DN": BIND_DN,
        "PRR_LDAP_BIND_PASSWORD": BIND_PASSWORD,
        "PRR_LDAP_USER_BASE_DN": PEOPLE,
        "PRR_LDAP_GROUP_BASE_DN": GROUPS,
        "PRR_LDAP_SYNC_INTERVAL": "3600",
    }
    logs = [tmp_path / f"worker-{n}.log" for n in range(2)]
    workers = []
    for log in logs:
        with log.open("w") as out:
            workers.append(
                subprocess.Popen(
                    [*PRR, "worker", "--interval", "0.2"],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and members("sre") != ["sam", "sid"]:
            time.sleep(0.2)
        time.sleep(1)  # time for a second sync, which must not happen
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)

    output = "".join(log.read_text() for log in logs)
    assert members("sre") == ["sam", "sid"], output
    assert output.count("Syncing LDAP groups every 3600s") == 2
    assert output.count("LDAP sync sre: 2 joined (@sam, @sid)") == 1, output
    assert current_lease().holder == ""


def test_a_worker_without_ldap_settings_does_not_sync(settings: Any) -> None:
    import threading

    settings.LDAP_URL = ""

    assert start_directory_sync(threading.Event(), "worker-1") is False
