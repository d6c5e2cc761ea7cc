"""kb.text_rules at the web's edge, for every route at once (new routes are covered as added).

Query strings are cleaned: a stray control character in an address or a search box carries no
meaning, so it is dropped and the request answered as if it had not been typed (a search for
"risk%00" searches "risk"). Paths, form fields (names, values, file names) and JSON bodies are
refused with a 422 that names the field: they are saved, and silently changing what someone
saves is worse than saying why it was not.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.datastructures import UploadFile
from starlette.types import ASGIApp, Receive, Scope, Send

from kb import text_rules


class CleanQueryStrings:
    """ASGI middleware: drop the characters kb.text_rules forbids from every query parameter."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with its query string cleaned (untouched when already clean)."""
        if scope["type"] == "http" and scope.get("query_string"):
            scope["query_string"] = clean_query_string(scope["query_string"])
        await self.app(scope, receive, send)


def clean_query_string(raw: bytes) -> bytes:
    """Return the query string with forbidden characters removed from every name and value."""
    pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
    if not any(text_rules.first_forbidden(name + value) is not None for name, value in pairs):
        return raw
    strip = text_rules.strip_forbidden
    return urlencode([(strip(name), strip(value)) for name, value in pairs]).encode("ascii")


async def refuse_control_characters(request: Request) -> AsyncIterator[None]:
    """Refuse (422, naming the field) a path, form or JSON body holding a forbidden character."""
    form = None
    try:
        fields = list(request.path_params.items())
        content_type = request.headers.get("content-type", "").lower()
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()  # parsed once: the route gets the same form
            fields += _form_fields(form)
        elif "json" in content_type:
            try:
                fields += list(_json_strings(json.loads(await request.body()), ()))
            except (ValueError, RecursionError):
                pass  # not JSON: the route answers that
        problems = [_problem(name, value) for name, value in fields if isinstance(value, str)]
        problems = [problem for problem in problems if problem]
        if problems:
            raise RequestValidationError(problems)
        yield
    finally:
        if form is not None:
            await form.close()  # the uploaded files' temporary copies


def _form_fields(form: Any) -> list[tuple[str, Any]]:
    fields: list[tuple[str, Any]] = []
    for name, value in form.multi_items():
        fields.append((name, name))
        if isinstance(value, UploadFile):  # its content is checked as a Markdown file
            fields.append((f"{name}.filename", value.filename or ""))
        else:
            fields.append((name, value))
    return fields


def _json_strings(value: Any, path: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """Yield (field path, text) for every key and string value in a JSON document."""
    where = ".".join(path) or "body"
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield where, str(key)
            yield from _json_strings(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_strings(item, (*path, str(index)))


def _problem(field: str, text: str) -> dict | None:
    index = text_rules.first_forbidden(text)
    if index is None:
        return None
    name = text_rules.character_name(text[index])
    message = (
        f"contains the control character {name}: text may hold no control characters other "
        f"than {text_rules.ALLOWED_CONTROLS}; remove it"
    )
    return {"type": "value_error", "loc": ("body", field), "msg": message, "input": None}
