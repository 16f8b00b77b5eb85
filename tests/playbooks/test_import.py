"""Importing a playbook file: versions, idempotence, export round trip, who may import."""

from __future__ import annotations

import json

import pytest
import yaml

from prr.accounts.models import User
from prr.accounts.services import deactivate_user
from prr.errors import PermissionDenied
from prr.playbooks.models import Playbook, PlaybookVersion
from prr.playbooks.services import get_playbook, get_version, import_playbook
from prr.playbooks.yaml_format import to_yaml
from prr.teams.models import Team
from tests.conftest import SMALL_PLAYBOOK

pytestmark = pytest.mark.usefixtures("teams")


def test_it_creates_version_1_on_first_import() -> None:
    result = import_playbook(SMALL_PLAYBOOK)

    assert result.created is True
    assert result.version.number == 1
    playbook = get_playbook("small")
    assert playbook.title == "Small readiness review"
    assert get_version(playbook) == result.version
    assert [item.key for _, item in result.version.spec.items()] == [
        "dashboards",
        "load-test",
        "tracing",
        "sre-review",
        "security-review",
        "product-review",
    ]


def test_it_accepts_the_file_as_bytes() -> None:
    result = import_playbook(SMALL_PLAYBOOK.encode())
    assert (result.created, result.version.number) == (True, 1)


def test_it_creates_nothing_when_the_same_content_is_imported_again() -> None:
    first = import_playbook(SMALL_PLAYBOOK).version

    again = import_playbook(SMALL_PLAYBOOK)

    assert again.created is False
    assert again.version == first
    assert again.version.number == 1
    assert PlaybookVersion.objects.count() == 1


def test_it_creates_nothing_when_only_the_formatting_changed() -> None:
    first = import_playbook(SMALL_PLAYBOOK).version
    reformatted = "# Same playbook, other layout\n" + yaml.safe_dump(
        yaml.safe_load(SMALL_PLAYBOOK), sort_keys=True, default_flow_style=True
    )

    again = import_playbook(reformatted)

    assert (again.created, again.version) == (False, first)


def test_it_creates_version_2_when_the_content_changed_and_the_title_follows() -> None:
    first = import_playbook(SMALL_PLAYBOOK).version
    changed = SMALL_PLAYBOOK.replace(
        "title: Small readiness review", "title: Small launch readiness review"
    ).replace("title: Dashboards linked", "title: Dashboards linked from the runbook")

    result = import_playbook(changed)

    assert result.created is True
    assert result.version.number == 2
    assert get_playbook("small").title == "Small launch readiness review"
    assert get_version(get_playbook("small")) == result.version
    first.refresh_from_db()
    assert first.spec.items()[0][1].title == "Dashboards linked"
    assert result.version.spec.items()[0][1].title == "Dashboards linked from the runbook"
    assert Playbook.objects.count() == 1


def test_it_reimports_its_own_export_as_the_same_version(
    small_playbook: PlaybookVersion,
) -> None:
    exported = to_yaml(small_playbook.spec)

    result = import_playbook(exported)

    assert exported.startswith("slug: small\ntitle: Small readiness review\n")
    assert (result.created, result.version) == (False, small_playbook)


def test_it_imports_a_json_file_as_the_same_version_as_its_yaml(teams: dict[str, Team]) -> None:
    as_json = json.dumps(yaml.safe_load(SMALL_PLAYBOOK), indent=2)

    from_json = import_playbook(as_json)
    from_yaml = import_playbook(SMALL_PLAYBOOK)

    assert (from_json.created, from_json.version.number) == (True, 1)
    assert len(from_json.version.spec.items()) == 6
    assert (from_yaml.created, from_yaml.version) == (False, from_json.version)


def test_it_lets_an_admin_import_and_records_who_did(admin: User) -> None:
    result = import_playbook(SMALL_PLAYBOOK, by=admin)

    assert result.created is True
    assert result.version.created_by == admin


def test_it_lets_the_operator_import_without_a_user() -> None:
    result = import_playbook(SMALL_PLAYBOOK, by=None)

    assert result.created is True
    assert result.version.created_by is None


def test_it_refuses_an_import_by_someone_who_is_not_an_admin(dri: User) -> None:
    with pytest.raises(PermissionDenied) as info:
        import_playbook(SMALL_PLAYBOOK, by=dri)

    assert info.value.message == "Only an admin can import playbooks."
    assert not Playbook.objects.exists()


def test_it_refuses_an_import_by_a_deactivated_admin(admin: User) -> None:
    deactivate_user(admin)

    with pytest.raises(PermissionDenied):
        import_playbook(SMALL_PLAYBOOK, by=admin)

    assert not Playbook.objects.exists()
