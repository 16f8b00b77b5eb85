"""Secrets shown once are not kept by caches; over https, browsers are told to stay on https;
the SQLite database and the secret key are created readable by their owner only."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from prr.accounts.models import User
from prr.accounts.tokens import create_token
from prr.config import private_file, secret_key


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_the_page_showing_a_new_token_is_not_cached(as_dri: Client) -> None:
    response = as_dri.post("/account/tokens/", {"name": "deploy pipeline"})
    assert response.status_code == 201
    assert no_store(response)


def test_the_api_answers_with_a_new_token_or_webhook_secret_are_not_cached(
    client: Client, admin: User, dns
) -> None:
    auth = {"Authorization": f"Bearer {create_token(admin, name='setup').secret}"}
    token = client.post(
        "/api/v1/tokens", {"name": "ci"}, content_type="application/json", headers=auth
    )
    assert token.status_code == 201
    assert no_store(token)
    dns["hooks.example.com"] = []  # does not resolve now: checked again at each delivery
    hook = client.post(
        "/api/v1/webhooks",
        json.dumps({"url": "https://hooks.example.com/prr", "events": ["*"]}),
        content_type="application/json",
        headers=auth,
    )
    assert hook.status_code == 201
    assert "secret" in hook.json()
    assert no_store(hook)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_secret_key_file_is_created_for_its_owner_only(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("PRR_SECRET_KEY", raising=False)
    monkeypatch.delenv("PRR_SECRET_KEY_FILE", raising=False)
    old_umask = os.umask(0o022)
    try:
        key = secret_key(tmp_path)
    finally:
        os.umask(old_umask)
    assert mode(tmp_path / "secret_key") == 0o600
    (tmp_path / "secret_key").chmod(0o644)
    assert secret_key(tmp_path) == key
    assert mode(tmp_path / "secret_key") == 0o600  # tightened, key unchanged


def test_a_new_sqlite_database_is_created_for_its_owner_only(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PRR_DATA_DIR": str(tmp_path),
        "PRR_DATABASE_URL": f"sqlite:///{tmp_path / 'prr.sqlite3'}",
    }
    prr = Path(sys.executable).parent / "prr"
    subprocess.run([str(prr), "init"], env=env, check=True, capture_output=True)
    database = tmp_path / "prr.sqlite3"
    assert database.stat().st_size > 0
    assert mode(database) == 0o600
    assert all(mode(p) == 0o600 for p in tmp_path.glob("prr.sqlite3-*"))


def test_an_existing_file_keeps_its_content(tmp_path: Path) -> None:
    existing = tmp_path / "prr.sqlite3"
    existing.write_bytes(b"SQLite format 3\x00")
    private_file(existing)
    assert existing.read_bytes() == b"SQLite format 3\x00"


@pytest.mark.parametrize(
    ("base_url", "settings_seen"),
    [("https://prr.example.com", ["31536000", "True"]), ("http://localhost:8000", ["0", "False"])],
)
def test_hsts_is_on_with_an_https_base_url(
    tmp_path: Path, base_url: str, settings_seen: list[str]
) -> None:
    env = {
        **os.environ,
        "PRR_DATA_DIR": str(tmp_path),
        "PRR_BASE_URL": base_url,
        "PRR_DATABASE_URL": f"sqlite:///{tmp_path / 'prr.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "prr.settings",
    }
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECURE_HSTS_SECONDS, settings.SESSION_COOKIE_SECURE)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    )
    assert out.stdout.split() == settings_seen


def test_an_https_request_gets_the_hsts_header(client: Client, settings, db) -> None:
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = client.get("/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000"
