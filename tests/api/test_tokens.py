"""/tokens: a person's API tokens, shown once, listed without secrets, revoked."""

from __future__ import annotations

from django.test import Client

from prr.accounts.models import ApiToken
from prr.accounts.tokens import create_token
from tests.api.conftest import error_of


def me_with(secret: str):
    return Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})


def test_my_tokens_are_listed_without_their_secrets(dri, outsider):
    mine = create_token(dri, "deploy pipeline")
    create_token(outsider, "not mine")
    response = Client().get("/api/v1/tokens", headers={"Authorization": f"Bearer {mine.secret}"})
    assert response.status_code == 200
    [listed] = response.json()
    assert (listed["id"], listed["name"], listed["user"]) == (
        mine.token.pk,
        "deploy pipeline",
        "dana",
    )
    assert listed["prefix"] == f"prr_{mine.token.prefix}_"
    assert mine.secret.split("_", 2)[2] not in response.content.decode()
    assert "token" not in listed


def test_revoked_tokens_are_not_listed(api_as, dri):
    old = create_token(dri, "old")
    client = api_as(dri)
    client.delete(f"/tokens/{old.token.pk}")
    assert "old" not in [t["name"] for t in client.get("/tokens").json()]


def test_a_new_token_is_shown_once_and_works(api_as, dri):
    client = api_as(dri)
    response = client.post("/tokens", {"name": "  deploy   pipeline "})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "deploy pipeline"
    assert body["token"].startswith(body["prefix"])
    assert me_with(body["token"]).json()["username"] == "dana"
    [listed] = [t for t in client.get("/tokens").json() if t["id"] == body["id"]]
    assert "token" not in listed


def test_a_duplicate_active_name_is_refused(api_as, dri):
    create_token(dri, "deploy pipeline")
    response = api_as(dri).post("/tokens", {"name": "deploy pipeline"})
    assert error_of(response) == (409, "rule_violation")
    assert ApiToken.objects.filter(user=dri, name="deploy pipeline").count() == 1


def test_a_token_needs_a_name(api_as, dri):
    client = api_as(dri)
    assert error_of(client.post("/tokens", {})) == (422, "invalid_fields")
    assert error_of(client.post("/tokens", {"name": "   "})) == (422, "invalid_input")


def test_revoking_my_token_stops_it_at_once(api_as, dri):
    ci = create_token(dri, "ci")
    assert me_with(ci.secret).status_code == 200
    response = api_as(dri).delete(f"/tokens/{ci.token.pk}")
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert error_of(me_with(ci.secret)) == (401, "unauthorized")


def test_a_token_can_revoke_itself(dri):
    ci = create_token(dri, "ci")
    headers = {"Authorization": f"Bearer {ci.secret}"}
    response = Client().delete(f"/api/v1/tokens/{ci.token.pk}", headers=headers)
    assert response.status_code == 200
    assert error_of(me_with(ci.secret)) == (401, "unauthorized")


def test_revoking_twice_is_refused(api_as, dri):
    ci = create_token(dri, "ci")
    client = api_as(dri)
    client.delete(f"/tokens/{ci.token.pk}")
    assert error_of(client.delete(f"/tokens/{ci.token.pk}")) == (409, "rule_violation")


def test_someone_elses_token_is_not_found(api_as, dri, outsider):
    theirs = create_token(dri, "ci")
    response = api_as(outsider).delete(f"/tokens/{theirs.token.pk}")
    assert error_of(response) == (404, "not_found")
    assert me_with(theirs.secret).status_code == 200


def test_an_admin_revokes_anyones_token(api_as, admin, dri):
    theirs = create_token(dri, "ci")
    assert api_as(admin).delete(f"/tokens/{theirs.token.pk}").status_code == 200
    assert error_of(me_with(theirs.secret)) == (401, "unauthorized")


def test_an_unknown_token_is_404(api_as, dri):
    client = api_as(dri)
    assert error_of(client.delete("/tokens/999999")) == (404, "not_found")
    assert error_of(client.delete("/tokens/0")) == (404, "not_found")
    assert error_of(client.delete("/tokens/99999999999")) == (404, "not_found")
