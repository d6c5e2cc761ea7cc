"""The keyword leg: a whoosh BM25F index with one entry per heading section.

A section's chunks are merged back into one entry: BM25 needs the whole section's evidence (on
SciFact, chunk-level entries cost 0.05 nDCG@10). The entry's key is its first chunk's id. The main
field `content` holds title, heading trail, text and tags; `title`, `headings` and `tags` also have
their own fields, for small boosts and for field syntax (`title:charter`).
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh import index, scoring
from whoosh.fields import ID, KEYWORD, TEXT, Schema
from whoosh.qparser import MultifieldParser, OrGroup
from whoosh.query import And, AndNot, Not, NullQuery, Or, Phrase, Query, Term

from search.index.records import SectionRecord
from search.index.term_scores import TermScores
from search.lru import LRUCache
from search.text.analyzer import analyzer, query_terms

# Unfielded query terms search `content` only (it already holds title, headings and tags):
# searching the other fields too made the matcher tree 4× larger for no measured gain
# (10k sections: keyword p50 10.0 → 5.4 ms, p95 40 → 12 ms). They stay for `title:` syntax.
FIELD_BOOSTS = {"content": 1.0}
PHRASE_BOOST = 1.0
PHRASE_MAX_TERMS = 4
# query syntax; a question mark that ends a word is punctuation, not a wildcard
SYNTAX = re.compile(r'["():*~^]|\?(?=\w)|\b(AND|OR|NOT|ANDNOT|ANDMAYBE)\b')
SCHEMA_VERSION = 3  # bump when the index layout changes: the next sync rebuilds
FILTER_FIELDS = {"kind", "lang", "status", "phase", "area", "tag", "doc_id"}


def build_schema() -> Schema:
    """Return the index schema: analysed text fields plus exact-match filter fields."""
    text = analyzer()
    return Schema(
        sid=ID(stored=True, unique=True),
        doc_id=ID(stored=True),
        content=TEXT(analyzer=text),
        title=TEXT(analyzer=text),
        headings=TEXT(analyzer=text),
        tags=TEXT(analyzer=text),
        kind=ID,
        lang=ID,
        status=ID,
        phase=KEYWORD(commas=True),
        area=KEYWORD(commas=True),
        tag=KEYWORD(commas=True, lowercase=True),
    )


def group_sections(records: Iterable[SectionRecord]) -> list[list[SectionRecord]]:
    """Group chunks into their heading sections (same document and anchor), in order."""
    groups: dict[tuple[str, str, str], list[SectionRecord]] = {}
    for record in sorted(records, key=lambda r: r.sid):
        key = (record.doc_id, record.anchor, record.heading if not record.anchor else "")
        groups.setdefault(key, []).append(record)
    return list(groups.values())


def _fields(chunks: list[SectionRecord]) -> dict[str, str]:
    record = chunks[0]
    text = "\n".join(chunk.text for chunk in chunks)
    headings = " ".join(h for h in record.trail if h != record.title)
    return {
        "sid": str(record.sid),
        "doc_id": record.doc_id,
        "content": "\n".join([record.title, headings, text, " ".join(record.tags)]),
        "title": record.title,
        "headings": headings,
        "tags": " ".join(record.tags),
        "kind": record.kind,
        "lang": record.lang,
        "status": record.status,
        "phase": ",".join(record.phases),
        "area": ",".join(record.areas),
        "tag": ",".join(record.tags),
    }


@dataclass(frozen=True)
class KeywordHit:
    """A section found by the keyword leg with its BM25F score."""

    sid: int
    score: float


FILTER_CACHE_SIZE = 256
GENERIC_FLOOR = 20  # sections: below this many, no term counts as too common


class KeywordIndex:
    """A whoosh index in one folder; open it, query it, or write a changed copy of it."""

    def __init__(self, folder: Path, ix: index.Index, cache_size: int = 0) -> None:
        self.folder = folder
        self._ix = ix
        self._hits = LRUCache(cache_size)  # safe: an open index never changes
        self._searcher = ix.searcher(weighting=scoring.BM25F(B=0.75, K1=1.2))
        # whoosh's readers share file positions: two threads reading postings at once got each
        # other's bytes (zlib "truncated stream" under 50 connections), so one reads at a time
        self._lock = threading.Lock()
        fields = list(FIELD_BOOSTS)
        self._parser = MultifieldParser(
            fields, ix.schema, fieldboosts=FIELD_BOOSTS, group=OrGroup.factory(0.9)
        )
        self._sid_of_docnum: dict[int, int] | None = None
        self._docnum_of: dict[int, int] = {}  # the inverse, filled with it
        # filter → the set of matching document numbers: the index never changes once open, and
        # rebuilding the set of all published sections took a fifth of each query's time
        self._filter_docs: dict[tuple, tuple[set[int], np.ndarray]] = {}
        self._scores = TermScores(self._searcher, self._lock)

    def _sids(self) -> dict[int, int]:
        """Map whoosh document numbers to section ids (read once; stored fields are slow)."""
        if self._sid_of_docnum is None:
            with self._lock:
                sid_of = {
                    docnum: int(fields["sid"]) for docnum, fields in self._searcher.iter_docs()
                }
            self._docnum_of = {sid: docnum for docnum, sid in sid_of.items()}
            self._sid_of_docnum = sid_of
        return self._sid_of_docnum

    @classmethod
    def create(cls, folder: Path, records: Iterable[SectionRecord]) -> KeywordIndex:
        """Build a new index from scratch in folder."""
        folder.mkdir(parents=True, exist_ok=True)
        ix = index.create_in(str(folder), build_schema())
        writer = ix.writer(limitmb=256)
        for chunks in group_sections(records):
            writer.add_document(**_fields(chunks))
        writer.commit()
        return cls(folder, ix)

    @classmethod
    def open(cls, folder: Path, cache_size: int = 0) -> KeywordIndex:
        """Open an existing index."""
        return cls(folder, index.open_dir(str(folder)), cache_size)

    @classmethod
    def updated_copy(
        cls, source: Path, folder: Path, removed: Iterable[int], added: Iterable[SectionRecord]
    ) -> KeywordIndex:
        """Copy the index at source into folder, then delete and add sections there."""
        shutil.copytree(source, folder)
        ix = index.open_dir(str(folder))
        writer = ix.writer(limitmb=128)
        for sid in removed:
            writer.delete_by_term("sid", str(sid))
        for chunks in group_sections(added):
            writer.add_document(**_fields(chunks))
        writer.commit()
        return cls(folder, ix)

    def _filter(self, filters: dict[str, list[str]]) -> tuple[set[int], np.ndarray] | None:
        """Return the document numbers passing the filters as a set and as a mask (None: no
        filter), cached per filter."""
        key = tuple(sorted((facet, tuple(sorted(values))) for facet, values in filters.items()))
        cached = self._filter_docs.get(key)
        if cached is None:
            query = filter_to_query(filters)
            if query is None:
                return None
            with self._lock:
                docs = set(self._searcher.docs_for_query(query))
            mask = np.zeros(self._searcher.doc_count_all(), dtype=bool)
            mask[list(docs)] = True
            if len(self._filter_docs) >= FILTER_CACHE_SIZE:
                self._filter_docs.clear()
            cached = self._filter_docs[key] = (docs, mask)
        return cached

    def specific(self, terms: tuple[str, ...], max_share: float) -> list[str]:
        """Keep the terms (words or phrases) that are not everywhere: found in at most this share
        of the sections (a small index keeps everything: there, nothing is everywhere yet)."""
        limit = max(max_share * self._scores.size, GENERIC_FLOOR)
        return [term for term in terms if self._scores.holding(query_terms(term)) <= limit]

    def coverage(self, text: str, sids: list[int]) -> float:
        """Return how much of a query the best of these sections holds (its terms, IDF-weighted)."""
        self._sids()
        docnums = [self._docnum_of[sid] for sid in sids if sid in self._docnum_of]
        return self._scores.coverage(query_terms(text), docnums)

    def close(self) -> None:
        """Release the searcher's open files."""
        with self._lock:
            self._searcher.close()

    def parse(self, text: str) -> Query:
        """Parse user query syntax (AND/OR/NOT, quotes, field:); fall back to plain terms."""
        if not SYNTAX.search(text):
            return self.plain_query(text)
        try:
            query = _not_means_and_not(self._parser.parse(text)).normalize()
        except Exception:  # whoosh raises many kinds of errors on odd input
            query = NullQuery
        if query is NullQuery or _is_empty(query):
            return self.plain_query(text)
        return query

    def plain_query(self, text: str) -> Query:
        """Return an OR of the query's terms over every field, plus a boosted phrase per chunk.

        The phrase clauses rank documents where the words stand together (风险管理, risk register)
        above those where they are merely both present, like edismax's phrase fields.
        """
        terms, phrases = plain_clauses(text)
        clauses: list[Query] = [Term(field, term, boost=boost) for field, term, boost in terms]
        clauses += [Phrase(field, words, boost=boost) for field, words, boost in phrases]
        return Or(clauses) if clauses else NullQuery

    def _plain_parts(self, text: str) -> list:
        terms, phrases = plain_clauses(text)
        parts = [self._scores.term(field, term, boost) for field, term, boost in terms]
        return parts + [self._scores.phrase(field, words, boost) for field, words, boost in phrases]

    def search(
        self, text: str, filters: dict[str, list[str]] | None = None, limit: int = 100
    ) -> list[KeywordHit]:
        """Return the best sections for a query, with filters applied inside the search."""
        key = (
            text,
            tuple(sorted((f, tuple(sorted(v))) for f, v in (filters or {}).items())),
            limit,
        )
        hits = self._hits.get(key)
        if hits is None:
            hits = self._search(text, filters, limit)
            self._hits.put(key, hits)
        return hits

    def _search(
        self, text: str, filters: dict[str, list[str]] | None, limit: int
    ) -> list[KeywordHit]:
        allowed = self._filter(filters or {})
        sids = self._sids()
        if not SYNTAX.search(text):  # plain words: the same BM25 sum, from cached term scores
            top = self._scores.top(self._plain_parts(text), allowed and allowed[1], limit)
            return [KeywordHit(sids[docnum], score) for score, docnum in top]
        query = self.parse(text)
        if query is NullQuery:
            return []
        docs = allowed[0] if allowed else None
        with self._lock:
            try:
                results = self._searcher.search(query, limit=limit, filter=docs)
            except Exception:
                results = self._searcher.search(self.plain_query(text), limit=limit, filter=docs)
            top = list(results.top_n)
        return [KeywordHit(sids[docnum], float(score)) for score, docnum in top]


def plain_clauses(
    text: str,
) -> tuple[list[tuple[str, str, float]], list[tuple[str, list[str], float]]]:
    """Return the (field, term, boost) and (field, words, boost) clauses of a plain query."""
    terms = query_terms(text)
    if not terms:
        return [], []
    term_clauses = [(field, term, boost) for term in terms for field, boost in FIELD_BOOSTS.items()]
    phrase_clauses = []
    chunks = text.split()
    for words in [terms] if len(chunks) == 1 else [query_terms(c) for c in chunks] + [terms]:
        if 1 < len(words) <= PHRASE_MAX_TERMS:
            phrase_clauses += [
                (field, list(words), boost * PHRASE_BOOST) for field, boost in FIELD_BOOSTS.items()
            ]
    return term_clauses, phrase_clauses


def _not_means_and_not(query: Query) -> Query:
    """With OR as the default group, `a NOT b` parses as `a OR NOT b`; make it `a AND NOT b`."""
    if isinstance(query, Or) and any(isinstance(child, Not) for child in query.subqueries):
        positives = [c for c in query.subqueries if not isinstance(c, Not)]
        negatives = [c.query for c in query.subqueries if isinstance(c, Not)]
        if positives:
            return AndNot(Or(positives), Or(negatives))
    return query


def _is_empty(query: Query) -> bool:
    """Tell whether a parsed query matches nothing by construction (e.g. `title:` alone)."""
    try:
        return not any(True for _ in query.leaves()) and query.is_leaf() is False
    except Exception:
        return True


def filter_to_query(filters: dict[str, list[str]]) -> Query | None:
    """Turn {facet: [values]} into a whoosh filter: OR within a facet, AND across facets."""
    clauses = []
    for facet, values in filters.items():
        if facet in FILTER_FIELDS and values:
            clauses.append(Or([Term(facet, value) for value in values]))
    return And(clauses) if clauses else None
