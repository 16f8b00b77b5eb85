"""The real `prr serve --workers 2`: one scrape adds up what every worker counted, and JSON
logs give one line per request with the id the response carries."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.operations.metrics_scrape import value
from tests.server import conftest

pytestmark = pytest.mark.django_db(transaction=True)

REQUESTS = 60


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read().decode()


def test_one_scrape_adds_up_the_requests_of_every_worker(
    serve: Callable[..., conftest.Served], tmp_path: Path
) -> None:
    served = serve(workers=2)

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: get(served.url + "/healthz")[0], range(REQUESTS)))
    assert statuses == [200] * REQUESTS

    status, _, text = get(served.url + "/metrics")

    assert status == 200
    healthz = {"route": "healthz", "method": "GET"}
    assert value(text, "prr_http_requests_total", status="200", **healthz) == REQUESTS
    assert value(text, "prr_http_request_duration_seconds_count", **healthz) == REQUESTS
    # Both workers served some of them: each wrote its own file, and the scrape read both.
    counting = {
        int(m.group(1))
        for f in (tmp_path / "metrics").glob("counter_*.db")
        if (m := re.fullmatch(r"counter_(\d+)\.db", f.name))
    } - {served.process.pid}
    assert len(counting) == 2, sorted(counting)


def test_json_logs_give_one_line_per_request_with_its_id(
    serve: Callable[..., conftest.Served], monkeypatch: pytest.MonkeyPatch
) -> None:
    def with_json_logs(data_dir: Path) -> dict[str, Any]:
        return server_env(data_dir) | {"PRR_LOG_FORMAT": "json"}

    server_env = conftest.server_env
    monkeypatch.setattr(conftest, "server_env", with_json_logs)
    served = serve(workers=2)

    _, headers, _ = get(served.url + "/healthz", {"X-Request-ID": "probe-1234"})
    _, generated, _ = get(served.url + "/healthz")
    conftest.stop_server(served)  # its output is complete

    assert headers["X-Request-ID"] == "probe-1234"
    lines = [json.loads(line) for line in served.output().splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["logger"] == "prr.requests"]
    assert [(r["request_id"], r["route"], r["status"]) for r in requests[-2:]] == [
        ("probe-1234", "healthz", 200),
        (generated["X-Request-ID"], "healthz", 200),
    ]
    # gunicorn's own lines are JSON too, and there is no plain access log beside them.
    assert any(line["logger"] == "gunicorn.error" for line in lines)
    assert '"GET /healthz HTTP/1.1" 200' not in served.output()
