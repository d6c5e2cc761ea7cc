"""The request id: taken from a sane incoming X-Request-ID or made up, sent back in the response
header, and attached to every log line written while the request runs."""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Request-ID"
# What a proxy or a client may hand us: short, printable, no spaces (else we make our own).
SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
CURRENT_REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="")


def request_id_from(header: str | None) -> str:
    """Return the incoming request id when it is sane, else a fresh random one."""
    if header and SANE_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (empty outside a request) to every record a handler formats."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Attach the current request's id to the record; never drops one."""
        record.request_id = getattr(record, "request_id", "") or CURRENT_REQUEST_ID.get()
        return True


class RequestId:
    """Middleware: gives each HTTP request an id, answers it in X-Request-ID, and (when
    `log_requests`, the JSON log format) logs one line per request with its status and time."""

    def __init__(self, app: ASGIApp, log_requests: bool = False) -> None:
        self.app = app
        self.log_requests = log_requests
        self.log = logging.getLogger("kb.requests")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        request_id = request_id_from(headers.get(HEADER.lower().encode(), b"").decode("latin-1"))
        token = CURRENT_REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (HEADER.lower().encode(), request_id.encode("latin-1")),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if self.log_requests:
                self.log.info(
                    "%s %s %s",
                    scope["method"],
                    scope["path"],
                    status,
                    extra={
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    },
                )
            CURRENT_REQUEST_ID.reset(token)
