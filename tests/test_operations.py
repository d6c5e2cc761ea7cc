"""Running it like a service: /healthz answers without the database, /readyz says whether the
server can serve (and whether semantic search is ready), /metrics is a Prometheus scrape whose
counters move with traffic, and JSON log lines carry the request id the response header shows."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.search_fixtures import build_kb
from tests.test_outage import serving_through_outage
from web.app import create_app
from web.core.json_logs import JsonLogFormatter
from web.core.request_id import RequestIdFilter

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def client(settings, database):
    build_kb(settings, database)
    with TestClient(create_app(settings)) as client:
        yield client


def samples(client: TestClient) -> dict[tuple[str, frozenset], float]:
    """Scrape /metrics and return {(sample name, labels): value}."""
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def value(found: dict, name: str, **labels: str) -> float:
    """Sum the samples of this name whose labels include these."""
    wanted = set(labels.items())
    return sum(v for (n, have), v in found.items() if n == name and wanted <= have)


def test_healthz_answers_without_the_database(settings, database, tmp_path):
    with serving_through_outage(settings, database, tmp_path) as (client, outage):
        outage.stop(client.app_state)
        alive = client.get("/healthz")
        assert alive.status_code == 200 and alive.json() == {"status": "ok"}
        outage.start()


def test_readyz_says_not_ready_while_the_database_is_gone(settings, database, tmp_path):
    with serving_through_outage(settings, database, tmp_path) as (client, outage):
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["ready"] and ready.json()["database"]
        outage.stop(client.app_state)
        gone = client.get("/readyz")
        assert gone.status_code == 503
        assert gone.json()["ready"] is False and gone.json()["database"] is False
        assert gone.json()["index_generation"]  # the index is still there: search answers
        outage.start()
        assert client.get("/readyz").status_code == 200


def test_readyz_reports_the_index_and_semantic_search(client):
    body = client.get("/readyz").json()
    assert body["schema_at_head"] is True
    assert body["index_generation"].startswith("gen-")
    assert body["semantic"] == {"ready": True, "state": "ready"}  # semantic_at_start=wait


def test_metrics_counters_move_with_requests(client):
    before = samples(client)
    assert client.get("/api/search", params={"q": "risk", "mode": "keyword"}).status_code == 200
    assert client.get("/api/documents/no-such-doc").status_code == 404
    after = samples(client)

    search = {"route": "/api/search", "method": "GET", "status": "200"}
    assert value(after, "kb_http_requests_total", **search) == (
        value(before, "kb_http_requests_total", **search) + 1
    )
    missing = {"route": "/api/documents/{doc_id:path}", "method": "GET", "status": "404"}
    assert value(after, "kb_http_requests_total", **missing) == (
        value(before, "kb_http_requests_total", **missing) + 1
    )
    timed = {"route": "/api/search", "status": "200"}
    assert value(after, "kb_http_request_duration_seconds_count", **timed) == (
        value(before, "kb_http_request_duration_seconds_count", **timed) + 1
    )
    searched = {"mode": "keyword"}
    assert value(after, "kb_search_duration_seconds_count", **searched) == (
        value(before, "kb_search_duration_seconds_count", **searched) + 1
    )
    # and the service's state is there
    assert value(after, "kb_database_up") == 1
    assert value(after, "kb_semantic_ready") == 1
    assert value(after, "kb_publish_journal_entries") == 0
    assert value(after, "kb_index_generation_sections") > 0


def test_probes_and_scrapes_stay_out_of_the_traffic_and_its_limits(client):
    for _ in range(30):  # more than any rate limit's burst
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
    found = samples(client)
    routes = {dict(labels).get("route") for name, labels in found if name.startswith("kb_http")}
    assert not routes & {"/healthz", "/readyz", "/metrics"}


def test_the_api_document_lists_the_probes(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "200" in paths["/healthz"]["get"]["responses"]
    assert {"200", "503"} <= set(paths["/readyz"]["get"]["responses"])
    assert "/metrics" not in paths  # Prometheus text, not JSON


def test_json_log_lines_carry_the_request_id_of_the_response(settings, database, caplog):
    build_kb(settings, database)
    json_settings = settings.model_copy(update={"log_format": "json"})
    caplog.set_level(logging.INFO, logger="kb.requests")
    caplog.handler.addFilter(RequestIdFilter())
    with TestClient(create_app(json_settings)) as client:
        given = client.get("/api/search", params={"q": "risk"}, headers={"X-Request-ID": "abc-1"})
        made = client.get("/healthz")
        bad = client.get("/healthz", headers={"X-Request-ID": "no spaces\tor tabs"})
    assert given.headers["x-request-id"] == "abc-1"
    made_id, bad_id = made.headers["x-request-id"], bad.headers["x-request-id"]
    assert len(made_id) == 32 and bad_id != "no spaces\tor tabs" and bad_id != made_id

    formatter = JsonLogFormatter()
    lines = [json.loads(formatter.format(r)) for r in caplog.records if r.name == "kb.requests"]
    by_id = {line["request_id"]: line for line in lines}
    assert by_id["abc-1"]["path"] == "/api/search" and by_id["abc-1"]["status"] == 200
    assert by_id[made_id]["path"] == "/healthz"
    assert all("\n" not in formatter.format(r) for r in caplog.records)


def test_plain_logs_by_default_write_no_request_lines(client, caplog):
    caplog.set_level(logging.INFO, logger="kb.requests")
    answer = client.get("/healthz")
    assert answer.headers["x-request-id"]  # the id is sent whatever the log format
    assert [r for r in caplog.records if r.name == "kb.requests"] == []


COUNT_ONE_REQUEST = """
from web.core.metrics import AppMetrics
AppMetrics().requests.labels(route="/api/search", method="GET", status="200").inc()
"""
SCRAPE = """
import sys
from web.core.metrics import AppMetrics
sys.stdout.write(AppMetrics().scrape().decode())
"""


def test_a_scrape_adds_up_the_counts_of_every_worker_process(tmp_path):
    """Under `kb serve --workers N` each worker counts its own requests; a scrape, whichever
    worker answers it, reports the sum (prometheus-client's multiprocess mode)."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": str(REPO)}
    for _ in range(2):  # two workers, one request each
        subprocess.run([sys.executable, "-c", COUNT_ONE_REQUEST], env=env, check=True)
    scraped = subprocess.run(
        [sys.executable, "-c", SCRAPE], env=env, check=True, capture_output=True, text=True
    ).stdout
    found = {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(scraped)
        for sample in family.samples
    }
    assert value(found, "kb_http_requests_total", route="/api/search", status="200") == 2
