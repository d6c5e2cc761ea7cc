"""CSV for spreadsheets: UTF-8 with a byte-order mark (so Excel reads Chinese), formula-safe
(OWASP's CSV injection advice: every field quoted, a formula-like cell prefixed with ')."""

from __future__ import annotations

import csv
import io
import re
import unicodedata

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A separator a spreadsheet may split an unquoted cell at (";" in many locales), then a formula.
FORMULA_AFTER_SEPARATOR = re.compile(r"[;,\t|]\s*[=+\-@]")


def starts_a_formula(value: str) -> bool:
    """Tell whether a spreadsheet could read the cell as a formula: its first character other
    than a space is = + - @ (full-width ＝ ＋ － ＠ too: compared after NFKC), it starts with a
    tab or carriage return, or a formula follows a separator inside it (`Fix it;=cmd|…`)."""
    folded = unicodedata.normalize("NFKC", value)
    return (
        folded.startswith(FORMULA_STARTS)
        or folded.lstrip(" ").startswith(FORMULA_STARTS)
        or FORMULA_AFTER_SEPARATOR.search(folded) is not None
    )


def safe_cell(value: str) -> str:
    """Return a cell a spreadsheet will not run as a formula: a formula-like one (see
    starts_a_formula) gets a leading apostrophe, which spreadsheets show as plain text."""
    return "'" + value if starts_a_formula(value) else value


def csv_text(rows: list[list[str]]) -> str:
    """Return the rows as CSV text (every field quoted, so no locale splits a cell at its ";";
    CRLF line ends) starting with the BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return BOM + buffer.getvalue()
