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
from web.core.i18n import N_, NC_, Marked, translator

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


# The editor's label of each form field; a field without one is labelled by its name.
FIELD_LABELS: dict[str, Marked] = {
    "id": N_("Id (slug)"),
    "title": N_("Title"),
    "kind": N_("Kind"),
    "lang": N_("Language"),
    "summary": N_("Summary"),
    "tags": N_("Tags (comma separated)"),
    "phase": N_("Phase"),
    "area": N_("Area"),
    "owner": N_("Owner"),
    "updated": N_("Updated"),
    "translation_of": N_("Translation of (id)"),
    "project": N_("Project"),
    "date": NC_("date", "Date"),
    "impact": N_("Impact"),
    "priority": N_("Priority"),
    "action_status": N_("Action status"),
    "creates": N_("Drafts from it become"),
    "extra": N_("Other front-matter (YAML)"),
    "body": N_("Body (Markdown)"),
    "actions": N_("Actions"),
    "recurs": N_("Recurs (id of the earlier lesson that happened again)"),
    "message": N_("Message"),
}
ACTION_COLUMNS: dict[str, Marked] = {  # the action rows' inputs: field → label
    "what": NC_("action_what", "Action"),
    "owner": N_("Owner"),
    "due": N_("Due"),
    "status": N_("Status"),
    "reason": N_("Reason dropped"),
    "link": N_("Link (document id, id#section or web address)"),
    "closed": N_("Closed on"),
}
AUDIT_ACTIONS: dict[str, Marked] = {
    "create_draft": N_("Created a draft"),
    "save_draft": N_("Saved the draft"),
    "edit": N_("Edited (draft of a published document)"),
    "upload": N_("Uploaded"),
    "disk_edit": N_("File changed on disk"),
    "submit": N_("Submitted for review"),
    "reject": N_("Returned to draft"),
    "approve": N_("Approved"),
    "publish": NC_("audit_publish", "Published"),
    "restore": N_("Restored a revision"),
    "request_unpublish": N_("Asked to unpublish"),
    "decline_unpublish": N_("Kept it published"),
    "unpublish": N_("Unpublished"),
    "sign_in": N_("Signed in"),
    "sign_in_failed": N_("Sign-in failed"),
    "sign_out_everywhere": N_("Signed out everywhere"),
    "role_change": N_("Changed a role"),
}
STATE_NAMES: dict[str, Marked] = {
    "draft": N_("Draft"),
    "in_review": N_("In review"),
    "published": NC_("state_published", "Published"),
    "archived": N_("Unpublished (archived)"),
}
SIMILAR_LEVELS: dict[str, Marked] = {
    "same": N_("probably the same lesson"),
    "close": N_("very similar"),
    "related": N_("related"),
    "words": N_("shares words"),
}
ROLE_NAMES: dict[str, Marked] = {
    "learner": N_("learner"),
    "curator": N_("curator"),
    "admin": N_("administrator"),
}
AUDIT_REVISION = re.compile(r"^revision (\d+)(.*)$", re.DOTALL)
ACTION_PROBLEM = re.compile(r"^actions\.(\d+)(?:\.(\w+))?: (.*)$", re.DOTALL)
REQUIRED = re.compile(r"^required field '(\w+)' is missing$")
SECTION = re.compile(r"^a lesson needs the section '(.+)', which is missing$")
FIELD_PREFIX = re.compile(r"^(\w+)(?:\.[\w.]+)?: (.*)$", re.DOTALL)


def field_label(name: str, lang: str) -> str:
    """Return the editor's label of a form field in the UI language (its name if it has none)."""
    return translator(lang).marked(FIELD_LABELS[name]) if name in FIELD_LABELS else name


def problem_text(problem: Problem, lang: str) -> tuple[str, str]:
    """Return a problem's (message, hint) for the editor: fields named by their form labels in
    the UI language, never by their YAML keys."""
    if match := REQUIRED.match(problem.message):
        return translator(lang).gettext(
            "“%(label)s” is required.", label=field_label(match.group(1), lang)
        ), ""
    if match := SECTION.match(problem.message):
        names = next((n for n in LESSON_SECTIONS.values() if n[0] == match.group(1)), None)
        if names:
            return (
                translator(lang).gettext(
                    "A lesson needs the section “%(name)s”.",
                    name=names[1] if lang == "zh" else names[0],
                ),
                translator(lang).gettext(
                    "Add a heading ## %(en)s (in Chinese: ## %(zh)s).", en=names[0], zh=names[1]
                ),
            )
    if match := ACTION_PROBLEM.match(problem.message):
        number, name, rest = match.groups()
        where = translator(lang).gettext("Action %(n)s", n=number)
        if name in ACTION_COLUMNS:
            where += f" · {translator(lang).marked(ACTION_COLUMNS[name])}"
        return translator(lang).gettext(
            "%(label)s: %(value)s", label=where, value=rest
        ), problem.hint
    if (match := FIELD_PREFIX.match(problem.message)) and match.group(1) in editor.FORM_FIELDS:
        label = field_label(match.group(1), lang)
        text = translator(lang).gettext("%(label)s: %(value)s", label=label, value=match.group(2))
        return text, problem.hint
    return problem.message, problem.hint


def audit_action(action: str, lang: str) -> str:
    """Return an audit-log action in the UI language (as recorded when it has no label)."""
    return translator(lang).marked(AUDIT_ACTIONS[action]) if action in AUDIT_ACTIONS else action


def audit_detail(detail: str, lang: str) -> str:
    """Return an audit entry's detail with its leading "revision N" in the UI language."""
    if match := AUDIT_REVISION.match(detail or ""):
        return translator(lang).gettext("revision %(n)s", n=int(match.group(1))) + match.group(2)
    return detail


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
