"""Serve at once: while `kb serve` answers with keyword search, a background thread loads the
embedding models, embeds the texts the shared cache lacks and swaps in a generation with the
vector legs; until then searches say that semantic search is being prepared, and how far it is."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kb.store.database import Database
from search.embedders import Embedder, EmbedderPool
from search.index.embedding_cache import embed_with_cache, uncached_count
from search.index.progress_meter import ProgressMeter, ProgressSnapshot
from search.index.records import load_records

log = logging.getLogger("kb.semantic")

LOADING = "loading"  # loading the embedding models
EMBEDDING = "embedding"  # embedding the texts the cache lacks
INDEXING = "indexing"  # writing the generation with the vector legs
READY = "ready"
FAILED = "failed"


class PreparationStopped(Exception):
    """The server is shutting down while semantic search is being prepared."""


@dataclass(frozen=True)
class SemanticStatus:
    """Where the preparation of semantic search stands (what pages and the API show)."""

    state: str
    done: int = 0
    total: int = 0
    seconds_left: float | None = None
    error: str = ""

    @property
    def pending(self) -> bool:
        """Tell whether semantic search is still being prepared."""
        return self.state not in (READY, FAILED)

    def as_dict(self) -> dict[str, Any]:
        """Return the status as JSON-ready data."""
        left = None if self.seconds_left is None else round(self.seconds_left)
        return {
            "state": self.state,
            "done": self.done,
            "total": self.total,
            "seconds_left": left,
            "error": self.error,
        }


class SemanticPreparation:
    """Builds the embedding legs once, in a background thread, then hands the models to the
    searcher (`use`) and publishes the generation that has them (`reindex`)."""

    def __init__(
        self,
        database: Database,
        pool: EmbedderPool,
        use: Callable[[dict[str, Embedder]], None],
        reindex: Callable[[list[str], Callable[[str], Embedder]], object],
        report: Callable[[str], None],
    ) -> None:
        self.database = database
        self.pool = pool
        self._use = use
        self._reindex = reindex
        self._report = report
        self._state = LOADING
        self._error = ""
        self._meter: ProgressMeter | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="semantic-preparation", daemon=True)

    def status(self) -> SemanticStatus:
        """Return the current state with its progress (done/total texts, time left)."""
        with self._lock:
            state, error, meter = self._state, self._error, self._meter
        snapshot: ProgressSnapshot | None = meter.snapshot() if meter is not None else None
        if snapshot is None:
            return SemanticStatus(state, error=error)
        return SemanticStatus(
            state, snapshot.done, snapshot.total, snapshot.seconds_left, error=error
        )

    def start(self) -> None:
        """Start preparing in the background (returns at once; nothing to do once ready)."""
        if self.status().state != READY:
            self._thread.start()

    def stop(self, timeout: float = 30) -> None:
        """Ask the background preparation to stop at its next batch and wait for it a while."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def run(self) -> None:
        """Prepare semantic search now, in this thread: load, embed, index, hand over."""
        names = self.pool.names
        if not names:
            self._set(READY)
            return
        self._report(f"semantic search: loading the models {', '.join(names)}")
        embedders = self.pool.all()
        with self.database.reading() as session:
            texts = [record.embedding_text() for record in load_records(session)]
        total = sum(uncached_count(self.database, name, texts) for name in names)
        meter = ProgressMeter("semantic search: embedding texts", total, self._report)
        with self._lock:
            self._state, self._meter = EMBEDDING, meter
        if total:
            self._report(
                f"semantic search: {total} texts to embed (keyword search serves meanwhile)"
            )

        def tick(count: int) -> None:
            if self._stopping.is_set():
                raise PreparationStopped
            meter.advance(count)

        for name in names:  # fill the shared cache outside the index lock: publishes go on
            embed_with_cache(self.database, name, self.pool.get, texts, lambda _l, _n: tick)
        if self._stopping.is_set():
            raise PreparationStopped
        self._set(INDEXING)
        self._use(embedders)  # every later sync (publish, follower) keeps the vector legs
        self._reindex(names, self.pool.get)
        self._set(READY)
        self._report(
            f"semantic search: ready (hybrid search is on) · {total} texts embedded (the rest "
            "from the shared embedding cache)"
        )

    def _run(self) -> None:
        try:
            self.run()
        except PreparationStopped:
            log.info("semantic search: preparation stopped (the server is shutting down)")
        except Exception as error:  # a model that cannot load: keyword search goes on serving
            log.exception("semantic search could not be prepared; keyword search goes on")
            with self._lock:
                self._state, self._error = FAILED, f"{type(error).__name__}: {error}"

    def _set(self, state: str) -> None:
        with self._lock:
            self._state = state
