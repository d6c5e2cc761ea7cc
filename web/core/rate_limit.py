"""Rate limits, answered 429 with Retry-After: a token bucket per client address (anonymous
feedback votes) and per curator (the similar-lesson lookups of the editor).

Per process for now; the limiters move to the shared store with the replicas' other state."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from fastapi import Request

from web.core.auth import CuratorDep
from web.core.http_errors import TranslatedHTTPException
from web.core.i18n import N_


class RateLimiter:
    """Token buckets by key: `burst` requests at once, then `per_second` more each second.

    At most `max_keys` buckets are kept (the least recently used go first), so a flood of
    addresses cannot grow it without bound. Thread-safe: sync routes run in worker threads.
    """

    def __init__(
        self,
        burst: int = 10,
        per_second: float = 0.5,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.burst = burst
        self.per_second = per_second
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, when
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Spend one token of key's bucket: return 0 if allowed, else the seconds to wait."""
        with self._lock:
            now = self.clock()
            tokens, then = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * self.per_second)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.per_second
            self._buckets[key] = (tokens - 1 if wait == 0 else tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return wait


def client_address(request: Request) -> str:
    """Return the address the request came from (the proxy's, behind a reverse proxy)."""
    return request.client.host if request.client else "unknown"


def similar_limiter() -> RateLimiter:
    """Return the limiter of similar-lesson lookups: the editor asks 600 ms after typing stops,
    so a curator at work stays far below it; a script cannot take the search CPU from readers."""
    return RateLimiter(burst=10, per_second=1.0)


def _refuse_over_rate(limiter: RateLimiter, key: str, message: str) -> None:
    wait = limiter.take(key)
    if wait:
        seconds = max(1, math.ceil(wait))
        every = f"{1 / limiter.per_second:g}"
        raise TranslatedHTTPException(
            429,
            message,
            headers={"Retry-After": str(seconds)},
            seconds=seconds,
            burst=limiter.burst,
            every=every,
        )


def limit_feedback(request: Request) -> None:
    """Dependency: refuse a feedback vote over the address's rate with 429 and Retry-After."""
    limiter: RateLimiter = request.app.state.feedback_limiter
    message = N_(
        "Too many votes from your address; wait %(seconds)s s and try again. "
        "(At most %(burst)s at once, then one every %(every)s s.)"
    )
    _refuse_over_rate(limiter, client_address(request), message)


def limit_similar(request: Request, user: CuratorDep) -> None:
    """Dependency: refuse a curator's similar-lesson lookup over their rate (429, Retry-After)."""
    limiter: RateLimiter = request.app.state.similar_limiter
    message = N_(
        "Too many similar-lesson lookups from your account; wait %(seconds)s s and try again. "
        "(At most %(burst)s at once, then one every %(every)s s.)"
    )
    _refuse_over_rate(limiter, f"user:{user.id}", message)
