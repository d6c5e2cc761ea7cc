"""Authorise before reading: a post to a curator page from someone who is not a signed-in curator
is answered before its body is read (FastAPI parses a route's form, CSRF token included, before
it checks the route's role, so a 38 MB anonymous upload was read and parsed to be refused)."""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from kb.accounts import Role
from web.core.auth import ROLE_ONLY, current_user, sign_in_url
from web.core.errors import forbidden_response

CURATOR_PATHS = "/curate"  # /curate and everything under it: curators and admins only
READING_METHODS = {"GET", "HEAD", "OPTIONS"}


def _curator_path(path: str) -> bool:
    return path == CURATOR_PATHS or path.startswith(CURATOR_PATHS + "/")


class CuratorGate:
    """ASGI middleware: refuse a request with a body to /curate… from anyone but a signed-in
    curator or admin before the body is read (sign-in redirect or 403, as the route would)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the session of a post to a curator page, then pass it on or answer at once."""
        if (
            scope["type"] != "http"
            or scope["method"] in READING_METHODS
            or not _curator_path(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        try:
            user = await run_in_threadpool(current_user, request)
        except Exception:  # e.g. the database is down: the app answers that as it always does
            await self.app(scope, receive, send)
            return
        if user is None:
            response = RedirectResponse(sign_in_url(request.url.path), status_code=303)
        elif not user.has_role(Role.CURATOR):
            response = forbidden_response(request, ROLE_ONLY[Role.CURATOR])
        else:
            await self.app(scope, receive, send)
            return
        response.headers["Connection"] = "close"  # the unread body cannot be skipped
        await response(scope, receive, send)
