"""Re-rank, the fourth stage of a query: documents of the kind the query names lifted, and one
document kept of each translation pair, in the query's language when it has one."""

from __future__ import annotations

from dataclasses import dataclass

from search.index.serving import LoadedGeneration
from search.query.fuse import FusedResults, RankedDocument
from search.query.plan import QueryPlan

# A document of the kind the query names ("…的教训", "… template") has its score multiplied by
# this: enough to lift a relevant lesson above guides about lessons, not to bury other kinds.
INTENT_BOOST = 1.15


@dataclass(frozen=True)
class Ranking:
    """The results, best first, and the documents the facets count: both versions of a translated
    document, without the user's filters when any are set."""

    documents: list[RankedDocument]
    counted: list[RankedDocument]


def rerank(fused: FusedResults, plan: QueryPlan, loaded: LoadedGeneration) -> Ranking:
    """Lift the documents of the kind the query names, then keep one of each translation pair."""

    def boosted(documents: list[RankedDocument]) -> list[RankedDocument]:
        return boost_kind(documents, plan.intent.kind, loaded) if plan.intent else documents

    matching = boosted(fused.matching)
    counted = boosted(fused.unfiltered) if fused.unfiltered is not None else matching
    return Ranking(one_per_translation(matching, loaded, plan.shown_lang), counted)


def boost_kind(
    documents: list[RankedDocument], kind: str, loaded: LoadedGeneration
) -> list[RankedDocument]:
    """Multiply the scores of documents of the named kind, keeping the others in the list."""
    boosted = [
        RankedDocument(e.doc_id, e.sid, e.score * INTENT_BOOST, e.legs)
        if loaded.kind_of[e.doc_id] == kind
        else e
        for e in documents
    ]
    return sorted(boosted, key=lambda e: -e.score)


def one_per_translation(
    ranked: list[RankedDocument], loaded: LoadedGeneration, query_lang: str
) -> list[RankedDocument]:
    """Keep one document of each translation pair, in the query's language when it has one.

    The kept one takes the better score of the two; a version swapped in opens at its top.
    Without a query language (a language filter is set) the better-scored one is kept.
    """
    kept: dict[str, int] = {}
    out: list[RankedDocument] = []
    for entry in ranked:
        group = loaded.translation_group.get(entry.doc_id)
        if group is None:
            out.append(entry)
            continue
        if group not in kept:
            kept[group] = len(out)
            same_language = loaded.published_version[group].get(query_lang)
            if same_language and loaded.lang_of[entry.doc_id] != query_lang:
                first_section = loaded.sections_of[same_language][0]
                entry = RankedDocument(same_language, first_section, entry.score, entry.legs)
            out.append(entry)
            continue
        first = out[kept[group]]
        if (
            loaded.lang_of[first.doc_id] != query_lang
            and loaded.lang_of[entry.doc_id] == query_lang
        ):
            out[kept[group]] = RankedDocument(
                entry.doc_id, entry.sid, first.score, entry.legs | first.legs
            )
    return out
