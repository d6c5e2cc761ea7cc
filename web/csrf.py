"""CSRF protection for forms: a per-session token, checked on every state-changing form post."""

from __future__ import annotations

import hmac
import secrets

from fastapi import Form, HTTPException, Request

SESSION_KEY = "csrf"


def csrf_token(request: Request) -> str:
    """Return the session's CSRF token, creating it on first use."""
    token = request.session.get(SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


def verify_csrf(request: Request, csrf_token: str = Form("")) -> None:
    """Reject a form post whose csrf_token field does not match the session's token (403)."""
    expected = request.session.get(SESSION_KEY, "")
    if not expected or not hmac.compare_digest(expected, csrf_token):
        raise HTTPException(
            status_code=403,
            detail="The form has expired or did not come from this site. Reload the page and try again.",
        )
