"""Routing: which legs answer a query, and for which document languages each leg's ranking counts.

- The keyword leg runs for every query; it sees documents in the query's language (its hits in
  the other language, an English acronym in a Chinese page, still count).
- The glossary leg runs when an English query holds terms of the PMO glossary: their Chinese
  translations are searched as keywords over the Chinese documents (search.text.glossary).
- An embedder that serves the query's language (`languages`) counts for every language it reads:
  for a Chinese query the multilingual leg ranks Chinese and English documents.
- An embedder that reads the query's language but does not serve it counts only for the
  languages no serving leg covers: for an English query MiniLM ranks English documents and the
  multilingual leg only Chinese ones (as an English leg it costs quality; measured on SciFact).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kb.content.language import has_cjk
from search.embedders import Embedder
from search.text.glossary import Glossary

KEYWORD = "keyword"
GLOSSARY = "glossary"
GLOSSARY_WEIGHT = 0.25
# a translated term found in more sections than this share says nothing (project, 管理)
GLOSSARY_MAX_SHARE = 0.05
# Query languages the glossary leg translates. English → Chinese lifted en→zh from 0.62 to 0.70
# (shipped) and 0.61 to 0.65 (pm-corpus); Chinese → English cost zh→en 0.02-0.04 on both sets
# (substrings of unsegmented Chinese match the generic part of a specific question), while the
# multilingual leg already serves Chinese questions' English answers.
GLOSSARY_QUERY_LANGS = frozenset({"en"})
MODES = ("hybrid", "keyword", "semantic")


@dataclass(frozen=True)
class Leg:
    """One leg of a search: its weight, the document languages it ranks and those it sees."""

    name: str
    weight: float
    counts_for: frozenset[str] | None  # None: every language
    sees: frozenset[str] | None
    reads: frozenset[str] | None = None  # languages its ranks are computed over (vector legs)
    terms: tuple[str, ...] = ()  # what a translated keyword leg searches for


def query_language(query: str) -> str:
    """Return the language of a query: zh when it has any Chinese character, else en."""
    return "zh" if has_cjk(query) else "en"


def plan_legs(
    query: str,
    mode: str,
    embedders: Mapping[str, Embedder],
    weights: Mapping[str, float],
    corpus_langs: frozenset[str] | None = None,
    glossary: Glossary | None = None,
) -> list[Leg]:
    """Return the legs of a query in this mode, skipping any with no documents to rank."""
    lang = query_language(query)
    legs: list[Leg] = []
    if mode in ("hybrid", "keyword"):
        legs.append(Leg(KEYWORD, weights.get(KEYWORD, 1.0), None, frozenset({lang})))
        other = frozenset({"en" if lang == "zh" else "zh"})
        use_glossary = glossary is not None and lang in GLOSSARY_QUERY_LANGS
        translated = tuple(glossary.translate(query, lang)) if use_glossary else ()
        if translated and (corpus_langs is None or other & corpus_langs):
            weight = weights.get(GLOSSARY, GLOSSARY_WEIGHT)
            legs.append(Leg(GLOSSARY, weight, other, other, other, terms=translated))
    if mode not in ("hybrid", "semantic"):
        return legs
    serving = {name: e for name, e in embedders.items() if lang in e.languages}
    covered = frozenset().union(*(e.reads for e in serving.values()))
    vector_legs: list[tuple[str, frozenset[str]]] = [(n, e.reads) for n, e in serving.items()]
    for name, embedder in embedders.items():
        if name not in serving and lang in embedder.reads:
            extra = embedder.reads - covered
            if extra:
                vector_legs.append((name, extra))
    if not vector_legs and mode == "semantic":
        vector_legs = [(name, e.reads) for name, e in embedders.items()]
    for name, counts_for in vector_legs:
        if corpus_langs is not None and not counts_for & corpus_langs:
            continue
        reads = embedders[name].reads
        legs.append(Leg(name, weights.get(name, 1.0), counts_for, counts_for, reads))
    return legs
