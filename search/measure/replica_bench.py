"""`kb bench --replicas`: HTTP search throughput of one replica on SQLite against two replicas on
one PostgreSQL database (same machine: it shows the overhead, not a speed-up), and the cold start
of a new replica on an empty disk."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx

from kb.store.database import driver_url
from kb.store.scratch_schema import scratch_schema

Log = Callable[[str], None]
CONNECTIONS = 50
WARM_UP_SECONDS = 10
LOAD_SECONDS = 20
START_TIMEOUT = 900.0  # a first host embeds the corpus before it answers


def replica_env(corpus: Path, data: Path, database_url: str, names: list[str], port: int) -> dict:
    """Return the environment of one `kb serve` replica."""
    env = {**os.environ, "KB_CONTENT": str(corpus), "KB_DATA": str(data), "KB_PORT": str(port),
           "KB_EMBEDDERS": json.dumps(names), "KB_FOLLOW_SECONDS": "2"}  # fmt: skip
    if database_url:
        env["KB_DATABASE_URL"] = database_url
    else:
        env.pop("KB_DATABASE_URL", None)
    return env


@contextmanager
def serving(env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen]:
    """Run `kb serve` with env until the block ends; its output goes to log_path."""
    with open(log_path, "w", encoding="utf-8") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "kb.cli", "serve", "--port", env["KB_PORT"]],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def seconds_until_hybrid(base: str, names: list[str], process: subprocess.Popen) -> float:
    """Wait until the server answers searches with every vector leg (an English and a Chinese
    question: each language has its own legs); return the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < START_TIMEOUT:
        if process.poll() is not None:
            raise RuntimeError(f"the replica at {base} exited with code {process.returncode}")
        legs: set[str] = set()
        try:
            for question in ("risk register", "风险登记册"):
                response = httpx.get(f"{base}/api/search", params={"q": question}, timeout=10)
                if response.status_code == 200:
                    legs.update(response.json()["legs"])
        except httpx.HTTPError:
            pass
        if set(names) <= legs:
            return round(time.monotonic() - started, 1)
        time.sleep(0.25)
    raise RuntimeError(f"the replica at {base} did not serve hybrid search in {START_TIMEOUT} s")


def load_replicas(bases: list[str], queries: list[str], run_wrk: Callable[..., dict]) -> dict:
    """Load every replica at once (the connections split between them) and sum the throughput."""
    share = CONNECTIONS // len(bases)
    with ThreadPoolExecutor(len(bases)) as pool:
        list(pool.map(lambda b: run_wrk(b, "/api/search", queries, share, WARM_UP_SECONDS), bases))
        runs = list(
            pool.map(lambda b: run_wrk(b, "/api/search", queries, share, LOAD_SECONDS), bases)
        )
    failed = [run for run in runs if "error" in run]
    if failed:
        return failed[0]
    return {
        "replicas": len(bases),
        "connections": share * len(bases),
        "requests_per_second": round(sum(run["requests_per_second"] for run in runs), 1),
        "p50_ms": max(run["p50_ms"] for run in runs),
        "p95_ms": max(run["p95_ms"] for run in runs),
        "errors": sum(run["socket_errors"] + run["non_2xx"] for run in runs),
        "per_replica": runs,
    }


def measure_replicas(
    corpus: Path,
    work: Path,
    names: list[str],
    database_url: str,
    queries: list[str],
    run_wrk: Callable[..., dict],
    free_port: Callable[[], int],
    log: Log,
) -> dict:
    """One replica on SQLite, then two on a fresh schema of the PostgreSQL server at database_url.

    Replica A is the authoring host (`kb ingest`, then `kb serve`); replica B starts on an empty
    data folder and builds its indexes from the database and the shared embedding cache: its
    time to hybrid search is the cold start of a new replica.
    """
    for folder in ("replica-sqlite", "replica-a", "replica-b"):
        shutil.rmtree(work / folder, ignore_errors=True)
        (work / folder).mkdir(parents=True)
    result: dict = {"corpus": str(corpus)}
    sqlite_env = replica_env(corpus, work / "replica-sqlite", "", names, free_port())
    started = time.monotonic()
    _kb(sqlite_env, "ingest")
    result["sqlite_first_ingest_seconds"] = round(time.monotonic() - started, 1)
    with serving(sqlite_env, work / "replica-sqlite" / "serve.log") as process:
        base = f"http://127.0.0.1:{sqlite_env['KB_PORT']}"
        seconds_until_hybrid(base, names, process)
        result["sqlite_1_replica"] = load_replicas([base], queries, run_wrk)
    log(f"1 replica, SQLite: {result['sqlite_1_replica']}")
    with scratch_schema(driver_url(database_url), prefix="kb_bench") as url:
        env_a = replica_env(corpus, work / "replica-a", url, names, free_port())
        started = time.monotonic()
        _kb(env_a, "ingest")
        result["postgresql_first_ingest_seconds"] = round(time.monotonic() - started, 1)
        with serving(env_a, work / "replica-a" / "serve.log") as process_a:
            base_a = f"http://127.0.0.1:{env_a['KB_PORT']}"
            seconds_until_hybrid(base_a, names, process_a)
            empty = work / "replica-b" / "content"
            empty.mkdir()
            env_b = replica_env(empty, work / "replica-b" / "data", url, names, free_port())
            with serving(env_b, work / "replica-b" / "serve.log") as process_b:
                base_b = f"http://127.0.0.1:{env_b['KB_PORT']}"
                result["new_replica_cold_start_seconds"] = seconds_until_hybrid(
                    base_b, names, process_b
                )
                log(
                    f"new replica: hybrid search after {result['new_replica_cold_start_seconds']} s"
                )
                result["postgresql_2_replicas"] = load_replicas([base_a, base_b], queries, run_wrk)
    log(f"2 replicas, PostgreSQL: {result['postgresql_2_replicas']}")
    return result


def _kb(env: dict[str, str], *args: str) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "kb.cli", *args], env=env, capture_output=True, text=True
    )
    if completed.returncode != 0:
        raise RuntimeError(f"kb {' '.join(args)} failed: {completed.stderr.strip()[-2000:]}")
