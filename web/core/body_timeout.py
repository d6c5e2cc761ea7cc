"""A deadline for request bodies (a pure ASGI middleware): a client that sends its body too slowly
is answered 408 and its connection closed, instead of holding a connection and a worker while
it trickles in."""

from __future__ import annotations

import asyncio

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.core.body_limit import declared_length

SLOWEST_RATE = 32 * 1024  # bytes a second: a declared length adds the time it takes at this rate


def slow_body_message(seconds: float) -> str:
    """Return what a client is told when its body did not arrive in time."""
    return (
        f"The request body did not arrive within {seconds:.3g} s; send it again on a faster "
        "connection (or in smaller parts)."
    )


class BodyTimedOut(HTTPException):
    """The body was still arriving at its deadline (answered 408; an HTTPException so that form
    parsing passes it on rather than calling it a malformed body)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(408, slow_body_message(seconds), headers={"Connection": "close"})


def body_deadline(seconds: float, declared: int | None) -> float:
    """Return the seconds a body may take: `seconds`, plus its declared length at SLOWEST_RATE
    (a large upload over a slow link is not cut; the lengths are bounded per route by BodyLimit,
    and the large ones are for curators, checked before the body is read)."""
    return seconds + (declared or 0) / SLOWEST_RATE


class BodyTimeout:
    """ASGI middleware: the whole body must arrive within its deadline (body_deadline) from
    the moment the app asks for it."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with a receive that gives up on a body at its deadline."""
        if scope["type"] != "http" or self.seconds <= 0:
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        allowance = body_deadline(self.seconds, declared_length(scope))
        deadline: float | None = None
        complete = False

        async def timed_receive() -> Message:
            nonlocal deadline, complete
            if complete:  # after the body only a disconnect can come: wait as long as it takes
                return await receive()
            deadline = deadline or loop.time() + allowance
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                raise BodyTimedOut(allowance) from None
            complete = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        await self.app(scope, timed_receive, send)
