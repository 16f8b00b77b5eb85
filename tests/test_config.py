"""Tests for prr.config: settings read from the environment, refused when unusable."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from prr.config import (
    ConfigError,
    DatabaseURL,
    data_dir,
    env_bool,
    env_int,
    env_list,
    env_str,
    parse_database_url,
    secret_key,
)


@pytest.fixture
def no_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRR_SECRET_KEY", raising=False)
    monkeypatch.delenv("PRR_SECRET_KEY_FILE", raising=False)


# env_bool


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("TRUE", True),
        (" yes ", True),
        ("on", True),
        ("0", False),
        ("False", False),
        ("no", False),
        ("off", False),
        ("", False),
    ],
)
def test_it_reads_boolean_words(monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("PRR_FLAG", raw)
    assert env_bool("PRR_FLAG", default=not expected) is expected


def test_it_uses_the_boolean_default_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRR_FLAG", raising=False)
    assert env_bool("PRR_FLAG", True) is True


def test_it_refuses_a_boolean_it_cannot_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRR_DEBUG", "maybe")
    with pytest.raises(ConfigError) as info:
        env_bool("PRR_DEBUG")
    assert str(info.value) == (
        "PRR_DEBUG='maybe' is not a boolean; use one of: true, false, 1, 0, yes, no"
    )


# env_int


def test_it_reads_a_whole_number(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRR_SQLITE_TIMEOUT", " 30 ")
    assert env_int("PRR_SQLITE_TIMEOUT", 20, minimum=1) == 30


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_it_uses_the_number_default_when_unset_or_blank(
    monkeypatch: pytest.MonkeyPatch, raw: str | None
) -> None:
    if raw is None:
        monkeypatch.delenv("PRR_SQLITE_TIMEOUT", raising=False)
    else:
        monkeypatch.setenv("PRR_SQLITE_TIMEOUT", raw)
    assert env_int("PRR_SQLITE_TIMEOUT", 20) == 20


@pytest.mark.parametrize("raw", ["twenty", "1.5", "10s"])
def test_it_refuses_a_number_that_is_not_whole(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("PRR_SQLITE_TIMEOUT", raw)
    with pytest.raises(ConfigError) as info:
        env_int("PRR_SQLITE_TIMEOUT", 20)
    assert str(info.value) == f"PRR_SQLITE_TIMEOUT={raw!r} is not a whole number"


def test_it_refuses_a_number_below_the_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRR_SQLITE_TIMEOUT", "0")
    with pytest.raises(ConfigError) as info:
        env_int("PRR_SQLITE_TIMEOUT", 20, minimum=1)
    assert str(info.value) == "PRR_SQLITE_TIMEOUT=0 is below the minimum of 1"


# env_list


def test_it_splits_a_list_on_commas_and_drops_blanks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRR_ALLOWED_HOSTS", " prr.example.com, ,localhost,, 10.0.0.1 ")
    assert env_list("PRR_ALLOWED_HOSTS", ["default"]) == [
        "prr.example.com",
        "localhost",
        "10.0.0.1",
    ]


def test_it_uses_the_list_default_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRR_ALLOWED_HOSTS", raising=False)
    assert env_list("PRR_ALLOWED_HOSTS", ["localhost"]) == ["localhost"]


# env_str and the NAME_FILE variant


def test_it_reads_a_string_or_its_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRR_BASE_URL_FILE", raising=False)
    monkeypatch.delenv("PRR_BASE_URL", raising=False)
    assert env_str("PRR_BASE_URL", "http://localhost:8000") == "http://localhost:8000"
    monkeypatch.setenv("PRR_BASE_URL", "https://prr.example.com")
    assert env_str("PRR_BASE_URL", "http://localhost:8000") == "https://prr.example.com"


def test_it_reads_a_secret_from_the_file_named_by_name_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = tmp_path / "db_url"
    secret.write_text("postgres://prr:s3cret@db/prr\n")
    monkeypatch.delenv("PRR_DATABASE_URL", raising=False)
    monkeypatch.setenv("PRR_DATABASE_URL_FILE", str(secret))
    assert env_str("PRR_DATABASE_URL") == "postgres://prr:s3cret@db/prr"


def test_it_refuses_a_secret_file_it_cannot_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere"
    monkeypatch.setenv("PRR_SECRET_KEY_FILE", str(missing))
    with pytest.raises(ConfigError) as info:
        env_str("PRR_SECRET_KEY")
    assert str(info.value) == (
        f"PRR_SECRET_KEY_FILE={missing}: cannot read it (No such file or directory)"
    )


def test_it_refuses_a_secret_file_that_is_a_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PRR_SECRET_KEY_FILE", str(tmp_path))
    with pytest.raises(ConfigError) as info:
        env_str("PRR_SECRET_KEY")
    assert str(info.value) == f"PRR_SECRET_KEY_FILE={tmp_path}: cannot read it (Is a directory)"


def test_it_refuses_a_secret_file_that_is_not_text(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # `head -c 32 /dev/urandom > secret` is a common way to make one: say so, no traceback.
    secret = tmp_path / "secret"
    secret.write_bytes(b"\xff\xfe\x00\x81binary")
    monkeypatch.setenv("PRR_SECRET_KEY_FILE", str(secret))
    with pytest.raises(ConfigError) as info:
        env_str("PRR_SECRET_KEY")
    assert str(info.value).startswith(f"PRR_SECRET_KEY_FILE={secret}: ")


# parse_database_url


def test_it_reads_a_sqlite_url_with_three_slashes() -> None:
    assert parse_database_url("sqlite:///var/lib/prr/prr.sqlite3") == DatabaseURL(
        engine="django.db.backends.sqlite3", name="/var/lib/prr/prr.sqlite3"
    )


def test_it_reads_a_sqlite_url_with_four_slashes() -> None:
    url = parse_database_url("sqlite:////var/lib/prr/prr.sqlite3")
    assert url.engine == "django.db.backends.sqlite3"
    assert url.name == "/var/lib/prr/prr.sqlite3"


@pytest.mark.parametrize("raw", ["sqlite://", "sqlite:///", "sqlite://host/prr.sqlite3"])
def test_it_refuses_a_sqlite_url_without_an_absolute_path(raw: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_database_url(raw)
    assert str(info.value) == (
        f"PRR_DATABASE_URL={raw!r}: a SQLite URL is sqlite:///path/to/prr.sqlite3"
    )


def test_it_reads_a_postgres_url() -> None:
    assert parse_database_url("postgres://prr:s3cret@db.example.com:5432/prr") == DatabaseURL(
        engine="django.db.backends.postgresql",
        name="prr",
        user="prr",
        password="s3cret",
        host="db.example.com",
        port="5432",
    )


def test_it_reads_a_postgresql_url_with_options_and_escaped_password() -> None:
    url = parse_database_url(
        "postgresql://prr:p%40ss%2Fword@db.internal/prr_prod?sslmode=require&connect_timeout=5"
    )
    assert url.engine == "django.db.backends.postgresql"
    assert (url.name, url.user, url.password, url.host, url.port) == (
        "prr_prod",
        "prr",
        "p@ss/word",
        "db.internal",
        "",
    )
    assert url.options == (("sslmode", "require"), ("connect_timeout", "5"))


def test_it_refuses_an_unknown_database_scheme() -> None:
    with pytest.raises(ConfigError) as info:
        parse_database_url("mysql://prr@db/prr")
    assert str(info.value) == (
        "PRR_DATABASE_URL='mysql://prr@db/prr': unknown scheme 'mysql'; "
        "use sqlite:/// or postgres://"
    )


@pytest.mark.parametrize("raw", ["postgres://prr@db:5432", "postgres://prr@db:5432/"])
def test_it_refuses_a_postgres_url_without_a_database_name(raw: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_database_url(raw)
    assert str(info.value) == f"PRR_DATABASE_URL={raw!r}: name the database after the host"


@pytest.mark.parametrize("raw", ["postgres://prr@db:port/prr", "postgres://prr@db:99999/prr"])
def test_it_refuses_a_postgres_url_with_a_bad_port(raw: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_database_url(raw)
    assert str(info.value) == f"PRR_DATABASE_URL={raw!r}: the port is not a number"


# secret_key


def test_it_generates_a_secret_key_once_readable_only_by_its_owner(
    no_secret_key: None, tmp_path: Path
) -> None:
    key = secret_key(tmp_path)
    stored = tmp_path / "secret_key"
    assert len(key) >= 50
    assert stored.read_text().strip() == key
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600


def test_it_reuses_the_stored_secret_key(no_secret_key: None, tmp_path: Path) -> None:
    first = secret_key(tmp_path)
    assert secret_key(tmp_path) == first
    assert secret_key(tmp_path) == first


def test_it_prefers_prr_secret_key_to_the_stored_one(
    no_secret_key: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    stored = secret_key(tmp_path)
    monkeypatch.setenv("PRR_SECRET_KEY", "given-by-the-operator")
    assert secret_key(tmp_path) == "given-by-the-operator"
    assert (tmp_path / "secret_key").read_text().strip() == stored


def test_it_reads_the_secret_key_from_prr_secret_key_file(
    no_secret_key: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "mounted").write_text("from-a-mounted-secret\n")
    monkeypatch.setenv("PRR_SECRET_KEY_FILE", str(tmp_path / "mounted"))
    assert secret_key(tmp_path) == "from-a-mounted-secret"
    assert not (tmp_path / "secret_key").exists()


# data_dir


def test_it_creates_the_data_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    wanted = tmp_path / "nested" / "prr"
    monkeypatch.setenv("PRR_DATA_DIR", str(wanted))
    assert data_dir() == wanted.resolve()
    assert wanted.is_dir()


def test_it_refuses_a_data_directory_that_is_a_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    a_file = tmp_path / "prr.sqlite3"
    a_file.write_text("")
    monkeypatch.setenv("PRR_DATA_DIR", str(a_file))
    with pytest.raises(ConfigError) as info:
        data_dir()
    assert str(info.value) == f"PRR_DATA_DIR={a_file} exists and is not a directory"
