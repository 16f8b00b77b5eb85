"""The default playbook shipped with prr: its sections, approvals and kind-specific items."""

from __future__ import annotations

import pytest

from prr.playbooks.models import PlaybookVersion
from prr.playbooks.services import import_playbook, load_default_playbook
from prr.playbooks.spec import DRI, Item, PlaybookSpec
from prr.playbooks.yaml_format import to_yaml

SECTION_KEYS = [
    "summary",
    "architecture",
    "observability",
    "incident-response",
    "capacity",
    "change-management",
    "performance",
    "security",
    "data",
]
APPROVALS = {
    "sre-review": ("sre", "SRE", True),
    "platform-review": ("platform", "Platform", True),
    "security-review": ("security", "Security", True),
    "product-review": ("product", "Product", False),
}


def items_for(spec: PlaybookSpec, kind: str) -> set[str]:
    """The keys of the items a review of this kind gets."""
    return {item.key for _, item in spec.items() if item.kinds is None or kind in item.kinds}


def by_key(spec: PlaybookSpec) -> dict[str, Item]:
    return {item.key: item for _, item in spec.items()}


def test_it_imports_as_playbook_prr_version_1(default_playbook: PlaybookVersion) -> None:
    assert default_playbook.playbook.slug == "prr"
    assert default_playbook.playbook.title == "Production Readiness Review"
    assert default_playbook.number == 1
    assert default_playbook.spec.kinds == ["service", "feature", "infrastructure"]


def test_it_has_the_nine_sections_each_with_questions(default_playbook: PlaybookVersion) -> None:
    sections = default_playbook.spec.sections

    assert [section.key for section in sections] == SECTION_KEYS
    for section in sections:
        assert len(section.questions) >= 5, section.key
        assert len(set(section.questions)) == len(section.questions), section.key


def test_it_has_the_four_team_approvals_with_their_phrases(
    default_playbook: PlaybookVersion,
) -> None:
    spec = default_playbook.spec
    approvals = [item for _, item in spec.items() if item.is_approval]

    assert [item.key for item in approvals] == list(APPROVALS)
    for item in approvals:
        team, name, required = APPROVALS[item.key]
        assert item.owner == team
        assert item.required is required, item.key
        assert item.allow_na is False
        assert [(a.phrases, a.team, a.then) for a in item.task_actions] == [
            ([f"{name} review is completed"], team, "done"),
            ([f"{name} review is reopened"], team, "reopen"),
        ]


def test_it_gives_every_kind_all_four_approvals(default_playbook: PlaybookVersion) -> None:
    for kind in ("service", "feature", "infrastructure"):
        assert set(APPROVALS) <= items_for(default_playbook.spec, kind), kind


def test_it_leaves_every_other_item_to_the_dri(default_playbook: PlaybookVersion) -> None:
    others = [item for _, item in default_playbook.spec.items() if item.key not in APPROVALS]

    assert len(others) == 44
    assert {item.owner for item in others} == {DRI}
    assert not any(item.task_actions for item in others)


def test_it_gives_a_feature_review_fewer_and_different_items_than_a_service(
    default_playbook: PlaybookVersion,
) -> None:
    spec = default_playbook.spec
    service, feature = items_for(spec, "service"), items_for(spec, "feature")

    assert (len(service), len(feature)) == (43, 37)
    assert {"obs-feature-metrics", "chg-feature-flag"} <= feature - service
    assert {"obs-health-check", "ir-oncall-rotation", "chg-automated-deploy"} <= service - feature
    assert by_key(spec)["chg-feature-flag"].kinds == ["feature"]


def test_it_gives_an_infrastructure_review_its_own_items(
    default_playbook: PlaybookVersion,
) -> None:
    spec = default_playbook.spec
    infrastructure = items_for(spec, "infrastructure")
    only_infrastructure = infrastructure - items_for(spec, "service") - items_for(spec, "feature")

    assert len(infrastructure) == 39
    assert only_infrastructure == {
        "arch-consumers-notified",
        "chg-rollback-rehearsal",
        "data-migration-verified",
    }
    assert "cap-load-test" not in infrastructure


def test_it_reimports_its_own_export_as_the_same_version(
    default_playbook: PlaybookVersion,
) -> None:
    result = import_playbook(to_yaml(default_playbook.spec))

    assert (result.created, result.version) == (False, default_playbook)


@pytest.mark.usefixtures("teams")
def test_it_is_loaded_once_however_often_it_is_loaded() -> None:
    first = load_default_playbook()
    second = load_default_playbook()

    assert (first.created, second.created) == (True, False)
    assert second.version == first.version
    assert PlaybookVersion.objects.count() == 1
