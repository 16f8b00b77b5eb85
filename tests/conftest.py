"""Personas and a small playbook shared by the whole suite.

The personas: `dri` (Dana, who runs the review), `sre_member` (Sam, in team SRE),
`security_member` (Sid, in team Security), `outsider` (Oscar, in no team) and `admin` (Ada).
"""

from __future__ import annotations

import os

import pytest

from prr.accounts.models import User
from prr.accounts.services import create_user
from prr.playbooks.models import PlaybookVersion
from prr.playbooks.services import import_playbook, load_default_playbook
from prr.reviews.models import Review
from prr.reviews.starting import start_review
from prr.teams.models import Team
from prr.teams.services import add_members, ensure_default_teams

SMALL_PLAYBOOK = """
slug: small
title: Small readiness review
kinds: [service, feature, infrastructure]
sections:
  - key: summary
    title: Summary
    questions: ["What is being launched, and for whom?"]
  - key: architecture
    title: Architecture
    questions: ["Which services does it depend on?", "What happens when each is down?"]
checklists:
  - title: Readiness
    items:
      - key: dashboards
        title: Dashboards linked
        owner: dri
      - key: load-test
        title: Load test done
        owner: dri
        kinds: [service]
      - key: tracing
        title: Tracing enabled
        owner: dri
        required: false
  - title: Approvals
    items:
      - key: sre-review
        title: SRE review
        owner: sre
        task_actions:
          - {phrases: ["SRE review is completed"], team: sre, then: done}
          - {phrases: ["SRE review is reopened"], team: sre, then: reopen}
      - key: security-review
        title: Security review
        owner: security
        task_actions:
          - {phrases: ["Security review is completed"], team: security, then: done}
          - {phrases: ["Security review is reopened"], team: security, then: reopen}
      - key: product-review
        title: Product review
        owner: product
        required: false
        task_actions:
          - {phrases: ["Product review is completed"], team: product, then: done}
"""

# The suite's fake chat servers and webhook receivers listen on 127.0.0.1, which prr refuses
# to send to by default: allowed here (and for the processes the tests start) once;
# tests/hardening turns it off again to test the refusal.
os.environ.setdefault("PRR_OUTGOING_ALLOW_PRIVATE", "true")


# The suite runs on SQLite and on PostgreSQL; some tests need one of them.
ONLY_ON = {"postgres_only": "postgresql", "sqlite_only": "sqlite"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.db import connection

    for item in items:
        for marker, vendor in ONLY_ON.items():
            found = item.get_closest_marker(marker)
            if found is not None and connection.vendor != vendor:
                why = found.kwargs.get("reason") or f"runs on {vendor} only"
                item.add_marker(pytest.mark.skip(reason=why))


@pytest.fixture(autouse=True)
def _outgoing_to_loopback_allowed(settings) -> None:
    settings.OUTGOING_ALLOW_PRIVATE = True


@pytest.fixture
def teams(db: None) -> dict[str, Team]:
    ensure_default_teams()
    return {team.slug: team for team in Team.objects.all()}


@pytest.fixture
def small_playbook(teams: dict[str, Team]) -> PlaybookVersion:
    return import_playbook(SMALL_PLAYBOOK).version


@pytest.fixture
def default_playbook(teams: dict[str, Team]) -> PlaybookVersion:
    return load_default_playbook().version


@pytest.fixture
def dri(db: None) -> User:
    return create_user("dana", display_name="Dana Reyes")


@pytest.fixture
def sre_member(teams: dict[str, Team]) -> User:
    user = create_user("sam", display_name="Sam Okafor")
    add_members(teams["sre"], [user])
    return user


@pytest.fixture
def security_member(teams: dict[str, Team]) -> User:
    user = create_user("sid", display_name="Sid Kapoor")
    add_members(teams["security"], [user])
    return user


@pytest.fixture
def outsider(db: None) -> User:
    return create_user("oscar", display_name="Oscar Vidal")


@pytest.fixture
def admin(db: None) -> User:
    return create_user("ada", display_name="Ada Admin", admin=True)


@pytest.fixture
def review(small_playbook: PlaybookVersion, dri: User) -> Review:
    """An open service review of the small playbook, DRI Dana."""
    return start_review(
        version=small_playbook,
        title="Payments API: move card tokenisation to the vault",
        dri=dri,
        kind="service",
    )
