"""Send a request body chunk by chunk straight to the ASGI app, counting the chunks it read."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

CHUNK = 65536


@dataclass
class Streamed:
    """What came back: the status, the response headers and body, and how many chunks were read."""

    status: int
    headers: dict[bytes, bytes]
    body: bytes
    pulled: int


def stream_body(app, state, path: str, chunks: int, headers: list[tuple[bytes, bytes]]) -> Streamed:
    """POST `chunks` chunks of 64 KiB to path with the given headers; return what came back."""
    pulled = 0
    messages = []

    async def receive():
        nonlocal pulled
        if pulled >= chunks:
            return {"type": "http.disconnect"}
        pulled += 1
        return {"type": "http.request", "body": b" " * CHUNK, "more_body": pulled < chunks}

    async def send(message):
        messages.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
        "query_string": b"", "headers": headers,
        "client": ("127.0.0.1", 5000), "server": ("testserver", 80), "state": dict(state),
    }  # fmt: skip
    # a thread of its own: the browser tests' Playwright keeps an event loop running in this one
    with ThreadPoolExecutor(1) as thread:
        thread.submit(lambda: asyncio.run(app(scope, receive, send))).result()
    start = next(m for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return Streamed(start["status"], dict(start["headers"]), body, pulled)
