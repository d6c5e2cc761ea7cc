"""A vector leg: one faiss inner-product index of unit vectors, with filters applied in the search."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np


class VectorIndex:
    """Exact inner-product search (IndexFlatIP) over section vectors; row i is section sids[i]."""

    def __init__(self, index: faiss.Index, sids: np.ndarray) -> None:
        self._index = index
        self.sids = sids
        self._row_of = {int(sid): row for row, sid in enumerate(sids)}

    @classmethod
    def build(cls, vectors: np.ndarray, sids: np.ndarray, dim: int) -> VectorIndex:
        """Build an index from unit vectors and their section ids."""
        index = faiss.IndexFlatIP(dim)
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index, np.asarray(sids, dtype=np.int64))

    def save(self, path: Path) -> None:
        """Write the index and its id map next to each other."""
        faiss.write_index(self._index, str(path))
        np.save(path.with_suffix(".sids.npy"), self.sids)

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        """Read an index written by save()."""
        return cls(faiss.read_index(str(path)), np.load(path.with_suffix(".sids.npy")))

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def search(
        self, query: np.ndarray, limit: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Return (sid, similarity) of the nearest sections; `allowed` is a row mask for filters."""
        if len(self) == 0 or limit <= 0:
            return []
        params = None
        if allowed is not None:
            if not allowed.any():
                return []
            bitmap = np.packbits(allowed.astype(np.uint8), bitorder="little")
            selector = faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(bitmap))
            params = faiss.SearchParameters(sel=selector)
        k = min(limit, len(self))
        query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        scores, rows = self._index.search(query, k, params=params)
        return [
            (int(self.sids[row]), float(score))
            for row, score in zip(rows[0], scores[0], strict=True)
            if row >= 0
        ]

    def vector_of(self, sid: int) -> np.ndarray | None:
        """Return the stored vector of a section (for related-document search)."""
        row = self._row_of.get(sid)
        return None if row is None else self._index.reconstruct(row)
