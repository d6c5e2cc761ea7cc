"""Request body limits per route, enforced before the body is read (a pure ASGI middleware).

A request whose Content-Length is over its route's limit is answered 413 at once, unread; a
body sent without a length (chunked) is counted as it streams and stopped at the limit."""

from __future__ import annotations

from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kb.settings import Settings

SMALL_BODY = 64 * 1024  # JSON and ordinary forms
UPLOAD_FILES = 20  # Markdown files in one upload


def body_limits(settings: Settings) -> Callable[[str], int]:
    """Return the body limit of each path: the file limit where Markdown is sent, else 64 KiB."""
    # A textarea's text comes back with CRLF line ends: up to twice the file's bytes.
    editor = 2 * settings.max_file_bytes + SMALL_BODY
    upload = UPLOAD_FILES * settings.max_file_bytes + SMALL_BODY
    routes = {"/curate/check": editor, "/curate/save": editor, "/curate/upload": upload}
    return lambda path: routes.get(path, SMALL_BODY)


def curate_form_limits(settings: Settings) -> dict[str, int]:
    """Return the form-parsing limits of the curator pages: a text field may hold a whole file."""
    return {"max_part_size": 2 * settings.max_file_bytes, "max_files": UPLOAD_FILES}


def _size(limit: int) -> str:
    return f"{limit // 1024:,} KiB" if limit < 1024 * 1024 else f"{limit / 1024 / 1024:,.1f} MiB"


def too_large_message(limit: int) -> str:
    """Return what a client is told when its request body is over the limit."""
    return (
        f"The request body is too large: this address accepts at most {_size(limit)} "
        f"({limit:,} bytes). Send less, or split it into several requests."
    )


class BodyTooLarge(HTTPException):
    """A body that went over its limit while it was being read (answered 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_message(limit))


def refusal(path: str, limit: int) -> Response:
    """Return the 413 answer for a request refused before the app saw it: JSON or a page."""
    message = too_large_message(limit)
    if path.startswith("/api/"):
        return JSONResponse({"detail": message}, status_code=413)
    html = (
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>413</title>'
        '<link rel="stylesheet" href="/static/style.css"><main class="error-page">'
        f"<h1>请求过大 · Request too large</h1><p>此地址最多接受 {_size(limit)}。</p>"
        f'<p class="detail">{message}</p><p><a href="/">返回首页 · Home</a></p></main></html>'
    )
    return HTMLResponse(html, status_code=413)


class BodyLimit:
    """ASGI middleware: refuse or stop request bodies over their route's limit."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with a counting receive, or answer 413 without reading."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = declared_length(scope)
        if declared is not None and declared > limit:
            await refusal(scope["path"], limit)(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            if started:
                raise
            await refusal(scope["path"], limit)(scope, receive, send)


def declared_length(scope: Scope) -> int | None:
    """Return the request's Content-Length, or None when it has none (or not a number)."""
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
