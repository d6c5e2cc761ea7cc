"""`kb bench`: measure ingest throughput, query latency per mode, serving memory, HTTP latency,
and (with PostgreSQL) one replica on SQLite against two on PostgreSQL."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import httpx

from kb.bootstrap import open_database
from kb.settings import Settings
from search.embedders import EmbedderPool
from search.measure.replica_bench import measure_replicas
from search.query.searcher import MODES, SearchRequest
from search.service import ingest_and_index, open_searcher

QUERIES = [
    "what went wrong when we changed vendors mid-project",
    "how do I raise a change request",
    "stakeholder engagement plan",
    "risk register review",
    "user research with assisted digital users",
    "agile delivery team roles",
    "accessibility testing",
    "how to write a good lesson learned",
    "budget overrun early warning",
    "service assessment preparation",
    "变更评审流程",
    "风险登记册怎么填写",
    "项目章程包含哪些内容",
    "如何做好开源社区的沟通",
    "测试策略",
    "持续集成",
]
Log = Callable[[str], None]


def percentiles(samples: list[float]) -> dict[str, float]:
    """Return p50 and p95 of latencies in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"p50_ms": round(statistics.median(ordered), 2), "p95_ms": round(p95, 2)}


def build_corpus(source: Path, target: Path, min_sections: int, log: Log) -> None:
    """Copy Markdown files from source (repeating the set if needed) until ~min_sections."""
    from ingest.pipeline import check_content

    per_file = {doc.path: len(doc.sections) for doc in check_content(source, 2_000_000).changed}
    target.mkdir(parents=True, exist_ok=True)
    total, copy = 0, 0
    while total < min_sections:
        for rel, count in sorted(per_file.items()):
            destination = target / f"copy{copy}" / rel
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / rel, destination)
            total += count
            if total >= min_sections:
                break
        copy += 1
    log(f"corpus {target.name}: {total} sections")


def measure_ingest(corpus: Path, data: Path, pool: EmbedderPool, log: Log) -> dict:
    """Cold ingest (catalog + indexes, real models) and a no-change re-ingest."""
    settings = Settings(content=corpus, data=data, embedders=pool.names)
    database = open_database(settings.db_url)
    started = time.perf_counter()
    pool.all()  # model loading is timed on its own: the encode timing below excludes it too
    load = time.perf_counter() - started
    started = time.perf_counter()
    report, index = ingest_and_index(settings, database, pool)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    ingest_and_index(settings, database, pool)
    again = time.perf_counter() - started
    from search.index.records import load_records

    with database.session() as session:
        texts = [record.embedding_text() for record in load_records(session)]
    encode = {}
    for name in pool.names:
        started = time.perf_counter()
        for i in range(0, len(texts), 256):
            pool.get(name).encode_passages(texts[i : i + 256])
        encode[name] = round(time.perf_counter() - started, 2)
    raw = sum(encode.values())
    log(f"ingest: {report.sections} sections cold in {cold:.1f} s; raw encode {raw:.1f} s")
    return {
        "documents": report.documents,
        "sections": report.sections,
        "model_load_seconds": round(load, 2),
        "cold_seconds": round(cold, 2),
        "sections_per_second": round(report.sections / cold, 1),
        "raw_encode_seconds": encode,
        "overhead_over_encode_pct": round(100 * (cold - raw) / raw, 1) if raw else None,
        "no_change_seconds": round(again, 2),
        "embedded_texts": index.embedded_texts,
    }


def measure_queries(corpus: Path, data: Path, pool: EmbedderPool, rounds: int, log: Log) -> dict:
    """Query latency per mode over the corpus, query embedding included (no query caches:
    every round pays for the models and the index)."""
    settings = Settings(content=corpus, data=data, embedders=pool.names, query_cache=0)
    database = open_database(settings.db_url)
    report, _ = ingest_and_index(settings, database, pool)
    searcher = open_searcher(settings, database, pool)
    searcher.warm_up()
    result: dict = {"sections": report.sections, "query_cache": 0}
    for mode in MODES:
        samples = []
        for _ in range(rounds):
            for query in QUERIES:
                started = time.perf_counter()
                searcher.search(SearchRequest(query, mode=mode, log=False))
                samples.append((time.perf_counter() - started) * 1000)
        result[mode] = percentiles(samples)
        log(f"{report.sections} sections, {mode}: {result[mode]}")
    return result


def measure_server(
    corpus: Path, data: Path, names: list[str], log: Log, workers: int = 1, query_cache: int = 4096
) -> dict:
    """Start `kb serve`; time single requests, then load it with wrk (50 connections, mixed
    zh/en queries) on /api/search and the search page, each after a 10 s warm-up (the steady
    state of a running server: with caches on they are warm); read the peak RSS."""
    port = _free_port()
    env = {**os.environ, "KB_CONTENT": str(corpus), "KB_DATA": str(data),
           "KB_EMBEDDERS": json.dumps(names), "KB_QUERY_CACHE": str(query_cache)}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "kb.cli", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(f"{base}/api/search")
        result: dict = {"workers": workers, "query_cache": query_cache}
        with httpx.Client() as client:
            samples = [_timed_get(client, f"{base}/api/search", q) for q in QUERIES * 2]
        result["http_1_client"] = percentiles(samples)
        queries = load_queries()
        for name, path in (("api", "/api/search"), ("page", "/search")):
            run_wrk(base, path, queries, connections=50, seconds=10)  # warm-up, not counted
            result[f"wrk_{name}"] = run_wrk(base, path, queries, connections=50, seconds=20)
            log(f"{workers} worker(s), cache {query_cache}, {path}: {result[f'wrk_{name}']}")
        result["serving_peak_rss_mb"] = round(_peak_rss_kb(process.pid) / 1024, 1)
        return result
    finally:
        process.terminate()
        process.wait(timeout=30)


def load_queries() -> list[str]:
    """Return the load mix: the judged sets' questions (zh and en) when the checkout has them."""
    queries = list(QUERIES)
    judged = Path(__file__).resolve().parents[2] / "tests" / "judged"
    for path in sorted(judged.glob("*/queries.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                queries.append(json.loads(line)["text"])
    return queries


WRK_SCRIPT = """
local paths = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %%d, "seconds": %%.2f, "p50_ms": %%.1f, '
    .. '"p95_ms": %%.1f, "p99_ms": %%.1f, "socket_errors": %%d, "non_2xx": %%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def run_wrk(base: str, path: str, queries: list[str], connections: int, seconds: int) -> dict:
    """Load a URL with wrk (a C load generator, so it does not eat the server's cores)."""
    if shutil.which("wrk") is None:
        return {"error": "wrk is not installed: apt-get install wrk (Debian), then rerun"}
    paths = ", ".join(f'"{path}?q={quote(q)}"' for q in queries)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % paths)
    try:
        output = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
             "-s", script.name, base],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script.name)
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["requests_per_second"] = round(result["requests"] / result["seconds"], 1)
    result["connections"] = connections
    return result


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_serving(url: str) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            httpx.get(url, params={"q": "risk"}, timeout=5)
            return
        except httpx.HTTPError:
            time.sleep(0.5)
    raise RuntimeError(f"the server did not answer {url} within 180 s")


def _peak_rss_kb(pid: int) -> int:
    """Return the peak resident memory of a process and its children (workers), in kB."""
    total = 0
    pids = [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for each in pids:
        status = Path(f"/proc/{each}/status").read_text()
        total += next(int(x.split()[1]) for x in status.splitlines() if x.startswith("VmHWM"))
    return total


def _timed_get(client: httpx.Client, url: str, query: str) -> float:
    started = time.perf_counter()
    client.get(url, params={"q": query}, timeout=30).raise_for_status()
    return (time.perf_counter() - started) * 1000


def run_bench(
    source: Path,
    work: Path,
    pool: EmbedderPool,
    rounds: int,
    log: Log,
    database_url: str = "",
    only_replicas: bool = False,
) -> dict:
    """Run every measurement and return the numbers (with a PostgreSQL URL, the replicas too)."""
    work.mkdir(parents=True, exist_ok=True)
    small, large = work / "corpus-1k", work / "corpus-10k"
    for folder in (small, large, work / "data-ingest", work / "data-1k", work / "data-10k"):
        shutil.rmtree(folder, ignore_errors=True)
    build_corpus(source, small, 1_000, log)
    results = {"machine": {"cores": os.cpu_count()}, "embedders": pool.names}
    if database_url:
        results["replicas_1k"] = measure_replicas(
            small, work, pool.names, database_url, load_queries(), run_wrk, _free_port, log
        )
    else:
        results["replicas_1k"] = {
            "skipped": "give a PostgreSQL server with --database-url (or KB_BENCH_DATABASE_URL)"
        }
    if only_replicas:
        return results
    build_corpus(source, large, 10_000, log)
    results["ingest"] = measure_ingest(source, work / "data-ingest", pool, log)
    results["queries_1k"] = measure_queries(small, work / "data-1k", pool, rounds, log)
    results["queries_10k"] = measure_queries(large, work / "data-10k", pool, rounds, log)
    for workers in (1, 2):
        for cache in (4096, 0):
            results[f"server_10k_{workers}w_cache{cache}"] = measure_server(
                large, work / "data-10k", pool.names, log, workers, cache
            )
    return results
