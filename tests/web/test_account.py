"""The account page: your teams, and API tokens you create (shown once) and revoke."""

from __future__ import annotations

from html import unescape

from prr.accounts.models import ApiToken
from prr.accounts.tokens import authenticate_token, create_token


def test_the_account_page_shows_my_teams(client, sre_member):
    client.force_login(sre_member)
    page = client.get("/account/").content.decode()
    assert "SRE" in page
    assert "API tokens" in page
    assert "No tokens yet." in page


def test_a_new_token_is_shown_once_and_works(client, dri):
    client.force_login(dri)
    response = client.post("/account/tokens/", {"name": "deploy pipeline"})
    assert response.status_code == 201
    token = ApiToken.objects.get(user=dri)
    secret = response.context["new_token"].secret
    assert secret in response.content.decode()
    assert authenticate_token(secret) == dri
    again = client.get("/account/").content.decode()
    assert "deploy pipeline" in again
    assert secret not in again  # never shown again
    assert f"prr_{token.prefix}_" in again


def test_a_token_needs_a_unique_name(client, dri):
    create_token(dri, "laptop")
    client.force_login(dri)
    response = client.post("/account/tokens/", {"name": "laptop"})
    assert response.status_code == 409
    assert "already has an active token named 'laptop'" in unescape(response.content.decode())
    empty = client.post("/account/tokens/", {"name": "  "})
    assert empty.status_code == 400
    assert "needs a name" in empty.content.decode()
    assert ApiToken.objects.filter(user=dri).count() == 1


def test_revoking_my_token_stops_it(client, dri):
    created = create_token(dri, "laptop")
    client.force_login(dri)
    response = client.post(f"/account/tokens/{created.token.pk}/revoke/", follow=True)
    assert "is revoked" in response.content.decode()
    assert authenticate_token(created.secret) is None


def test_someone_elses_token_cannot_be_revoked_here(client, dri, outsider):
    created = create_token(dri, "laptop")
    client.force_login(outsider)
    response = client.post(f"/account/tokens/{created.token.pk}/revoke/")
    assert response.status_code == 404
    assert authenticate_token(created.secret) == dri


def test_the_account_page_needs_a_signed_in_user(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/account/")
