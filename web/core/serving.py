"""How uvicorn serves the app: options `kb serve` and the live-server tests share."""

from __future__ import annotations

# h11 answers a request line or headers longer than its buffer (16 KiB by default) itself, with
# a plain-text 400. A pasted question sent as a URL is often longer: let up to 256 KiB reach the
# app, which answers with JSON (the API) or cuts the question (the search page).
REQUEST_HEAD_BYTES = 256 * 1024


def uvicorn_options() -> dict[str, int]:
    """Return the uvicorn keyword arguments that every way of serving the app uses."""
    return {"h11_max_incomplete_event_size": REQUEST_HEAD_BYTES}
