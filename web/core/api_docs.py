"""What the OpenAPI document says about the JSON API's errors: the bodies (as web/core/errors.py and the
middleware write them) and the statuses a route can give, shared by the /api routers."""

from __future__ import annotations

from typing import Any

from fastapi.security import APIKeyCookie
from pydantic import BaseModel, Field

from web.core.cookies import SESSION


class ErrorOut(BaseModel):
    """An error answer: what went wrong and what to change."""

    detail: str = Field(description="What went wrong, in words a person can act on.")


class ProblemOut(BaseModel):
    """One invalid parameter or body field."""

    field: str = Field(
        description="The parameter or body field, dotted for nested ones (`limit`, `doc_id`); "
        "empty when the whole body is wrong."
    )
    message: str = Field(description="What is wrong with it.")


class ValidationErrorOut(BaseModel):
    """The request's invalid parameters and body fields (422)."""

    detail: list[ProblemOut]


RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 0},
    }
}
ERRORS: dict[int, dict[str, Any]] = {
    400: {"description": "The body could not be read: send JSON in UTF-8."},
    401: {"description": "Sign in first (reading needs a sign-in when anonymous reading is off)."},
    403: {
        "description": "Not allowed now, e.g. a locked module: complete its prerequisites first."
    },
    404: {"description": "Nothing published has this id (or code)."},
    413: {"description": "The request body is larger than this address accepts."},
    422: {
        "description": "Invalid parameters or body: `detail` lists each field and what is wrong.",
        "model": ValidationErrorOut,
    },
    429: {"description": "Too many requests from this address.", "headers": RETRY_AFTER},
    503: {
        "description": "The knowledge base is busy saving other changes, its search index is "
        "not built yet, or its database is unreachable (search still answers): try again after "
        "Retry-After.",
        "headers": RETRY_AFTER,
    },
}

SESSION_COOKIE = APIKeyCookie(
    name=SESSION,
    scheme_name="session",
    description="The session cookie set by signing in on the site (`/signin`).",
    auto_error=False,
)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Return the `responses=` entries documenting these error statuses of a JSON route (and
    503, which any route may answer while the database is unreachable)."""
    return {status: {"model": ErrorOut, **ERRORS[status]} for status in (*statuses, 503)}
