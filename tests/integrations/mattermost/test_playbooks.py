"""Playbooks from Mattermost Playbooks' JSON export, and prr playbooks exported to it.

The fixtures are shaped like what Mattermost writes: `product-release.json` is its "Product
Release" template as the Export button writes it (version 1, only exported fields);
`incident-resolution.json` is its "Incident Resolution" template as the REST API returns it
(ids, run state, user ids, empty task actions); `launch-review.json` is a launch review whose
sign-offs are completed by keywords bound to users.

`blank.json` is the "Blank" template (webapp/src/components/templates/template_data.tsx, built
on emptyPlaybook/emptyChecklist/emptyChecklistItem in webapp/src/types/playbook.ts: one "Default
Section" whose one item has an empty title) after someone added two items, as the Export writes
it: server/app/export.go keeps the fields tagged `export` in server/app/playbook.go, leaves out
every zero value (so the title-less item is `{}` and `channel_mode` 0 is absent), and Go's
MarshalIndent sorts the keys and indents by four spaces. `conditional-migration.json` is an
Export with property fields and conditions (ExportPropertyField and ExportCondition in
export.go, ConditionExprV1 in server/app/condition.go) whose items carry `condition_id` and
`condition_action`, as TestGeneratePlaybookExportWithProperties in export_test.go shows.
`mattermost_export` below does to a playbook what that Export does.
"""

from __future__ import annotations

import copy
import html
import json
from pathlib import Path
from typing import Any

import pytest

from prr.accounts.models import User
from prr.errors import InvalidInput, PermissionDenied
from prr.integrations.mattermost.playbooks import (
    Conversion,
    import_mattermost_playbook,
    mattermost_from_spec,
    spec_from_mattermost,
)
from prr.playbooks.models import Playbook, PlaybookVersion
from prr.playbooks.services import get_playbook, get_version
from prr.playbooks.spec import KINDS, PlaybookSpec, TaskAction
from prr.playbooks.yaml_format import MAX_FILE_BYTES, parse_spec, to_yaml
from prr.teams.models import Team
from prr.web.markdown import render_markdown
from tests.cli import conftest as cli_conftest
from tests.cli.conftest import Cli, stdout_json

FIXTURES = Path(__file__).parent / "fixtures"
TEAMS = {"sre": "SRE", "platform": "Platform", "security": "Security", "product": "Product"}
DAY_MS = 86_400_000

cli = cli_conftest.cli  # `prr …` in-process, as in tests/cli/


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def conversion(
    data: dict[str, Any] | str,
    owners: dict[str, str] | None = None,
    slug: str | None = None,
    teams: dict[str, str] = TEAMS,
) -> Conversion:
    text = data if isinstance(data, str) else json.dumps(data)
    return spec_from_mattermost(text, owners or {}, slug, teams=teams)


def convert(
    data: dict[str, Any] | str,
    owners: dict[str, str] | None = None,
    slug: str | None = None,
    teams: dict[str, str] = TEAMS,
) -> PlaybookSpec:
    return conversion(data, owners, slug, teams).spec


# The fields server/app/playbook.go tags `export` (every other one is `export:"-"`).
PLAYBOOK_EXPORTED = {
    "title", "description", "reminder_message_template", "reminder_timer_default_seconds",
    "status_update_enabled", "message_on_join", "message_on_join_enabled",
    "retrospective_reminder_interval_seconds", "retrospective_template", "retrospective_enabled",
    "signal_any_keywords", "signal_any_keywords_enabled", "categorize_channel_enabled",
    "category_name", "run_summary_template_enabled", "run_summary_template",
    "channel_name_template", "create_channel_member_on_new_participant",
    "remove_channel_member_on_removed_participant", "channel_id", "channel_mode",
    "run_number_prefix", "owner_group_only_actions", "new_channel_only", "auto_archive_channel",
}  # fmt: skip
ITEM_EXPORTED = {
    "title",
    "assignee_type",
    "assignee_property_field_id",
    "command",
    "description",
    "due_date",
    "condition_id",
    "condition_action",
}  # fmt: skip; not task_actions: `export:"-"`


def mattermost_export(imported: dict[str, Any]) -> dict[str, Any]:
    """What Mattermost's Export writes for a playbook imported from `imported`: its import
    (importPlaybook in server/api/playbooks.go) stores the playbook as given, and
    GeneratePlaybookExport (server/app/export.go) keeps the `export`-tagged fields that are not
    zero, checklist titles and items, metrics and version 1."""

    def kept(data: dict[str, Any], fields: set[str]) -> dict[str, Any]:
        return {k: v for k, v in data.items() if k in fields and v not in ("", 0, False, None, [])}

    exported = kept(imported, PLAYBOOK_EXPORTED)
    exported["version"] = 1
    exported["metrics"] = imported.get("metrics") or []
    exported["checklists"] = [
        {
            **kept(checklist, {"title"}),
            "items": [kept(i, ITEM_EXPORTED) for i in checklist["items"]],
        }
        for checklist in imported["checklists"]
    ]
    return exported


def refusal(
    data: dict[str, Any] | str | bytes,
    owners: dict[str, str] | None = None,
    teams: dict[str, str] = TEAMS,
) -> str:
    text = data if isinstance(data, str | bytes) else json.dumps(data)
    with pytest.raises(InvalidInput) as caught:
        spec_from_mattermost(text, owners or {}, None, teams=teams)
    return caught.value.message


def item(spec: PlaybookSpec, title: str) -> Any:
    return next(item for _, item in spec.items() if item.title == title)


def keywords_action(keywords: list[str], user_ids: list[str], enabled: bool = True) -> Any:
    return {
        "trigger": {
            "type": "keywords_by_users",
            "payload": json.dumps({"keywords": keywords, "user_ids": user_ids}),
        },
        "actions": [{"type": "mark_item_as_done", "payload": json.dumps({"enabled": enabled})}],
    }


def write(tmp_path: Path, data: dict[str, Any] | str, name: str = "playbook.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


QA = {"QA sign-off": "product"}  # the launch review's one sign-off whose keywords name no team


# -- Mattermost's own example playbooks ------------------------------------------------------


def test_it_converts_mattermosts_product_release_playbook() -> None:
    source = fixture("product-release.json")

    spec = convert(source)

    assert (spec.slug, spec.title) == ("product-release", "Product Release")
    assert spec.description == source["description"]
    assert spec.kinds == list(KINDS)
    assert spec.sections == []
    assert [c.title for c in spec.checklists] == [c["title"] for c in source["checklists"]]
    assert [[i.title for i in c.items] for c in spec.checklists] == [
        [i["title"] for i in c["items"]] for c in source["checklists"]
    ]
    # No task actions in Mattermost: every item is the DRI's, required, and may be n/a.
    assert {(i.owner, i.required, i.allow_na, i.is_approval) for _, i in spec.items()} == {
        ("dri", True, True, False)
    }


def test_it_converts_incident_resolution_from_the_rest_api_shape() -> None:
    spec = convert(fixture("incident-resolution.json"))

    assert (spec.slug, len(spec.items())) == ("incident-resolution", 14)
    assert item(spec, "Start bridge call").description == "Mattermost command: `/zoom start`"
    assert item(spec, "Create an incident ticket").description == (
        "Mattermost command: `/jira create`"
    )
    assert item(spec, "Assign severity in description (ie. #sev-2)").key == (
        "assign-severity-in-description-ie-sev-2"
    )


# -- keywords become phrases, owned by a team -------------------------------------------------


def test_it_turns_keywords_into_phrases_of_the_team_they_name() -> None:
    spec = convert(fixture("launch-review.json"), QA)

    sre = item(spec, "SRE review")
    assert (sre.owner, sre.allow_na, sre.is_approval) == ("sre", False, True)
    assert sre.task_actions == [
        TaskAction(phrases=["SRE review is completed"], team="sre", then="done")
    ]
    assert sre.description == "SRE checks dashboards, alerts and the runbook."
    security = item(spec, "Security sign-off")
    assert security.task_actions == [
        TaskAction(
            phrases=["Security review is completed", "security approved"],
            team="security",
            then="done",
        )
    ]


def test_it_names_a_team_by_its_name_as_well_as_its_slug() -> None:
    source = fixture("launch-review.json")
    source["checklists"][1]["items"][2]["task_actions"] = [
        keywords_action(["Database review is completed"], ["dbaid"])
    ]

    spec = convert(source, teams={**TEAMS, "dba": "Database"})

    assert item(spec, "QA sign-off").owner == "dba"


def test_it_needs_whole_words_to_name_a_team() -> None:
    source = fixture("launch-review.json")
    source["checklists"][1]["items"][2]["task_actions"] = [
        keywords_action(["Platforms and presre checks pass"], [])
    ]

    assert '--owner "QA sign-off=TEAM"' in refusal(source)


def test_it_rounds_a_relative_due_date_up_to_whole_days() -> None:
    spec = convert(fixture("launch-review.json"), QA)

    assert item(spec, "Dashboards linked").due_days == 7  # 7 days exactly
    assert item(spec, "Runbook reviewed").due_days == 2  # a day and a half
    assert item(spec, "QA sign-off").due_days == 1
    assert item(spec, "Feature flag created").due_days is None  # 0: no due date


def test_it_ignores_keywords_whose_mark_as_done_is_disabled() -> None:
    spec = convert(fixture("launch-review.json"), QA)

    go = item(spec, "Go/no-go call")
    assert (go.key, go.owner, go.task_actions) == ("go-no-go-call", "dri", [])


def test_it_refuses_keywords_that_name_no_team_listing_every_item_to_map() -> None:
    source = fixture("launch-review.json")
    source["checklists"][0]["items"][0]["task_actions"] = [
        keywords_action(["dashboards look good"], ["s4mkq8o3cbrm5ny7wz1xt6ejha"])
    ]

    message = refusal(source)

    lines = message.splitlines()
    assert lines[0].startswith(
        "2 items of the Mattermost playbook are completed by keywords, and prr cannot tell "
        "which team approves them"
    )
    assert "(teams: platform, product, security, sre;" in lines[0]
    assert lines[1:] == [
        '  --owner "Dashboards linked=TEAM"   (Before launch; keywords "dashboards look good")',
        '  --owner "QA sign-off=TEAM"   (Sign-offs; keywords "QA approved")',
    ]


def test_it_asks_for_an_owner_when_keywords_name_several_teams() -> None:
    source = fixture("launch-review.json")
    source["checklists"][1]["items"][0]["task_actions"] = [
        keywords_action(["SRE and Security review is completed"], [])
    ]

    message = refusal(source, QA)

    assert '--owner "SRE review=TEAM"' in message
    assert "names several teams: security, sre" in message


def test_it_quotes_the_owner_option_for_the_shell() -> None:
    source = fixture("launch-review.json")
    source["checklists"][1]["items"][2]["title"] = 'QA says "ship $it"'

    assert r'--owner "QA says \"ship \$it\"=TEAM"' in refusal(source)


# -- --owner ----------------------------------------------------------------------------------


def test_owner_maps_an_item_by_title_ignoring_case_and_a_team_by_slug_or_name() -> None:
    spec = convert(fixture("launch-review.json"), {"qa SIGN-OFF": "Product"})

    qa = item(spec, "QA sign-off")
    assert qa.owner == "product"
    assert qa.task_actions == [TaskAction(phrases=["QA approved"], team="product", then="done")]


def test_owner_overrides_the_team_a_phrase_names() -> None:
    spec = convert(fixture("launch-review.json"), {**QA, "SRE review": "platform"})

    assert item(spec, "SRE review").task_actions == [
        TaskAction(phrases=["SRE review is completed"], team="platform", then="done")
    ]


def test_owner_dri_makes_an_item_the_dris_and_drops_its_keywords() -> None:
    spec = convert(fixture("launch-review.json"), {"QA sign-off": "dri"})

    qa = item(spec, "QA sign-off")
    assert (qa.owner, qa.task_actions, qa.allow_na) == ("dri", [], True)


def test_owner_gives_a_team_an_item_without_keywords() -> None:
    spec = convert(fixture("launch-review.json"), {**QA, "Runbook reviewed": "sre"})

    runbook = item(spec, "Runbook reviewed")
    assert (runbook.owner, runbook.task_actions, runbook.allow_na) == ("sre", [], False)


def test_it_refuses_an_owner_for_an_unknown_item_or_team_with_everything_else() -> None:
    message = refusal(fixture("launch-review.json"), {"QA sign-off": "qa", "Deploy": "sre"})

    assert message.splitlines()[:2] == [
        "--owner \"QA sign-off=qa\": no team 'qa' (teams: platform, product, security, sre).",
        '--owner "Deploy=sre": the playbook has no item titled "Deploy".',
    ]
    assert '--owner "QA sign-off=TEAM"' in message  # still unmapped: its team is unknown


# -- slugs and keys ---------------------------------------------------------------------------


def test_it_takes_the_slug_given() -> None:
    assert convert(fixture("product-release.json"), slug="release").slug == "release"


@pytest.mark.parametrize("slug", ["Release", "-release", "release_2", "x" * 65, ""])
def test_it_refuses_a_slug_that_is_not_one(slug: str) -> None:
    with pytest.raises(InvalidInput, match=f"--slug '{slug}' is not a playbook slug"):
        convert(fixture("product-release.json"), slug=slug)


def test_it_makes_a_slug_of_at_most_64_characters_from_a_long_title() -> None:
    source = fixture("product-release.json")
    source["title"] = "Release train for the mobile apps and the desktop app, " * 3

    slug = convert(source).slug

    assert len(slug) <= 64
    assert slug.startswith("release-train-for-the-mobile-apps")
    assert not slug.endswith("-")


def test_it_asks_for_a_slug_when_the_title_gives_none() -> None:
    source = fixture("product-release.json")
    source["title"] = "🚀 🚀"

    assert refusal(source) == 'Cannot make a slug from the title "🚀 🚀"; give one with --slug.'


def test_it_keeps_item_keys_unique_when_titles_repeat() -> None:
    source = fixture("product-release.json")
    source["checklists"][1]["items"][0]["title"] = "Merge database upgrade"

    spec = convert(source)

    assert [i.key for _, i in spec.items() if i.title == "Merge database upgrade"] == [
        "merge-database-upgrade",
        "merge-database-upgrade-2",
    ]


# -- files that are not a Mattermost export ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The Mattermost playbook file is empty"),
        ("{not json", "The Mattermost playbook is not valid JSON: line 1, column 2"),
        ("slug: small\ntitle: Small\n", "A prr playbook imports without --from mattermost."),
        ('{"slug": "small", "title": "S", "checklists": []}', "This is a prr playbook"),
        ("[]", "must be a JSON object with title and checklists"),
        ('{"title": "Release"}', "  checklists: Field required"),
        ('{"title": "R", "checklists": {}}', "  checklists: Input should be a valid list"),
        (
            '{"title": "R", "checklists": [{"title": "A", "items": [{"description": "x"}]}]}',
            "  checklists[0].items[0] (checklist 'A', item 1): a description",
        ),
        (
            '{"title": "R", "checklists": [{"title": "A", "items": [{"title": 7}]}]}',
            "  checklists[0].items[0].title: Input should be a valid string",
        ),
        (
            '{"title": "R", "checklists": [{"title": "A", "items": [{"title": "T", '
            '"due_date": "1d"}]}]}',
            "  checklists[0].items[0].due_date: Input should be a valid integer",
        ),
        (
            '{"title": "R", "version": 2, "checklists": []}',
            "The Mattermost playbook export is version 2; prr reads version 1.",
        ),
        (
            '{"title": "R", "checklists": [{"title": "A", "items": []}]}',
            "The Mattermost playbook has no checklist items",
        ),
    ],
)
def test_it_refuses_a_file_that_is_not_a_mattermost_playbook(text: str, message: str) -> None:
    assert message in refusal(text)


def test_it_refuses_a_file_that_is_not_utf8() -> None:
    assert refusal(b'{"title": "\xff"}') == "The Mattermost playbook file is not UTF-8 text."


def test_it_refuses_a_file_that_is_too_big() -> None:
    text = json.dumps({"title": "R", "checklists": [], "pad": "x" * MAX_FILE_BYTES})

    assert refusal(text) == f"The Mattermost playbook file is larger than {MAX_FILE_BYTES:,} bytes."


def test_it_refuses_a_trigger_or_action_it_does_not_know() -> None:
    source = fixture("launch-review.json")
    actions = source["checklists"][1]["items"][0]["task_actions"]
    strange = copy.deepcopy(actions)
    strange[0]["trigger"]["type"] = "keywords_by_anyone"
    source["checklists"][1]["items"][0]["task_actions"] = strange

    assert refusal(source, QA) == (
        "checklists[1].items[0].task_actions[0].trigger.type: prr understands only "
        "'keywords_by_users', not 'keywords_by_anyone' (item \"SRE review\")."
    )

    strange = copy.deepcopy(actions)
    strange[0]["actions"][0]["type"] = "run_command"
    source["checklists"][1]["items"][0]["task_actions"] = strange
    assert "prr understands only 'mark_item_as_done', not 'run_command'" in refusal(source, QA)


def test_it_refuses_a_payload_that_is_not_json_in_a_string() -> None:
    source = fixture("launch-review.json")
    source["checklists"][1]["items"][0]["task_actions"][0]["trigger"]["payload"] = "{keywords"

    assert refusal(source, QA).startswith(
        "checklists[1].items[0].task_actions[0].trigger.payload: not a JSON document"
    )


def test_it_names_the_mattermost_item_when_it_cannot_become_a_prr_item() -> None:
    source = fixture("launch-review.json")
    source["checklists"][1]["items"][0]["task_actions"] = [keywords_action(["ok"], [])]
    source["checklists"][1]["items"][0]["title"] = "SRE"

    message = refusal(source, {**QA, "SRE": "sre"})

    assert message.splitlines() == [
        "The Mattermost playbook cannot become a prr playbook:",
        "  checklists[1].items[0].task_actions[0].phrases[0]: String should have at least 3 "
        'characters (item "SRE")',
    ]


# -- export -----------------------------------------------------------------------------------


def test_export_writes_what_mattermost_import_requires(default_playbook: PlaybookVersion) -> None:
    spec = default_playbook.spec

    exported = mattermost_from_spec(spec)

    # Mattermost's import refuses an "id" and any version but 1.
    assert "id" not in exported
    assert exported["version"] == 1
    assert (exported["title"], exported["description"]) == (spec.title, spec.description)
    assert [c["title"] for c in exported["checklists"]] == [c.title for c in spec.checklists]
    for checklist in exported["checklists"]:
        for mm_item in checklist["items"]:
            assert set(mm_item) == {"title", "description", "command", "due_date", "task_actions"}
    assert exported["metrics"] == []


def test_export_turns_done_phrases_into_keywords_bound_to_no_user(
    default_playbook: PlaybookVersion,
) -> None:
    exported = mattermost_from_spec(default_playbook.spec)
    items = {i["title"]: i for c in exported["checklists"] for i in c["items"]}

    (action,) = items["SRE review"]["task_actions"]
    assert action["trigger"]["type"] == "keywords_by_users"
    # The plugin keeps payloads as JSON documents inside strings.
    assert isinstance(action["trigger"]["payload"], str)
    assert json.loads(action["trigger"]["payload"]) == {
        "keywords": ["SRE review is completed"],
        "user_ids": [],
    }
    assert [(a["type"], json.loads(a["payload"])) for a in action["actions"]] == [
        ("mark_item_as_done", {"enabled": True})
    ]
    assert items["SRE review"]["description"].endswith(
        "\n\nprr: key `sre-review` · owner `sre` · required · done `SRE review is completed` · "
        "reopen `SRE review is reopened`"
    )
    assert items["Architecture diagram linked in the review document"]["task_actions"] == []
    assert items["Architecture diagram linked in the review document"]["due_date"] == 7 * DAY_MS


def test_export_writes_sections_into_the_run_summary_template(
    default_playbook: PlaybookVersion,
) -> None:
    spec = default_playbook.spec

    exported = mattermost_from_spec(spec)

    template = exported["run_summary_template"]
    assert exported["run_summary_template_enabled"] is True
    assert template.startswith(f"### Summary\n\n{spec.sections[0].description}\n\n- In two or")
    for section in spec.sections:
        assert f"### {section.title}\n" in template
        for question in section.questions:
            assert f"\n- {question}" in template


# -- the service ------------------------------------------------------------------------------


def test_service_stores_a_converted_playbook_as_a_version(
    teams: dict[str, Team], admin: User
) -> None:
    text = (FIXTURES / "launch-review.json").read_text()

    result = import_mattermost_playbook(text, owners=QA, by=admin)

    assert (result.created, result.version.number) == (True, 1)
    assert result.version.playbook.slug == "launch-readiness-review"
    assert result.version.created_by == admin
    assert item(result.version.spec, "SRE review").owner == "sre"


def test_service_keeps_text_beyond_ascii(teams: dict[str, Team]) -> None:
    source = fixture("product-release.json")
    source["checklists"][0]["items"][0]["title"] = "Ship it 🚀 — après la revue"

    result = import_mattermost_playbook(json.dumps(source), owners={})

    assert result.version.spec.checklists[0].items[0].title == "Ship it 🚀 — après la revue"


def test_service_reads_teams_from_the_database(teams: dict[str, Team]) -> None:
    Team.objects.create(slug="qa", name="Quality")
    text = (FIXTURES / "launch-review.json").read_text()

    result = import_mattermost_playbook(text, owners={})

    assert item(result.version.spec, "QA sign-off").owner == "qa"


def test_service_refuses_someone_who_is_not_an_admin(
    teams: dict[str, Team], outsider: User
) -> None:
    text = (FIXTURES / "product-release.json").read_text()

    with pytest.raises(PermissionDenied, match=r"Only an admin can import playbooks\."):
        import_mattermost_playbook(text, owners={}, by=outsider)

    assert not Playbook.objects.exists()


# -- the CLI ----------------------------------------------------------------------------------


def test_cli_imports_mattermosts_example_playbooks(cli: Cli, teams: dict[str, Team]) -> None:
    for name in ("product-release", "incident-resolution"):
        path = str(FIXTURES / f"{name}.json")

        result = cli("playbook", "import", path, "--from", "mattermost")

        assert result.exit_code == 0, result.stderr
        assert result.stdout == f"Imported {name} as version 1.\n"
        again = cli("playbook", "import", path, "--from", "mattermost")
        assert again.stdout == f"{name} is unchanged (version 1).\n"


def test_cli_refuses_unmapped_items_and_stores_nothing(cli: Cli, teams: dict[str, Team]) -> None:
    result = cli("playbook", "import", str(FIXTURES / "launch-review.json"), "--from", "mattermost")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: 1 item of the Mattermost playbook is completed by")
    assert '  --owner "QA sign-off=TEAM"   (Sign-offs; keywords "QA approved")\n' in result.stderr
    assert stdout_json(cli("playbook", "list", "--json")) == []


def test_cli_imports_with_owners_and_a_slug(cli: Cli, teams: dict[str, Team]) -> None:
    result = cli(
        "playbook",
        "import",
        str(FIXTURES / "launch-review.json"),
        "--from",
        "mattermost",
        "--owner",
        "QA sign-off=product",
        "--owner",
        "go/no-go call=sre",
        "--slug",
        "launch",
    )

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Imported launch as version 1.\n"
    spec = get_version(get_playbook("launch")).spec
    assert [(i.title, i.owner) for _, i in spec.items() if i.owner != "dri"] == [
        ("SRE review", "sre"),
        ("Security sign-off", "security"),
        ("QA sign-off", "product"),
        ("Go/no-go call", "sre"),
    ]


def test_cli_refuses_a_malformed_file_and_stores_nothing(
    cli: Cli, teams: dict[str, Team], tmp_path: Path
) -> None:
    result = cli("playbook", "import", write(tmp_path, '{"title": '), "--from", "mattermost")

    assert result.exit_code == 1
    assert result.stderr == (
        "Error: The Mattermost playbook is not valid JSON: line 1, column 11: Expecting value.\n"
    )
    assert not Playbook.objects.exists()


@pytest.mark.parametrize("option", [("--owner", "QA sign-off=product"), ("--slug", "launch")])
def test_cli_refuses_mattermost_options_for_a_prr_file(
    cli: Cli, teams: dict[str, Team], option: tuple[str, str]
) -> None:
    result = cli("playbook", "import", str(FIXTURES / "launch-review.json"), *option)

    assert result.exit_code == 2
    assert "--owner and --slug only apply to --from mattermost." in result.stderr


@pytest.mark.parametrize(
    ("owners", "message"),
    [
        (["QA sign-off"], 'expected "ITEM TITLE=TEAM", got "QA sign-off"'),
        (["QA sign-off="], 'expected "ITEM TITLE=TEAM", got "QA sign-off="'),
        (["QA sign-off=sre", "qa sign-off=product"], '"qa sign-off" is given two teams.'),
    ],
)
def test_cli_refuses_a_malformed_owner_option(
    cli: Cli, teams: dict[str, Team], owners: list[str], message: str
) -> None:
    options = [arg for owner in owners for arg in ("--owner", owner)]

    result = cli(
        "playbook", "import", str(FIXTURES / "launch-review.json"), "--from", "mattermost", *options
    )

    assert result.exit_code == 2
    assert message in result.stderr


def test_cli_exports_json_for_mattermost(cli: Cli, small_playbook: PlaybookVersion) -> None:
    exported = stdout_json(cli("playbook", "export", "small", "--to", "mattermost"))

    assert exported["version"] == 1
    assert exported["title"] == "Small readiness review"
    assert exported["run_summary_template"] == (
        "### Summary\n\n- What is being launched, and for whom?\n\nprr: section `summary`\n\n"
        "### Architecture\n\n- Which services does it depend on?\n"
        "- What happens when each is down?\n\nprr: section `architecture`"
    )
    assert [i["title"] for i in exported["checklists"][1]["items"]] == [
        "SRE review",
        "Security review",
        "Product review",
    ]


def test_cli_refuses_to_export_an_unknown_playbook_to_mattermost(cli: Cli) -> None:
    result = cli("playbook", "export", "nope", "--to", "mattermost")

    assert result.exit_code == 1
    assert result.stderr == "Error: No playbook 'nope' (playbooks: none yet).\n"


# -- round trips ------------------------------------------------------------------------------


def test_the_default_playbook_keeps_its_items_and_approvals_through_mattermost(
    cli: Cli, default_playbook: PlaybookVersion, tmp_path: Path
) -> None:
    exported = cli("playbook", "export", "prr", "--to", "mattermost")
    path = write(tmp_path, exported.stdout)

    result = cli("playbook", "import", path, "--from", "mattermost", "--slug", "prr-copy")

    assert result.exit_code == 0, result.stderr
    original, copied = default_playbook.spec, get_version(get_playbook("prr-copy")).spec
    assert (copied.title, copied.description) == (original.title, original.description)
    assert [c.title for c in copied.checklists] == [c.title for c in original.checklists]
    assert copied.items() == original.items()  # keys, owners, phrases, kinds, due days, n/a
    assert copied.sections == original.sections  # read back from the run summary template


def test_an_imported_playbook_gives_mattermost_back_its_commands(
    cli: Cli, teams: dict[str, Team]
) -> None:
    cli("playbook", "import", str(FIXTURES / "incident-resolution.json"), "--from", "mattermost")

    exported = stdout_json(cli("playbook", "export", "incident-resolution", "--to", "mattermost"))

    bridge = exported["checklists"][0]["items"][1]
    assert (bridge["title"], bridge["command"]) == ("Start bridge call", "/zoom start")
    assert bridge["description"] == "prr: key `start-bridge-call` · owner `dri` · required"


def test_the_default_playbook_survives_mattermosts_own_export(
    default_playbook: PlaybookVersion,
) -> None:
    original = default_playbook.spec
    exported = mattermost_export(mattermost_from_spec(original))
    # What the Export drops: the task actions, and every empty command.
    items = [i for c in exported["checklists"] for i in c["items"]]
    assert not any("task_actions" in i or "command" in i for i in items)

    copied = convert(exported, slug="prr")

    assert copied == original  # keys, owners, done and reopen phrases, sections and the rest
    assert item(copied, "SRE review").task_actions == [
        TaskAction(phrases=["SRE review is completed"], team="sre", then="done"),
        TaskAction(phrases=["SRE review is reopened"], team="sre", then="reopen"),
    ]


def test_phrases_with_backticks_and_separators_survive_the_note(
    small_playbook: PlaybookVersion,
) -> None:
    data = small_playbook.spec.model_dump(mode="json")
    sre = data["checklists"][1]["items"][0]
    sre["task_actions"][0]["phrases"] = ["SRE `ok` · shipped, done", "`lgtm` from SRE"]
    spec = PlaybookSpec.model_validate(data)

    copied = convert(mattermost_export(mattermost_from_spec(spec)), slug="small")

    assert copied.checklists == spec.checklists


def test_task_actions_in_the_file_win_over_the_note(default_playbook: PlaybookVersion) -> None:
    # The REST API's playbook keeps the task actions; someone changed the keyword in Mattermost.
    source = mattermost_from_spec(default_playbook.spec)
    sre = next(i for c in source["checklists"] for i in c["items"] if i["title"] == "SRE review")
    sre["task_actions"] = [keywords_action(["SRE signs off"], ["s4m7x1ohq3fdbbxe8yt7a1zjzh"])]

    spec = convert(source, slug="prr")

    assert item(spec, "SRE review").task_actions[0] == TaskAction(
        phrases=["SRE signs off"], team="sre", then="done"
    )


def test_it_keeps_the_note_line_as_text_when_it_does_not_parse() -> None:
    source = fixture("product-release.json")
    source["checklists"][0]["items"][0]["description"] = "Before.\n\nprr: key `x` · colour blue"

    first = convert(source).checklists[0].items[0]

    assert first.description == "Before.\n\nprr: key `x` · colour blue"


# -- the review sections, from the run summary template ---------------------------------------


def test_it_reads_no_sections_from_a_template_prr_did_not_write() -> None:
    source = fixture("product-release.json")
    source["run_summary_template"] = "**About**\n- Version number: TBD\n- Target-date: TBD"

    assert convert(source).sections == []


def test_it_names_a_section_it_cannot_read_back(small_playbook: PlaybookVersion) -> None:
    source = mattermost_from_spec(small_playbook.spec)
    source["run_summary_template"] = source["run_summary_template"].replace(
        "- What is being launched, and for whom?", "What is being launched?"
    )

    assert refusal(source) == (
        "The Mattermost playbook's run summary template cannot become review sections:\n"
        "  run_summary_template, section `summary`: expected its questions, one `- ` line each, "
        "just before `prr: section `summary``"
    )


def test_it_says_which_section_is_invalid(small_playbook: PlaybookVersion) -> None:
    source = mattermost_from_spec(small_playbook.spec)
    source["run_summary_template"] = source["run_summary_template"].replace(
        "`architecture`", "`summary`"
    )

    assert "  run_summary_template, section `summary`.key: duplicate key 'summary'" in (
        refusal(source)
    )


def test_it_says_what_follows_the_last_section(small_playbook: PlaybookVersion) -> None:
    source = mattermost_from_spec(small_playbook.spec)
    source["run_summary_template"] += "\n\nLinks:\n- the dashboard"

    converted = conversion(source)

    assert [s.key for s in converted.spec.sections] == ["summary", "architecture"]
    assert converted.notices == (
        "Not imported: 2 lines of the run summary template after its last section.",
    )


# -- the Blank template: an item without a title ----------------------------------------------


def test_it_skips_the_blank_templates_untitled_item_and_says_so() -> None:
    converted = conversion(fixture("blank.json"))

    assert [i.title for _, i in converted.spec.items()] == [
        "Announce the maintenance window",
        "Start the bridge call",
    ]
    assert converted.notices == (
        "Skipped 1 item without a title: checklist 'Default Section', item 1.",
    )


def test_it_refuses_the_blank_template_left_as_it_is() -> None:
    source = fixture("blank.json")
    source["checklists"][0]["items"] = [{}]

    assert refusal(source) == (
        "The Mattermost playbook has no checklist items with a title (it has 1 item without a "
        "title: checklist 'Default Section', item 1); a prr playbook needs at least one."
    )


def test_it_refuses_untitled_items_that_hold_something_listing_each() -> None:
    source = fixture("blank.json")
    source["checklists"][0]["items"] += [
        {"title": " ", "command": "/jira create", "due_date": DAY_MS},
        {"title": "", "task_actions": [keywords_action(["SRE approves"], [])]},
    ]

    assert refusal(source) == (
        "The Mattermost playbook has items without a title that are not empty; prr needs a "
        "title for every item it keeps. Give each one a title in Mattermost, or remove it, and "
        "export again:\n"
        "  checklists[0].items[3] (checklist 'Default Section', item 4): a command, a due date\n"
        "  checklists[0].items[4] (checklist 'Default Section', item 5): task actions"
    )


def test_cli_imports_the_blank_template_and_says_what_it_skipped(
    cli: Cli, teams: dict[str, Team]
) -> None:
    result = cli("playbook", "import", str(FIXTURES / "blank.json"), "--from", "mattermost")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "Imported blank as version 1.\n"
        "Skipped 1 item without a title: checklist 'Default Section', item 1.\n"
    )
    again = cli("playbook", "import", str(FIXTURES / "blank.json"), "--from", "mattermost")
    assert again.stdout.splitlines()[1:] == result.stdout.splitlines()[1:]


# -- conditional items ------------------------------------------------------------------------


def test_items_a_condition_may_hide_are_optional() -> None:
    converted = conversion(fixture("conditional-migration.json"))

    assert [(i.title, i.required) for _, i in converted.spec.items()] == [
        ("Take a fresh backup", True),
        ("Notify the change advisory board", False),
        ("Schedule a maintenance window", False),
    ]
    assert converted.notices == (
        "Imported 2 items as optional: Mattermost shows them only when a condition holds: "
        "checklist 'Prepare', item 2 (\"Notify the change advisory board\"); "
        "checklist 'Prepare', item 3 (\"Schedule a maintenance window\").",
    )


def test_a_condition_overrides_a_note_that_says_required(default_playbook: PlaybookVersion) -> None:
    source = mattermost_from_spec(default_playbook.spec)
    source["checklists"][0]["items"][0]["condition_id"] = "k3j8cq1wdbg5mxn4tf7r9ahp6e"

    converted = conversion(source, slug="prr")

    assert item(converted.spec, "Architecture diagram linked in the review document").required is (
        False
    )
    assert converted.notices[0].startswith("Imported 1 item as optional: Mattermost shows it")


def test_cli_says_which_items_became_optional(cli: Cli, teams: dict[str, Team]) -> None:
    path = str(FIXTURES / "conditional-migration.json")

    result = cli("playbook", "import", path, "--from", "mattermost")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Imported database-migration as version 1.",
        "Imported 2 items as optional: Mattermost shows them only when a condition holds: "
        "checklist 'Prepare', item 2 (\"Notify the change advisory board\"); "
        "checklist 'Prepare', item 3 (\"Schedule a maintenance window\").",
    ]


# -- commands ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["/zoom start", "/echo `date` now", "/run ``x`` `y`"])
def test_a_command_keeps_its_backticks_all_the_way_round(command: str) -> None:
    source = fixture("blank.json")
    source["checklists"][0]["items"][2]["command"] = command

    bridge = item(convert(source), "Start the bridge call")
    # In prr: a code span of the whole command, however many backticks it holds.
    assert str(render_markdown(bridge.description)).count("<code>") == 1
    assert f"<code>{html.escape(command, quote=False)}</code>" in str(
        render_markdown(bridge.description)
    )
    spec = parse_spec(to_yaml(convert(source)))  # through prr's own YAML file
    exported = mattermost_from_spec(spec)
    again = exported["checklists"][0]["items"][1]
    assert again["command"] == command  # back in its own field…
    assert "Mattermost command" not in again["description"]  # …and not also in the description
    round_trip = convert(mattermost_export(exported))
    assert item(round_trip, "Start the bridge call").description == bridge.description


def test_a_command_already_noted_in_the_description_is_not_noted_twice() -> None:
    source = fixture("blank.json")
    source["checklists"][0]["items"][2]["description"] = "Mattermost command: `/zoom start`"

    bridge = item(convert(source), "Start the bridge call")

    assert bridge.description == "Mattermost command: `/zoom start`"
