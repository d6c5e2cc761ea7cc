"""The search results page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from search.index.records import RECURRING, facet_filters
from search.query.searcher import MODES, SearchRequest
from web.core.deps import LangDep, SearcherDep
from web.core.metrics import AppMetricsDep
from web.core.render import page
from web.reading.views import (
    PAGE_SIZE,
    SearchPage,
    SearchParams,
    known_filters,
    mode_links,
    search_notices,
    semantic_notice,
    shortened_query,
)

router = APIRouter()
Multi = Annotated[list[str], Query()]


@router.get("/search", include_in_schema=False)
def search_page(
    request: Request,
    searcher: SearcherDep,
    lang: LangDep,
    metrics: AppMetricsDep,
    q: str = "",
    mode: str = "hybrid",
    kind: Multi = [],  # noqa: B006 (FastAPI copies defaults)
    phase: Multi = [],  # noqa: B006
    area: Multi = [],  # noqa: B006
    tag: Multi = [],  # noqa: B006
    doc_lang: Annotated[list[str], Query(alias="lang")] = [],  # noqa: B006
    page_number: Annotated[int, Query(alias="page", ge=1, le=1000)] = 1,
    exact: bool = False,
    recurring: Annotated[str, Query(max_length=5)] = "",
):
    """Show results with facets, snippets, spelling correction, intent filter and pagination."""
    recurs = [RECURRING] if recurring.lower() in (RECURRING, "true", "yes") else []
    filters, ignored = known_filters(
        facet_filters(kind=kind, phase=phase, area=area, tag=tag, lang=doc_lang, recurring=recurs)
    )
    q, cut = shortened_query(q)
    notices = search_notices(cut, ignored, lang)
    params = SearchParams(q, mode if mode in MODES else "hybrid", filters, page_number, exact)
    if not q.strip():
        notice = semantic_notice(searcher.semantic_status(), lang)
        return page(
            request,
            "reading/search.html",
            SearchPage(params, mode_links(params), semantic_notice=notice, notices=notices),
        )
    try:
        response = searcher.search(
            SearchRequest(
                q, params.mode, filters, PAGE_SIZE, (page_number - 1) * PAGE_SIZE,
                autocorrect=not exact,
            )
        )  # fmt: skip
    except LookupError:
        missing = SearchPage(params, mode_links(params), index_missing=True, notices=notices)
        return page(request, "reading/search.html", missing)
    metrics.observe_search(response.mode, response.legs, response.took_ms)
    return page(request, "reading/search.html", SearchPage.of(response, params, lang, notices))
