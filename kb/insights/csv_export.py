"""CSV for spreadsheets: UTF-8 with a byte-order mark (so Excel reads Chinese), formula-safe."""

from __future__ import annotations

import csv
import io

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """Return a cell a spreadsheet will not run as a formula: one starting with = + - @ (or a
    tab or carriage return) gets a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_text(rows: list[list[str]]) -> str:
    """Return the rows as CSV text (RFC 4180 quoting, CRLF line ends) starting with the BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return BOM + buffer.getvalue()
