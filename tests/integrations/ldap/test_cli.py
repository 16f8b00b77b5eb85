"""`prr directory sync`: one line per team, exit status 1 when something was not read."""

from __future__ import annotations

from typing import Any

from tests.integrations.ldap.conftest import GROUPS, Cli, Slapd, group, members, person


def test_it_prints_one_line_per_team_with_who_joined_and_left(
    slapd: Slapd, ldap_settings: Any, link: Any, cli: Cli
) -> None:
    link("sre", "sre")
    link("platform", "platform")
    cli("directory", "sync")
    slapd.remove_member(group("sre"), person("sam"))
    slapd.add_member(group("sre"), person("amy"))

    result = cli("directory", "sync")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "platform: unchanged; 2 members",
        "sre: 1 joined (@amy), 1 left (@sam); 2 members",
    ]


def test_the_first_sync_names_the_users_it_created(ldap_settings: Any, link: Any, cli: Cli) -> None:
    link("sre", "sre")

    result = cli("directory", "sync")

    assert result.stdout.splitlines() == [
        "sre: 2 joined (@sam, @sid); 2 members; new users @sam, @sid",
    ]


def test_a_missing_group_is_reported_and_exits_1_after_syncing_the_others(
    ldap_settings: Any, link: Any, cli: Cli
) -> None:
    link("sre", "sre")
    link("security", "secutiry")

    result = cli("directory", "sync")

    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"security: LDAP group 'secutiry' not found under {GROUPS}; team left unchanged",
        "sre: 2 joined (@sam, @sid); 2 members; new users @sam, @sid",
    ]
    assert result.stderr == (
        "Error: 1 of 2 LDAP groups could not be read; those teams were left unchanged.\n"
    )
    assert members("sre") == ["sam", "sid"]


def test_skipped_entries_are_listed_under_their_team(
    ldap_settings: Any, link: Any, cli: Cli
) -> None:
    link("security", "security")

    result = cli("directory", "sync")

    assert result.stdout.splitlines() == [
        "security: 1 joined (@sid); 1 member; new users @sid",
        "  skipped memberUid nobody-here: no uid=nobody-here under the user base",
    ]


def test_a_wrong_bind_password_exits_1_with_the_reason_and_changes_nothing(
    ldap_settings: Any, link: Any, cli: Cli
) -> None:
    link("sre", "sre")
    ldap_settings.LDAP_BIND_PASSWORD = "wrong"

    result = cli("directory", "sync")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert "refused the bind as 'cn=prr,dc=example,dc=com'" in result.stderr
    assert members("sre") == []


def test_without_ldap_settings_it_says_what_to_set(cli: Cli, settings: Any) -> None:
    settings.LDAP_URL = ""

    result = cli("directory", "sync")

    assert result.exit_code == 1
    assert result.stderr.startswith("Error: LDAP is not configured: set PRR_LDAP_URL")


def test_with_no_linked_team_it_says_how_to_link_one(
    ldap_settings: Any, teams: Any, cli: Cli
) -> None:
    result = cli("directory", "sync")

    assert result.exit_code == 0
    assert result.stdout == (
        "No team is linked to an LDAP group (prr team link SLUG --group NAME_OR_DN --source "
        "ldap).\n"
    )
