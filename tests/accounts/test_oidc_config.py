"""The sign-in settings are read strictly: a bad value stops prr with a message naming it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from prr.accounts.oidc.config import (
    check_sign_in_settings,
    env_claim,
    env_domain,
    env_issuer,
    env_scopes,
    env_usernames,
)
from prr.config import ConfigError


def test_it_reads_an_issuer_without_its_trailing_slash(monkeypatch) -> None:
    monkeypatch.setenv("PRR_OIDC_ISSUER", " https://example.okta.com/oauth2/default/ ")
    assert env_issuer("PRR_OIDC_ISSUER") == "https://example.okta.com/oauth2/default"


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("example.okta.com", "https:// URL"),
        ("http://idp.example.com", "must be https://"),
        ("https://idp.example.com/?tenant=1", "no query"),
    ],
)
def test_it_refuses_an_issuer_it_cannot_trust(monkeypatch, raw: str, says: str) -> None:
    monkeypatch.setenv("PRR_OIDC_ISSUER", raw)
    with pytest.raises(ConfigError, match=f"PRR_OIDC_ISSUER=.*{says}"):
        env_issuer("PRR_OIDC_ISSUER")


def test_a_local_provider_may_use_http(monkeypatch) -> None:
    monkeypatch.setenv("PRR_OIDC_ISSUER", "http://127.0.0.1:8080/realms/prr")
    assert env_issuer("PRR_OIDC_ISSUER") == "http://127.0.0.1:8080/realms/prr"


def test_claims_default_and_may_be_turned_off_only_when_optional(monkeypatch) -> None:
    monkeypatch.delenv("PRR_OIDC_USERNAME_CLAIM", raising=False)
    assert env_claim("PRR_OIDC_USERNAME_CLAIM", "preferred_username") == "preferred_username"
    monkeypatch.setenv("PRR_OIDC_GROUPS_CLAIM", "")
    assert env_claim("PRR_OIDC_GROUPS_CLAIM", "groups", optional=True) == ""
    monkeypatch.setenv("PRR_OIDC_USERNAME_CLAIM", " ")
    with pytest.raises(ConfigError, match="PRR_OIDC_USERNAME_CLAIM is empty"):
        env_claim("PRR_OIDC_USERNAME_CLAIM", "preferred_username")
    monkeypatch.setenv("PRR_OIDC_NAME_CLAIM", "given name")
    with pytest.raises(ConfigError, match=r"PRR_OIDC_NAME_CLAIM=.*no spaces"):
        env_claim("PRR_OIDC_NAME_CLAIM", "name", optional=True)


def test_scopes_need_openid(monkeypatch) -> None:
    monkeypatch.setenv("PRR_OIDC_SCOPES", "openid,profile email groups")
    assert env_scopes("PRR_OIDC_SCOPES", "openid") == "openid profile email groups"
    monkeypatch.setenv("PRR_OIDC_SCOPES", "profile email")
    with pytest.raises(ConfigError, match=r"PRR_OIDC_SCOPES=.*must include openid"):
        env_scopes("PRR_OIDC_SCOPES", "openid")


def test_domains_and_usernames(monkeypatch) -> None:
    monkeypatch.setenv("PRR_OIDC_USERNAME_DOMAIN", "@Example.COM")
    assert env_domain("PRR_OIDC_USERNAME_DOMAIN") == "example.com"
    monkeypatch.setenv("PRR_OIDC_USERNAME_DOMAIN", "not a domain")
    with pytest.raises(ConfigError, match="PRR_OIDC_USERNAME_DOMAIN"):
        env_domain("PRR_OIDC_USERNAME_DOMAIN")
    monkeypatch.setenv("PRR_BREAK_GLASS_USERS", " @Ada, root ,")
    assert env_usernames("PRR_BREAK_GLASS_USERS") == ["ada", "root"]
    monkeypatch.setenv("PRR_BREAK_GLASS_USERS", "ada,Bad Name")
    with pytest.raises(ConfigError, match="PRR_BREAK_GLASS_USERS: 'bad name'"):
        env_usernames("PRR_BREAK_GLASS_USERS")


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ({"issuer": "https://idp", "client_id": ""}, "PRR_OIDC_CLIENT_ID is empty"),
        ({"issuer": "https://idp", "client_secret": ""}, "PRR_OIDC_CLIENT_SECRET"),
        ({"issuer": "", "client_secret": ""}, "PRR_OIDC_ISSUER is empty"),
        ({"issuer": "", "client_id": "", "client_secret": "", "password_login": False}, "nobody"),
    ],
)
def test_it_refuses_half_a_setup(given, says) -> None:
    settings = {"client_id": "prr", "client_secret": "s", "password_login": True, **given}
    with pytest.raises(ConfigError, match=says):
        check_sign_in_settings(**settings)


def test_a_bad_value_stops_prr_naming_it(tmp_path) -> None:
    env = {
        **os.environ,
        "PRR_DATA_DIR": str(tmp_path),
        "PRR_PASSWORD_LOGIN": "false",
        "PRR_OIDC_ISSUER": "",
    }
    done = subprocess.run(
        [str(Path(sys.executable).parent / "prr"), "user", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "PRR_PASSWORD_LOGIN=false needs PRR_OIDC_ISSUER" in done.stderr
