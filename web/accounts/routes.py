"""Sign in, sign out and (when enabled) self-registration as a learner."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from kb.accounts import AccountError, Role, SignInThrottled, authenticate, create_user
from kb.store.audit import record_event
from web.core.auth import client_address, sign_in, sign_out
from web.core.csrf import verify_csrf
from web.core.deps import DatabaseDep, SettingsDep
from web.core.http_errors import TranslatedHTTPException
from web.core.i18n import COOKIE, LANGS, N_
from web.core.render import page

router = APIRouter(include_in_schema=False)

SELF_REGISTRATION_OFF = N_("Self-registration is turned off; ask the PMO for an account.")


def safe_next(next_url: str) -> str:
    """Only follow local paths after sign-in (no open redirects)."""
    target = urlparse(next_url)
    ok = next_url.startswith("/") and not next_url.startswith("//") and not target.netloc
    return next_url if ok and not target.scheme else "/"


@router.get("/signin")
def signin_form(request: Request, settings: SettingsDep, next: str = "/"):
    """The sign-in page."""
    return page(
        request,
        "accounts/signin.html",
        {"next": safe_next(next), "error": None, "registration": settings.self_registration},
    )


@router.post("/signin", dependencies=[Depends(verify_csrf)])
def signin(
    request: Request,
    database: DatabaseDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form()] = "/",
):
    """Check the credentials; on success start a session and go where the user wanted."""
    context = {
        "next": safe_next(next),
        "registration": settings.self_registration,
        "username": username.strip(),  # kept in the form after a failed attempt
    }
    try:
        user = authenticate(database, username.strip(), password, client_address(request))
    except SignInThrottled as error:
        context["error"] = "throttled"
        response = page(request, "accounts/signin.html", context, status_code=429)
        response.headers["Retry-After"] = str(error.retry_after)
        return response
    if user is None:
        context["error"] = "wrong"
        return page(request, "accounts/signin.html", context, status_code=401)
    sign_in(request, user)
    with database.session() as session:
        record_event(session, user.username, "sign_in", user.username)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/signout", dependencies=[Depends(verify_csrf)])
def signout(request: Request):
    """End the session (on the server: a copy of the cookie stops working too)."""
    sign_out(request)
    return RedirectResponse("/", status_code=303)


@router.get("/register")
def register_form(request: Request, settings: SettingsDep):
    """Self-registration as a learner (only when the setting allows it)."""
    if not settings.self_registration:
        raise TranslatedHTTPException(404, SELF_REGISTRATION_OFF)
    return page(request, "accounts/register.html", {"error": None})


@router.post("/register", dependencies=[Depends(verify_csrf)])
def register(
    request: Request,
    database: DatabaseDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    display_name: Annotated[str, Form(max_length=200)] = "",
):
    """Create a learner account and sign it in."""
    if not settings.self_registration:
        raise TranslatedHTTPException(404, SELF_REGISTRATION_OFF)
    try:
        user = create_user(database, username.strip(), password, Role.LEARNER, display_name.strip())
    except AccountError as error:
        return page(request, "accounts/register.html", {"error": str(error)}, status_code=400)
    sign_in(request, user)
    return RedirectResponse("/", status_code=303)


@router.get("/lang/{code}")
def switch_language(code: str, request: Request, settings: SettingsDep, next: str = "/"):
    """Remember the chosen UI language in a cookie and go back where the user was."""
    if code not in LANGS:
        raise TranslatedHTTPException(
            404, N_("Language '%(code)s' is not available; use zh or en."), code=code
        )
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        COOKIE, code, max_age=365 * 24 * 3600, samesite="lax", secure=settings.https
    )
    return response
