"""Nearest published lessons in the serving generation: the vector lookups shared by the
similar-lesson warning and the lessons shown beside training steps and guides."""

from __future__ import annotations

import numpy as np

from search.embedders import USE_MULTILINGUAL, Embedder
from search.index.serving import LoadedGeneration

LESSON_FILTERS = {"kind": ["lesson"], "status": ["published"]}
CANDIDATES = 50  # nearest lesson chunks looked at per leg
BOTH = frozenset({"zh", "en"})


def multilingual_legs(embedders: dict[str, Embedder], loaded: LoadedGeneration) -> list[str]:
    """Name the vector legs that read both languages and have an index (USE first)."""
    names = [
        name
        for name, embedder in embedders.items()
        if BOTH <= embedder.reads and name in loaded.vectors
    ]
    return sorted(names, key=lambda name: name != USE_MULTILINGUAL)


def translation_group(loaded: LoadedGeneration, *doc_ids: str) -> set[str]:
    """Return these documents and every translation of them in the generation."""
    groups = {loaded.translation_group.get(d, d) for d in doc_ids if d}
    members = {d for d, group in loaded.translation_group.items() if group in groups}
    return {d for d in doc_ids if d} | members


def nearest_lessons(
    loaded: LoadedGeneration,
    name: str,
    vector: np.ndarray,
    excluded: set[str],
    floor: float,
) -> dict[str, float]:
    """Return {lesson id: best chunk similarity} of the published lessons nearest a vector."""
    index = loaded.vectors[name]
    hits = index.search(vector, CANDIDATES, loaded.mask(name, LESSON_FILTERS))
    best: dict[str, float] = {}
    for sid, score in hits:
        record = loaded.records.get(sid)
        if record is None or record.doc_id in excluded or score < floor:
            continue
        best[record.doc_id] = max(score, best.get(record.doc_id, -1.0))
    return best


def centroid(loaded: LoadedGeneration, name: str, doc_id: str) -> np.ndarray | None:
    """Return the unit mean of a document's stored section vectors (no model runs)."""
    index = loaded.vectors[name]
    vectors = [
        v for v in (index.vector_of(s) for s in loaded.sections_of.get(doc_id, [])) if v is not None
    ]
    if not vectors:
        return None
    mean = np.mean(vectors, axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-12)


def one_per_translation(
    scores: dict[str, float], loaded: LoadedGeneration, lang: str
) -> list[tuple[str, float]]:
    """Rank documents by score, one per translation pair: the version in `lang` when both
    are there, carrying the better score of the two."""
    best: dict[str, tuple[str, float]] = {}
    for doc_id, score in scores.items():
        group = loaded.translation_group.get(doc_id, doc_id)
        kept = best.get(group)
        if kept is None:
            best[group] = (doc_id, score)
            continue
        prefer = doc_id if loaded.lang_of.get(doc_id) == lang else kept[0]
        best[group] = (prefer, max(score, kept[1]))
    return sorted(best.values(), key=lambda item: (-item[1], item[0]))
