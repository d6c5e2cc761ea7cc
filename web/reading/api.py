"""The JSON API under /api: search, documents, related, facets, feedback (OpenAPI at /api/docs)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field

from kb.content.markdown import render_html
from kb.content.meta import StepMeta
from kb.content.taxonomy import Area, Kind, Lang, Phase, Status
from kb.insights.feedback import record_feedback
from kb.store import browse, catalog
from search.index.records import RECURRING, facet_filters
from search.query.searcher import SearchHit, SearchRequest
from web.core.api_docs import error_responses
from web.core.deps import DatabaseDep, DocId, SearcherDep
from web.core.metrics import AppMetricsDep
from web.core.rate_limit import limit_feedback

router = APIRouter(prefix="/api", tags=["api"], responses=error_responses(401, 503))


class SemanticState(BaseModel):
    """How far the preparation of semantic search is."""

    state: Literal["loading", "embedding", "indexing", "failed"] = Field(
        description="loading the models, embedding texts, writing the index, or failed"
    )
    done: int = Field(description="Texts embedded so far.")
    total: int = Field(description="Texts to embed in all.")
    seconds_left: int | None = Field(description="Estimated seconds left (null: not known yet).")
    error: str = Field(description="Why it failed (state failed), else empty.")


class SearchResult(BaseModel):
    """A page of search results (the shape of `kb search --json`)."""

    query: str
    mode: str
    total: int
    results: list[SearchHit]
    did_you_mean: str | None
    facets: dict[str, dict[str, int]]
    took_ms: float
    legs: list[str]
    corrected_from: str | None = Field(
        None, description="The query as typed, when the results are for its spelling correction."
    )
    intent: str | None = Field(None, description="The kind of document the query names, if any.")
    semantic: SemanticState | None = Field(
        None,
        description="Set while semantic search is still being prepared after the server started "
        "(the results come from keyword search meanwhile) or could not be prepared; null once "
        "hybrid search is on.",
    )


class DocumentOut(BaseModel):
    """A published document with its metadata, Markdown and rendered HTML."""

    id: str
    path: str
    title: str
    kind: str
    lang: str
    summary: str
    tags: list[str]
    phases: list[str]
    areas: list[str]
    owner: str
    updated: str | None
    translation: str | None
    meta: dict
    markdown: str
    html: str
    sections: list[dict]


class FeedbackIn(BaseModel):
    """A "was this helpful?" vote."""

    doc_id: DocId
    helpful: bool
    comment: str = Field("", max_length=2000)
    query: str = Field("", max_length=500)


@router.get("/search", response_model=SearchResult, responses=error_responses(422))
def api_search(
    searcher: SearcherDep,
    metrics: AppMetricsDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description="The query text.")],
    mode: Literal["hybrid", "keyword", "semantic"] = "hybrid",
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    offset: Annotated[int, Query(ge=0, le=1000)] = 0,
    kind: Annotated[list[Kind], Query()] = [],  # noqa: B006
    phase: Annotated[list[Phase], Query()] = [],  # noqa: B006
    area: Annotated[list[Area], Query()] = [],  # noqa: B006
    lang: Annotated[list[Lang], Query()] = [],  # noqa: B006
    tag: Annotated[list[str], Query()] = [],  # noqa: B006
    exact: Annotated[
        bool, Query(description="Search the words as typed: no automatic spelling correction.")
    ] = False,
    recurring: Annotated[
        bool,
        Query(description="Only lessons in a recurrence: that recurred, or that say they recur."),
    ] = False,
):
    """Search published documents; filters combine with AND across facets, OR within one.

    A clear misspelling is corrected (`corrected_from` holds what was typed; repeat with
    `exact=true` to search it as typed). `intent` names the kind of document the query asks
    for ("risk register template"): that kind is ranked first and can be used as a filter.
    """
    filters = facet_filters(
        kind=kind, phase=phase, area=area, lang=lang, tag=tag,
        recurring=[RECURRING] if recurring else [],
    )  # fmt: skip
    request = SearchRequest(q, mode, filters, limit, offset, autocorrect=not exact)
    try:
        response = searcher.search(request)
    except LookupError as error:
        raise HTTPException(503, str(error)) from None
    metrics.observe_search(response.mode, response.legs, response.took_ms)
    return response.as_dict()


def public_meta(meta) -> dict:
    """A document's meta as readers may see it: a training step's quiz without its answers."""
    return meta.public_json() if isinstance(meta, StepMeta) else meta.to_json()


def _published(database, doc_id: str):
    with database.reading() as session:
        document = catalog.get(session, doc_id)
        if document is None or document.status != Status.PUBLISHED:
            raise HTTPException(404, f"No published document has the id '{doc_id}'.")
        return document, catalog.translation_id(session, document)


@router.get(
    "/documents/{doc_id:path}/related",
    response_model=list[SearchHit],
    responses=error_responses(404, 422),
)
def api_related(doc_id: DocId, database: DatabaseDep, searcher: SearcherDep):
    """The nearest other documents (never the document itself or its translation)."""
    _published(database, doc_id)
    try:
        return [hit.as_dict() for hit in searcher.related(doc_id)]
    except LookupError as error:
        raise HTTPException(503, str(error)) from None


@router.get(
    "/documents/{doc_id:path}", response_model=DocumentOut, responses=error_responses(404, 422)
)
def api_document(doc_id: DocId, database: DatabaseDep):
    """One published document."""
    document, translation = _published(database, doc_id)
    return {
        **{k: getattr(document, k) for k in ("id", "path", "title", "kind", "lang", "summary")},
        **{k: getattr(document, k) for k in ("tags", "phases", "areas", "owner", "updated")},
        "meta": public_meta(document.meta),
        "translation": translation,
        "markdown": document.body,
        "html": render_html(document.body),
        "sections": [
            {"anchor": s.anchor, "heading": s.heading, "level": s.level, "text": s.text}
            for s in document.sections
        ],
    }


@router.get("/facets", responses=error_responses())
def api_facets(database: DatabaseDep) -> dict[str, dict[str, int]]:
    """Published document counts per phase, area and kind."""
    with database.reading() as session:
        overview = browse.overview(session)
    return {"phase": overview.phases, "area": overview.areas, "kind": overview.kinds}


@router.post(
    "/feedback",
    status_code=201,
    dependencies=[Depends(limit_feedback)],
    responses=error_responses(400, 404, 413, 422, 429),
)
def api_feedback(vote: FeedbackIn, database: DatabaseDep) -> dict[str, str]:
    """Record a vote (JSON only, so browsers cannot send it cross-site without CORS)."""
    _published(database, vote.doc_id)
    record_feedback(database, vote.doc_id, vote.helpful, vote.comment, vote.query)
    return {"status": "recorded"}
