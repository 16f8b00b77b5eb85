"""Signing in with the organisation's OIDC provider: who one becomes, and the teams that follow."""

from __future__ import annotations

from django.test import Client

from prr.accounts.models import User
from prr.accounts.services import create_user
from prr.teams.directory import link_team
from prr.teams.queries import current_memberships
from tests.accounts.conftest import SignInFlow, query_of


def team_slugs(user: User) -> set[str]:
    return set(current_memberships().filter(user=user).values_list("team__slug", flat=True))


def test_the_first_sign_in_creates_the_user_and_lands_on_next(oidc: SignInFlow) -> None:
    oidc.provider.put_person("nadia", name="Nadia Haddad", email="nadia@example.com")
    client = Client()

    response = oidc.sign_in(client, "nadia", next_url="/teams/")

    assert response.status_code == 302
    assert response["Location"] == "/teams/"
    user = User.objects.get(username="nadia")
    assert (user.display_name, user.email) == ("Nadia Haddad", "nadia@example.com")
    assert not user.has_usable_password()
    assert not user.is_superuser
    page = client.get("/teams/")
    assert page.status_code == 200
    assert "@nadia" in page.content.decode()


def test_the_request_carries_state_nonce_and_pkce_and_the_registered_redirect(
    oidc: SignInFlow,
) -> None:
    params = query_of(oidc.start(Client()))

    assert params["redirect_uri"] == "http://testserver/oidc/callback/"
    assert params["scope"] == "openid profile email groups"
    assert params["code_challenge_method"] == "S256"
    assert len(params["state"]) >= 32
    assert len(params["nonce"]) >= 32


def test_an_existing_user_is_matched_by_username_and_gets_the_provider_s_name(
    oidc: SignInFlow, dri: User
) -> None:
    oidc.provider.put_person("dana", name="Dana Reyes-Smith", email="dana@example.com")

    response = oidc.sign_in(Client(), "dana")

    assert response.status_code == 302
    assert User.objects.filter(username="dana").count() == 1
    dri.refresh_from_db()
    assert (dri.display_name, dri.email) == ("Dana Reyes-Smith", "dana@example.com")


def test_an_email_does_not_match_another_user(oidc: SignInFlow) -> None:
    # Someone at the provider with Oscar's address is not Oscar.
    oscar = create_user("oscar", email="oscar@example.com")
    oidc.provider.put_person("imposter", email="oscar@example.com")

    oidc.sign_in(Client(), "imposter")

    assert User.objects.get(username="imposter").email == "oscar@example.com"
    oscar.refresh_from_db()
    assert oscar.email == "oscar@example.com"
    assert User.objects.count() == 2


def test_an_admin_signs_in_as_themselves_and_stays_admin(oidc: SignInFlow, admin: User) -> None:
    oidc.provider.put_person("ada", name="Ada Admin")
    client = Client()

    oidc.sign_in(client, "ada")

    assert client.get("/admin/").status_code == 200


def test_an_email_shaped_username_loses_the_configured_domain(oidc: SignInFlow, settings) -> None:
    settings.OIDC_USERNAME_DOMAIN = "example.com"
    oidc.provider.put_person("Ravi.Kumar@example.com", name="Ravi Kumar")

    response = oidc.sign_in(Client(), "Ravi.Kumar@example.com")

    assert response.status_code == 302
    assert User.objects.filter(username="ravi.kumar").exists()


def test_the_groups_claim_joins_and_leaves_the_oidc_teams(
    oidc: SignInFlow, teams, outsider: User
) -> None:
    link_team(teams["sre"], source="oidc", group="Engineering-SRE")
    link_team(teams["security"], source="oidc", group="SecOps")
    oidc.provider.put_person("oscar", groups=["Engineering-SRE", "secops", "Everyone"])

    oidc.sign_in(Client(), "oscar")
    assert team_slugs(outsider) == {"sre", "security"}
    membership = current_memberships().get(user=outsider, team__slug="sre")
    assert (membership.source, membership.group) == ("oidc", "Engineering-SRE")

    oidc.provider.put_person("oscar", groups=["SecOps"])
    oidc.sign_in(Client(), "oscar")
    assert team_slugs(outsider) == {"security"}


def test_teams_kept_by_hand_are_not_touched(oidc: SignInFlow, sre_member: User) -> None:
    oidc.provider.put_person("sam", groups=[])

    oidc.sign_in(Client(), "sam")

    assert team_slugs(sre_member) == {"sre"}


def test_without_the_groups_claim_the_teams_stay_as_they_are(
    oidc: SignInFlow, settings, teams, outsider: User
) -> None:
    link_team(teams["sre"], source="oidc", group="Engineering-SRE")
    oidc.provider.put_person("oscar", groups=["Engineering-SRE"])
    oidc.sign_in(Client(), "oscar")
    # Not granted the `groups` scope, the provider leaves the claim out: that says nothing.
    settings.OIDC_RP_SCOPES = "openid profile email"
    oidc.provider.put_person("oscar", groups=[])

    oidc.sign_in(Client(), "oscar")

    assert team_slugs(outsider) == {"sre"}


def test_a_session_opened_with_oidc_ends_when_the_user_is_deactivated(
    oidc: SignInFlow, dri: User
) -> None:
    oidc.provider.put_person("dana")
    client = Client()
    oidc.sign_in(client, "dana")
    assert client.get("/").status_code == 200

    User.objects.filter(pk=dri.pk).update(is_active=False)

    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
