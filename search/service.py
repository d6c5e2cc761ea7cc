"""Wiring of the search side for one knowledge base: ingest + index sync, the re-index step that
publishing uses, and an open searcher."""

from __future__ import annotations

from collections.abc import Callable, Collection

from ingest.pipeline import IngestReport, Progress, ingest
from ingest.publisher import Publisher
from ingest.recovery import Recovered, finish_locked, recover
from kb.curation.workflow import record_disk_removals, record_disk_revisions
from kb.insights.querylog import QueryLog
from kb.settings import Settings
from kb.store import catalog
from kb.store.database import Database
from search.embedders import Embedder, EmbedderPool
from search.index.catalog_follower import CatalogFollower
from search.index.generations import GenerationStore
from search.index.indexer import EmbedderProvider, IndexReport, ProgressFactory, sync_indexes
from search.index.semantic_preparation import SemanticPreparation
from search.query.searcher import Searcher
from search.text.analyzer import configure_jieba


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
    prune: bool = True,
    defer_vectors: bool = False,
    removable: Collection[str] | None = None,
) -> tuple[IngestReport, IndexReport]:
    """Sync the catalog with the content folder, then the indexes with the catalog (`prune`:
    remove catalog documents that have no file in the folder — only those in `removable` when
    given —, see ingest.pipeline.ingest; with
    `defer_vectors`, only the keyword index if the vectors are out of date: `kb serve` builds
    them in the background)."""
    prepare(settings)
    publisher = _publisher(settings, database, pool.names, pool.get)
    with publisher.lock():  # never between a publish's file write and its workflow record
        finish_locked(publisher, tolerant=True)  # a publish a killed process left half-done
        report = ingest(
            database, settings.content, settings.max_file_bytes, file_progress, prune, removable
        )
        record_disk_revisions(database, settings.content, report.added + report.updated)
        record_disk_removals(database)
    index_report = update_indexes(
        settings,
        database,
        pool.names,
        pool.get,
        full=full,
        progress=embed_progress,
        defer_vectors=defer_vectors,
    )
    return report, index_report


def update_indexes(
    settings: Settings,
    database: Database,
    names: list[str] | Callable[[], list[str]],
    embedders: EmbedderProvider,
    full: bool = False,
    progress: ProgressFactory | None = None,
    defer_vectors: bool = False,
) -> IndexReport:
    """The re-index step: bring the serving indexes up to date with the catalog (keyword-only
    when `defer_vectors` and the vector legs are out of date)."""
    store = GenerationStore(settings.index_root)
    return sync_indexes(
        database, store, names, embedders, full=full, progress=progress, defer_vectors=defer_vectors
    )


def _publisher(
    settings: Settings,
    database: Database,
    names: list[str] | Callable[[], list[str]],
    embedders: EmbedderProvider,
) -> Publisher:
    def reindex() -> IndexReport:
        return update_indexes(settings, database, names, embedders)

    return Publisher(database, settings.content, reindex, settings.self_approval, settings.data)


def open_publisher(
    settings: Settings,
    database: Database,
    embedders: dict[str, Embedder] | Callable[[], dict[str, Embedder]],
) -> Publisher:
    """Return a publisher whose re-index step uses these (already loaded) embedders, or those a
    function returns when the re-index holds the index lock (a server still loading models)."""
    if not callable(embedders):
        return _publisher(settings, database, list(embedders), embedders.__getitem__)
    current = embedders
    return _publisher(settings, database, lambda: list(current()), lambda n: current()[n])


def catch_up_indexes(
    settings: Settings, database: Database, pool: EmbedderPool
) -> IndexReport | None:
    """Bring this process's indexes up to date with the catalog before serving, without loading
    a model: a generation that is not up to date is replaced by a keyword-only one in seconds (a
    new replica on an empty disk builds it from the database), and the vector legs follow in the
    background (open_preparation); None when the catalog is empty (nothing ingested yet)."""
    with database.reading() as session:
        documents, _ = catalog.counts(session)
    if not documents:
        return None
    return update_indexes(settings, database, pool.names, pool.get, defer_vectors=True)


def open_preparation(
    settings: Settings,
    database: Database,
    pool: EmbedderPool,
    searcher: Searcher,
    report: Callable[[str], None],
) -> SemanticPreparation:
    """Return a (not yet started) preparation that loads the models, embeds what the shared
    cache lacks and switches the searcher to hybrid when the generation with vectors serves."""

    def reindex(names: list[str], embedders: EmbedderProvider) -> IndexReport:
        return update_indexes(settings, database, names, embedders)

    preparation = SemanticPreparation(database, pool, searcher.use_embedders, reindex, report)
    searcher.preparation = preparation
    return preparation


def open_follower(
    settings: Settings, database: Database, embedders: Callable[[], dict[str, Embedder]]
) -> CatalogFollower:
    """Return a (not yet started) follower that keeps this process's indexes in step with the
    catalog that other processes and replicas change, with the embedders loaded at that time
    (none while semantic search is being prepared: then the keyword index follows)."""

    def reindex() -> IndexReport:
        return update_indexes(
            settings, database, lambda: list(embedders()), lambda name: embedders()[name]
        )

    publisher = Publisher(
        database, settings.content, reindex, settings.self_approval, settings.data
    )
    return CatalogFollower(database, publisher, reindex, settings.follow_seconds)


def finish_interrupted_publishes(
    settings: Settings, database: Database, pool: EmbedderPool
) -> list[Recovered]:
    """Complete or roll back the publishes a killed process left half-done (models are loaded
    only if there is one)."""
    return recover(_publisher(settings, database, pool.names, pool.get))


def open_searcher(
    settings: Settings,
    database: Database,
    pool: EmbedderPool,
    weights: dict[str, float] | None = None,
    load_models: bool = True,
) -> Searcher:
    """Return a searcher over the knowledge base's serving generation with all embedders loaded
    (or none, keyword only, until a preparation hands them over); its searches are logged in
    batches (close() writes what is pending)."""
    prepare(settings)
    weights = {**settings.leg_weights, **(weights or {})}
    store = GenerationStore(settings.index_root)
    embedders = pool.all() if load_models else {}
    return Searcher(store, embedders, weights, QueryLog(database), settings.query_cache)
