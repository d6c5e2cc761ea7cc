"""HTTP errors whose detail people read: English for the API, the UI language on the error page."""

from __future__ import annotations

from starlette.exceptions import HTTPException


class TranslatedHTTPException(HTTPException):
    """An HTTP error with a gettext message (marked with N_ where it is written) and its values."""

    def __init__(
        self,
        status_code: int,
        message: str,
        headers: dict[str, str] | None = None,
        **values: object,
    ) -> None:
        super().__init__(status_code, message % values, headers)
        self.message = message
        self.values = values
