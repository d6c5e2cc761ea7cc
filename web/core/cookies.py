"""The browser's cookies that matter for security: the session id and the CSRF secret.

Both hold only random tokens, never user data. Routes read them and ask for changes through
`browser_cookies(request)`; the middleware writes the changes as Set-Cookie headers, HttpOnly,
SameSite=Lax, and Secure when the site is served over HTTPS.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION = "kb_session"
CSRF = "kb_csrf"
SCOPE_KEY = "kb.cookies"


@dataclass
class BrowserCookies:
    """The cookies the browser sent, and the ones this response sets (None deletes)."""

    sent: dict[str, str]
    changes: dict[str, tuple[str, int | None] | None] = field(default_factory=dict)
    read: bool = False

    def get(self, name: str) -> str:
        """Return the value the browser sent (empty when absent)."""
        self.read = True
        return self.sent.get(name, "")

    def current(self, name: str) -> str:
        """Return the value the browser will hold after this response (empty when none)."""
        if name in self.changes:
            change = self.changes[name]
            return change[0] if change else ""
        return self.get(name)

    def set(self, name: str, value: str, max_age: int | None = None) -> None:
        """Set a cookie on the response (max_age None: until the browser closes)."""
        self.changes[name] = (value, max_age)

    def delete(self, name: str) -> None:
        """Delete a cookie in the browser."""
        self.changes[name] = None

    def header_values(self, secure: bool) -> list[str]:
        """Return the Set-Cookie values of the changes."""
        flags = "Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")
        values = []
        for name, change in self.changes.items():
            if change is None:
                values.append(f"{name}=; Max-Age=0; {flags}")
                continue
            value, max_age = change
            age = f"Max-Age={max_age}; " if max_age is not None else ""
            values.append(f"{name}={value}; {age}{flags}")
        return values


def browser_cookies(request: Request) -> BrowserCookies:
    """Return this request's cookies (installed by BrowserCookieMiddleware)."""
    return request.scope.setdefault(SCOPE_KEY, BrowserCookies(dict(request.cookies)))


class BrowserCookieMiddleware:
    """Reads the cookies into the request scope and writes the changes onto the response."""

    def __init__(self, app: ASGIApp, secure: bool = False) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = BrowserCookies(dict(HTTPConnection(scope).cookies))
        scope[SCOPE_KEY] = cookies

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if cookies.read:
                    headers.add_vary_header("Cookie")
                for value in cookies.header_values(self.secure):
                    headers.append("set-cookie", value)
            await send(message)

        await self.app(scope, receive, send_with_cookies)
