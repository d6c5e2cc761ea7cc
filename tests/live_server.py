"""A real uvicorn server on a free port in a thread, for what only a real connection shows
(keep-alive, slow bodies)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from web.core.serving import uvicorn_options

START_GUARD = 60  # seconds to wait for the server to start (not a timing assertion)


def free_port() -> int:
    """Return a TCP port nobody listens on just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def live_server(app) -> Iterator[int]:
    """Serve the app with uvicorn (h11) until the block ends; yield its port."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, http="h11", log_level="warning", **uvicorn_options()
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_GUARD
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=START_GUARD)
