"""Home, browse, templates list and the language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request

from kb.content.meta import ModuleMeta
from kb.content.taxonomy import Area, Kind, Phase
from kb.following.changes import changed_documents
from kb.following.visits import note_visit
from kb.following.watches import list_watches, watch_filters
from kb.store import browse
from kb.store.database import Database, utcnow
from search.text.glossary import built_in_sections, matching_sections
from web.core.auth import OptionalUserDep
from web.core.deps import DatabaseDep, LangDep
from web.core.render import page
from web.following.views import News, news_items, news_window
from web.reading.views import HomePage, browse_groups

NEWS_ITEMS = 10

router = APIRouter(include_in_schema=False)
FACETS = {"phase": Phase, "area": Area, "kind": Kind}


def _news(request: Request, database: Database, user_id: int) -> News:
    """What changed in the user's watches since their previous visit (which this one ends);
    the visit is written in the background, so the page only reads."""
    now = utcnow()
    since = note_visit(database, user_id, now, request.state.visit_log)
    watches = list_watches(database, user_id)
    if not watches:
        return News(since, watching=False)
    window = news_window(since, now)
    with database.reading() as session:
        changes = changed_documents(
            session, window, watch_filters(watches), any_facet=True, limit=NEWS_ITEMS
        )
    return News(since, True, news_items(changes, window))


@router.get("/")
def home(request: Request, database: DatabaseDep, lang: LangDep, user: OptionalUserDep):
    """The home page: search box, what is new in the user's watches, browse by phase / area /
    kind, recent lessons, training."""
    news = _news(request, database, user.id) if user else None
    with database.reading() as session:
        overview = browse.overview(session)
        lessons = browse.documents_where(session, kind="lesson", lang=lang, limit=6)
        modules = [
            row
            for row in browse.documents_where(session, kind="training", lang=lang)
            if isinstance(row.meta, ModuleMeta)
        ]
    return page(request, "reading/home.html", HomePage(overview, lessons, modules, news))


@router.get("/browse")
def browse_index(request: Request, database: DatabaseDep):
    """All phases, areas and kinds with their document counts."""
    with database.reading() as session:
        overview = browse.overview(session)
    return page(request, "reading/browse.html", {"overview": overview, "facet": None, "rows": []})


@router.get("/browse/{facet}/{value}")
def browse_facet(
    request: Request,
    database: DatabaseDep,
    lang: LangDep,
    user: OptionalUserDep,
    facet: str,
    value: str,
    both: bool = False,
):
    """The published documents of one phase, area or kind, grouped by kind, in the UI language
    (both languages with ?both=true, the UI language's first); a phase or area can be watched."""
    if facet not in FACETS or value not in {member.value for member in FACETS[facet]}:
        raise HTTPException(404, f"There is no {facet} called '{value}'.")
    with database.reading() as session:
        overview = browse.overview(session)
        rows = browse.documents_where(session, **{facet: value})
    watching = bool(user) and any(
        (w.facet, w.value) == (facet, value) for w in list_watches(database, user.id)
    )
    context = {
        "overview": overview,
        "facet": facet,
        "value": value,
        "rows": rows,
        "listing": browse_groups(rows, lang, both),
        "watching": watching,
    }
    return page(request, "reading/browse.html", context)


@router.get("/glossary")
def glossary(request: Request, q: Annotated[str, Query(max_length=200)] = ""):
    """The PMO's English–Chinese glossary of project-management terms (also used by search),
    filtered to the rows containing `q` (the page's filter box, without JavaScript)."""
    sections = built_in_sections()
    shown = matching_sections(sections, q)
    return page(
        request,
        "reading/glossary.html",
        {"sections": shown, "q": q.strip(), "total": sum(len(s.entries) for s in sections)},
    )


@router.get("/templates")
def templates_list(request: Request, database: DatabaseDep, lang: LangDep):
    """The templates, in the UI language first."""
    with database.reading() as session:
        rows = browse.documents_where(session, kind="template")
    rows.sort(key=lambda row: (row.lang != lang, row.title))
    return page(request, "reading/templates.html", {"rows": rows})
