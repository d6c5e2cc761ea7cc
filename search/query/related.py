"""Related documents: the nearest other documents to one, by the centroid of its sections' vectors
(its title as keywords when no vector index serves it), through the fuse, re-rank and page stages."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from search.embedders import Embedder
from search.index.serving import LoadedGeneration
from search.query.fuse import fuse_documents
from search.query.legs import CANDIDATES
from search.query.page import SearchHit, page_hits
from search.query.rerank import one_per_translation
from search.query.routing import KEYWORD, Leg


def related_documents(
    loaded: LoadedGeneration,
    embedders: Mapping[str, Embedder],
    weights: Mapping[str, float],
    doc_id: str,
    limit: int = 5,
) -> list[SearchHit]:
    """Return the nearest other documents, excluding the document itself and its translations."""
    own = loaded.sections_of.get(doc_id, [])
    if not own:
        return []
    lang = loaded.records[own[0]].lang
    group = loaded.translation_group.get(doc_id)
    excluded = {doc_id} | {d for d, g in loaded.translation_group.items() if g == group}
    visibility = {"status": ["published"]}
    names = [n for n, e in embedders.items() if lang in e.languages] or list(embedders)
    ranked: dict[str, list[int]] = {}
    for name in names:
        index = loaded.vectors.get(name)
        if index is None:
            continue
        vectors = [v for v in (index.vector_of(sid) for sid in own) if v is not None]
        if not vectors:
            continue
        centroid = np.mean(vectors, axis=0)
        centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
        hits = index.search(centroid, CANDIDATES, loaded.mask(name, visibility))
        ranked[name] = [sid for sid, _ in hits if loaded.records[sid].doc_id not in excluded]
    if not ranked:
        title = loaded.records[own[0]].title
        hits = loaded.keyword.search(title, visibility, CANDIDATES)
        ranked[KEYWORD] = [h.sid for h in hits if loaded.records[h.sid].doc_id not in excluded]
    legs = [Leg(name, weights.get(name, 1.0), None, None) for name in ranked]
    documents = fuse_documents(ranked, legs, loaded)
    return page_hits("", one_per_translation(documents, loaded, lang)[:limit], loaded)
