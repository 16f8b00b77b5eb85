"""Review kinds are the playbook's own: `kinds: [schema, engine]` for a database playbook."""

from __future__ import annotations

import pytest

from prr.errors import InvalidInput
from prr.playbooks.services import import_playbook
from prr.reviews.starting import start_review
from tests.api.conftest import api_as
from tests.cli.conftest import cli

__all__ = ["api_as", "cli"]

DATABASE_PLAYBOOK = """
slug: database-change
title: Database change review
kinds: [schema, engine]
sections:
  - key: migration
    title: The migration
    questions: ["How long does it lock the table?"]
    kinds: [schema]
  - key: upgrade
    title: The engine upgrade
    questions: ["Which version, and how is it rolled back?"]
    kinds: [engine]
  - key: summary
    title: Summary
    questions: ["What changes?"]
checklists:
  - title: Readiness
    items:
      - key: backfill
        title: Backfill tested on a copy
        kinds: [schema]
      - key: replica-lag
        title: Replica lag watched during the upgrade
        kinds: [engine]
      - key: backup
        title: Backup restored last week
"""


@pytest.fixture
def database_playbook(teams):
    return import_playbook(DATABASE_PLAYBOOK).version


def test_a_review_of_a_kind_gets_that_kinds_items_and_sections(database_playbook, dri) -> None:
    review = start_review(
        version=database_playbook,
        title="Add the index on orders.created_at",
        dri=dri,
        kind="schema",
    )

    assert list(review.items.values_list("key", flat=True)) == ["backfill", "backup"]
    assert [s.key for s in review.document_sections] == ["migration", "summary"]


def test_the_default_kind_is_the_playbooks_first(database_playbook, dri) -> None:
    review = start_review(version=database_playbook, title="Postgres 15 to 16 upgrade", dri=dri)
    assert review.kind == "schema"


def test_a_kind_the_playbook_does_not_have_is_refused_with_its_kinds(
    database_playbook, dri
) -> None:
    with pytest.raises(InvalidInput) as refused:
        start_review(
            version=database_playbook, title="Postgres 15 to 16 upgrade", dri=dri, kind="service"
        )
    assert refused.value.message == (
        "Playbook 'database-change' has no kind 'service' (kinds: schema, engine)."
    )


def test_a_section_kind_the_playbook_does_not_have_is_refused(teams) -> None:
    text = DATABASE_PLAYBOOK.replace("    kinds: [engine]\n", "    kinds: [engine, batch]\n", 1)
    with pytest.raises(InvalidInput) as refused:
        import_playbook(text)
    assert refused.value.details == [
        "line 13: sections[1].kinds: 'batch' is not one of the playbook's kinds (schema, engine)"
    ]


def test_kinds_from_the_cli_and_the_api(database_playbook, dri, api_as, cli) -> None:
    listed = cli("playbook", "list").stdout
    assert "Database change review (kinds: schema, engine)" in listed

    started = cli(
        "review", "start", "--playbook", "database-change", "--kind", "engine",
        "--title", "Postgres 15 to 16 upgrade", "--dri", "dana",
    )  # fmt: skip
    assert started.exit_code == 0, started.stderr
    refused = cli(
        "review", "start", "--playbook", "database-change", "--kind", "service",
        "--title", "Another engine upgrade", "--dri", "dana",
    )  # fmt: skip
    assert refused.exit_code == 1
    assert "has no kind 'service' (kinds: schema, engine)" in refused.stderr

    answer = api_as(dri).post(
        "/reviews",
        {"playbook": "database-change", "kind": "batch", "title": "Nightly batch moves to Spark"},
    )
    assert answer.status_code in (400, 422)
    assert "(kinds: schema, engine)" in answer.json()["message"]


def test_the_start_form_offers_each_playbooks_kinds(database_playbook, default_playbook, dri):
    from tests.web.conftest import signed_in

    browser = signed_in(dri)
    page = browser.get("/reviews/new/").content.decode()
    assert '<option value="schema">Schema</option>' in page
    assert "database-change: schema, engine" in page
    refused = browser.post(
        "/reviews/new/",
        {
            "playbook": database_playbook.pk,
            "kind": "service",
            "title": "Index on orders created_at",
            "dri": "dana",
        },
    )
    assert refused.status_code == 400
    assert "has no kind &#x27;service&#x27; (kinds: schema, engine)" in refused.content.decode()
    start_review(
        version=database_playbook, title="Postgres 16 on the ledger", dri=dri, kind="engine"
    )
    dashboard = browser.get("/").content.decode()
    assert '<option value="engine">Engine</option>' in dashboard  # a kind reviews have
