"""Bring the indexes in line with the catalog: diff against the serving generation, build the next."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from kb.store.database import Database
from kb.store.tables import DocumentRow
from search.embedders import Embedder, safe_name
from search.index.embedding_cache import embed_with_cache
from search.index.generations import Generation, GenerationStore
from search.index.keyword import SCHEMA_VERSION, KeywordIndex
from search.index.records import SectionRecord, load_records, save_records
from search.index.vectors import VectorIndex
from search.text.glossary import GLOSSARY_TAG, Glossary, built_in_pairs, parse_glossary
from search.text.spelling import vocabulary

KEYWORD_FOLDER = "keyword"
VOCABULARY_FILE = "vocabulary.json"
RECORDS_FILE = "records.jsonl"
GLOSSARY_FILE = "glossary.json"
EmbedderProvider = Callable[[str], Embedder]
ProgressFactory = Callable[[str, int], Callable[[int], None]]


def vector_file(name: str) -> str:
    """Return the file name of an embedder's vector index inside a generation."""
    return f"vectors-{safe_name(name)}.faiss"


@dataclass
class IndexReport:
    """What an index sync did."""

    generation: str | None
    added: int
    removed: int
    embedded_texts: int
    seconds: float
    rebuilt: bool


def sync_indexes(
    database: Database,
    store: GenerationStore,
    embedder_names: list[str] | Callable[[], list[str]],
    embedders: EmbedderProvider,
    full: bool = False,
    progress: ProgressFactory | None = None,
    defer_vectors: bool = False,
) -> IndexReport:
    """Write a new index generation if the catalog differs from the serving one (or if full).

    `embedder_names` may be a function, asked once the index lock is held: a server whose models
    are still loading passes the ones loaded by then, so a publish that waited for the lock
    while the vector legs were being swapped in keeps them. With `defer_vectors`, a generation
    that is not up to date is replaced by a keyword-only one (seconds, no model): the embedding
    legs follow in a later sync with the embedders."""
    started = time.perf_counter()
    with store.lock():
        if callable(embedder_names):
            embedder_names = embedder_names()
        with database.reading() as session:  # one snapshot of the catalog
            records = load_records(session)
        current = store.current()
        wanted = {record.sid: record.text_hash for record in records}
        glossary = glossary_of(database)
        if not full and _up_to_date(current, wanted, embedder_names, glossary.digest):
            return IndexReport(current.name, 0, 0, 0, time.perf_counter() - started, False)
        if defer_vectors:
            embedder_names = []
        rebuild = full or not _same_layout(current, embedder_names)
        if not rebuild and _up_to_date(current, wanted, embedder_names, glossary.digest):
            return IndexReport(current.name, 0, 0, 0, time.perf_counter() - started, False)
        old = {} if rebuild else current.sections
        removed = [sid for sid, digest in old.items() if wanted.get(sid) != digest]
        added = [r for r in records if old.get(r.sid) != r.text_hash]
        folder = store.new_folder()
        if rebuild:
            KeywordIndex.create(folder / KEYWORD_FOLDER, records).close()
        else:
            KeywordIndex.updated_copy(
                current.folder / KEYWORD_FOLDER, folder / KEYWORD_FOLDER, removed, added
            ).close()
        save_records(records, folder / RECORDS_FILE)
        glossary.save(folder / GLOSSARY_FILE)
        (folder / VOCABULARY_FILE).write_text(
            json.dumps(vocabulary(f"{r.title} {r.heading} {r.text}" for r in records)),
            encoding="utf-8",
        )
        embedded = 0
        for name in embedder_names:
            embedded += _write_vectors(database, folder, name, embedders, records, progress)
        manifest = {
            "sections": {str(sid): digest for sid, digest in wanted.items()},
            "embedders": embedder_names,
            "keyword_schema": SCHEMA_VERSION,
            "glossary": glossary.digest,
            "created": time.time(),
        }
        generation: Generation = store.publish(folder, manifest)
    return IndexReport(
        generation.name, len(added), len(removed), embedded, time.perf_counter() - started, rebuild
    )


def _same_layout(current: Generation | None, embedder_names: list[str]) -> bool:
    """Tell whether the serving generation has exactly these vector legs and keyword schema."""
    return (
        current is not None
        and current.manifest.get("embedders") == embedder_names
        and current.manifest.get("keyword_schema") == SCHEMA_VERSION
        and (current.folder / RECORDS_FILE).is_file()
    )


def _up_to_date(
    current: Generation | None, wanted: dict[int, str], embedder_names: list[str], glossary: str
) -> bool:
    """Tell whether the serving generation already serves these sections, legs and glossary."""
    return (
        _same_layout(current, embedder_names)
        and current.sections == wanted
        and current.manifest.get("glossary") == glossary
    )


def serves_vectors(store: GenerationStore, embedder_names: list[str]) -> bool:
    """Tell whether the serving generation has a vector index for every one of these embedders."""
    current = store.current()
    return (
        current is not None
        and bool(embedder_names)
        and all((current.folder / vector_file(name)).is_file() for name in embedder_names)
    )


def glossary_of(database: Database) -> Glossary:
    """Return the built-in glossary plus the term pairs of published documents tagged `glossary`."""
    with database.reading() as session:
        tagged = [
            doc_id
            for doc_id, tags in session.execute(
                select(DocumentRow.id, DocumentRow.tags).where(DocumentRow.status == "published")
            )
            if GLOSSARY_TAG in {str(tag).lower() for tag in tags or ()}
        ]
        bodies = session.scalars(select(DocumentRow.body).where(DocumentRow.id.in_(tagged)))
        curated = [pair for body in bodies for pair in parse_glossary(body)]
    return Glossary(built_in_pairs() + curated)


def _write_vectors(
    database: Database,
    folder,
    name: str,
    embedders: EmbedderProvider,
    records: list[SectionRecord],
    progress: ProgressFactory | None,
) -> int:
    texts = [record.embedding_text() for record in records]
    vectors, embedded = embed_with_cache(database, name, embedders, texts, progress)
    sids = np.array([record.sid for record in records], dtype=np.int64)
    VectorIndex.build(vectors, sids, vectors.shape[1]).save(folder / vector_file(name))
    return embedded
