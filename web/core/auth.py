"""Who is signed in: the session cookie translated to a user (kb.sessions keeps the sessions), and
route guards that check sign-in and roles on the server."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from kb import sessions
from kb.accounts import Role, User, get_user
from kb.settings import Settings
from web.core.cookies import SESSION, browser_cookies
from web.core.deps import get_database, get_settings
from web.core.http_errors import TranslatedHTTPException
from web.core.i18n import N_


class SignInRequired(Exception):
    """Raised when a page needs a signed-in user; answered with a redirect (HTML) or 401 (API)."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def session_lifetime(settings: Settings) -> sessions.Lifetime:
    """Return how long sessions live under these settings."""
    return sessions.Lifetime(
        idle=dt.timedelta(hours=settings.session_idle_hours),
        absolute=dt.timedelta(days=settings.session_days),
    )


def client_address(request: Request) -> str:
    """Return the client's address (uvicorn puts a trusted proxy's X-Forwarded-For here)."""
    return request.client.host if request.client else ""


def current_user(request: Request) -> User | None:
    """Return the user of the request's live session (cached on the request), or None."""
    if not hasattr(request.state, "user"):
        token = browser_cookies(request).get(SESSION)
        database = get_database(request)
        lifetime = session_lifetime(get_settings(request))
        user_id = sessions.resolve(database, token, lifetime) if token else None
        request.state.user = get_user(database, user_id) if user_id else None
    return request.state.user


def sign_in(request: Request, user: User) -> None:
    """Start a new server-side session for the user (any previous one of this browser ends)."""
    database, settings = get_database(request), get_settings(request)
    cookies = browser_cookies(request)
    if cookies.get(SESSION):
        sessions.end(database, cookies.get(SESSION))
    lifetime = session_lifetime(settings)
    agent = request.headers.get("user-agent", "")
    token = sessions.start(database, user.id, lifetime, agent, client_address(request))
    cookies.set(SESSION, token, max_age=int(lifetime.absolute.total_seconds()))
    request.state.user = user


def sign_out(request: Request) -> None:
    """End this browser's session on the server and drop its cookie."""
    cookies = browser_cookies(request)
    if cookies.get(SESSION):
        sessions.end(get_database(request), cookies.get(SESSION))
    cookies.delete(SESSION)
    request.state.user = None


def require_user(request: Request) -> User:
    """Return the signed-in user or send the visitor to the sign-in page."""
    user = current_user(request)
    if user is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(path)
    return user


ROLE_ONLY = {  # the 403 of a page above the reader's role
    Role.LEARNER: N_("This page is for signed-in learners only."),
    Role.CURATOR: N_("This page is for curators only."),
    Role.ADMIN: N_("This page is for admins only."),
}


def require_role(role: Role):
    """Return a dependency that admits only users with at least this role (403 otherwise)."""

    def check(user: Annotated[User, Depends(require_user)]) -> User:
        if not user.has_role(role):
            raise TranslatedHTTPException(403, ROLE_ONLY[role])
        return user

    return check


def reader_access(request: Request) -> None:
    """Let anyone read when anonymous reading is allowed; otherwise require sign-in."""
    if not get_settings(request).anonymous_read:
        require_user(request)


def sign_in_url(next_url: str) -> str:
    """Return the sign-in page address that comes back to next_url."""
    return f"/signin?next={quote(next_url)}"


UserDep = Annotated[User, Depends(require_user)]
OptionalUserDep = Annotated[User | None, Depends(current_user)]
CuratorDep = Annotated[User, Depends(require_role(Role.CURATOR))]
AdminDep = Annotated[User, Depends(require_role(Role.ADMIN))]
