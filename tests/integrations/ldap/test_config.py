"""The PRR_LDAP_* settings: a bad value stops prr with a message naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from prr.config import ConfigError
from prr.integrations.ldap import config

PRR = [sys.executable, "-c", "from prr.cli import main; main()"]
GOOD: dict[str, Any] = {
    "url": "ldaps://ldap.example.com",
    "bind_dn": "cn=prr,dc=example,dc=com",
    "bind_password": "secret",
    "user_base": "ou=people,dc=example,dc=com",
    "group_base": "ou=groups,dc=example,dc=com",
    "start_tls": False,
}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ldap://127.0.0.1:3389", "ldap://127.0.0.1:3389"),
        ("LDAPS://dc1.corp.example.com/", "ldaps://dc1.corp.example.com"),
        ("", ""),
    ],
)
def test_it_reads_an_ldap_url(monkeypatch: pytest.MonkeyPatch, raw: str, expected: str) -> None:
    monkeypatch.setenv("PRR_LDAP_URL", raw)
    assert config.env_ldap_url("PRR_LDAP_URL") == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("http://ldap.example.com", "use ldap://host[:port] or ldaps://host[:port]"),
        ("ldap://ldap.example.com:38x9", "the port is not a number"),
        ("ldap://", "name the server"),
        ("ldap://ldap.example.com/dc=example,dc=com", "give only the scheme, host and port"),
    ],
)
def test_it_refuses_a_bad_ldap_url(monkeypatch: pytest.MonkeyPatch, raw: str, message: str) -> None:
    monkeypatch.setenv("PRR_LDAP_URL", raw)
    with pytest.raises(ConfigError) as refused:
        config.env_ldap_url("PRR_LDAP_URL")

    assert str(refused.value).startswith(f"PRR_LDAP_URL={raw!r}: ")
    assert message in str(refused.value)


def test_it_refuses_what_is_not_a_dn_a_filter_or_an_attribute(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PRR_LDAP_USER_BASE_DN", "people.example.com")
    monkeypatch.setenv("PRR_LDAP_GROUP_FILTER", "(|(objectClass=group)")
    monkeypatch.setenv("PRR_LDAP_USERNAME_ATTRIBUTE", "user name")

    with pytest.raises(ConfigError, match=r"^PRR_LDAP_USER_BASE_DN='people\.example\.com' is not"):
        config.env_dn("PRR_LDAP_USER_BASE_DN")
    with pytest.raises(ConfigError, match=r"^PRR_LDAP_GROUP_FILTER=.* is not an LDAP filter"):
        config.env_ldap_filter("PRR_LDAP_GROUP_FILTER", config.DEFAULT_GROUP_FILTER)
    with pytest.raises(ConfigError, match=r"^PRR_LDAP_USERNAME_ATTRIBUTE='user name' is not"):
        config.env_attribute("PRR_LDAP_USERNAME_ATTRIBUTE", "uid")


def test_it_accepts_dns_with_escaped_commas_and_filters_with_escaped_parentheses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PRR_LDAP_USER_BASE_DN", r"OU=Staff\, London,DC=corp,DC=example,DC=com")
    monkeypatch.setenv("PRR_LDAP_GROUP_FILTER", r"(&(objectClass=group)(cn=SRE \28EU\29))")

    assert config.env_dn("PRR_LDAP_USER_BASE_DN").startswith("OU=Staff")
    assert config.env_ldap_filter("PRR_LDAP_GROUP_FILTER", "").endswith(r"\29))")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"user_base": ""}, "PRR_LDAP_URL is set: set PRR_LDAP_USER_BASE_DN too"),
        ({"bind_password": ""}, "PRR_LDAP_BIND_DN is set but PRR_LDAP_BIND_PASSWORD"),
        ({"bind_dn": ""}, "PRR_LDAP_BIND_PASSWORD is set: set PRR_LDAP_BIND_DN too"),
        ({"start_tls": True}, "PRR_LDAP_START_TLS is for ldap:// URLs"),
    ],
)
def test_it_refuses_settings_that_do_not_go_together(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        config.check_ldap_settings(**(GOOD | changes))


def test_settings_that_go_together_pass_and_no_url_turns_ldap_off() -> None:
    config.check_ldap_settings(**GOOD)
    config.check_ldap_settings(**(GOOD | {"url": "", "user_base": "", "bind_password": ""}))


def test_prr_stops_on_a_bad_ldap_setting_naming_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRR_")} | {
        "PRR_DATA_DIR": str(tmp_path),
        "PRR_LDAP_URL": "ldap://ldap.example.com",
        "PRR_LDAP_USER_BASE_DN": "ou=people,dc=example,dc=com",
        "PRR_LDAP_GROUP_BASE_DN": "ou=groups,dc=example,dc=com",
        "PRR_LDAP_SYNC_INTERVAL": "often",
    }

    result = subprocess.run(
        [*PRR, "directory", "sync"], env=env, capture_output=True, text=True, check=False
    )

    assert result.returncode == 1
    assert result.stderr == "Error: PRR_LDAP_SYNC_INTERVAL='often' is not a whole number\n"
