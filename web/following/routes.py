"""Following: Atom feeds of new and updated documents, and the signed-in user's watch list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from kb.content.taxonomy import Area, Phase
from kb.following.changes import FilterError, changed_documents, check_filters
from kb.following.watches import FACETS, WatchError, add_watch, list_watches, remove_watch
from kb.store.database import utcnow
from web.core.auth import UserDep
from web.core.csrf import verify_csrf
from web.core.deps import DatabaseDep, LangDep, get_settings
from web.core.http_errors import TranslatedHTTPException
from web.core.i18n import N_
from web.core.render import page
from web.following.atom import CONTENT_TYPE, atom_feed
from web.following.views import feed_info

router = APIRouter(include_in_schema=False)
Multi = Annotated[list[str], Query()]
FEED_ENTRIES = 50


@router.get("/feeds/documents.atom")
def documents_feed(
    request: Request,
    database: DatabaseDep,
    lang: LangDep,
    kind: Multi = [],  # noqa: B006 (FastAPI copies defaults)
    phase: Multi = [],  # noqa: B006
    area: Multi = [],  # noqa: B006
    tag: Multi = [],  # noqa: B006
    doc_lang: Annotated[list[str], Query(alias="lang")] = [],  # noqa: B006
):
    """The newest published or updated documents as Atom, filtered by kind, phase, area, tag and
    language (OR within one, AND across them); an unknown value is a 400 naming the allowed."""
    raw = {"kind": kind, "phase": phase, "area": area, "tag": tag, "lang": doc_lang}
    try:
        filters = check_filters(raw)
    except FilterError as error:  # plain text: a feed reader shows it as it is
        return PlainTextResponse(f"Bad feed address: {error}.", status_code=400)
    with database.reading() as session:
        changes = changed_documents(session, filters=filters, limit=FEED_ENTRIES)
    info = feed_info(get_settings(request).site_url, filters, lang)  # not the Host header
    return Response(atom_feed(info, changes, utcnow()), media_type=CONTENT_TYPE)


@router.get("/watches")
def watches_page(request: Request, user: UserDep, database: DatabaseDep):
    """The watch list: the phases, areas and tags the user follows, to add or remove."""
    watched = list_watches(database, user.id)
    chosen = {(w.facet, w.value) for w in watched}
    return page(
        request,
        "following/watches.html",
        {
            "watched": watched,
            "phases": [(p.value, ("phase", p.value) in chosen) for p in Phase],
            "areas": [(a.value, ("area", a.value) in chosen) for a in Area],
            "flash": request.query_params.get("done", ""),
        },
    )


def _back(next_url: str, done: str) -> str:
    """Return where to go after a change: a local page (never another site), with a notice."""
    if not next_url.startswith("/") or next_url.startswith("//") or "\\" in next_url:
        next_url = "/watches"
    joiner = "&" if "?" in next_url else "?"
    return f"{next_url}{joiner}done={done}"


@router.post("/watches", dependencies=[Depends(verify_csrf)])
def change_watch(
    user: UserDep,
    database: DatabaseDep,
    facet: Annotated[str, Form(max_length=10)],
    value: Annotated[str, Form(max_length=200)],
    action: Annotated[str, Form(pattern="^(add|remove)$")] = "add",
    next_url: Annotated[str, Form(alias="next", max_length=500)] = "/watches",
):
    """Add a phase, area or tag to the watch list, or remove one; 400 for an unknown one."""
    if facet not in FACETS:
        raise TranslatedHTTPException(
            400,
            N_("unknown kind of watch '%(facet)s': use %(facets)s."),
            facet=facet,
            facets=", ".join(FACETS),
        )
    if action == "remove":
        remove_watch(database, user.id, facet, value)
        return RedirectResponse(_back(next_url, "removed"), status_code=303)
    try:
        add_watch(database, user.id, facet, value)
    except WatchError as error:
        raise HTTPException(400, f"{error}.") from None
    return RedirectResponse(_back(next_url, "added"), status_code=303)
