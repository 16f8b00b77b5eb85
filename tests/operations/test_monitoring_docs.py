"""The suggested alerts and docs/monitoring.md keep up with the metrics prr exports."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client
from prometheus_client.metrics import MetricWrapperBase

from prr.operations import metrics
from tests.operations.metrics_scrape import families

ROOT = Path(__file__).resolve().parents[2]
ALERTS = ROOT / "contrib/prometheus/prr-alerts.yml"
DOCS = ROOT / "docs/monitoring.md"
# Series Prometheus itself makes for every scrape target.
PROMETHEUS_OWN = {"up"}


def alerts() -> list[dict[str, Any]]:
    rules = yaml.safe_load(ALERTS.read_text())
    return [rule for group in rules["groups"] for rule in group["rules"]]


@pytest.fixture
def exported(client: Client, db: None) -> set[str]:
    """Every family name prr exports: the counters it keeps and what a scrape reads."""
    kept = {
        next(iter(wrapper.describe())).name
        for wrapper in vars(metrics).values()
        if isinstance(wrapper, MetricWrapperBase)
    }
    return kept | families(client.get("/metrics").content.decode())


def series_names(family: str) -> set[str]:
    return {family, *(family + suffix for suffix in ("_total", "_bucket", "_count", "_sum"))}


def test_the_rules_file_lists_alerts() -> None:
    names = [rule["alert"] for rule in alerts()]
    assert "PrrNoWorker" in names
    assert len(names) == len(set(names))


@pytest.mark.parametrize("rule", alerts(), ids=lambda rule: rule["alert"])
def test_each_alert_reads_metrics_prr_exports(rule: dict[str, Any], exported: set[str]) -> None:
    known = set().union(*(series_names(f) for f in exported)) | PROMETHEUS_OWN
    expr = rule["expr"]
    used = set(re.findall(r"\bprr_[a-z_]+", expr)) | set(re.findall(r"\bup(?=\{)", expr))
    assert used, f"{rule['alert']} reads no metric"
    assert used <= known, f"{rule['alert']} reads {sorted(used - known)}, which prr does not export"


@pytest.mark.parametrize("rule", alerts(), ids=lambda rule: rule["alert"])
def test_each_alert_has_a_runbook_entry(rule: dict[str, Any]) -> None:
    anchor = rule["annotations"]["runbook"].split("#", 1)[1]
    headings = {
        re.sub(r"[^a-z0-9-]", "", line.lstrip("#").strip().lower().replace(" ", "-"))
        for line in DOCS.read_text().splitlines()
        if line.startswith("### ")
    }
    assert rule["annotations"]["runbook"].startswith("docs/monitoring.md#")
    assert anchor in headings, f"docs/monitoring.md has no runbook entry '### {rule['alert']}'"
    assert rule.get("for"), f"{rule['alert']} fires on a single bad scrape"


def test_every_metric_is_documented(exported: set[str]) -> None:
    text = DOCS.read_text()
    missing = sorted(f for f in exported if not re.search(rf"`{f}(_total)?[`{{]", text))
    assert not missing, f"docs/monitoring.md does not describe {missing}"
