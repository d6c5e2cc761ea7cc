"""Prometheus metrics of the web app: requests by route and status, search latency by mode and
legs, and a scrape that is correct with several worker processes.

The metric objects live on one AppMetrics per app (in app.state), not in module globals. With
several workers, `kb serve` sets PROMETHEUS_MULTIPROC_DIR before any worker starts: each worker's
counters and histograms then write to files there and a scrape, whichever worker answers it,
adds them all up (prometheus-client's multiprocess mode). One worker keeps them in memory."""

from __future__ import annotations

import os
import time
from typing import Annotated

from fastapi import Depends
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Probes and scrapes are not traffic: they stay out of the request metrics and analytics.
NOT_COUNTED = frozenset({"/healthz", "/readyz", "/metrics"})
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def multiprocess() -> bool:
    """Tell whether metrics are shared between worker processes through files."""
    return bool(os.environ.get(MULTIPROCESS_DIR))


class AppMetrics:
    """The app's request and search metrics, and the scrape that reads them."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "kb_http_requests",
            "HTTP requests answered, by route template, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "kb_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template and status.",
            ["route", "status"],
            buckets=SECONDS,
            registry=self.registry,
        )
        self.search_seconds = Histogram(
            "kb_search_duration_seconds",
            "Time the searcher took for a query, by mode and the legs that ran (keyword+minilm).",
            ["mode", "legs"],
            buckets=SECONDS,
            registry=self.registry,
        )

    def observe_search(self, mode: str, legs: list[str], took_ms: float) -> None:
        """Record one search's time (from the response's own timing)."""
        labels = {"mode": mode, "legs": "+".join(sorted(legs)) or "none"}
        self.search_seconds.labels(**labels).observe(took_ms / 1000)

    def scrape(self, *live: Collector) -> bytes:
        """Return the text exposition of every metric, summed over the worker processes, and of
        the `live` collectors (read now, in this process)."""
        if multiprocess():
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
        else:
            registry = self.registry
        for collector in live:
            registry.register(collector)
        try:
            return generate_latest(registry)
        finally:
            for collector in live:
                registry.unregister(collector)


def get_app_metrics(request: Request) -> AppMetrics:
    """Return the app's metrics (a search route records its latency there)."""
    return request.app.state.metrics


AppMetricsDep = Annotated[AppMetrics, Depends(get_app_metrics)]


class RequestMetrics:
    """Middleware: counts each HTTP request and times it, labelled by its route template (not the
    raw path, so ids do not make new series) and status."""

    def __init__(self, app: ASGIApp, metrics: AppMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in NOT_COUNTED:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            labels = {"route": route, "status": str(status)}
            self.metrics.requests.labels(method=scope["method"], **labels).inc()
            self.metrics.request_seconds.labels(**labels).observe(time.perf_counter() - started)
