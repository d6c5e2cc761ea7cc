"""The embedding cache: vectors stored by (model, text hash) so unchanged text is never re-embedded."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sqlalchemy import select

from kb.store.catalog import text_hash
from kb.store.database import Database
from kb.store.dialect import upsert_insert
from kb.store.tables import EmbeddingRow
from search.embedders import Embedder

BATCH = 256  # texts stored per transaction
STEP = 32  # texts encoded between two progress ticks


def embed_with_cache(
    database: Database,
    model: str,
    load: Callable[[str], Embedder],
    texts: list[str],
    progress: Callable[[str, int], Callable[[int], None]] | None = None,
) -> tuple[np.ndarray, int]:
    """Return (vectors, how many were newly encoded); the model is loaded only if needed."""
    hashes = [text_hash(text) for text in texts]
    found = cached_vectors(database, model, set(hashes))
    missing = list(dict.fromkeys(h for h in hashes if h not in found))
    if missing or not found:
        embedder = load(model)
        dim = embedder.dim
        by_hash = dict(zip(hashes, texts, strict=True))
        tick = progress(f"embed {model}", len(missing)) if progress and missing else None
        for start in range(0, len(missing), BATCH):
            batch = missing[start : start + BATCH]
            parts = []
            for step in range(0, len(batch), STEP):
                part = batch[step : step + STEP]
                parts.append(embedder.encode_passages([by_hash[h] for h in part]))
                if tick:
                    tick(len(part))
            vectors = np.vstack(parts)
            _store(database, model, batch, vectors)
            found.update(zip(batch, vectors, strict=True))
    else:
        dim = len(next(iter(found.values())))
    if not texts:
        return np.zeros((0, dim), dtype=np.float32), 0
    return np.vstack([found[h] for h in hashes]).astype(np.float32), len(missing)


def _store(database: Database, model: str, hashes: list[str], vectors: np.ndarray) -> None:
    rows = [
        {"model": model, "text_hash": h, "vector": v.astype(np.float32).tobytes()}
        for h, v in zip(hashes, vectors, strict=True)
    ]
    with database.session() as session:
        session.execute(upsert_insert(session, EmbeddingRow).values(rows).on_conflict_do_nothing())


def uncached_count(database: Database, model: str, texts: list[str]) -> int:
    """Return how many distinct texts of the list have no cached vector for the model yet."""
    hashes = {text_hash(text) for text in texts}
    wanted = list(hashes)
    known = 0
    with database.reading() as session:
        for start in range(0, len(wanted), 900):
            chunk = wanted[start : start + 900]
            known += len(
                session.scalars(
                    select(EmbeddingRow.text_hash).where(
                        EmbeddingRow.model == model, EmbeddingRow.text_hash.in_(chunk)
                    )
                ).all()
            )
    return len(hashes) - known


def cached_vectors(database: Database, model: str, hashes: set[str]) -> dict[str, np.ndarray]:
    """Return the cached vectors of a model for the given text hashes."""
    found: dict[str, np.ndarray] = {}
    wanted = list(hashes)
    with database.reading() as session:
        for start in range(0, len(wanted), 900):
            chunk = wanted[start : start + 900]
            rows = session.execute(
                select(EmbeddingRow.text_hash, EmbeddingRow.vector).where(
                    EmbeddingRow.model == model, EmbeddingRow.text_hash.in_(chunk)
                )
            )
            for digest, blob in rows:
                found[digest] = np.frombuffer(blob, dtype=np.float32)
    return found
