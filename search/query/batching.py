"""Query embedding under load: one model call at a time per embedder, with the queries that arrived
meanwhile encoded together in one batch.

Fifty request threads each calling a model at once oversubscribe the two cores (every call
starts its own BLAS threads) and spend their time switching; one worker per model that drains
the queue into a batch keeps the cores busy with useful work, and a batch of 16 queries costs
far less than 16 single ones.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future

import numpy as np

from search.embedders import Embedder
from search.lru import LRUCache

MAX_BATCH = 64
CACHE_SIZE = 4096  # recent query vectors kept (2 KB each): popular queries skip the model


class BatchingQueryEncoder:
    """Encodes queries for one embedder on its own worker thread, batching concurrent callers."""

    def __init__(
        self, embedder: Embedder, max_batch: int = MAX_BATCH, cache_size: int = CACHE_SIZE
    ) -> None:
        self.embedder = embedder
        self.max_batch = max_batch
        self._cache = LRUCache(cache_size)
        self._queue: queue.SimpleQueue[tuple[str, Future] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(
            target=self._run, name=f"encode-{embedder.name}", daemon=True
        )
        self._thread.start()

    def encode(self, query: str) -> np.ndarray:
        """Return the query's unit vector (from the cache, or from the batch it joins)."""
        vector = self._cache.get(query)
        if vector is None:
            future: Future[np.ndarray] = Future()
            self._queue.put((query, future))
            vector = future.result()
            self._cache.put(query, vector)
        return vector

    def close(self) -> None:
        """Stop the worker after the queries already queued."""
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            self._encode(batch)
            if stop:
                return

    def _encode(self, batch: list[tuple[str, Future]]) -> None:
        try:
            vectors = self.embedder.encode_queries([query for query, _ in batch])
        except Exception as error:  # the callers see the model's error, the worker lives on
            for _, future in batch:
                future.set_exception(error)
            return
        for (_, future), vector in zip(batch, vectors, strict=True):
            future.set_result(vector)
