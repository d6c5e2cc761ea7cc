"""Error pages: friendly HTML for people, JSON for the API — never a stack trace."""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from kb.store.database import is_busy
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
    "error": N_("Something went wrong"),
}


RETRY_AFTER_SECONDS = 2


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
    """Register handlers for HTTP errors, validation errors and unexpected exceptions."""

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
                "field": ".".join(str(p) for p in err["loc"] if p not in ("query", "body", "path")),
                "message": err["msg"],
            }
            for err in exc.errors()
        ]
        if _wants_json(request):
            return JSONResponse({"detail": problems}, status_code=422)
        detail = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        return error_page(request, 422, "bad_request", detail)

    @app.exception_handler(OperationalError)
    async def busy(request: Request, exc: OperationalError):
        if not is_busy(exc):
            return await unexpected(request, exc)
        # A writer waited the whole busy timeout: the request changed nothing, so it can be retried.
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        if _wants_json(request):
            detail = "The knowledge base is busy saving other changes; retry in a few seconds."
            response = JSONResponse({"detail": detail}, status_code=503, headers=headers)
        else:
            response = error_page(request, 503, "busy")
            response.headers.update(headers)
        return add_security_headers(response, request.url.path)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s", request.url.path)
        # 500s are answered outside the middleware stack, so the headers are set here too
        if _wants_json(request):
            response = JSONResponse(
                {"detail": "Internal error; the PMO has been told. Try again later."},
                status_code=500,
            )
        else:
            response = error_page(request, 500, "error")
        return add_security_headers(response, request.url.path)
