"""View models: turn core results into what templates show (links, labels, pages) — no logic in templates."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from urllib.parse import urlencode

from kb.content.meta import LessonMeta
from kb.content.model import Document
from kb.content.taxonomy import Area, Kind, Lang, Phase, label
from kb.store.browse import Overview
from kb.store.tables import DocumentRow
from search.index.semantic_preparation import FAILED, LOADING, SemanticStatus
from search.lessons.beside import BesideLesson
from search.query.searcher import MODES, SearchHit, SearchResponse
from web.actions.views import LessonPanel
from web.core.i18n import N_, NC_, Marked, translator
from web.following.views import News

FACET_ORDER = ("kind", "phase", "area", "lang", "tag", "recurring")
KIND_ORDER = ("guide", "lesson", "template", "training")
PAGE_SIZE = 10
MAX_TAGS = 12
QUERY_CHARS = 500  # the longest query the page searches (the JSON API refuses longer: 422)
CUT_AT_SPACE_WITHIN = 100  # a long query is cut at its last space this close to the limit
FACET_VALUES = {"kind": Kind, "phase": Phase, "area": Area, "lang": Lang}  # closed vocabularies
FACET_NAMES: dict[str, Marked] = {
    "kind": N_("Kind"),
    "phase": N_("Phase"),
    "area": N_("Knowledge area"),
    "lang": N_("Language"),
    "tag": N_("Tag"),
    "recurring": N_("Recurrence"),
}
MODE_NAMES: dict[str, Marked] = {
    "hybrid": N_("Hybrid"),
    "keyword": N_("Keyword"),
    "semantic": N_("Semantic"),
}
INTENT_NAMES: dict[str, Marked] = {  # the filter a query that names a kind offers
    "lesson": N_("Only lessons learned"),
    "template": N_("Only templates"),
    "guide": N_("Only guides"),
    "training": N_("Only training"),
}
META_LABELS: dict[str, Marked] = {  # the metadata panel of a document
    "kind": N_("Kind"),
    "language": N_("Language"),
    "phase": N_("Phase"),
    "area": N_("Area"),
    "tags": N_("Tags"),
    "owner": N_("Owner"),
    "updated": N_("Updated"),
    "project": N_("Project"),
    "date": NC_("date", "Date"),
    "impact": N_("Impact"),
    "priority": N_("Priority"),
    "action_status": N_("Action status"),
}


@dataclass
class SearchParams:
    """The search page's query string: text, mode, filters and page number."""

    q: str = ""
    mode: str = "hybrid"
    filters: dict[str, list[str]] = field(default_factory=dict)
    page: int = 1
    exact: bool = False  # search as typed, without spelling correction

    def url(self, **changes) -> str:
        """Return /search with these parameters, changed as given."""
        values = {"q": self.q, "mode": self.mode, "filters": self.filters, "page": self.page}
        values["exact"] = self.exact
        values.update(changes)
        pairs: list[tuple[str, str]] = [("q", values["q"])]
        if values["mode"] != "hybrid":
            pairs.append(("mode", values["mode"]))
        for facet in FACET_ORDER:
            pairs += [(facet, value) for value in values["filters"].get(facet, [])]
        if values["page"] > 1:
            pairs.append(("page", str(values["page"])))
        if values["exact"]:
            pairs.append(("exact", "true"))
        return "/search?" + urlencode(pairs)

    def toggled(self, facet: str, value: str) -> str:
        """Return the URL with one facet value switched on or off (back to page 1)."""
        current = list(self.filters.get(facet, []))
        current = [v for v in current if v != value] if value in current else current + [value]
        filters = {**self.filters, facet: current}
        return self.url(filters={k: v for k, v in filters.items() if v}, page=1)


@dataclass
class FacetValue:
    """One clickable facet value."""

    value: str
    label: str
    count: int
    selected: bool
    url: str


def facet_groups(response: SearchResponse, params: SearchParams, lang: str) -> list[dict]:
    """Return the facets to show, each with its values' labels, counts and toggle links."""
    groups = []
    for facet in FACET_ORDER:
        counts = dict(response.facets.get(facet, {}))
        for value in params.filters.get(facet, []):
            counts.setdefault(value, 0)
        items = list(counts.items())[: MAX_TAGS if facet == "tag" else None]
        values = [
            FacetValue(
                value,
                translator(lang).gettext("Recurred (not yet learned)")
                if facet == "recurring"
                else label(value, lang),
                count,
                value in params.filters.get(facet, []),
                params.toggled(facet, value),
            )
            for value, count in items
        ]
        if values:
            groups.append({"name": facet, "values": values})
    return groups


def shortened_query(q: str) -> tuple[str, bool]:
    """Return the part of a query the page searches (its first QUERY_CHARS characters, ending at
    a word where one is near) and whether it was cut."""
    if len(q) <= QUERY_CHARS:
        return q, False
    head = q[:QUERY_CHARS]
    space = max(head.rfind(" "), head.rfind("\n"))
    if space >= QUERY_CHARS - CUT_AT_SPACE_WITHIN:
        head = head[:space]
    return head.strip(), True


def known_filters(filters: dict[str, list[str]]) -> tuple[dict[str, list[str]], list[str]]:
    """Split the page's filters into those with known values and the unknown ones
    ('kind=bogus'), which the page ignores (the JSON API refuses them)."""
    kept: dict[str, list[str]] = {}
    ignored: list[str] = []
    for facet, values in filters.items():
        vocabulary = FACET_VALUES.get(facet)
        good = [v for v in values if vocabulary is None or v in {m.value for m in vocabulary}]
        ignored += [f"{facet}={v}" for v in values if v not in good]
        if good:
            kept[facet] = good
    return kept, ignored


def search_notices(cut: bool, ignored: list[str], lang: str) -> list[str]:
    """Say in the UI language what the page changed in the request: a long query cut, unknown
    filter values ignored."""
    gettext = translator(lang).gettext
    notices = []
    if cut:
        notices.append(
            gettext(
                "Your search was long: only its first %(n)s characters were searched.",
                n=QUERY_CHARS,
            )
        )
    if ignored:
        notices.append(
            gettext("Unknown filter values were ignored: %(values)s.", values=", ".join(ignored))
        )
    return notices


def pagination(total: int, params: SearchParams) -> dict:
    """Return the page count and previous/next links."""
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    return {
        "page": params.page,
        "pages": pages,
        "previous": params.url(page=params.page - 1) if params.page > 1 else None,
        "next": params.url(page=params.page + 1) if params.page < pages else None,
        "past_end": bool(total) and params.page > pages,
        "last": params.url(page=pages),
    }


def mode_links(params: SearchParams) -> list[dict]:
    """Return the mode switch: each mode with its link and whether it is active."""
    return [
        {"mode": mode, "url": params.url(mode=mode, page=1), "active": mode == params.mode}
        for mode in MODES
    ]


def metadata_rows(document: Document, lang: str) -> list[tuple[str, str]]:
    """Return the metadata panel rows of a document as (label, display text) in the UI language."""
    rows = [
        ("kind", label(document.kind, lang)),
        ("language", label(document.lang, lang)),
        ("phase", ", ".join(label(p, lang) for p in document.phases)),
        ("area", ", ".join(label(a, lang) for a in document.areas)),
        ("tags", ", ".join(document.tags)),
        ("owner", document.owner),
        ("updated", document.updated or ""),
    ]
    meta = document.meta
    if isinstance(meta, LessonMeta):
        rows += [
            ("project", meta.project),
            ("date", meta.date),
            ("impact", label(meta.impact, lang)),
            ("priority", label(meta.priority, lang)),
            ("action_status", label(meta.action_status, lang)),
        ]
    ui = translator(lang)
    return [(ui.marked(META_LABELS[key]), value) for key, value in rows if value]


@dataclass(frozen=True)
class HomePage:
    """The home page: counts to browse by, recent lessons and the training modules."""

    overview: Overview
    lessons: list[DocumentRow]
    modules: list[DocumentRow]
    news: News | None = None  # signed in: what is new in their watches


@dataclass(frozen=True)
class SearchPage:
    """What the search page shows: the query, its results and the links around them."""

    params: SearchParams
    modes: list[dict]
    response: SearchResponse | None = None
    index_missing: bool = False
    facets: list[dict] = field(default_factory=list)
    pagination: dict | None = None
    suggestion_url: str | None = None  # "did you mean" the correction
    as_typed_url: str | None = None  # the typo as typed, when results are for its correction
    intent_url: str | None = None  # the kind the query names, as a filter
    selected_count: int = 0  # filter values switched on (shown on the phone's Filters toggle)
    semantic_notice: str = ""  # while semantic search is being prepared: how far it is
    notices: list[str] = field(default_factory=list)  # what the page changed in the request

    @classmethod
    def of(
        cls, response: SearchResponse, params: SearchParams, lang: str, notices: list[str]
    ) -> SearchPage:
        """Build the page for a search response."""
        return cls(
            params,
            mode_links(params),
            response,
            facets=facet_groups(response, params, lang),
            pagination=pagination(response.total, params),
            suggestion_url=params.url(q=response.did_you_mean, page=1, exact=False)
            if response.did_you_mean
            else None,
            as_typed_url=params.url(page=1, exact=True) if response.corrected_from else None,
            intent_url=params.toggled("kind", response.intent) if response.intent else None,
            selected_count=sum(len(values) for values in params.filters.values()),
            semantic_notice=semantic_notice(response.semantic, lang),
            notices=notices,
        )


def semantic_notice(status: SemanticStatus | None, lang: str) -> str:
    """Say in the UI language that semantic search is being prepared and how far it is ('' when
    it is ready)."""
    if status is None:
        return ""
    if status.state == FAILED:
        return translator(lang).gettext(
            "Semantic search is unavailable (the server log says why): these results come from keyword search."
        )
    if status.state == LOADING or not status.total:
        return translator(lang).gettext(
            "Semantic search is still being prepared (loading the language models): these results come from keyword search. Hybrid search switches on by itself when it is ready."
        )
    left = ""
    if status.seconds_left is not None:
        minutes = math.ceil(status.seconds_left / 60)
        left = (
            translator(lang).gettext(", about %(n)s min left", n=minutes)
            if status.seconds_left >= 60
            else translator(lang).gettext(", less than a minute left")
        )
    return translator(lang).gettext(
        "Semantic search is still being prepared (%(done)s of %(total)s texts%(left)s): these results come from keyword search. Hybrid search switches on by itself when it is ready.",
        done=status.done,
        total=status.total,
        left=left,
    )


@dataclass(frozen=True)
class DocumentPage:
    """What the document page shows: the document, its contents, details, translation, related."""

    doc: Document
    html: str
    toc: list[tuple[int, str, str]]
    meta_rows: list[tuple[str, str]]
    other_lang_id: str | None
    related: list[SearchHit]
    module_title: str | None
    thanked: bool
    from_query: str  # the search that led here: its words are marked in the body
    marks: int = 0  # how many of them were marked
    lesson: LessonPanel = field(default_factory=LessonPanel)  # a lesson's actions, recurrences
    lessons: list[BesideLesson] = field(default_factory=list)  # beside a guide of a phase


@dataclass(frozen=True)
class BrowseGroups:
    """One phase's, area's or kind's documents grouped by kind, in the UI language first."""

    groups: list[tuple[str, list[DocumentRow]]]
    shown: int
    other_lang_count: int  # documents in the other language (hidden unless both are shown)
    both: bool


def browse_groups(rows: list[DocumentRow], lang: str, both: bool) -> BrowseGroups:
    """Group rows by kind (guides, lessons, templates, training); only the UI language's unless
    `both`, and then the UI language's first in each group."""
    other = sum(1 for row in rows if row.lang != lang)
    chosen = rows if both else [row for row in rows if row.lang == lang]
    groups = []
    for kind in KIND_ORDER:
        members = [row for row in chosen if row.kind == kind]
        members.sort(key=lambda row: row.lang != lang)  # stable: newest first within a language
        if members:
            groups.append((kind, members))
    return BrowseGroups(groups, len(chosen), other, both)
