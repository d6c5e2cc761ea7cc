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


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart's size and bars."""

    width: int
    height: int
    bars: list[Bar]


def _shorten(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def bar_chart(items: list[tuple[str, int, str]]) -> BarChart:
    """Lay out (label, value, caption) items as horizontal bars scaled to the largest value."""
    largest = max((value for _, value, _ in items), default=0) or 1
    span = WIDTH - VALUE_SPACE
    bars = [
        Bar(_shorten(label), label, value, caption, index * ROW, max(2, value * span // largest))
        for index, (label, value, caption) in enumerate(items)
    ]
    return BarChart(WIDTH, max(ROW, len(bars) * ROW), bars)
