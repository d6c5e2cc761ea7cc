"""Who is signed in: the session's user, and route guards that check sign-in and roles on the server."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request

from kb.accounts import Role, User, get_user
from web.deps import get_database, get_settings

SESSION_USER = "user_id"


class SignInRequired(Exception):
    """Raised when a page needs a signed-in user; answered with a redirect (HTML) or 401 (API)."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def current_user(request: Request) -> User | None:
    """Return the signed-in user (cached on the request), or None."""
    if not hasattr(request.state, "user"):
        user_id = request.session.get(SESSION_USER)
        user = get_user(get_database(request), int(user_id)) if user_id else None
        if user_id and user is None:
            request.session.pop(SESSION_USER, None)
        request.state.user = user
    return request.state.user


def sign_in(request: Request, user: User) -> None:
    """Start a session for the user (a fresh session, so no fixation)."""
    request.session.clear()
    request.session[SESSION_USER] = user.id
    request.state.user = user


def sign_out(request: Request) -> None:
    """End the session."""
    request.session.clear()
    request.state.user = None


def require_user(request: Request) -> User:
    """Return the signed-in user or send the visitor to the sign-in page."""
    user = current_user(request)
    if user is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(path)
    return user


def require_role(role: Role):
    """Return a dependency that admits only users with at least this role (403 otherwise)."""

    def check(user: Annotated[User, Depends(require_user)]) -> User:
        if not user.has_role(role):
            raise HTTPException(403, f"This page is for {role.value}s only.")
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
