"""The files in contrib/ are what an operator installs: they must load in the real tools.

`systemd-analyze verify` checks the units and `nginx -t` the site. Where a tool is missing the
test is skipped with the reason, except in CI (CI=true), where a missing tool fails it: `make
pytest` installs nginx (scripts/ensure-nginx), and a skipped check would hide a broken file.
"""

from __future__ import annotations

import datetime
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from prr.cli import prr
from tests.test_docs import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
CONTRIB = ROOT / "contrib"
UNITS = ["prr-web.service", "prr-worker.service"]
INSTALLED_PRR = "/opt/prr/venv/bin/prr"
INSTALLED_ENV_FILE = "/etc/prr/prr.env"


def tool(name: str, *fallbacks: str) -> str:
    """The tool's path; skipped without it, but failed in CI."""
    found = shutil.which(name) or next((f for f in fallbacks if Path(f).exists()), None)
    if found:
        return found
    reason = f"{name} is not installed (Debian: apt-get install {name.split('-')[0]})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must check contrib/ with it")
    pytest.skip(reason)


def unit_lines(unit: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in (CONTRIB / "systemd" / unit).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), []).append(value.strip())
    return values


# -- systemd --------------------------------------------------------------------------------


def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = tool("systemd-analyze", "/usr/bin/systemd-analyze")
    # verify wants ExecStart's binary and the EnvironmentFile to exist: the installed paths
    # are swapped for this checkout's prr and an empty file. It does not look up User=prr
    # (resolved when the unit starts), so that is checked below as text.
    real_prr = Path(sys.executable).parent / "prr"
    assert real_prr.exists(), real_prr
    env_file = tmp_path / "prr.env"
    env_file.write_text("")
    copies = []
    for unit in UNITS:
        text = (CONTRIB / "systemd" / unit).read_text()
        copy = tmp_path / unit
        copy.write_text(
            text.replace(INSTALLED_PRR, str(real_prr)).replace(INSTALLED_ENV_FILE, str(env_file))
        )
        copies.append(str(copy))

    run = subprocess.run(
        [analyze, "verify", *copies], capture_output=True, text=True, timeout=60, check=False
    )

    # verify exits 0 on an unknown key or a bad value ("…, ignoring"): any line about the
    # units is a mistake in them.
    complaints = [line for line in (run.stdout + run.stderr).splitlines() if str(tmp_path) in line]
    assert run.returncode == 0, run.stderr
    assert complaints == []


@pytest.mark.parametrize("unit", UNITS)
def test_each_unit_runs_as_prr_hardened_with_only_the_data_dir_writable(unit: str) -> None:
    values = unit_lines(unit)

    assert values["User"] == ["prr"]
    assert values["EnvironmentFile"] == [INSTALLED_ENV_FILE]
    assert values["NoNewPrivileges"] == ["yes"]
    assert values["ProtectSystem"] == ["strict"]
    assert values["ReadWritePaths"] == ["/var/lib/prr"]
    assert values["CapabilityBoundingSet"] == [""]


@pytest.mark.parametrize("unit", UNITS)
def test_each_unit_starts_a_real_prr_command(unit: str) -> None:
    (exec_start,) = unit_lines(unit)["ExecStart"]
    binary, *args = shlex.split(exec_start)

    assert binary == INSTALLED_PRR
    # Parsed by the real command line: a renamed command or option fails here.
    name, *options = args
    with prr.make_context("prr", [name]) as ctx:
        command = prr.get_command(ctx, name)
        assert command is not None, f"no command `prr {name}`"
        command.make_context(name, options, parent=ctx)


def test_the_example_environment_file_names_only_real_settings() -> None:
    names = [
        line.partition("=")[0]
        for line in (CONTRIB / "systemd" / "prr.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    ]

    assert "PRR_DATA_DIR" in names
    # NAME_FILE is the file variant every setting read with env_str has.
    assert [n for n in names if n.removesuffix("_FILE") not in SETTINGS] == []


def test_the_data_dir_of_the_example_is_the_writable_one() -> None:
    example = (CONTRIB / "systemd" / "prr.env.example").read_text()

    assert "PRR_DATA_DIR=/var/lib/prr\n" in example


# -- nginx ----------------------------------------------------------------------------------


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "prr.example.com")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "prr.pem", directory / "prr.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_the_nginx_site_passes_nginx_t(tmp_path: Path) -> None:
    nginx = tool("nginx", "/usr/sbin/nginx")
    cert, key = self_signed(tmp_path)
    site = (CONTRIB / "nginx" / "prr.conf").read_text()
    site = site.replace("/etc/ssl/certs/prr.example.com.pem", str(cert))
    site = site.replace("/etc/ssl/private/prr.example.com.key", str(key))
    (tmp_path / "prr.conf").write_text(site)
    # The smallest nginx.conf that includes a site as Debian's does (inside http {}), with
    # every path nginx writes in the temporary directory.
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "events {}\n"
        "http {\n"
        f"  access_log {tmp_path}/access.log;\n"
        f"  client_body_temp_path {tmp_path}/body;\n"
        f"  proxy_temp_path {tmp_path}/proxy;\n"
        f"  include {tmp_path}/prr.conf;\n"
        "}\n"
    )

    run = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", "nginx.conf"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert run.returncode == 0, run.stderr
    assert "syntax is ok" in run.stderr
    assert "[warn]" not in run.stderr, run.stderr


def test_the_nginx_body_limit_lets_prr_answer_too_large_bodies_itself(settings) -> None:
    site = (CONTRIB / "nginx" / "prr.conf").read_text()
    (line,) = [ln.strip() for ln in site.splitlines() if ln.strip().startswith("client_max_body")]
    megabytes = int(line.removeprefix("client_max_body_size").strip(" ;m"))

    # A body prr refuses must reach prr (for its message), and not by much more.
    assert megabytes * 1024 * 1024 >= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert megabytes * 1024 * 1024 < 2 * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
