"""`prr playbook …`, `prr init` and the root command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from prr import __version__ as prr_version
from prr.playbooks.models import PlaybookVersion
from prr.teams.models import Team
from tests.cli.conftest import Cli, stdout_json
from tests.conftest import SMALL_PLAYBOOK

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL_PLAYBOOK)
    return path


def write(tmp_path: Path, text: str, name: str = "playbook.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# -- prr playbook import --------------------------------------------------------------------


def test_it_imports_a_playbook_file_as_version_1(
    cli: Cli, teams: dict[str, Team], small_file: Path
) -> None:
    result = cli("playbook", "import", str(small_file))

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Imported small as version 1.\n"


def test_it_reports_an_unchanged_playbook_without_a_new_version(
    cli: Cli, teams: dict[str, Team], small_file: Path
) -> None:
    cli("playbook", "import", str(small_file))

    result = cli("playbook", "import", str(small_file))

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "small is unchanged (version 1).\n"
    assert PlaybookVersion.objects.count() == 1


def test_it_imports_a_changed_playbook_as_the_next_version(
    cli: Cli, teams: dict[str, Team], small_file: Path, tmp_path: Path
) -> None:
    cli("playbook", "import", str(small_file))
    changed = write(
        tmp_path, SMALL_PLAYBOOK.replace("Small readiness review", "Small readiness review, v2")
    )

    result = cli("playbook", "import", str(changed))

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Imported small as version 2.\n"
    assert stdout_json(cli("playbook", "list", "--json")) == [
        {
            "slug": "small",
            "title": "Small readiness review, v2",
            "latest_version": 2,
            "versions": 2,
            "kinds": ["service", "feature", "infrastructure"],
        }
    ]


def test_it_imports_a_playbook_from_stdin(cli: Cli, teams: dict[str, Team]) -> None:
    result = cli("playbook", "import", "-", input=SMALL_PLAYBOOK)

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Imported small as version 1.\n"


def test_it_imports_a_playbook_written_as_json(
    cli: Cli, small_playbook: PlaybookVersion, tmp_path: Path
) -> None:
    spec = yaml.safe_load(SMALL_PLAYBOOK)
    path = write(tmp_path, json.dumps(spec, indent=2), name="small.json")

    result = cli("playbook", "import", str(path))

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "small is unchanged (version 1).\n"


def test_it_refuses_an_invalid_playbook_with_the_path_of_the_error(
    cli: Cli, teams: dict[str, Team], tmp_path: Path
) -> None:
    # The first item of the first checklist gets a misspelt field.
    bad = write(tmp_path, SMALL_PLAYBOOK.replace("owner: dri", "ownr: dri", 1))

    result = cli("playbook", "import", str(bad))

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: The playbook is invalid:\n")
    assert "checklists[0].items[0].ownr: unknown field" in result.stderr
    assert stdout_json(cli("playbook", "list", "--json")) == []


def test_it_refuses_a_playbook_naming_an_unknown_team(
    cli: Cli, teams: dict[str, Team], tmp_path: Path
) -> None:
    bad = write(tmp_path, SMALL_PLAYBOOK.replace("owner: sre", "owner: dba"))

    result = cli("playbook", "import", str(bad))

    assert result.exit_code == 1
    assert "checklists[1].items[0].owner: no team 'dba'" in result.stderr


def test_it_refuses_a_file_that_is_not_yaml(cli: Cli, teams: dict[str, Team], tmp_path: Path):
    bad = write(tmp_path, "slug: small\ntitle: [unclosed\n")

    result = cli("playbook", "import", str(bad))

    assert result.exit_code == 1
    assert "The playbook is not valid YAML: line" in result.stderr


def test_it_refuses_a_missing_file_as_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    result = cli("playbook", "import", str(tmp_path / "nope.yaml"))

    assert result.exit_code == 2
    assert "nope.yaml" in result.stderr


# -- prr playbook export / list -------------------------------------------------------------


@pytest.mark.parametrize("slug", ["small", "prr"])
def test_it_exports_a_playbook_that_reimports_unchanged(
    cli: Cli,
    small_playbook: PlaybookVersion,
    default_playbook: PlaybookVersion,
    tmp_path: Path,
    slug: str,
) -> None:
    exported = cli("playbook", "export", slug)
    assert exported.exit_code == 0, exported.stderr
    assert exported.stdout.startswith(f"slug: {slug}\n")

    result = cli("playbook", "import", str(write(tmp_path, exported.stdout)))

    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{slug} is unchanged (version 1).\n"


def test_it_exports_an_older_version(
    cli: Cli, small_playbook: PlaybookVersion, tmp_path: Path
) -> None:
    cli(
        "playbook",
        "import",
        str(write(tmp_path, SMALL_PLAYBOOK.replace("Small read", "Tiny read"))),
    )

    latest = cli("playbook", "export", "small")
    first = cli("playbook", "export", "small", "--version", "1")

    assert "title: Tiny readiness review\n" in latest.stdout
    assert "title: Small readiness review\n" in first.stdout


def test_it_refuses_to_export_an_unknown_playbook(cli: Cli, small_playbook: PlaybookVersion):
    result = cli("playbook", "export", "nope")

    assert result.exit_code == 1
    assert result.stderr == "Error: No playbook 'nope' (playbooks: small).\n"


def test_it_refuses_to_export_an_unknown_version(cli: Cli, small_playbook: PlaybookVersion):
    result = cli("playbook", "export", "small", "--version", "9")

    assert result.exit_code == 1
    assert "Playbook 'small' has no version 9 (latest: 1)." in result.stderr


def test_it_lists_playbooks_as_json(
    cli: Cli, small_playbook: PlaybookVersion, default_playbook: PlaybookVersion
) -> None:
    rows = stdout_json(cli("playbook", "list", "--json"))

    assert rows == [
        {
            "slug": "prr",
            "title": default_playbook.playbook.title,
            "latest_version": 1,
            "versions": 1,
            "kinds": ["service", "feature", "infrastructure"],
        },
        {
            "slug": "small",
            "title": "Small readiness review",
            "latest_version": 1,
            "versions": 1,
            "kinds": ["service", "feature", "infrastructure"],
        },
    ]


def test_it_lists_playbooks_as_text(cli: Cli, small_playbook: PlaybookVersion) -> None:
    result = cli("playbook", "list")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "small            v1    Small readiness review (kinds: service, feature, infrastructure)\n"
    )


def test_it_says_when_there_are_no_playbooks(cli: Cli) -> None:
    result = cli("playbook", "list")

    assert result.exit_code == 0
    assert "No playbooks yet" in result.stdout


# -- prr init -------------------------------------------------------------------------------


def test_it_initialises_teams_and_the_default_playbook(cli: Cli) -> None:
    result = cli("init")

    assert result.exit_code == 0, result.stderr
    assert "Created teams sre, platform, security, product." in result.stdout
    assert "Loaded playbook prr v1." in result.stdout
    assert [row["slug"] for row in stdout_json(cli("team", "list", "--json"))] == [
        "platform",
        "product",
        "security",
        "sre",
    ]
    assert [row["slug"] for row in stdout_json(cli("playbook", "list", "--json"))] == ["prr"]


def test_it_initialises_again_without_changing_anything(cli: Cli) -> None:
    cli("init")

    result = cli("init")

    assert result.exit_code == 0, result.stderr
    assert "Database schema up to date." in result.stdout
    assert "Created teams" not in result.stdout
    assert "Loaded playbook" not in result.stdout
    assert len(stdout_json(cli("team", "list", "--json"))) == 4
    assert stdout_json(cli("playbook", "list", "--json"))[0]["versions"] == 1


def test_it_initialises_only_the_missing_teams(cli: Cli) -> None:
    cli("team", "add", "sre")

    result = cli("init")

    assert result.exit_code == 0, result.stderr
    assert "Created teams platform, security, product." in result.stdout


# -- the root command -----------------------------------------------------------------------


def test_it_lists_its_commands_in_help(cli: Cli) -> None:
    result = cli("--help")

    assert result.exit_code == 0
    for command in ("init", "serve", "demo", "user", "team", "playbook", "review"):
        assert f"  {command} " in result.stdout


def test_it_prints_its_version(cli: Cli) -> None:
    result = cli("--version")

    assert result.exit_code == 0
    assert result.stdout == f"prr, version {prr_version}\n"


def test_it_refuses_an_unknown_command_as_a_usage_error(cli: Cli) -> None:
    result = cli("frobnicate")

    assert result.exit_code == 2
    assert "No such command 'frobnicate'" in result.stderr
