"""What text from outside may contain, decided once for every way in (web forms, JSON bodies,
query strings, addresses, Markdown files and the editor).

No NUL and no other C0 control character except tab, line feed and carriage return: PostgreSQL
refuses NUL in text (SQLite stores it), so without one rule the same input would be kept on one
store and answered 500 on the other; the other controls are never typed on purpose.
"""

from __future__ import annotations

import re

FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
ALLOWED_CONTROLS = "tab and line breaks"


def first_forbidden(text: str) -> int | None:
    """Return the index of the first character text may not contain, or None if it is clean."""
    match = FORBIDDEN.search(text)
    return match.start() if match else None


def strip_forbidden(text: str) -> str:
    """Return the text without the characters it may not contain."""
    return FORBIDDEN.sub("", text)


def character_name(char: str) -> str:
    """Return how a message names a control character: its code point, e.g. U+0000."""
    return f"U+{ord(char):04X}"


def line_of(text: str, index: int) -> int:
    """Return the line (from 1) that holds the character at this index."""
    return text.count("\n", 0, index) + 1
