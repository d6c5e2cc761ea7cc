"""The service's state as Prometheus gauges, read at scrape time from the objects the app opened:
the index generation's age and size, the publish journal, the embedding queue, the database
pool. Per process (the scraped worker's view); the journal and the index are shared by all."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from kb.curation.intents import PublishIntentRow
from kb.store.database import Database
from kb.store.health import DatabaseHealth
from search.query.searcher import Searcher

log = logging.getLogger("kb.metrics")


def folder_bytes(folder: Path) -> int:
    """Return the total size of the files in a folder (0 if it went away meanwhile)."""
    total = 0
    for path in folder.rglob("*"):
        try:
            total += path.stat().st_size if path.is_file() else 0
        except OSError:
            continue
    return total


def gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    """Return a one-sample gauge."""
    return GaugeMetricFamily(name, documentation, value=value)


class ServiceState(Collector):
    """Collects the service's gauges when a scrape asks (from the objects the lifespan opened)."""

    def __init__(self, searcher: Searcher, database: Database, health: DatabaseHealth) -> None:
        self.searcher = searcher
        self.database = database
        self.health = health

    def collect(self) -> Iterator[Metric]:
        """Yield the gauges of the index, semantic search, the journal and the database."""
        yield from self.index_gauges(self.searcher)
        yield from self.database_gauges(self.database, self.health)

    def index_gauges(self, searcher: Searcher) -> Iterator[Metric]:
        """Yield the generation's age, size and sections, and the embedding queue."""
        generation = searcher.store.current()
        if generation is not None:
            manifest = generation.folder / "manifest.json"
            age = max(0.0, time.time() - manifest.stat().st_mtime)
            yield gauge("kb_index_generation_age_seconds", "Age of the serving index.", age)
            yield gauge(
                "kb_index_generation_bytes",
                "Size on disk of the serving index generation.",
                folder_bytes(generation.folder),
            )
            yield gauge(
                "kb_index_generation_sections",
                "Sections in the serving index generation.",
                len(generation.manifest.get("sections", {})),
            )
        semantic = searcher.semantic_status()
        yield gauge("kb_semantic_ready", "1 when hybrid search is on.", float(semantic is None))
        queued = 0 if semantic is None else max(0, semantic.total - semantic.done)
        yield gauge(
            "kb_embedding_queue_texts",
            "Texts still to embed before semantic search is ready.",
            queued,
        )

    def database_gauges(self, database: Database, health: DatabaseHealth) -> Iterator[Metric]:
        """Yield whether the database is up, its pool use and the publish journal's length."""
        yield gauge(
            "kb_database_up", "0 while the database is unreachable.", float(not health.down)
        )
        pool = database.engine.pool
        if hasattr(pool, "checkedout") and hasattr(pool, "size"):
            yield gauge("kb_db_pool_checked_out", "Connections in use.", pool.checkedout())
            yield gauge("kb_db_pool_size", "Connections the pool keeps.", pool.size())
        if health.down:
            return  # do not wait on a database known to be gone
        try:
            with database.reading() as session:
                pending = session.scalar(select(func.count()).select_from(PublishIntentRow))
        except SQLAlchemyError as error:
            log.warning("metrics: cannot read the publish journal: %s", str(error).splitlines()[0])
            return
        yield gauge(
            "kb_publish_journal_entries",
            "Publishes begun and not yet finished (a stuck one stays here).",
            pending or 0,
        )
