"""CSRF protection for forms: a token checked on every state-changing form post.

The token is an HMAC, under the site key, of a random CSRF cookie and of the session cookie the
browser sent. A page planted in another site cannot read it, and a token obtained by someone else
(for their own cookies) is worthless in the victim's browser, whose session id they do not know.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from fastapi import Form, Request

from web.core.cookies import CSRF, SESSION, browser_cookies
from web.core.http_errors import TranslatedHTTPException
from web.core.i18n import N_

SECRET_CHARS = 43  # len(secrets.token_urlsafe(32))


def _sign(request: Request, secret: str, session_id: str) -> str:
    key = request.app.state.secret_key.encode("utf-8")
    message = f"csrf|{secret}|{session_id}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def csrf_token(request: Request) -> str:
    """Return the form token of this browser, setting its CSRF cookie on first use."""
    cookies = browser_cookies(request)
    secret = cookies.current(CSRF)
    if len(secret) != SECRET_CHARS:
        secret = secrets.token_urlsafe(32)
        cookies.set(CSRF, secret)
    return _sign(request, secret, cookies.get(SESSION))


def verify_csrf(request: Request, csrf_token: str = Form("")) -> None:
    """Reject a form post whose csrf_token field does not match this browser's cookies (403)."""
    cookies = browser_cookies(request)
    secret = cookies.get(CSRF)
    expected = _sign(request, secret, cookies.get(SESSION)).encode("ascii")
    valid = len(secret) == SECRET_CHARS and hmac.compare_digest(expected, csrf_token.encode())
    if not valid:
        raise TranslatedHTTPException(
            403,
            N_(
                "The form has expired or did not come from this site. Reload the page and try again."
            ),
        )
