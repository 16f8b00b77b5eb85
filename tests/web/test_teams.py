"""Teams: everyone sees the members; only admins add and remove them."""

from __future__ import annotations

from prr.teams.queries import current_member_handles


def test_teams_and_their_current_members(as_outsider, sre_member) -> None:
    html = as_outsider.get("/teams/").content.decode()
    assert "Sam Okafor (@sam)" in html
    assert "Add member" not in html
    assert ">Remove</button>" not in html


def test_an_admin_adds_a_member(as_admin, teams, outsider) -> None:
    page = as_admin.get("/teams/").content.decode()
    assert '<label for="add-sre">Username</label>' in page
    response = as_admin.post("/teams/sre/members/", {"username": "oscar"}, follow=True)
    assert current_member_handles(teams["sre"]) == ["@oscar"]
    assert "Added @oscar to SRE." in response.content.decode()


def test_adding_someone_twice_is_refused_in_place(as_admin, teams, sre_member) -> None:
    response = as_admin.post("/teams/sre/members/", {"username": "sam"})
    assert response.status_code == 409
    assert "@sam is already a member of SRE." in response.content.decode()


def test_an_unknown_username_is_refused(as_admin, teams) -> None:
    response = as_admin.post("/teams/sre/members/", {"username": "nobody"})
    assert response.status_code == 404
    assert "No user @nobody." in response.content.decode()


def test_an_admin_removes_a_member(as_admin, teams, sre_member) -> None:
    page = as_admin.get("/teams/").content.decode()
    assert 'action="/teams/sre/members/sam/remove/"' in page
    response = as_admin.post("/teams/sre/members/sam/remove/")
    assert response.status_code == 302
    assert current_member_handles(teams["sre"]) == []


def test_a_non_admin_is_refused_with_the_services_message(
    as_sre, teams, sre_member, outsider
) -> None:
    response = as_sre.post("/teams/sre/members/", {"username": "oscar"})
    assert response.status_code == 403
    assert "Only an admin can add members to team SRE." in response.content.decode()
    response = as_sre.post("/teams/sre/members/sam/remove/")
    assert response.status_code == 403
    assert "Only an admin can remove members from team SRE." in response.content.decode()
    assert current_member_handles(teams["sre"]) == ["@sam"]


def test_an_unknown_team_is_a_404(as_admin, teams) -> None:
    assert as_admin.post("/teams/nope/members/", {"username": "x"}).status_code == 404


def test_an_admin_links_a_team_to_a_directory_group(as_admin, teams, sre_member, outsider) -> None:
    response = as_admin.post(
        "/teams/sre/directory/", {"source": "scim", "group": "Engineering-SRE"}, follow=True
    )
    html = response.content.decode()

    assert "Team SRE is now kept by SCIM group &#x27;Engineering-SRE&#x27;." in html
    assert "Members come from the directory: SCIM group <strong>Engineering-SRE</strong>" in html
    assert 'action="/teams/sre/members/sam/remove/"' not in html  # no hand changes offered
    assert "added in prr since" in html  # Sam's membership predates the link
    refused = as_admin.post("/teams/sre/members/", {"username": "oscar"})
    assert refused.status_code == 409
    assert "Team SRE is managed by the directory (SCIM group" in refused.content.decode()

    as_admin.post("/teams/sre/directory/unlink/")
    teams["sre"].refresh_from_db()
    assert not teams["sre"].is_directory_managed


def test_only_an_admin_links_a_team(as_sre, teams) -> None:
    response = as_sre.post("/teams/sre/directory/", {"source": "ldap", "group": "cn=sre"})
    assert response.status_code == 403
    assert "Only an admin can link team SRE to a directory group." in response.content.decode()


def test_a_link_without_a_group_is_refused_in_place(as_admin, teams) -> None:
    response = as_admin.post("/teams/sre/directory/", {"source": "ldap", "group": ""})
    assert response.status_code == 400
    assert "type the group&#x27;s id or name" in response.content.decode()
