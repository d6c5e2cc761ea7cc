"""Server-side SVG charts: the geometry of a horizontal bar chart, drawn by a template (no JS)."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 640
ROW = 42
BAR = 14
LABEL_CHARS = 70
VALUE_SPACE = 110


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value, caption and where to draw it."""

    label: str
    full_label: str
    value: int
    caption: str
    y: int
    width: int
    track: int = 0  # the width of the whole the value is part of (0: drawn alone)


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart's size and bars."""

    width: int
    height: int
    bars: list[Bar]


def _shorten(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def bar_chart(items: list[tuple[str, int, str]], totals: list[int] | None = None) -> BarChart:
    """Lay out (label, value, caption) items as horizontal bars scaled to the largest value; with
    totals (each value is part of its total: 1 wrong of 2), every bar is drawn inside a track as
    long as its total, all scaled to the largest total, so 1 of 1 and 1 of 2 look different."""
    values = [value for _, value, _ in items]
    largest = max([*values, *(totals or [])], default=0) or 1
    span = WIDTH - VALUE_SPACE

    def scaled(amount: int) -> int:
        return max(2, amount * span // largest)

    bars = [
        Bar(
            _shorten(label), label, value, caption, index * ROW, scaled(value),
            scaled(totals[index]) if totals else 0,
        )
        for index, (label, value, caption) in enumerate(items)
    ]  # fmt: skip
    return BarChart(WIDTH, max(ROW, len(bars) * ROW), bars)
