"""Playbooks: list, a readable version, uploads by admins, differences between versions."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from prr.playbooks.models import PlaybookVersion
from prr.playbooks.services import import_playbook
from tests.conftest import SMALL_PLAYBOOK


def upload(client, text: str):
    file = SimpleUploadedFile("playbook.yaml", text.encode(), content_type="application/yaml")
    return client.post("/playbooks/upload/", {"file": file})


def test_the_list_links_the_latest_versions(as_sre, small_playbook, default_playbook) -> None:
    html = as_sre.get("/playbooks/").content.decode()
    assert 'href="/playbooks/small/v1/">Small readiness review</a>' in html
    assert 'href="/playbooks/prr/v1/"' in html
    assert "Upload a playbook" not in html  # admins only


def test_the_slug_redirects_to_the_latest_version(as_sre, small_playbook) -> None:
    import_playbook(SMALL_PLAYBOOK.replace("Dashboards linked", "Dashboards linked and shared"))
    response = as_sre.get("/playbooks/small/")
    assert response.status_code == 302
    assert response["Location"] == "/playbooks/small/v2/"


def test_a_version_is_rendered_readably(as_sre, small_playbook) -> None:
    html = as_sre.get("/playbooks/small/v1/").content.decode()
    assert "Which services does it depend on?" in html
    assert "service, feature, infrastructure" in html
    assert "team SRE" in html
    assert "Team SRE → done: “SRE review is completed”" in html
    assert "optional" in html


def test_an_unknown_playbook_or_version_is_a_404(as_sre, small_playbook) -> None:
    assert as_sre.get("/playbooks/nope/").status_code == 404
    response = as_sre.get("/playbooks/small/v9/")
    assert response.status_code == 404
    assert "Playbook &#x27;small&#x27; has no version 9 (latest: 1)." in response.content.decode()


def test_an_admin_uploads_a_new_version(as_admin, small_playbook) -> None:
    page = as_admin.get("/playbooks/upload/").content.decode()
    assert '<label for="id_file">Playbook file</label>' in page
    response = upload(as_admin, SMALL_PLAYBOOK.replace("title: Summary", "title: Overview"))
    assert response.status_code == 302
    assert response["Location"] == "/playbooks/small/v2/"
    assert PlaybookVersion.objects.filter(playbook__slug="small").count() == 2
    assert "Imported small v2." in as_admin.get(response["Location"]).content.decode()


def test_the_same_content_makes_no_new_version(as_admin, small_playbook) -> None:
    response = upload(as_admin, SMALL_PLAYBOOK)
    assert response["Location"] == "/playbooks/small/v1/"
    assert "already has this content" in as_admin.get(response["Location"]).content.decode()


def test_a_non_admin_upload_is_refused(as_dri, small_playbook) -> None:
    assert (
        "Only an admin can import playbooks." in as_dri.get("/playbooks/upload/").content.decode()
    )
    response = upload(as_dri, SMALL_PLAYBOOK.replace("title: Summary", "title: Overview"))
    assert response.status_code == 403
    assert "Only an admin can import playbooks." in response.content.decode()
    assert PlaybookVersion.objects.count() == 1


def test_invalid_playbooks_show_the_problem_with_its_path(as_admin, teams) -> None:
    bad_team = SMALL_PLAYBOOK.replace("team: sre, then: done", "team: sre2, then: done")
    html = upload(as_admin, bad_team).content.decode()
    assert "The playbook is invalid:" in html
    assert "checklists[1].items[0].task_actions[0].team: no team &#x27;sre2&#x27;" in html
    unknown_field = SMALL_PLAYBOOK.replace("owner: dri\n", "owner: dri\n        colour: red\n", 1)
    response = upload(as_admin, unknown_field)
    assert response.status_code == 400
    assert "checklists[0].items[0].colour: unknown field" in response.content.decode()
    assert not PlaybookVersion.objects.exists()


def test_malformed_yaml_shows_the_line(as_admin, teams) -> None:
    response = upload(as_admin, "slug: x\ntitle: [unclosed\n")
    assert response.status_code == 400
    assert "The playbook is not valid YAML: line 3, column 1" in response.content.decode()


def test_the_difference_between_two_versions(as_sre, small_playbook) -> None:
    import_playbook(SMALL_PLAYBOOK.replace("title: Summary", "title: Overview"))
    html = as_sre.get("/playbooks/small/diff/?from=1&to=2").content.decode()
    assert '<span class="diff-del"><del>-  title: Summary</del></span>' in html
    assert '<span class="diff-add"><ins>+  title: Overview</ins></span>' in html
    same = as_sre.get("/playbooks/small/diff/?from=2&to=2").content.decode()
    assert "No differences between v2 and v2." in same
    assert as_sre.get("/playbooks/small/diff/?from=1&to=7").status_code == 404
