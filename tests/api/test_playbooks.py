"""/playbooks: listing, versions, export, and import by admins."""

from __future__ import annotations

import json

import yaml

from prr.playbooks.models import PlaybookVersion
from tests.api.conftest import error_of
from tests.conftest import SMALL_PLAYBOOK

YAML = "application/yaml"


def test_playbooks_are_listed(api_as, outsider, small_playbook, default_playbook):
    response = api_as(outsider).get("/playbooks")
    assert response.status_code == 200
    listed = {p["slug"]: p for p in response.json()}
    assert listed["small"] == {
        "slug": "small",
        "title": "Small readiness review",
        "latest_version": 1,
        "versions": 1,
        "kinds": ["service", "feature", "infrastructure"],  # as `prr playbook list --json`
    }
    assert "prr" in listed


def test_the_latest_version(api_as, outsider, small_playbook, admin):
    api_as(admin).post(
        "/playbooks", SMALL_PLAYBOOK.replace("Small readiness", "Tiny"), content_type=YAML
    )
    response = api_as(outsider).get("/playbooks/small")
    assert response.status_code == 200
    body = response.json()
    assert (body["slug"], body["version"], body["created_by"]) == ("small", 2, "ada")
    assert body["spec"]["title"] == "Tiny review"


def test_one_version(api_as, outsider, small_playbook):
    response = api_as(outsider).get("/playbooks/small/versions/1")
    assert response.status_code == 200
    body = response.json()
    assert (body["version"], body["digest"], body["created_by"]) == (
        1,
        small_playbook.digest,
        None,
    )
    assert [s["key"] for s in body["spec"]["sections"]] == ["summary", "architecture"]


def test_unknown_playbooks_and_versions_are_404(api_as, outsider, small_playbook):
    client = api_as(outsider)
    assert error_of(client.get("/playbooks/nope")) == (404, "not_found")
    response = client.get("/playbooks/small/versions/9")
    assert error_of(response) == (404, "not_found")
    assert "has no version 9 (latest: 1)" in response.json()["message"]


def test_export_as_yaml_imports_back_unchanged(api_as, admin, small_playbook):
    client = api_as(admin)
    exported = client.get("/playbooks/small/export")
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("application/yaml")
    assert 'filename="small-v1.yaml"' in exported["Content-Disposition"]
    assert yaml.safe_load(exported.content)["slug"] == "small"
    response = client.post("/playbooks", exported.content.decode(), content_type=YAML)
    assert response.status_code == 200, response.content
    assert (response.json()["created"], response.json()["playbook"]["version"]) == (False, 1)
    assert PlaybookVersion.objects.filter(playbook__slug="small").count() == 1


def test_export_as_json_imports_back_unchanged(api_as, admin, small_playbook):
    client = api_as(admin)
    exported = client.get("/playbooks/small/export?format=json")
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("application/json")
    assert json.loads(exported.content) == small_playbook.spec_json
    response = client.post("/playbooks", exported.content.decode())
    assert (response.status_code, response.json()["created"]) == (200, False)


def test_export_of_an_unknown_version_is_404(api_as, outsider, small_playbook):
    client = api_as(outsider)
    assert error_of(client.get("/playbooks/small/export?version=4")) == (404, "not_found")
    assert error_of(client.get("/playbooks/small/export?format=pdf")) == (422, "invalid_fields")


def test_an_admin_imports_a_new_playbook(api_as, admin, teams):
    response = api_as(admin).post("/playbooks", SMALL_PLAYBOOK, content_type=YAML)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] is True
    assert (body["playbook"]["slug"], body["playbook"]["version"]) == ("small", 1)
    assert body["playbook"]["created_by"] == "ada"


def test_a_changed_playbook_becomes_a_new_version(api_as, admin, small_playbook):
    changed = SMALL_PLAYBOOK.replace("Dashboards linked", "Dashboards and alerts linked")
    response = api_as(admin).post("/playbooks", changed, content_type=YAML)
    assert (response.status_code, response.json()["playbook"]["version"]) == (201, 2)


def test_a_non_admin_cannot_import(api_as, dri, teams):
    response = api_as(dri).post("/playbooks", SMALL_PLAYBOOK, content_type=YAML)
    assert error_of(response) == (403, "permission_denied")
    assert not PlaybookVersion.objects.exists()


def test_malformed_yaml_is_refused_with_where(api_as, admin, teams):
    response = api_as(admin).post(
        "/playbooks", "slug: small\ntitle: [unclosed\n", content_type=YAML
    )
    assert error_of(response) == (422, "invalid_input")
    assert response.json()["message"].startswith("The playbook is not valid YAML: line ")


def test_a_duplicate_key_is_refused(api_as, admin, teams):
    response = api_as(admin).post("/playbooks", "slug: small\nslug: other\n", content_type=YAML)
    assert error_of(response) == (422, "invalid_input")
    assert "the key 'slug' appears twice" in response.json()["message"]


def test_an_invalid_playbook_lists_each_field(api_as, admin, teams):
    invalid = SMALL_PLAYBOOK.replace("owner: sre\n", "owner: sre\n        colour: red\n").replace(
        "key: summary", "key: Summary!"
    )
    response = api_as(admin).post("/playbooks", invalid, content_type=YAML)
    assert error_of(response) == (422, "invalid_input")
    details = response.json()["details"]
    assert "line 6: sections[0].key: String should match pattern '^[a-z0-9][a-z0-9-]*$'" in details
    assert "line 31: checklists[1].items[0].colour: unknown field" in details


def test_a_playbook_naming_an_unknown_team_is_refused(api_as, admin, teams):
    response = api_as(admin).post(
        "/playbooks", SMALL_PLAYBOOK.replace("team: security", "team: secops"), content_type=YAML
    )
    assert error_of(response) == (422, "invalid_input")
    assert response.json()["details"][0].startswith(
        "line 38: checklists[1].items[1].task_actions[0].team: no team 'secops'"
    )


def test_an_approval_allowing_na_is_refused(api_as, admin, teams):
    invalid = SMALL_PLAYBOOK.replace("owner: sre\n", "owner: sre\n        allow_na: true\n")
    response = api_as(admin).post("/playbooks", invalid, content_type=YAML)
    assert error_of(response) == (422, "invalid_input")
    assert "cannot allow n/a" in response.json()["message"]


def test_an_empty_body_is_refused(api_as, admin, teams):
    client = api_as(admin)
    for empty in ("", "   \n"):
        response = client.post("/playbooks", empty, content_type=YAML)
        assert error_of(response) == (422, "invalid_input")
        assert "empty" in response.json()["message"]


def test_a_body_that_is_not_a_mapping_is_refused(api_as, admin, teams):
    response = api_as(admin).post("/playbooks", "- just\n- a list\n", content_type=YAML)
    assert error_of(response) == (422, "invalid_input")
    assert "must be a mapping" in response.json()["message"]
