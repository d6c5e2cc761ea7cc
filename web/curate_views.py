"""View helpers of the curator pages: form parsing, the editor's context and the trend chart."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from ingest import editor
from kb.content.ids import MAX_ID_CHARS
from kb.content.markdown import render_html
from kb.content.taxonomy import ActionStatus, Area, Impact, Kind, Lang, Phase, Priority

CHOICES = {
    "kind": list(editor.EDITABLE_KINDS),
    "lang": [m.value for m in Lang],
    "phase": [m.value for m in Phase],
    "area": [m.value for m in Area],
    "impact": [m.value for m in Impact],
    "priority": [m.value for m in Priority],
    "action_status": [m.value for m in ActionStatus],
    "creates": [m.value for m in Kind if m.value != "template"],
}


def form_values(form: FormData) -> dict[str, Any]:
    """Return the editor's form as a dict; checkbox groups become lists."""
    values: dict[str, Any] = {key: form.get(key) for key in form.keys()}
    for name in ("phase", "area"):
        values[name] = [str(v) for v in form.getlist(name)]
    return values


def editor_context(
    draft: editor.Draft,
    *,
    doc_id: str = "",
    base: int = 0,
    rel: str | None = None,
    message: str = "",
    checked: bool = True,
    max_bytes: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Return what the editor template shows: fields, choices, problems by field and the preview."""
    text = editor.compose(draft)
    result = editor.check(text, rel, max_bytes) if checked else None
    return {
        "draft": draft,
        "fields": draft.fields,
        "doc_id": doc_id,
        "base": base,
        "message": message,
        "choices": CHOICES,
        "problems": result.problems if result else {},
        "has_errors": bool(result and result.has_errors),
        "preview": preview_html(draft.body, max_bytes),
        "max_id_chars": MAX_ID_CHARS,
        **extra,
    }


def preview_html(body: str, max_bytes: int | None) -> str:
    """Return the rendered preview of a body, or a notice when it is over the file limit."""
    size = len(body.encode("utf-8"))
    if max_bytes is not None and size > max_bytes:
        return (
            f'<p class="render-error">No preview: the text is {size:,} bytes, over the limit '
            f"of {max_bytes:,} bytes.</p>"
        )
    return render_html(body)


@dataclass(frozen=True)
class Bar:
    """One day of the trend chart."""

    x: float
    y: float
    height: float
    zero_y: float
    zero_height: float
    label: str


def trend_chart(points: list[tuple[dt.date, int, int]], width: int = 600, height: int = 140):
    """Return the bars of the search-trend chart (searches and zero-result searches per day)."""
    peak = max((total for _, total, _ in points), default=0) or 1
    step = width / max(len(points), 1)
    bars = []
    for index, (day, total, zero) in enumerate(points):
        h = height * total / peak
        zh = height * zero / peak
        bars.append(
            Bar(
                round(index * step + 1, 1),
                round(height - h, 1),
                round(h, 1),
                round(height - zh, 1),
                round(zh, 1),
                f"{day.isoformat()}: {total} / {zero}",
            )
        )
    return {
        "bars": bars,
        "width": width,
        "height": height,
        "bar_width": round(max(step - 2, 1), 1),
        "peak": peak,
        "first": points[0][0].isoformat() if points else "",
        "last": points[-1][0].isoformat() if points else "",
        "total": sum(total for _, total, _ in points),
    }
