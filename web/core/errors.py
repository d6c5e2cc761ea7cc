"""Error pages: friendly HTML for people, JSON for the API — never a stack trace."""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.exc import DBAPIError, DisconnectionError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kb.store.database import is_busy
from kb.store.health import is_unreachable
from web.core.auth import SignInRequired, sign_in_url
from web.core.http_errors import TranslatedHTTPException
from web.core.i18n import N_, Marked, choose_lang, translator
from web.core.render import page
from web.core.security import add_security_headers

log = logging.getLogger("kb.web")
ERROR_KEYS = {404: "not_found", 403: "forbidden", 413: "too_large", 429: "too_many"}
ERROR_TITLES: dict[str, Marked] = {
    "not_found": N_("Page not found"),
    "forbidden": N_("Not allowed"),
    "too_large": N_("The request is too large"),
    "too_many": N_("Too many requests; wait a moment"),
    "bad_request": N_("Please check your request"),
    "busy": N_("Busy for a moment"),
    "degraded": N_("Running with reduced service"),
    "error": N_("Something went wrong"),
}


RETRY_AFTER_SECONDS = 2
OUTAGE_RETRY_AFTER_SECONDS = 30  # the database is down: come back in a while, not at once


def _field_path(loc: tuple) -> tuple:
    """Return an error's field path without where it came from (a field may be called query)."""
    return loc[1:] if loc and loc[0] in ("query", "body", "path", "header", "cookie") else loc


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _is_default_detail(exc: StarletteHTTPException) -> bool:
    try:
        return exc.detail == HTTPStatus(exc.status_code).phrase
    except ValueError:  # a status code the standard does not name
        return False


def error_page(request: Request, status: int, key: str, detail: str | None = None):
    """Render the error page: its title by key (ERROR_TITLES), the detail when there is one."""
    context = {"status": status, "key": key, "title": ERROR_TITLES[key], "detail": detail}
    return page(request, "error.html", context, status_code=status)


def install_error_handlers(app: FastAPI) -> None:
    """Register handlers for HTTP errors, validation errors, database errors (busy: retry soon;
    unreachable: the degraded page) and unexpected exceptions."""
    app.add_middleware(UnexpectedErrors)

    @app.exception_handler(SignInRequired)
    async def sign_in_required(request: Request, exc: SignInRequired):
        if _wants_json(request):
            return JSONResponse({"detail": "Sign in first."}, status_code=401)
        return RedirectResponse(sign_in_url(exc.next_url), status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        # exc.headers carry what the status needs, e.g. the Allow of a 405
        if _wants_json(request):
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        key = ERROR_KEYS.get(exc.status_code, "bad_request")
        detail = exc.detail
        if _is_default_detail(exc):
            detail = None  # Starlette's "Not Found": the page's title says it in the UI language
        elif isinstance(exc, TranslatedHTTPException):
            detail = translator(choose_lang(request)).gettext(exc.message, **exc.values)
        response = error_page(request, exc.status_code, key, detail)
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        problems = [
            {
                "field": ".".join(str(p) for p in _field_path(err["loc"])),
                "message": err["msg"],
            }
            for err in exc.errors()
        ]
        if _wants_json(request):
            return JSONResponse({"detail": problems}, status_code=422)
        detail = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        return error_page(request, 422, "bad_request", detail)

    @app.exception_handler(DisconnectionError)
    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: Exception):
        if is_unreachable(exc):  # logged once per outage by kb.store.health, not per request
            return degraded_response(request)
        if not is_busy(exc):
            return unexpected_response(request, exc)
        # A writer waited the whole busy timeout: the request changed nothing, so it can be retried.
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        if _wants_json(request):
            detail = "The knowledge base is busy saving other changes; retry in a few seconds."
            response = JSONResponse({"detail": detail}, status_code=503, headers=headers)
        else:
            response = error_page(request, 503, "busy")
            response.headers.update(headers)
        return add_security_headers(response, request.url.path)


def forbidden_response(request: Request, message: str) -> Response:
    """Return the 403 page of a request refused for its role (before the app read it); the
    message is a gettext msgid, shown in the UI language."""
    detail = translator(choose_lang(request)).gettext(message)
    response = error_page(request, 403, "forbidden", detail)
    return add_security_headers(response, request.url.path)


def degraded_response(request: Request) -> Response:
    """Return the 503 of a database outage: JSON for the API, else a page that says search
    still works (rendered without asking the database who is signed in)."""
    headers = {"Retry-After": str(OUTAGE_RETRY_AFTER_SECONDS)}
    if _wants_json(request):
        detail = (
            "The knowledge base's database is unreachable; search (/api/search) still answers. "
            f"Retry in {OUTAGE_RETRY_AFTER_SECONDS} s."
        )
        response = JSONResponse({"detail": detail}, status_code=503, headers=headers)
    else:
        request.state.user = None
        response = error_page(request, 503, "degraded")
        response.headers.update(headers)
    return add_security_headers(response, request.url.path)


def unexpected_response(request: Request, exc: Exception) -> Response:
    """Log an unexpected error with its traceback and return a 500 without one."""
    log.error("unexpected error on %s", request.url.path, exc_info=exc)
    # 500s are answered outside the middleware stack, so the headers are set here too
    if _wants_json(request):
        response = JSONResponse(
            {"detail": "Internal error; the PMO has been told. Try again later."},
            status_code=500,
        )
    else:
        if not hasattr(request.state, "user"):
            request.state.user = None  # whoever it is, the error page need not ask the store
        response = error_page(request, 500, "error")
    return add_security_headers(response, request.url.path)


class UnexpectedErrors:
    """ASGI middleware: answer an exception no handler took with the 500 page and end the
    request there. (Starlette's own last-resort handler re-raises after answering, and uvicorn
    then logs the traceback a second time and closes the keep-alive connection.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; answer 500 if it raises before its answer started."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watching_send)
        except Exception as exc:
            if started:  # half an answer went out: only closing the connection can say so
                raise
            request = Request(scope, receive)
            if is_unreachable(exc):
                response = degraded_response(request)
            else:
                response = unexpected_response(request, exc)
            await response(scope, receive, send)
