"""One host at a time: the LDAP sync's lease, claimed with one conditional UPDATE."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from prr.errors import RuleViolation
from prr.integrations.ldap.client import DirectoryError
from prr.integrations.ldap.leases import LEASE_SECONDS, claim_lease, current_lease, release_lease
from prr.integrations.ldap.sync import run_sync, sync_now
from tests.integrations.ldap.conftest import members

pytestmark = pytest.mark.django_db


def test_a_held_lease_refuses_a_second_host_until_it_is_released() -> None:
    assert claim_lease("host-a")
    assert not claim_lease("host-b")

    assert release_lease("host-a", outcome="1 teams: 0 joined, 0 left")

    assert claim_lease("host-b")
    assert current_lease().holder == "host-b"


def test_an_expired_lease_is_taken_over_and_its_old_holder_cannot_release_it() -> None:
    now = timezone.now()
    assert claim_lease("host-a", now=now)
    later = now + timedelta(seconds=LEASE_SECONDS + 1)  # host-a died while syncing

    assert claim_lease("host-b", now=later)
    assert not release_lease("host-a", outcome="late")

    assert current_lease().holder == "host-b"


def test_a_due_claim_waits_for_the_interval_after_the_last_run_on_any_host() -> None:
    now = timezone.now()
    assert claim_lease("host-a", now=now)
    release_lease("host-a", outcome="done", now=now)
    interval = timedelta(seconds=300)

    assert not claim_lease("host-b", due_after=interval, now=now + timedelta(seconds=299))
    assert claim_lease("host-b", due_after=interval, now=now + timedelta(seconds=300))


@pytest.mark.django_db(transaction=True)
def test_of_hosts_claiming_at_the_same_moment_exactly_one_gets_it() -> None:
    claim_lease("warm-up")  # the row exists, as after the first sync
    release_lease("warm-up", outcome="")
    hosts = [f"host-{n}" for n in range(6)]
    start = threading.Barrier(len(hosts))
    won: list[str] = []

    def claim(host: str) -> None:
        try:
            start.wait()
            if claim_lease(host):
                won.append(host)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(h,)) for h in hosts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(won) == 1
    assert current_lease().holder == won[0]


def test_a_sync_while_another_host_syncs_is_refused_and_changes_nothing(
    ldap_settings: Any, link: Any
) -> None:
    link("sre", "sre")
    claim_lease("worker-on-host-b")

    with pytest.raises(RuleViolation, match=r"Another host is syncing with LDAP now \(worker-on"):
        sync_now("cli-host-a")

    assert members("sre") == []


def test_the_lease_records_the_last_run_and_is_free_after_it(ldap_settings: Any, link: Any) -> None:
    link("sre", "sre")

    report = run_sync("host-a", due_after_seconds=300)

    assert members("sre") == ["sam", "sid"]
    assert report is not None
    lease = current_lease()
    assert (lease.holder, lease.outcome) == ("", "1 teams: 2 joined, 0 left")
    assert run_sync("host-b", due_after_seconds=300) is None  # not due yet, on any host


def test_a_failed_run_frees_the_lease_and_records_why(ldap_settings: Any, link: Any) -> None:
    link("sre", "sre")
    ldap_settings.LDAP_BIND_PASSWORD = "wrong"

    with pytest.raises(DirectoryError):
        run_sync("host-a")

    lease = current_lease()
    assert lease.holder == ""
    assert lease.outcome.startswith("failed: The LDAP server")
