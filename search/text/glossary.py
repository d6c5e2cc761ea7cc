"""The PMO glossary as a bilingual dictionary: cross-language keyword search by term translation.

The built-in project-management glossary (`pm_glossary.md` beside this module) holds the
standard English–Chinese term pairs; curators add their own organisation's terms in documents
tagged `glossary` whose tables start with the columns `English | 中文`. Each index generation
stores the term pairs; a query's glossary terms are translated into the other language, and
that translated query runs as a keyword leg over the other language's documents
(dictionary-based cross-language retrieval).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from search.text.analyzer import MixedTokenizer

GLOSSARY_TAG = "glossary"
BUILT_IN = Path(__file__).with_name("pm_glossary.md")
MAX_TERM_TOKENS = 6
SYNONYMS = re.compile(r"\s+/\s+|；|;")
TABLE_ROW = re.compile(r"^\s*\|(.+)\|\s*$")
SEPARATOR_CELL = re.compile(r"^:?-{2,}:?$")


@dataclass(frozen=True)
class TermPair:
    """One glossary row: the English terms and the Chinese terms that mean the same."""

    english: tuple[str, ...]
    chinese: tuple[str, ...]


def parse_glossary(markdown: str) -> list[TermPair]:
    """Return the term pairs of every `| English | 中文 | …` table in a Markdown body."""
    pairs: list[TermPair] = []
    in_table = False
    for line in markdown.splitlines():
        row = TABLE_ROW.match(line)
        if not row:
            in_table = False
            continue
        cells = [cell.strip() for cell in row.group(1).split("|")]
        if len(cells) >= 2 and cells[0].lower() == "english" and cells[1] == "中文":
            in_table = True
            continue
        if not in_table or all(SEPARATOR_CELL.match(cell) for cell in cells if cell):
            continue
        english = tuple(t.strip() for t in SYNONYMS.split(cells[0]) if t.strip())
        chinese = tuple(t.strip() for t in SYNONYMS.split(cells[1]) if t.strip())
        if english and chinese:
            pairs.append(TermPair(english, chinese))
    return pairs


@dataclass(frozen=True)
class GlossaryEntry:
    """One row of a glossary table as a reader sees it: the terms and their definitions."""

    english: str
    chinese: str
    definitions: dict[str, str]  # language → definition


@dataclass(frozen=True)
class GlossarySection:
    """A topic of the glossary (its `##` heading) with its rows."""

    title: str
    entries: list[GlossaryEntry]


def matching_sections(sections: list[GlossarySection], text: str) -> list[GlossarySection]:
    """Return the sections with only the rows whose terms or definitions contain the text
    (case-insensitive); topics left without rows are dropped, and an empty text keeps all."""
    wanted = text.strip().casefold()
    if not wanted:
        return sections
    kept = []
    for section in sections:
        entries = [
            entry
            for entry in section.entries
            if any(
                wanted in field.casefold()
                for field in (entry.english, entry.chinese, *entry.definitions.values())
            )
        ]
        if entries:
            kept.append(GlossarySection(section.title, entries))
    return kept


def glossary_sections(markdown: str) -> list[GlossarySection]:
    """Return the topics and rows of a `| English | 中文 | Definition | 释义 |` glossary."""
    sections: list[GlossarySection] = []
    columns: list[str] = []
    for line in markdown.splitlines():
        if line.startswith("## "):
            sections.append(GlossarySection(line[3:].strip(), []))
            columns = []
            continue
        row = TABLE_ROW.match(line)
        if not row:
            continue
        cells = [cell.strip() for cell in row.group(1).split("|")]
        if len(cells) >= 2 and cells[0].lower() == "english" and cells[1] == "中文":
            columns = cells
            continue
        if not columns or not sections or all(SEPARATOR_CELL.match(c) for c in cells if c):
            continue
        named = dict(zip(columns, cells, strict=False))
        definitions = {"en": named.get("Definition", ""), "zh": named.get("释义", "")}
        sections[-1].entries.append(GlossaryEntry(cells[0], cells[1], definitions))
    return [section for section in sections if section.entries]


@cache
def built_in_sections() -> list[GlossarySection]:
    """Return the built-in glossary's topics and rows (for the glossary page)."""
    return glossary_sections(BUILT_IN.read_text(encoding="utf-8")) if BUILT_IN.is_file() else []


@cache
def built_in_pairs() -> list[TermPair]:
    """Return the term pairs of the built-in project-management glossary."""
    return parse_glossary(BUILT_IN.read_text(encoding="utf-8")) if BUILT_IN.is_file() else []


def _longest_matches(sequence, terms: dict, longest: int, shortest: int) -> set[str]:
    """Translate the terms found in a sequence, longest match first, without overlaps."""
    found: set[str] = set()
    start = 0
    while start < len(sequence):
        for length in range(min(longest, len(sequence) - start), shortest - 1, -1):
            translation = terms.get(sequence[start : start + length])
            if translation:
                found |= translation
                start += length
                break
        else:
            start += 1
    return found


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(token.text for token in MixedTokenizer()(text, mode="query"))


class Glossary:
    """Looks up a query's glossary terms and returns their translation."""

    def __init__(self, pairs: Iterable[TermPair]) -> None:
        self.pairs = list(pairs)
        self._english: dict[tuple[str, ...], set[str]] = {}
        self._chinese: dict[str, set[str]] = {}
        for pair in self.pairs:
            for term in pair.english:
                tokens = _tokens(term)
                if tokens and len(tokens) <= MAX_TERM_TOKENS:
                    self._english.setdefault(tokens, set()).update(pair.chinese)
            for term in pair.chinese:
                if len(term) >= 2:
                    self._chinese.setdefault(term, set()).update(pair.english)
        self._longest_chinese = max((len(t) for t in self._chinese), default=0)

    @property
    def digest(self) -> str:
        """Return a fingerprint of the term pairs (a changed glossary needs a new generation)."""
        rows = json.dumps([[p.english, p.chinese] for p in self.pairs], ensure_ascii=False)
        return hashlib.sha256(rows.encode("utf-8")).hexdigest()

    def __len__(self) -> int:
        return len(self.pairs)

    def translate(self, query: str, lang: str) -> list[str]:
        """Return the other-language terms of the query's glossary terms (sorted)."""
        if lang == "zh":  # over the query's characters; a Chinese term has two or more
            found = _longest_matches(query, self._chinese, self._longest_chinese, shortest=2)
        else:  # over the query's analysed tokens
            found = _longest_matches(_tokens(query), self._english, MAX_TERM_TOKENS, shortest=1)
        return sorted(found)

    def save(self, path: Path) -> None:
        """Write the term pairs next to the index generation they belong to."""
        rows = [[list(pair.english), list(pair.chinese)] for pair in self.pairs]
        path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Glossary:
        """Read a glossary written by save() (an empty one when the file is absent)."""
        if not path.is_file():
            return cls([])
        rows = json.loads(path.read_text(encoding="utf-8"))
        return cls(TermPair(tuple(english), tuple(chinese)) for english, chinese in rows)
