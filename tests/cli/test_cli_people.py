"""`prr user …` and `prr team …`: people and the teams whose members may approve."""

from __future__ import annotations

from typing import Any

import pytest

from prr.accounts.models import User
from tests.cli.conftest import Cli, stdout_json

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "violet-harbour-lantern-42"


def members(cli: Cli, slug: str) -> list[str]:
    rows = stdout_json(cli("team", "list", "--json"))
    return next(row["members"] for row in rows if row["slug"] == slug)


# -- prr user add ---------------------------------------------------------------------------


def test_it_adds_a_user_without_a_password(cli: Cli) -> None:
    result = cli("user", "add", "bob", "--name", "Bob Stone", "--email", "bob@example.com")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Created user @bob (Bob Stone).",
        "No password set: they can sign in to the web UI once one is set with "
        "`prr user set-password bob --password-stdin`.",
    ]
    bob = User.objects.get(username="bob")
    assert (bob.email, bob.is_superuser, bob.has_usable_password()) == (
        "bob@example.com",
        False,
        False,
    )


def test_it_adds_an_admin_with_a_password_read_from_stdin(cli: Cli) -> None:
    result = cli(
        "user", "add", "carol", "--admin", "--password-stdin", input=STRONG_PASSWORD + "\n"
    )

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["Created admin @carol (carol)."]
    carol = User.objects.get(username="carol")
    assert carol.is_superuser
    assert carol.check_password(STRONG_PASSWORD)


def test_it_reads_only_the_first_line_of_stdin_as_the_password(cli: Cli) -> None:
    result = cli("user", "add", "carol", "--password-stdin", input=STRONG_PASSWORD + "\nextra\n")

    assert result.exit_code == 0, result.stderr
    assert User.objects.get(username="carol").check_password(STRONG_PASSWORD)


def test_it_refuses_an_empty_password_from_stdin_as_a_usage_error(cli: Cli) -> None:
    result = cli("user", "add", "carol", "--password-stdin", input="\n")

    assert result.exit_code == 2
    assert "--password-stdin read an empty password" in result.stderr
    assert not User.objects.filter(username="carol").exists()


def test_it_refuses_a_weak_password(cli: Cli) -> None:
    result = cli("user", "add", "carol", "--password-stdin", input="password\n")

    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Password refused:")
    assert not User.objects.filter(username="carol").exists()


def test_it_refuses_a_duplicate_user(cli: Cli, dri: User) -> None:
    result = cli("user", "add", "dana")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "Error: A user @dana already exists.\n"


def test_it_treats_a_handle_with_at_sign_and_capitals_as_the_same_user(cli: Cli, dri: User) -> None:
    result = cli("user", "add", "@Dana")

    assert result.exit_code == 1
    assert "A user @dana already exists." in result.stderr


def test_it_refuses_an_invalid_username(cli: Cli) -> None:
    result = cli("user", "add", "bob stone")

    assert result.exit_code == 1
    assert "is not a valid username" in result.stderr
    assert not User.objects.exists()


# -- prr user list / deactivate -----------------------------------------------------------------


def test_it_lists_users_as_json(cli: Cli, sre_member: User, admin: User, outsider: User) -> None:
    rows = stdout_json(cli("user", "list", "--json"))

    assert rows == [
        {
            "username": "ada",
            "name": "Ada Admin",
            "email": "",
            "admin": True,
            "active": True,
            "bot": False,
            "teams": [],
        },
        {
            "username": "oscar",
            "name": "Oscar Vidal",
            "email": "",
            "admin": False,
            "active": True,
            "bot": False,
            "teams": [],
        },
        {
            "username": "sam",
            "name": "Sam Okafor",
            "email": "",
            "admin": False,
            "active": True,
            "bot": False,
            "teams": ["sre"],
        },
    ]


def test_it_lists_users_as_text_with_their_teams_and_flags(
    cli: Cli, sre_member: User, admin: User, outsider: User
) -> None:
    cli("user", "deactivate", "oscar")

    result = cli("user", "list")

    assert result.exit_code == 0, result.stderr
    lines = [" ".join(line.split()) for line in result.stdout.splitlines()]
    assert lines == [
        "@ada Ada Admin [admin]",
        "@oscar Oscar Vidal [deactivated]",
        "@sam Sam Okafor sre",
    ]


def test_it_says_when_there_are_no_users(cli: Cli) -> None:
    result = cli("user", "list")

    assert result.exit_code == 0
    assert "No users yet" in result.stdout
    assert stdout_json(cli("user", "list", "--json")) == []


def test_it_deactivates_a_user(cli: Cli, outsider: User) -> None:
    result = cli("user", "deactivate", "oscar")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Deactivated @oscar.\n"
    assert stdout_json(cli("user", "list", "--json"))[0]["active"] is False


def test_it_refuses_to_deactivate_a_user_twice(cli: Cli, outsider: User) -> None:
    cli("user", "deactivate", "oscar")

    result = cli("user", "deactivate", "oscar")

    assert result.exit_code == 1
    assert "@oscar is already deactivated." in result.stderr


def test_it_refuses_to_deactivate_an_unknown_user(cli: Cli) -> None:
    result = cli("user", "deactivate", "ghost")

    assert result.exit_code == 1
    assert result.stderr == "Error: No user @ghost.\n"


# -- prr team add / list --------------------------------------------------------------------


def test_it_adds_a_team(cli: Cli) -> None:
    result = cli("team", "add", "dba", "--name", "Databases")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Created team dba (Databases).\n"


def test_it_names_a_team_after_its_slug_by_default(cli: Cli) -> None:
    result = cli("team", "add", "dba")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Created team dba (DBA).\n"


def test_it_refuses_a_duplicate_team(cli: Cli, teams: dict[str, object]) -> None:
    result = cli("team", "add", "sre")

    assert result.exit_code == 1
    assert "A team 'sre' already exists." in result.stderr


def test_it_refuses_an_invalid_team_slug(cli: Cli) -> None:
    result = cli("team", "add", "data base")

    assert result.exit_code == 1
    assert "is not a valid team slug" in result.stderr


def test_it_lists_teams_as_json(cli: Cli, sre_member: User, security_member: User) -> None:
    rows = stdout_json(cli("team", "list", "--json"))

    kept_by_hand: dict[str, object] = {"directory": None, "deactivated_members": []}
    assert rows == [
        {"slug": "platform", "name": "Platform", "members": [], **kept_by_hand},
        {"slug": "product", "name": "Product", "members": [], **kept_by_hand},
        {"slug": "security", "name": "Security", "members": ["sid"], **kept_by_hand},
        {"slug": "sre", "name": "SRE", "members": ["sam"], **kept_by_hand},
    ]


def test_it_lists_teams_as_text(cli: Cli, sre_member: User) -> None:
    result = cli("team", "list")

    assert result.exit_code == 0, result.stderr
    lines = [" ".join(line.split()) for line in result.stdout.splitlines()]
    assert lines == [
        "platform Platform (no members)",
        "product Product (no members)",
        "security Security (no members)",
        "sre SRE @sam",
    ]


def test_it_says_when_there_are_no_teams(cli: Cli) -> None:
    result = cli("team", "list")

    assert result.exit_code == 0
    assert "No teams yet" in result.stdout


# -- prr team add-member / remove-member ----------------------------------------------------


def test_it_adds_members_to_a_team(cli: Cli, teams: dict[str, object], dri: User, outsider: User):
    result = cli("team", "add-member", "platform", "dana", "@oscar")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Added @dana, @oscar to Platform.\n"
    assert members(cli, "platform") == ["dana", "oscar"]


def test_it_adds_nobody_when_one_member_is_unknown(
    cli: Cli, teams: dict[str, object], dri: User
) -> None:
    result = cli("team", "add-member", "platform", "dana", "ghost")

    assert result.exit_code == 1
    assert result.stderr == "Error: No user @ghost.\n"
    assert members(cli, "platform") == []


def test_it_adds_nobody_when_one_is_already_a_member(cli: Cli, sre_member: User, dri: User) -> None:
    result = cli("team", "add-member", "sre", "dana", "sam")

    assert result.exit_code == 1
    assert "@sam is already a member of SRE." in result.stderr
    assert members(cli, "sre") == ["sam"]


def test_it_adds_nobody_when_one_is_deactivated(
    cli: Cli, teams: dict[str, object], dri: User, outsider: User
) -> None:
    cli("user", "deactivate", "oscar")

    result = cli("team", "add-member", "platform", "dana", "oscar")

    assert result.exit_code == 1
    assert "@oscar is deactivated and cannot join a team." in result.stderr
    assert members(cli, "platform") == []


def test_it_adds_a_member_named_twice_once(cli: Cli, teams: dict[str, object], dri: User):
    result = cli("team", "add-member", "platform", "dana", "dana")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Added @dana to Platform.\n"


def test_it_refuses_members_for_an_unknown_team(cli: Cli, teams: dict[str, object], dri: User):
    result = cli("team", "add-member", "dba", "dana")

    assert result.exit_code == 1
    assert "No team 'dba' (teams: platform, product, security, sre)." in result.stderr


def test_it_needs_at_least_one_member_to_add(cli: Cli, teams: dict[str, object]) -> None:
    result = cli("team", "add-member", "sre")

    assert result.exit_code == 2
    assert "Missing argument 'USERNAMES...'" in result.stderr


def test_it_removes_a_member_from_a_team(cli: Cli, sre_member: User) -> None:
    result = cli("team", "remove-member", "sre", "sam")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Removed @sam from SRE.\n"
    assert members(cli, "sre") == []
    assert stdout_json(cli("user", "list", "--json"))[0]["teams"] == []


def test_it_removes_nobody_when_one_is_not_a_member(
    cli: Cli, sre_member: User, outsider: User
) -> None:
    result = cli("team", "remove-member", "sre", "sam", "oscar")

    assert result.exit_code == 1
    assert "@oscar is not a member of SRE." in result.stderr
    assert members(cli, "sre") == ["sam"]


def test_it_adds_a_removed_member_again(cli: Cli, sre_member: User) -> None:
    cli("team", "remove-member", "sre", "sam")

    result = cli("team", "add-member", "sre", "sam")

    assert result.exit_code == 0, result.stderr
    assert members(cli, "sre") == ["sam"]


def test_it_marks_deactivated_members_in_the_team_list(cli: Cli, sre_member: User) -> None:
    cli("user", "deactivate", "sam")

    rows = stdout_json(cli("team", "list", "--json"))
    sre = next(row for row in rows if row["slug"] == "sre")
    assert (sre["members"], sre["deactivated_members"]) == ([], ["sam"])
    assert "@sam (deactivated)" in cli("team", "list").stdout


def test_it_sets_a_password_read_from_stdin(cli: Cli, dri: User) -> None:
    result = cli("user", "set-password", "dana", "--password-stdin", input="a-long-Passphrase-42\n")

    assert result.exit_code == 0, result.stderr
    assert "Password set for @dana." in result.stdout
    dri.refresh_from_db()
    assert dri.check_password("a-long-Passphrase-42")


def test_it_refuses_a_weak_password_and_keeps_the_old_one(cli: Cli, dri: User) -> None:
    result = cli("user", "set-password", "dana", "--password-stdin", input="password\n")

    assert result.exit_code == 1
    assert "Password refused:" in result.stderr
    dri.refresh_from_db()
    assert not dri.has_usable_password()


def test_it_wants_the_password_on_stdin(cli: Cli, dri: User) -> None:
    result = cli("user", "set-password", "dana")

    assert result.exit_code == 2
    assert "--password-stdin" in result.stderr


def test_an_unexpected_failure_is_one_line_without_debug(
    cli: Cli, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DEBUG = False

    def explode(*args: Any, **kwargs: Any) -> None:
        raise ValueError("disk on fire")

    monkeypatch.setattr("prr.accounts.services.create_user", explode)
    result = cli("user", "add", "bob")

    assert result.exit_code == 1
    assert result.stderr.startswith("Error: prr failed unexpectedly (ValueError: disk on fire).")
    assert "Traceback" not in result.stderr


def test_team_link_makes_the_directory_keep_the_team(cli, teams, sre_member) -> None:
    linked = cli("team", "link", "sre", "--group", "Engineering-SRE", "--source", "ldap")
    assert linked.exit_code == 0, linked.stderr
    assert linked.stdout == "Team SRE is now kept by LDAP group 'Engineering-SRE'.\n"

    refused = cli("team", "remove-member", "sre", "sam")
    assert refused.exit_code == 1
    assert "Team SRE is managed by the directory (LDAP group 'Engineering-SRE')" in refused.stderr
    listed = cli("team", "list")
    assert "@sam  [from ldap group 'Engineering-SRE']" in listed.stdout

    unlinked = cli("team", "unlink", "sre")
    assert unlinked.stdout == "Team SRE is kept by hand in prr again.\n"
    assert cli("team", "remove-member", "sre", "sam").exit_code == 0
