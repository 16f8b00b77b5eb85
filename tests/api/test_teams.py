"""/teams: listing, creating, and membership (admins only for changes)."""

from __future__ import annotations

from prr.accounts.services import create_user, deactivate_user
from prr.teams.models import Team
from prr.teams.queries import is_current_member
from tests.api.conftest import error_of


def test_teams_are_listed_with_their_current_members(api_as, outsider, sre_member, security_member):
    response = api_as(outsider).get("/teams")
    assert response.status_code == 200
    assert response.json() == [
        team("platform", "Platform", []),
        team("product", "Product", []),
        team("security", "Security", ["sid"]),
        team("sre", "SRE", ["sam"]),
    ]


def team(slug: str, name: str, members: list[str]) -> dict[str, object]:
    # As `prr team list --json` shows it (before, the API had no `deactivated_members` and
    # no `directory`).
    return {
        "slug": slug,
        "name": name,
        "members": members,
        "deactivated_members": [],
        "directory": None,
    }


def test_a_team(api_as, outsider, sre_member):
    response = api_as(outsider).get("/teams/SRE")
    assert response.json() == team("sre", "SRE", ["sam"])
    assert error_of(api_as(outsider).get("/teams/dba")) == (404, "not_found")


def test_an_admin_creates_a_team(api_as, admin, teams):
    response = api_as(admin).post("/teams", {"slug": "dba", "name": "Databases"})
    assert response.status_code == 201
    assert response.json() == team("dba", "Databases", [])
    assert Team.objects.filter(slug="dba").exists()


def test_a_non_admin_cannot_create_a_team(api_as, dri, teams):
    response = api_as(dri).post("/teams", {"slug": "dba"})
    assert error_of(response) == (403, "permission_denied")
    assert not Team.objects.filter(slug="dba").exists()


def test_a_duplicate_team_is_refused(api_as, admin, teams):
    response = api_as(admin).post("/teams", {"slug": "SRE"})
    assert error_of(response) == (409, "rule_violation")
    assert response.json()["message"] == "A team 'sre' already exists."


def test_a_bad_slug_is_refused(api_as, admin, teams):
    client = api_as(admin)
    response = client.post("/teams", {"slug": "data base!"})
    assert error_of(response) == (422, "invalid_input")
    assert "not a valid team slug" in response.json()["message"]
    assert error_of(client.post("/teams", {"slug": ""})) == (422, "invalid_fields")
    assert error_of(client.post("/teams", {"slug": "x" * 51})) == (422, "invalid_fields")


def test_an_admin_adds_members(api_as, admin, dri, outsider, teams):
    response = api_as(admin).post("/teams/platform/members", {"usernames": ["dana", "@oscar"]})
    assert response.status_code == 200, response.content
    assert sorted(response.json()["members"]) == ["dana", "oscar"]


def test_adding_members_is_all_or_nothing(api_as, admin, dri, sre_member, teams):
    response = api_as(admin).post("/teams/sre/members", {"usernames": ["dana", "sam"]})
    assert error_of(response) == (409, "rule_violation")
    assert "@sam is already a member of SRE" in response.json()["message"]
    assert not is_current_member(dri, teams["sre"])


def test_a_deactivated_user_cannot_join(api_as, admin, teams):
    gone = create_user("gone")
    deactivate_user(gone)
    response = api_as(admin).post("/teams/sre/members", {"usernames": ["gone"]})
    assert error_of(response) == (409, "rule_violation")


def test_adding_an_unknown_user_is_404(api_as, admin, teams):
    response = api_as(admin).post("/teams/sre/members", {"usernames": ["ghost"]})
    assert error_of(response) == (404, "not_found")
    assert response.json()["message"] == "No user @ghost."


def test_members_of_an_unknown_team_is_404(api_as, admin, dri, teams):
    response = api_as(admin).post("/teams/dba/members", {"usernames": ["dana"]})
    assert error_of(response) == (404, "not_found")


def test_adding_nobody_is_refused(api_as, admin, teams):
    response = api_as(admin).post("/teams/sre/members", {"usernames": []})
    assert error_of(response) == (422, "invalid_fields")


def test_a_non_admin_cannot_change_members(api_as, sre_member, outsider, teams):
    client = api_as(sre_member)
    assert error_of(client.post("/teams/sre/members", {"usernames": ["oscar"]})) == (
        403,
        "permission_denied",
    )
    assert error_of(client.delete("/teams/sre/members/sam")) == (403, "permission_denied")
    assert is_current_member(sre_member, teams["sre"])
    assert not is_current_member(outsider, teams["sre"])


def test_an_admin_removes_a_member(api_as, admin, sre_member, teams):
    response = api_as(admin).delete("/teams/sre/members/sam")
    assert response.status_code == 200
    assert response.json()["members"] == []
    assert not is_current_member(sre_member, teams["sre"])


def test_removing_a_non_member_is_refused(api_as, admin, outsider, teams):
    response = api_as(admin).delete("/teams/sre/members/oscar")
    assert error_of(response) == (409, "rule_violation")
    assert response.json()["message"] == "@oscar is not a member of SRE."


def test_removing_an_unknown_user_is_404(api_as, admin, teams):
    assert error_of(api_as(admin).delete("/teams/sre/members/ghost")) == (404, "not_found")


def test_a_removed_members_phrase_no_longer_counts(api_as, admin, sre_member, review):
    api_as(admin).delete("/teams/sre/members/sam")
    response = api_as(sre_member).post(
        "/reviews/PRR-1/messages", {"body": "SRE review is completed"}
    )
    assert response.json()["effects"] == []
    assert "not a member of team SRE" in response.json()["replies"][0]["body"]
