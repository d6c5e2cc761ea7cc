"""`kb eval`: load a BEIR-format data set into a scratch knowledge base and measure each mode."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ingest.sections import chunk_blocks
from kb.bootstrap import open_database
from kb.content.language import detect_lang
from kb.content.model import Document, Section
from kb.store import catalog
from kb.store.database import Database
from search.embedders import EmbedderPool
from search.generations import GenerationStore
from search.indexer import ProgressFactory, sync_indexes
from search.metrics import evaluate_rankings
from search.searcher import Searcher, SearchRequest


@dataclass
class BeirSet:
    """A BEIR data set: corpus {id: (title, text)}, queries {id: text}, qrels {qid: {doc: grade}}."""

    corpus: dict[str, tuple[str, str]]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


class DataSetError(Exception):
    """A data set folder that is not in BEIR format."""


def read_jsonl(path: Path) -> Iterable[dict]:
    """Yield the JSON objects of a .jsonl file."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def load_beir(folder: Path, split: str) -> BeirSet:
    """Read corpus.jsonl, queries.jsonl and qrels/<split>.tsv."""
    needed = [folder / "corpus.jsonl", folder / "queries.jsonl", folder / "qrels" / f"{split}.tsv"]
    for path in needed:
        if not path.is_file():
            raise DataSetError(
                f"{path} is missing: a BEIR folder has corpus.jsonl, queries.jsonl and qrels/{split}.tsv"
            )
    corpus = {
        str(row["_id"]): (row.get("title") or "", row.get("text") or "")
        for row in read_jsonl(needed[0])
    }
    queries = {str(row["_id"]): row["text"] for row in read_jsonl(needed[1])}
    qrels: dict[str, dict[str, int]] = {}
    with needed[2].open(encoding="utf-8") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if not row or row[0] in ("query-id", "query_id"):
                continue
            qrels.setdefault(row[0], {})[row[1]] = int(row[2])
    return BeirSet(corpus, queries, qrels)


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
) -> dict[str, dict[str, float]]:
    """Index the data set under work/ (cached between runs) and return metrics per mode."""
    data = load_beir(folder, split)
    database = open_database(f"sqlite:///{work / 'eval.sqlite3'}")
    load_into(database, data)
    store = GenerationStore(work / "indexes")
    sync_indexes(database, store, pool.names, pool.get, progress=embed_progress)
    searcher = Searcher(database, store, pool.all(), weights)
    judged = [qid for qid in data.qrels if qid in data.queries]
    results: dict[str, dict[str, float]] = {}
    for mode in modes:
        rankings: dict[str, list[str]] = {}
        items = progress(judged, mode) if progress else judged
        for qid in items:
            response = searcher.search(
                SearchRequest(data.queries[qid], mode=mode, limit=100, log=False, snippets=False)
            )
            rankings[qid] = [hit.id for hit in response.results]
        results[mode] = evaluate_rankings(rankings, data.qrels)
    database.close()
    return results
