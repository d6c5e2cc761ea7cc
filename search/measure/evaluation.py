"""`kb eval`: load a judged data set into a scratch knowledge base and measure each mode.

A data set is a BEIR folder (corpus.jsonl, queries.jsonl, qrels/<split>.tsv) or, without
corpus.jsonl, judged queries over a content folder (the shipped content, pm-corpus), which is
ingested as `kb ingest` would. Metrics are reported overall and per group: the direction
(query language → language of the relevant documents) and each query's `metadata.type`.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.pipeline import ingest
from ingest.sections import chunk_blocks
from kb.bootstrap import open_database
from kb.content.language import detect_lang
from kb.content.model import Document, Section
from kb.store import catalog
from kb.store.database import Database
from search.embedders import EmbedderPool
from search.index.generations import GenerationStore
from search.index.indexer import ProgressFactory, sync_indexes
from search.measure.metrics import evaluate_rankings
from search.query.searcher import Searcher, SearchRequest


@dataclass
class BeirSet:
    """A BEIR data set: corpus {id: (title, text)}, queries {id: text}, qrels {qid: {doc: grade}}.

    `corpus` is None for judged queries over a content folder; `types` holds each query's
    `metadata.type` where given.
    """

    corpus: dict[str, tuple[str, str]] | None
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    types: dict[str, str] = field(default_factory=dict)


class DataSetError(Exception):
    """A data set folder that is not in BEIR format."""


def read_jsonl(path: Path) -> Iterable[dict]:
    """Yield the JSON objects of a .jsonl file."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def load_beir(folder: Path, split: str, require_corpus: bool = True) -> BeirSet:
    """Read queries.jsonl, qrels/<split>.tsv and corpus.jsonl (optional unless required)."""
    needed = [folder / "queries.jsonl", folder / "qrels" / f"{split}.tsv"]
    if require_corpus:
        needed.append(folder / "corpus.jsonl")
    for path in needed:
        if not path.is_file():
            raise DataSetError(
                f"{path} is missing: a BEIR folder has corpus.jsonl, queries.jsonl and qrels/{split}.tsv"
                " (without corpus.jsonl, give the content folder the queries are judged on with --corpus)"
            )
    corpus_path = folder / "corpus.jsonl"
    corpus = (
        {
            str(row["_id"]): (row.get("title") or "", row.get("text") or "")
            for row in read_jsonl(corpus_path)
        }
        if corpus_path.is_file()
        else None
    )
    queries, types = {}, {}
    for row in read_jsonl(needed[0]):
        queries[str(row["_id"])] = row["text"]
        kind = (row.get("metadata") or {}).get("type")
        if kind:
            types[str(row["_id"])] = str(kind)
    qrels: dict[str, dict[str, int]] = {}
    with needed[1].open(encoding="utf-8") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if not row or row[0] in ("query-id", "query_id"):
                continue
            qrels.setdefault(row[0], {})[row[1]] = int(row[2])
    return BeirSet(corpus, queries, qrels, types)


def corpus_document(doc_id: str, title: str, text: str) -> Document:
    """Turn a corpus entry into a document whose sections are the text's chunks."""
    paragraphs = [p for p in text.split("\n") if p.strip()] or [text]
    sections = [
        Section("", title, 0, (), chunk, 1, part)
        for part, chunk in enumerate(chunk_blocks(paragraphs))
    ]
    return Document(
        id=doc_id,
        path=f"corpus/{doc_id}",
        title=title or doc_id,
        kind="guide",
        lang=detect_lang(title + text),
        sections=sections,
        content_hash=catalog.text_hash(title + "\n" + text),
    )


def load_into(database: Database, data: BeirSet) -> None:
    """Put the corpus into the catalog (documents already there with the same hash are kept)."""
    with database.session() as session:
        known = {entry.id: entry.content_hash for entry in catalog.entries(session).values()}
        for doc_id, (title, text) in data.corpus.items():
            document = corpus_document(doc_id, title, text)
            if known.get(doc_id) != document.content_hash:
                catalog.upsert(session, document)


def run_eval(
    folder: Path,
    split: str,
    modes: list[str],
    work: Path,
    pool: EmbedderPool,
    progress: Callable[[Iterable, str], Iterable] | None = None,
    embed_progress: ProgressFactory | None = None,
    weights: dict[str, float] | None = None,
    content: Path | None = None,
    max_file_bytes: int = 2_000_000,
) -> dict[str, dict]:
    """Index the data set under work/ (cached between runs) and return metrics per mode.

    Each mode's metrics carry `groups`: the same metrics per direction and per query type.
    """
    data = load_beir(folder, split, require_corpus=content is None)
    work.mkdir(parents=True, exist_ok=True)
    database = open_database(f"sqlite:///{work / 'eval.sqlite3'}")
    if data.corpus is not None:
        load_into(database, data)
    elif content is None or not content.is_dir():
        raise DataSetError(f"{folder} has no corpus.jsonl: give its content folder with --corpus")
    else:
        report = ingest(database, content, max_file_bytes)
        if report.errors:
            raise DataSetError(
                f"{content}: {len(report.errors)} files fail `kb check`; fix them first"
            )
    store = GenerationStore(work / "indexes")
    sync_indexes(database, store, pool.names, pool.get, progress=embed_progress)
    searcher = Searcher(store, pool.all(), weights)
    judged = [qid for qid in data.qrels if qid in data.queries]
    groups = query_groups(data, judged, document_languages(database))
    results: dict[str, dict] = {}
    for mode in modes:
        rankings: dict[str, list[str]] = {}
        items = progress(judged, mode) if progress else judged
        for qid in items:
            response = searcher.search(
                SearchRequest(data.queries[qid], mode=mode, limit=100, log=False, snippets=False)
            )
            rankings[qid] = [hit.id for hit in response.results]
        results[mode] = evaluate_rankings(rankings, data.qrels)
        results[mode]["groups"] = {
            name: evaluate_rankings({q: rankings[q] for q in members}, data.qrels)
            for name, members in groups.items()
        }
    database.close()
    return results


def document_languages(database: Database) -> dict[str, str]:
    """Return the language of every document in the catalog."""
    with database.session() as session:
        return {entry.id: entry.lang for entry in catalog.entries(session).values()}


def query_groups(
    data: BeirSet, judged: list[str], doc_lang: dict[str, str]
) -> dict[str, list[str]]:
    """Group queries by direction ("zh→en": language of query → of its best answers) and type."""
    groups: dict[str, list[str]] = {}
    for qid in judged:
        relevant = data.qrels[qid]
        top = max(relevant.values(), default=0)
        langs = Counter(doc_lang.get(doc, "?") for doc, g in relevant.items() if g == top)
        target = langs.most_common(1)[0][0] if langs else "?"
        groups.setdefault(f"{detect_lang(data.queries[qid])}→{target}", []).append(qid)
        if qid in data.types:
            groups.setdefault(f"type {data.types[qid]}", []).append(qid)
    return dict(sorted(groups.items()))
