"""A refused playbook file: every message names where the problem is and what it is."""

from __future__ import annotations

import pytest

from prr.errors import InvalidInput
from prr.playbooks.models import Playbook
from prr.playbooks.services import import_playbook, load_default_playbook
from prr.playbooks.yaml_format import MAX_FILE_BYTES
from tests.conftest import SMALL_PLAYBOOK

pytestmark = pytest.mark.django_db


def edited(old: str, new: str) -> str:
    """The small playbook with the first `old` replaced by `new`."""
    assert old in SMALL_PLAYBOOK
    return SMALL_PLAYBOOK.replace(old, new, 1)


def refusal(text: str | bytes) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        import_playbook(text)
    assert not Playbook.objects.exists()
    return info.value


# References to teams


@pytest.mark.usefixtures("teams")
def test_it_names_an_unknown_task_action_team_and_the_known_teams() -> None:
    error = refusal(edited("team: sre, then: done", "team: sre2, then: done"))

    line = (
        "line 32: checklists[1].items[0].task_actions[0].team: "
        "no team 'sre2' (teams: platform, product, security, sre)"
    )
    assert line in error.message
    assert error.details == [line]


@pytest.mark.usefixtures("teams")
def test_it_names_an_unknown_owner_team() -> None:
    error = refusal(edited("owner: security", "owner: secops"))

    assert error.details == [
        "line 36: checklists[1].items[1].owner: "
        "no team 'secops' (teams: platform, product, security, sre)"
    ]


def test_it_says_there_are_no_teams_yet_when_the_default_playbook_comes_first() -> None:
    with pytest.raises(InvalidInput) as info:
        load_default_playbook()

    assert info.value.details[:3] == [
        "line 465: checklists[8].items[0].owner: no team 'sre' (teams: none yet)",
        "line 469: checklists[8].items[0].task_actions[0].team: no team 'sre' (teams: none yet)",
        "line 470: checklists[8].items[0].task_actions[1].team: no team 'sre' (teams: none yet)",
    ]
    assert len(info.value.details) == 12  # 4 approvals: an owner and 2 task actions each
    assert not Playbook.objects.exists()


# Keys


def test_it_refuses_the_same_item_key_in_two_checklists() -> None:
    error = refusal(edited("key: sre-review", "key: dashboards"))

    assert error.details == ["line 28: checklists[1].items[0].key: duplicate key 'dashboards'"]


def test_it_refuses_the_same_section_key_twice() -> None:
    error = refusal(edited("key: architecture", "key: summary"))

    assert error.details == ["line 9: sections[1].key: duplicate key 'summary'"]


def test_it_refuses_a_key_written_twice_in_one_mapping_with_its_line() -> None:
    text = edited("title: Dashboards linked\n", "title: Dashboards linked\n        title: Again\n")
    line = text.splitlines().index("        title: Again") + 1

    error = refusal(text)

    assert error.message == (
        f"The playbook is not valid YAML: line {line}, column 9: "
        "the key 'title' appears twice in one mapping"
    )


def test_it_refuses_a_mapping_key_that_is_not_a_scalar() -> None:
    error = refusal("? [slug, title]\n: small\nchecklists: []\n")

    assert error.message.startswith("The playbook is not valid YAML: line 1, column ")


# Task actions


def test_it_refuses_a_task_action_without_phrases() -> None:
    error = refusal(
        edited('phrases: ["Product review is completed"]', "phrases: []"),
    )

    assert error.details == [
        "line 45: checklists[1].items[2].task_actions[0].phrases: "
        "List should have at least 1 item after validation, not 0"
    ]


def test_it_refuses_a_blank_phrase() -> None:
    error = refusal(edited('phrases: ["Product review is completed"]', 'phrases: ["   "]'))

    assert error.details == [
        "line 45: checklists[1].items[2].task_actions[0].phrases[0]: "
        "String should have at least 3 characters"
    ]


def test_it_refuses_allow_na_on_an_approval() -> None:
    error = refusal(edited("owner: sre\n", "owner: sre\n        allow_na: true\n"))

    assert error.details == [
        "line 28: checklists[1].items[0]: "
        "an approval (an item a task action marks done) cannot allow n/a"
    ]


# Fields and kinds


def test_it_names_an_unknown_field_with_its_path() -> None:
    error = refusal(edited("owner: sre\n", "owner: sre\n        owner_team: sre\n"))

    assert error.details == ["line 31: checklists[1].items[0].owner_team: unknown field"]
    assert error.message == (
        "The playbook is invalid:\n  line 31: checklists[1].items[0].owner_team: unknown field"
    )


def test_it_names_a_missing_field() -> None:
    error = refusal("slug: small\ntitle: Small readiness review\n")

    assert error.details == ["line 1: checklists: Field required"]


def test_it_refuses_a_kind_that_is_not_a_slug() -> None:
    error = refusal(
        edited("kinds: [service, feature, infrastructure]", 'kinds: [service, "Batch jobs"]')
    )

    assert error.details == ["line 4: kinds[1]: String should match pattern '^[a-z0-9][a-z0-9-]*$'"]


def test_it_refuses_an_item_kind_the_playbook_does_not_define() -> None:
    error = refusal(edited("kinds: [service]", "kinds: [batch]"))

    assert error.details == [
        "line 21: checklists[0].items[1].kinds: 'batch' is not one of the playbook's kinds "
        "(service, feature, infrastructure)"
    ]


def test_it_refuses_an_item_kind_the_playbook_does_not_have() -> None:
    error = refusal(
        edited("kinds: [service, feature, infrastructure]", "kinds: [feature, infrastructure]")
    )

    assert error.details == [
        "line 21: checklists[0].items[1].kinds: 'service' is not one of the playbook's kinds "
        "(feature, infrastructure)"
    ]


def test_it_lists_every_field_problem_at_once() -> None:
    text = SMALL_PLAYBOOK.replace('phrases: ["Product review is completed"]', 'phrases: [" "]')
    text = text.replace("title: Tracing enabled\n", "title: Tracing enabled\n        due: 3\n")

    error = refusal(text)

    assert sorted(error.details) == [
        "line 24: checklists[0].items[2].due: unknown field",
        "line 46: checklists[1].items[2].task_actions[0].phrases[0]: "
        "String should have at least 3 characters",
    ]
    assert error.message == "The playbook is invalid:\n" + "".join(
        f"  {line}\n" for line in error.details
    ).rstrip("\n")


# The file itself


def test_it_refuses_malformed_yaml_with_line_and_column() -> None:
    error = refusal("slug: small\ntitle: [unclosed\n")

    assert error.message == (
        "The playbook is not valid YAML: line 3, column 1: "
        "expected ',' or ']', but got '<stream end>'"
    )


def test_it_refuses_a_tab_used_for_indentation_with_its_line() -> None:
    error = refusal("slug: small\n\ttitle: Small\n")

    assert error.message.startswith("The playbook is not valid YAML: line 2, column 1: ")


@pytest.mark.parametrize("text", ["", " \n\t\n"])
def test_it_refuses_an_empty_document(text: str) -> None:
    assert refusal(text).message.startswith("The playbook is empty")


@pytest.mark.parametrize("text", ["just a sentence", "- slug: small\n", "42\n"])
def test_it_refuses_a_document_that_is_not_a_mapping(text: str) -> None:
    error = refusal(text)

    assert error.message == (
        "The playbook must be a mapping with slug, title, sections, checklists."
    )


def test_it_refuses_bytes_that_are_not_utf8() -> None:
    error = refusal(SMALL_PLAYBOOK.encode("utf-16"))

    assert error.message == "The playbook file is not UTF-8 text."


def test_it_refuses_a_file_larger_than_a_million_bytes() -> None:
    error = refusal(SMALL_PLAYBOOK.encode() + b"#" * MAX_FILE_BYTES)

    assert error.message == "The playbook file is larger than 1,000,000 bytes."


@pytest.mark.usefixtures("teams")
def test_it_measures_text_in_utf8_bytes_not_characters() -> None:
    # 600,000 characters, 1,200,000 bytes once encoded: over the limit the message states.
    text = SMALL_PLAYBOOK + "# " + "é" * 600_000 + "\n"
    assert len(text) < MAX_FILE_BYTES < len(text.encode())

    error = refusal(text)

    assert error.message == "The playbook file is larger than 1,000,000 bytes."
