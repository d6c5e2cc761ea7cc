"""Document ids: the one rule every id obeys, wherever it comes from (front-matter, a file path,
the editor, an upload, a URL) — short, plain segments, safe as a file name on Linux and Windows."""

from __future__ import annotations

import re

MAX_ID_CHARS = 120
MAX_ID_BYTES = 240  # a file name is at most 255 bytes; a Chinese character takes 3 in UTF-8
SEGMENT = re.compile(r"\w[\w.-]*")
# The rule as one regular expression, for schemas (OpenAPI): parts that start with a letter or
# digit and do not end with a dot, joined by '/' (the reserved names and the byte limit aside).
ID_PATTERN = r"^\w(?:[\w.-]*[\w-])?(?:/\w(?:[\w.-]*[\w-])?)*$"
# Windows refuses these as file or folder names, with any extension and in any case.
RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{n}" for p in ("com", "lpt") for n in "123456789"}
ID_HINT = (
    "use a slug such as lesson-vendor-switch: letters, digits, '-', '_', '.', '/' between parts"
)


class InvalidId(ValueError):
    """An id that breaks the id rule; the message says which part and why."""


def id_problem(value: str) -> str | None:
    """Return why value is not a valid document id, or None when it is one."""
    if not value:
        return "the id is empty"
    if len(value) > MAX_ID_CHARS:
        return f"the id has {len(value):,} characters; at most {MAX_ID_CHARS} are allowed"
    if len(value.encode("utf-8")) > MAX_ID_BYTES:
        return (
            f"the id takes {len(value.encode('utf-8')):,} bytes in UTF-8; at most "
            f"{MAX_ID_BYTES} are allowed (a Chinese character takes 3)"
        )
    if value.startswith("/") or "\\" in value:
        return "an id is not a path: no leading '/' and no '\\'"
    for segment in value.split("/"):
        problem = _segment_problem(segment)
        if problem:
            return problem
    return None


def _segment_problem(segment: str) -> str | None:
    if not segment:
        return "an id has no empty parts ('//' or a '/' at the end)"
    if segment.startswith("."):
        return f"the part '{segment}' starts with a dot; id parts start with a letter or digit"
    if not SEGMENT.fullmatch(segment):
        return "an id may contain only letters, digits, '-', '_', '.' and '/'"
    if segment.endswith("."):
        return f"the part '{segment}' ends with a dot, which Windows drops from file names"
    if segment.split(".", 1)[0].lower() in RESERVED:
        return f"'{segment}' is a reserved file name on Windows (CON, PRN, AUX, NUL, COM1…, LPT1…)"
    return None


def require_id(value: str) -> str:
    """Return value if it is a valid document id, else raise InvalidId saying why."""
    problem = id_problem(value)
    if problem:
        raise InvalidId(problem)
    return value
