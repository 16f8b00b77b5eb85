"""A server that cannot be reached or refuses the bind: a clear error, and nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

from prr.integrations.ldap.client import DirectoryError, LdapReader
from prr.integrations.ldap.sync import sync_ldap_teams
from prr.teams.models import Membership
from tests.integrations.ldap.conftest import (
    BIND_DN,
    Slapd,
    free_port,
    group,
    members,
    person,
    stop_slapd,
)


@pytest.fixture
def synced(slapd: Slapd, ldap_settings: Any, link: Any) -> None:
    """SRE synced once (sam, sid); then sam leaves the group in the directory."""
    link("sre", "sre")
    sync_ldap_teams()
    slapd.remove_member(group("sre"), person("sam"))


def test_a_wrong_bind_password_is_a_clear_error_and_changes_nothing(
    synced: None, ldap_settings: Any
) -> None:
    ldap_settings.LDAP_BIND_PASSWORD = "not-the-password"

    with pytest.raises(DirectoryError) as refused:
        sync_ldap_teams()

    assert str(refused.value) == (
        f"The LDAP server {ldap_settings.LDAP_URL} refused the bind as '{BIND_DN}': wrong "
        "PRR_LDAP_BIND_DN or PRR_LDAP_BIND_PASSWORD; nothing was changed."
    )
    assert members("sre") == ["sam", "sid"]


def test_an_unreachable_server_is_a_clear_error_and_changes_nothing(
    synced: None, ldap_settings: Any
) -> None:
    ldap_settings.LDAP_URL = f"ldap://127.0.0.1:{free_port()}"  # nobody listens there

    with pytest.raises(DirectoryError) as refused:
        sync_ldap_teams()

    assert str(refused.value).startswith(f"Cannot reach the LDAP server {ldap_settings.LDAP_URL} (")
    assert str(refused.value).endswith("); nothing was changed.")
    assert members("sre") == ["sam", "sid"]
    assert not Membership.objects.filter(removed_at__isnull=False).exists()


def test_a_base_dn_the_server_lacks_is_a_clear_error(synced: None, ldap_settings: Any) -> None:
    ldap_settings.LDAP_GROUP_BASE_DN = "ou=groupz,dc=example,dc=com"

    with pytest.raises(DirectoryError, match="PRR_LDAP_GROUP_BASE_DN 'ou=groupz,dc=example"):
        sync_ldap_teams()

    assert members("sre") == ["sam", "sid"]


def test_an_anonymous_bind_reads_nothing_here_and_says_so(synced: None, ldap_settings: Any) -> None:
    # This directory lets only its bind account read: without one, the bases are invisible.
    ldap_settings.LDAP_BIND_DN = ldap_settings.LDAP_BIND_PASSWORD = ""

    with pytest.raises(DirectoryError) as refused:
        sync_ldap_teams()

    assert str(refused.value) == (
        f"The LDAP server {ldap_settings.LDAP_URL} refused a search under "
        "'ou=people,dc=example,dc=com' (insufficientAccessRights); nothing was changed."
    )
    assert members("sre") == ["sam", "sid"]


def test_a_server_that_goes_away_half_way_changes_no_team(
    slapd: Slapd, ldap_settings: Any, link: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    link("platform", "platform")
    link("sre", "sre")
    read = LdapReader.group_members

    def read_then_stop_the_server(reader: LdapReader, group_name: str) -> Any:
        members_read = read(reader, group_name)
        stop_slapd(slapd.process)  # after the first group (platform), before the second
        return members_read

    monkeypatch.setattr(LdapReader, "group_members", read_then_stop_the_server)

    with pytest.raises(DirectoryError, match=r"^Lost the connection to the LDAP server"):
        sync_ldap_teams()

    assert members("platform") == []
    assert members("sre") == []
