"""The accounts page for admins: who has live sessions, and "sign out everywhere" for an account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from kb import sessions
from kb.accounts import AccountError, list_users, sign_out_everywhere
from web.core.auth import AdminDep, session_lifetime
from web.core.csrf import verify_csrf
from web.core.deps import DatabaseDep, SettingsDep
from web.core.render import page

router = APIRouter(prefix="/curate/users", include_in_schema=False)


@router.get("")
def accounts(
    request: Request,
    user: AdminDep,
    database: DatabaseDep,
    settings: SettingsDep,
):
    """Every account with its live sessions (admins only)."""
    context = {
        "accounts": list_users(database),
        "activity": sessions.activity(database, session_lifetime(settings)),
    }
    return page(request, "accounts/users.html", context)


@router.post("/signout", dependencies=[Depends(verify_csrf)])
def signout_everywhere(
    user: AdminDep, database: DatabaseDep, username: Annotated[str, Form(max_length=64)]
):
    """End every session of an account (admins only; recorded in the audit log)."""
    try:
        sign_out_everywhere(database, username, actor=user.username)
    except AccountError as error:
        raise HTTPException(404, str(error)) from error
    return RedirectResponse("/curate/users", status_code=303)
