"""Security headers on every response: a strict CSP (no inline scripts), no sniffing, no framing,
and HSTS when the site is served over HTTPS."""

from __future__ import annotations

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


HSTS = "max-age=31536000"


def add_security_headers(response, path: str, hsts: bool = False):
    """Set the security headers on a response; the OpenAPI page gets the inline allowance."""
    is_docs = path in ("/api/docs", "/api/redoc")
    response.headers.setdefault("Content-Security-Policy", DOCS_CSP if is_docs else CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if hsts:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


class SecurityHeaders(BaseHTTPMiddleware):
    """Adds the security headers to every response that passes through the app."""

    def __init__(self, app, hsts: bool = False) -> None:
        super().__init__(app)
        self.hsts = hsts

    async def dispatch(self, request: Request, call_next):
        return add_security_headers(await call_next(request), request.url.path, self.hsts)
