"""Strict readers of environment variables for settings.

Each helper refuses a bad value with a message naming the variable, instead of guessing.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class ConfigError(Exception):
    """A setting has a value prr cannot use."""


def env_str(name: str, default: str = "") -> str:
    """The variable's value; NAME_FILE, when set, names a file holding it (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{name}_FILE={file_name}: cannot read it ({exc.strerror})") from exc
        except UnicodeDecodeError:
            raise ConfigError(f"{name}_FILE={file_name}: the file is not UTF-8 text") from None
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean; use one of: true, false, 1, 0, yes, no")


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    """One of `choices` (case-insensitive); `default` when the variable is empty."""
    raw = os.environ.get(name, "").strip().lower() or default
    if raw not in choices:
        raise ConfigError(f"{name}={raw!r} is not one of: {', '.join(choices)}")
    return raw


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ConfigError(f"{name}={value} is below the minimum of {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    values = [part.strip() for part in (raw or "").split(",") if part.strip()]
    # An empty list would silently refuse everything (no allowed host): keep the default.
    return values or default


def env_secrets(name: str) -> list[str]:
    """Comma-separated secrets (several, so one can be rotated), from NAME or NAME_FILE."""
    return [part.strip() for part in env_str(name).split(",") if part.strip()]


def data_dir() -> Path:
    raw = os.environ.get("PRR_DATA_DIR") or "~/.local/share/prr"
    path = Path(raw).expanduser()
    if path.exists() and not path.is_dir():
        raise ConfigError(f"PRR_DATA_DIR={raw} exists and is not a directory")
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"PRR_DATA_DIR={raw}: cannot create it ({exc.strerror})") from exc
    return path.resolve()


def secret_key(directory: Path) -> str:
    """PRR_SECRET_KEY, or one generated once and kept in the data directory (mode 0600)."""
    given = env_str("PRR_SECRET_KEY")
    if given:
        return given
    path = directory / "secret_key"
    if path.exists():
        key = path.read_text().strip()
        if key:
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)  # written by an older prr, or copied: readable by others
            return key
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def as_network(entry: str) -> IPNetwork | None:
    """An IP address or network (`10.0.0.5`, `10.0.0.0/8`, `[::1]`) as a network, else None."""
    try:
        return ipaddress.ip_network(entry.strip().strip("[]"), strict=False)
    except ValueError:
        return None


def env_networks(name: str, default: list[str] | None = None) -> list[IPNetwork]:
    """Comma-separated IP addresses and networks (`none`: not one), each checked so a typo is
    refused; `default` when the variable is empty."""
    parts = [p.strip() for p in os.environ.get(name, "").split(",") if p.strip()]
    parts = parts or list(default or [])
    if [p.lower() for p in parts] == ["none"]:
        return []
    networks = []
    for part in parts:
        network = as_network(part)
        if network is None:
            raise ConfigError(
                f"{name}: {part!r} is not an IP address or network "
                "(such as 127.0.0.1, ::1 or 10.0.0.0/8)"
            )
        networks.append(network)
    return networks


def private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 unless it exists (a new SQLite database: SQLite
    then gives its -wal and -shm files the same mode). A folder that is missing is left for
    the database to report."""
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


@dataclass(frozen=True)
class DatabaseURL:
    engine: str
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    options: tuple[tuple[str, str], ...] = ()


def parse_database_url(raw: str) -> DatabaseURL:
    """`sqlite:///abs/path.db`, `sqlite:////abs/path.db` or `postgres://user:pw@host:port/db`."""
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///abs/path and sqlite:////abs/path both name /abs/path.
        path = "/" + unquote(parts.path).lstrip("/")
        if parts.netloc or path == "/":
            raise ConfigError(
                f"PRR_DATABASE_URL={raw!r}: a SQLite URL is sqlite:///path/to/prr.sqlite3"
            )
        return DatabaseURL(engine="django.db.backends.sqlite3", name=path)
    if scheme in {"postgres", "postgresql", "pgsql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ConfigError(f"PRR_DATABASE_URL={raw!r}: name the database after the host")
        try:
            port = parts.port
        except ValueError:
            raise ConfigError(f"PRR_DATABASE_URL={raw!r}: the port is not a number") from None
        return DatabaseURL(
            engine="django.db.backends.postgresql",
            name=name,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            host=parts.hostname or "",
            port=str(port or ""),
            options=tuple(parse_qsl(parts.query)),
        )
    raise ConfigError(
        f"PRR_DATABASE_URL={raw!r}: unknown scheme {scheme!r}; use sqlite:/// or postgres://"
    )
