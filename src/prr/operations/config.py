"""Settings of monitoring (metrics, logs) read from the environment, strictly.

Imported by settings.py before anything else of prr: it must not import Django models, nor
`prometheus_client` (which picks its storage when first imported, so the metrics directory
has to be in the environment before that; see `use_metrics_dir`).
"""

from __future__ import annotations

import os
from pathlib import Path

from prr.config import ConfigError

LOG_FORMATS = ("plain", "json")
DEFAULT_METRICS_ALLOW = ["127.0.0.1/32", "::1/128"]


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
