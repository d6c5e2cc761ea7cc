"""The serving generation opened: its keyword and vector indexes, glossary, spelling vocabulary,
section records, and the facet masks that apply filters inside the vector search."""

from __future__ import annotations

import json
from collections import defaultdict

import numpy as np

from search.index.generations import GenerationStore
from search.index.indexer import (
    GLOSSARY_FILE,
    KEYWORD_FOLDER,
    RECORDS_FILE,
    VOCABULARY_FILE,
    vector_file,
)
from search.index.keyword import KeywordIndex
from search.index.records import FACETS, SectionRecord, read_records
from search.index.vectors import VectorIndex
from search.text.glossary import Glossary
from search.text.spelling import SpellingCorrector

NO_DOCUMENT = "\x00"  # a document id that never exists: a filter that matches nothing


class LoadedGeneration:
    """The open indexes of one generation plus the per-section facet masks for filtering."""

    def __init__(self, store: GenerationStore, names: list[str], cache_size: int = 0) -> None:
        generation = store.current()
        if generation is None:
            raise LookupError("no search index yet: run `kb ingest` to build it")
        self.name = generation.name
        self.names = list(names)  # the embedders it was opened for
        self.keyword = KeywordIndex.open(generation.folder / KEYWORD_FOLDER, cache_size)
        self.vectors = {
            name: VectorIndex.load(generation.folder / vector_file(name))
            for name in names
            if (generation.folder / vector_file(name)).is_file()
        }
        self.glossary = Glossary.load(generation.folder / GLOSSARY_FILE)
        vocabulary_path = generation.folder / VOCABULARY_FILE
        counts = json.loads(vocabulary_path.read_text("utf-8")) if vocabulary_path.is_file() else {}
        self.spelling = SpellingCorrector(counts)
        # The generation's own records: search serves the snapshot the indexes were built from,
        # whatever an ingest or a publish is doing to the catalog meanwhile.
        records = read_records(generation.folder / RECORDS_FILE)
        self.records: dict[int, SectionRecord] = {r.sid: r for r in records}
        self.sections_of: dict[str, list[int]] = defaultdict(list)
        for record in records:
            self.sections_of[record.doc_id].append(record.sid)
        self.langs = frozenset(record.lang for record in records)
        self.lang_of: dict[str, str] = {record.doc_id: record.lang for record in records}
        self.kind_of: dict[str, str] = {record.doc_id: record.kind for record in records}
        self.translation_group: dict[str, str] = {}
        for record in records:
            if record.translation_of:
                self.translation_group[record.doc_id] = record.translation_of
                self.translation_group.setdefault(record.translation_of, record.translation_of)
        # translation group → {language: published document}, to show a result in the query's language
        self.published_version: dict[str, dict[str, str]] = defaultdict(dict)
        for doc_id, group in self.translation_group.items():
            sids = self.sections_of.get(doc_id)
            if sids and self.records[sids[0]].status == "published":
                self.published_version[group][self.lang_of[doc_id]] = doc_id
        self.recurring = sorted({record.doc_id for record in records if record.recurring})
        self._facet_bitmaps: dict[str, dict[tuple[str, str], np.ndarray]] = {}
        for name in self.vectors:
            self._bitmaps(name)

    def keyword_filters(self, filters: dict[str, list[str]]) -> dict[str, list[str]]:
        """Return the filters as the keyword index takes them: `recurring` depends on other
        documents (unchanged sections are not re-indexed), so it becomes those documents' ids."""
        if "recurring" not in filters:
            return filters
        others = {facet: values for facet, values in filters.items() if facet != "recurring"}
        return {**others, "doc_id": self.recurring or [NO_DOCUMENT]}

    def mask(self, name: str, filters: dict[str, list[str]]) -> np.ndarray | None:
        """Return the rows of a vector index whose sections pass the filters (None = all).

        OR within a facet, AND across facets, from bitmaps precomputed per facet value.
        """
        active = {facet: values for facet, values in filters.items() if values}
        if not active:
            return None
        bitmaps = self._bitmaps(name)
        size = len(self.vectors[name].sids)
        result = np.ones(size, dtype=bool)
        for facet, values in active.items():
            either = np.zeros(size, dtype=bool)
            for value in values:
                bitmap = bitmaps.get((facet, value))
                if bitmap is not None:
                    either |= bitmap
            result &= either
        return result

    def _bitmaps(self, name: str) -> dict[tuple[str, str], np.ndarray]:
        if name not in self._facet_bitmaps:
            sids = self.vectors[name].sids
            bitmaps: dict[tuple[str, str], np.ndarray] = {}
            for row, sid in enumerate(sids):
                record = self.records.get(int(sid))
                if record is None:
                    continue
                for facet in FACETS:
                    for value in record.facet_values(facet):
                        key = (facet, value)
                        if key not in bitmaps:
                            bitmaps[key] = np.zeros(len(sids), dtype=bool)
                        bitmaps[key][row] = True
            self._facet_bitmaps[name] = bitmaps
        return self._facet_bitmaps[name]

    def close(self) -> None:
        """Close the keyword index's files."""
        self.keyword.close()
