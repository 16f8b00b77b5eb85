"""Settings of monitoring (metrics, logs) read from the environment, strictly.

Imported by settings.py before anything else of prr: it must not import Django models, nor
`prometheus_client` (which picks its storage when first imported, so the metrics directory
has to be in the environment before that; see `use_metrics_dir`).
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

from prr.config import ConfigError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

LOG_FORMATS = ("plain", "json")
DEFAULT_METRICS_ALLOW = ["127.0.0.1/32", "::1/128"]


def env_log_format(name: str, default: str = "plain") -> str:
    raw = os.environ.get(name, "").strip().lower() or default
    if raw not in LOG_FORMATS:
        raise ConfigError(f"{name}={raw!r} is not a log format; use one of: plain, json")
    return raw


def env_networks(name: str, default: list[str]) -> list[Network]:
    """Comma-separated addresses or CIDR networks; `none` for no network at all."""
    raw = os.environ.get(name)
    parts = [p.strip() for p in (raw or "").split(",") if p.strip()] or default
    if [p.lower() for p in parts] == ["none"]:
        return []
    networks: list[Network] = []
    for part in parts:
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ConfigError(
                f"{name}: {part!r} is not an address or a network (e.g. 10.0.0.0/8, ::1)"
            ) from None
    return networks


def use_metrics_dir(path: Path) -> Path:
    """Make every prr process on this host count into the files of `path`.

    prometheus-client's multiprocess mode: each process writes its counters to its own
    memory-mapped file there, and `/metrics` adds up all the files, so the figures of every
    gunicorn worker (and of `prr worker` and the CLI, on the same host) are in one scrape.
    """
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"PRR_METRICS_DIR={path}: cannot create it ({exc.strerror})") from exc
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    return path
