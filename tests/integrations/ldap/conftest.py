"""A real OpenLDAP server (Debian's slapd) on 127.0.0.1, filled from fixtures/directory.ldif.

Each test gets its own slapd: a temporary slapd.conf and mdb database, loaded with `slapadd`
before it starts (about 0.1 s in all), run in the foreground as the current user on a free
port, and stopped after the test. Nothing depends on a system slapd the package may have set
up. `make pytest` installs slapd (scripts/ensure-slapd); without it the tests are skipped
locally, and fail in CI (the `CI` variable is set).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from ldap3 import MODIFY_ADD, MODIFY_DELETE, MODIFY_REPLACE, Connection, Server

from prr.cli import prr
from prr.teams.directory import link_team
from prr.teams.models import Team

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCHEMAS = Path("/etc/ldap/schema")
SUFFIX = "dc=example,dc=com"
ADMIN_DN, ADMIN_PASSWORD = f"cn=admin,{SUFFIX}", "admin-secret"
BIND_DN, BIND_PASSWORD = f"cn=prr,{SUFFIX}", "prr-bind-secret"
PEOPLE, GROUPS = f"ou=people,{SUFFIX}", f"ou=groups,{SUFFIX}"
AD_USERS, AD_GROUPS = f"ou=users,ou=corp,{SUFFIX}", f"ou=groups,ou=corp,{SUFFIX}"

SLAPD_CONF = """\
include {schemas}/core.schema
include {schemas}/cosine.schema
include {schemas}/inetorgperson.schema
include {schemas}/nis.schema
include {schemas}/msuser.schema
include {fixtures}/ad-security-principal.schema
pidfile {run}/slapd.pid
argsfile {run}/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 16777216
suffix "{suffix}"
rootdn "{admin_dn}"
rootpw {admin_password}
directory {run}/db
# Only the bind account reads (as a real directory would): a failed bind cannot fall back to
# an anonymous read that happens to work.
access to attrs=userPassword by anonymous auth by * none
access to * by dn.exact="{bind_dn}" read by anonymous auth by * none
"""


def person(uid: str) -> str:
    return f"uid={uid},{PEOPLE}"


def group(cn: str) -> str:
    return f"cn={cn},{GROUPS}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Slapd:
    """The running server, and the directory administrator's changes to it."""

    url: str
    process: subprocess.Popen[bytes]

    def admin(self) -> Connection:
        return Connection(
            Server(self.url), ADMIN_DN, ADMIN_PASSWORD, auto_bind=True, raise_exceptions=True
        )

    def modify(self, dn: str, changes: dict[str, Any]) -> None:
        with self.admin() as connection:
            connection.modify(dn, changes)

    def add_member(self, group_dn: str, member: str, attribute: str = "member") -> None:
        self.modify(group_dn, {attribute: [(MODIFY_ADD, [member])]})

    def remove_member(self, group_dn: str, member: str, attribute: str = "member") -> None:
        self.modify(group_dn, {attribute: [(MODIFY_DELETE, [member])]})

    def replace(self, dn: str, attribute: str, *values: str) -> None:
        self.modify(dn, {attribute: [(MODIFY_REPLACE, list(values))]})

    def add(self, dn: str, object_class: list[str], attributes: dict[str, Any]) -> None:
        with self.admin() as connection:
            connection.add(dn, object_class, attributes)


def slapd_binary() -> str | None:
    return shutil.which("slapd") or next(
        (p for p in ("/usr/sbin/slapd",) if os.access(p, os.X_OK)), None
    )


def start_slapd(run: Path) -> Slapd:
    binary = slapd_binary()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("slapd is not installed (scripts/ensure-slapd installs it)")
        pytest.skip("slapd not installed (scripts/ensure-slapd); LDAP tests skipped outside CI")
    (run / "db").mkdir(parents=True)
    conf = run / "slapd.conf"
    conf.write_text(
        SLAPD_CONF.format(
            schemas=SCHEMAS,
            fixtures=FIXTURES,
            run=run,
            suffix=SUFFIX,
            admin_dn=ADMIN_DN,
            admin_password=ADMIN_PASSWORD,
            bind_dn=BIND_DN,
        )
    )
    slapadd = Path(binary).with_name("slapadd")
    subprocess.run(
        [str(slapadd), "-q", "-f", str(conf), "-l", str(FIXTURES / "directory.ldif")],
        check=True,
        capture_output=True,
    )
    for _attempt in range(5):  # another process may take the free port before slapd does
        port = free_port()
        url = f"ldap://127.0.0.1:{port}"
        # -d 0: stay in the foreground, so this process owns slapd and stops it by its pid.
        process = subprocess.Popen(
            [binary, "-f", str(conf), "-h", f"{url}/", "-d", "0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while process.poll() is None and time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            except OSError:
                time.sleep(0.02)
            else:
                return Slapd(url, process)
        stop_slapd(process)
    message = process.stderr.read().decode() if process.stderr else ""
    raise RuntimeError(f"slapd did not start: {message}")


def stop_slapd(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stderr:
        process.stderr.close()


@pytest.fixture
def slapd(tmp_path: Path) -> Iterator[Slapd]:
    server = start_slapd(tmp_path / "slapd")
    try:
        yield server
    finally:
        stop_slapd(server.process)


@pytest.fixture
def ldap_settings(slapd: Slapd, settings: Any) -> Any:
    """prr pointed at the OpenLDAP tree (uid, groupOfNames, …), nested groups off."""
    settings.LDAP_URL = slapd.url
    settings.LDAP_BIND_DN = BIND_DN
    settings.LDAP_BIND_PASSWORD = BIND_PASSWORD
    settings.LDAP_USER_BASE_DN = PEOPLE
    settings.LDAP_GROUP_BASE_DN = GROUPS
    settings.LDAP_USERNAME_ATTRIBUTE = "uid"
    settings.LDAP_NESTED_GROUPS = False
    return settings


@pytest.fixture
def ad_settings(ldap_settings: Any) -> Any:
    """prr pointed at the Active Directory tree (sAMAccountName, nested groups on)."""
    ldap_settings.LDAP_USER_BASE_DN = AD_USERS
    ldap_settings.LDAP_GROUP_BASE_DN = AD_GROUPS
    ldap_settings.LDAP_USERNAME_ATTRIBUTE = "sAMAccountName"
    ldap_settings.LDAP_NESTED_GROUPS = True
    return ldap_settings


@pytest.fixture
def link(teams: dict[str, Team]) -> Callable[[str, str], Team]:
    """`link("sre", "sre")`: the team `sre` is kept by the LDAP group `sre` from now on."""

    def linked(slug: str, group_name: str) -> Team:
        return link_team(teams[slug], source="ldap", group=group_name)

    return linked


Cli = Callable[..., Result]


@pytest.fixture
def cli(db: None, settings: Any) -> Cli:
    """`cli("directory", "sync")` runs `prr directory sync` in-process."""
    settings.DEBUG = True
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(prr, list(args), catch_exceptions=False)

    return invoke


def members(slug: str) -> list[str]:
    from prr.teams.queries import current_memberships

    return sorted(
        current_memberships().filter(team__slug=slug).values_list("user__username", flat=True)
    )
