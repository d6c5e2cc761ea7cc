"""View helpers of the curator pages: form parsing, the editor's context and the trend chart."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from ingest import editor
from kb.content.ids import MAX_ID_CHARS
from kb.content.markdown import render_html
from kb.content.problems import Problem
from kb.content.schema import ACTION_FIELDS, LESSON_SECTIONS
from kb.content.taxonomy import ActionState, ActionStatus, Area, Impact, Kind, Lang, Phase, Priority
from web.i18n import STRINGS, t

CHOICES = {
    "kind": list(editor.EDITABLE_KINDS),
    "lang": [m.value for m in Lang],
    "phase": [m.value for m in Phase],
    "area": [m.value for m in Area],
    "impact": [m.value for m in Impact],
    "priority": [m.value for m in Priority],
    "action_status": [m.value for m in ActionStatus],
    "act_status": [m.value for m in ActionState],
    "creates": [m.value for m in Kind if m.value != "template"],
}


# The editor's label of each form field (web.i18n keys); the others are labelled by their name.
FIELD_LABELS = {
    "id": "field_id",
    "title": "field_title",
    "summary": "field_summary",
    "tags": "field_tags",
    "translation_of": "field_translation_of",
    "creates": "field_creates",
    "extra": "field_extra",
    "body": "field_body",
    "actions": "field_actions",
    "recurs": "field_recurs",
}
ACTION_COLUMNS = {  # the action rows' inputs: field → label key
    "what": "action_what",
    "owner": "action_owner",
    "due": "action_due",
    "status": "action_state",
    "reason": "action_reason",
    "link": "action_link_field",
    "closed": "action_closed",
}
ACTION_PROBLEM = re.compile(r"^actions\.(\d+)(?:\.(\w+))?: (.*)$", re.DOTALL)
REQUIRED = re.compile(r"^required field '(\w+)' is missing$")
SECTION = re.compile(r"^a lesson needs the section '(.+)', which is missing$")
FIELD_PREFIX = re.compile(r"^(\w+)(?:\.[\w.]+)?: (.*)$", re.DOTALL)


def field_label(name: str, lang: str) -> str:
    """Return the editor's label of a form field in the UI language (its name if it has none)."""
    key = FIELD_LABELS.get(name, name)
    return t(key, lang) if key in STRINGS else name


def problem_text(problem: Problem, lang: str) -> tuple[str, str]:
    """Return a problem's (message, hint) for the editor: fields named by their form labels in
    the UI language, never by their YAML keys."""
    if match := REQUIRED.match(problem.message):
        return t("field_required", lang, label=field_label(match.group(1), lang)), ""
    if match := SECTION.match(problem.message):
        names = next((n for n in LESSON_SECTIONS.values() if n[0] == match.group(1)), None)
        if names:
            return (
                t("section_required", lang, name=names[1] if lang == "zh" else names[0]),
                t("section_required_hint", lang, en=names[0], zh=names[1]),
            )
    if match := ACTION_PROBLEM.match(problem.message):
        number, name, rest = match.groups()
        where = t("action_row", lang, n=number)
        if name in ACTION_COLUMNS:
            where += f" · {t(ACTION_COLUMNS[name], lang)}"
        return where + ("：" if lang == "zh" else ": ") + rest, problem.hint
    if (match := FIELD_PREFIX.match(problem.message)) and match.group(1) in editor.FORM_FIELDS:
        joiner = "：" if lang == "zh" else ": "
        return field_label(match.group(1), lang) + joiner + match.group(2), problem.hint
    return problem.message, problem.hint


def audit_action(action: str, lang: str) -> str:
    """Return an audit-log action in the UI language (as recorded when it has no label)."""
    key = f"audit_{action}"
    return t(key, lang) if key in STRINGS else action


def problems_json(check: editor.Check, lang: str) -> list[dict[str, object]]:
    """Return the check's problems as JSON for the live editor, in the UI language."""
    out = []
    for item, (name, problem) in zip(
        check.as_json(), ((n, p) for n, ps in check.problems.items() for p in ps), strict=True
    ):
        message, hint = problem_text(problem, lang)
        out.append({**item, "field": name, "message": message, "hint": hint})
    return out


def form_values(form: FormData) -> dict[str, Any]:
    """Return the editor's form as a dict; checkbox groups become lists."""
    values: dict[str, Any] = {key: form.get(key) for key in form.keys()}
    for name in ("phase", "area", *(editor.ACTION_INPUT + field for field in ACTION_FIELDS)):
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
    kinds: dict[str, str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Return what the editor template shows: fields, choices, problems by field and the preview
    (kinds: the catalog's {id: kind}, to check a lesson's references)."""
    text = editor.compose(draft)
    result = editor.check(text, rel, max_bytes, for_review=True, kinds=kinds) if checked else None
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
        "action_rows": [*draft.fields.get("actions", []), {}],  # an empty row to add one
        "action_columns": ACTION_COLUMNS,
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
