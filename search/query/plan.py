"""Plan, the first stage of a query: the request made explicit — its mode and filters, the query
spelling-corrected when that clearly finds more, the kind of document it names, and its legs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kb.content.language import has_cjk
from search.embedders import Embedder
from search.index.serving import LoadedGeneration
from search.query.intent import Intent, detect_intent
from search.query.routing import MODES, Leg, plan_legs, query_language

# A spelling correction replaces the query when its best keyword match scores this much higher.
CORRECTION_GAIN = 1.25


@dataclass
class SearchRequest:
    """What a user asked: query text, mode, filters {facet: [values]}, page."""

    query: str
    mode: str = "hybrid"
    filters: dict[str, list[str]] = field(default_factory=dict)
    limit: int = 10
    offset: int = 0
    include_unpublished: bool = False
    log: bool = True
    snippets: bool = True
    autocorrect: bool = True


@dataclass(frozen=True)
class QueryPlan:
    """A query ready for the legs: what is searched, in which mode, under which filters, by whom."""

    query: str  # the query answered: the request's, or its spelling correction
    text: str  # the query without the words naming a kind of document: what the legs look for
    mode: str
    lang: str  # the query's language
    filters: dict[str, list[str]]  # the user's filters (empty ones dropped, tags lower-cased)
    visibility: dict[str, list[str]]  # the status filter: published only, unless asked otherwise
    legs: list[Leg]
    intent: Intent | None = None
    suggestion: str | None = None  # did-you-mean, when the correction did not replace the query
    corrected_from: str | None = None  # the request's query, when the correction replaced it

    @property
    def keyword_query(self) -> str:
        """Return what the keyword legs search for: nothing in semantic mode."""
        return self.text if self.mode != "semantic" else ""

    @property
    def shown_lang(self) -> str:
        """Return the language a translated result is shown in ("" when a language filter is set)."""
        return "" if "lang" in self.filters else self.lang

    @property
    def leg_names(self) -> list[str]:
        """Name the legs the query runs."""
        return [leg.name for leg in self.legs]


def plan_query(
    request: SearchRequest,
    loaded: LoadedGeneration,
    embedders: Mapping[str, Embedder],
    weights: Mapping[str, float],
) -> QueryPlan:
    """Plan a request: correct its spelling, detect its intent, pick its legs (see routing)."""
    mode = request.mode if request.mode in MODES else "hybrid"
    query = request.query.strip()
    filters = {k: list(v) for k, v in request.filters.items() if v}
    visibility = {} if request.include_unpublished else {"status": ["published"]}
    if not query:
        legs = plan_legs(query, mode, embedders, weights)
        return QueryPlan(query, query, mode, query_language(query), filters, visibility, legs)
    if "tag" in filters:
        filters["tag"] = [tag.lower() for tag in filters["tag"]]
    suggestion = loaded.spelling.suggest(query) if not has_cjk(query) else None
    corrected_from = None
    if suggestion and request.autocorrect and mode != "semantic":
        if _clearly_better(suggestion, query, {**filters, **visibility}, loaded):
            corrected_from, query, suggestion = query, suggestion, None
    intent = detect_intent(query) if "kind" not in filters else None
    text = intent.rest if intent else query
    legs = plan_legs(text, mode, embedders, weights, loaded.langs, loaded.glossary)
    lang = query_language(query)
    return QueryPlan(
        query, text, mode, lang, filters, visibility, legs, intent, suggestion, corrected_from
    )


def _clearly_better(
    suggestion: str, query: str, filters: dict[str, list[str]], loaded: LoadedGeneration
) -> bool:
    """Tell whether the corrected query's best keyword match clearly beats the typo's."""
    filters = loaded.keyword_filters(filters)
    fixed = loaded.keyword.search(suggestion, filters, 1)
    if not fixed:
        return False
    typo = loaded.keyword.search(query, filters, 1)
    return not typo or fixed[0].score >= CORRECTION_GAIN * typo[0].score
