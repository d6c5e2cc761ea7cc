"""Wiring of the search side for one knowledge base: ingest + index sync, and an open searcher."""

from __future__ import annotations

from ingest.pipeline import IngestReport, Progress, ingest
from kb.curation.workflow import record_disk_revisions
from kb.settings import Settings
from kb.store.database import Database
from search.analyzer import configure_jieba
from search.embedders import EmbedderPool
from search.generations import GenerationStore
from search.indexer import IndexReport, ProgressFactory, sync_indexes
from search.searcher import Searcher


def prepare(settings: Settings) -> None:
    """Set up process-wide text tools for this knowledge base (jieba's cache in the data folder)."""
    configure_jieba(settings.data / "cache" / "jieba")


def ingest_and_index(
    settings: Settings,
    database: Database,
    pool: EmbedderPool,
    full: bool = False,
    file_progress: Progress | None = None,
    embed_progress: ProgressFactory | None = None,
) -> tuple[IngestReport, IndexReport]:
    """Sync the catalog with the content folder, then the indexes with the catalog."""
    prepare(settings)
    report = ingest(database, settings.content, settings.max_file_bytes, file_progress)
    record_disk_revisions(database, settings.content, report.added + report.updated)
    index_report = sync_indexes(
        database,
        GenerationStore(settings.index_root),
        pool.names,
        pool.get,
        full=full,
        progress=embed_progress,
    )
    return report, index_report


def open_searcher(
    settings: Settings,
    database: Database,
    pool: EmbedderPool,
    weights: dict[str, float] | None = None,
) -> Searcher:
    """Return a searcher over the knowledge base's serving generation with all embedders loaded."""
    prepare(settings)
    weights = {**settings.leg_weights, **(weights or {})}
    return Searcher(database, GenerationStore(settings.index_root), pool.all(), weights)
