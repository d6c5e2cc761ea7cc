"""The editor's model: form fields ⇄ Markdown file text, and validation mapped back to the fields."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from ingest.build import BuildContext, build_document
from ingest.frontmatter import FrontMatterError, split_front_matter
from ingest.reader import control_character_problem, file_too_large
from ingest.references import lesson_reference_problems
from kb.content.paths import UnsafePath, path_for
from kb.content.problems import Problem, Severity
from kb.content.schema import ACTION_FIELDS

COMMON = ("id", "title", "kind", "lang", "summary", "tags", "phase", "area", "owner", "updated")
LESSON = ("project", "date", "impact", "priority", "action_status", "actions", "recurs")
LISTS = ("tags", "phase", "area", "recurs")
ACTION_INPUT = "act_"  # the form's action rows: act_what, act_owner, act_due … one per row
FORM_FIELDS = (*COMMON, "translation_of", *LESSON, "creates")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PLAIN = re.compile(r"^[^\W\d_][\w -]*$")
YAML_WORDS = {"yes", "no", "true", "false", "on", "off", "null", "y", "n"}
REQUIRED_MISSING = re.compile(r"required field '(\w+)'")
EDITABLE_KINDS = ("guide", "lesson", "template")
REVIEW_REQUIRED = ("title", "summary")  # what readers see in results: needed before review


@dataclass
class Draft:
    """What the editor form holds: front-matter fields, other front-matter (YAML) and the body."""

    fields: dict[str, Any] = field(default_factory=dict)
    extra: str = ""
    body: str = ""


@dataclass
class Check:
    """Validation of a draft: problems by form field ('body', a field name, or 'form')."""

    problems: dict[str, list[Problem]]
    rel: str

    @property
    def has_errors(self) -> bool:
        """Tell whether any problem is an error (warnings do not block review)."""
        return any(p.severity == Severity.ERROR for ps in self.problems.values() for p in ps)

    def as_json(self) -> list[dict[str, object]]:
        """Return the problems as JSON-ready dicts with their field."""
        return [{**p.as_dict(), "field": name} for name, ps in self.problems.items() for p in ps]


def _plain(value: str) -> bool:
    return bool(PLAIN.match(value)) and value.lower() not in YAML_WORDS


def _yaml_line(name: str, value: Any) -> str:
    if isinstance(value, list):
        items = [v if _plain(v) else json.dumps(v, ensure_ascii=False) for v in map(str, value)]
        return f"{name}: [{', '.join(items)}]"
    if isinstance(value, str) and DATE.match(value):
        return f"{name}: {value}"
    dumped = yaml.safe_dump(
        {name: value}, allow_unicode=True, default_flow_style=False, sort_keys=False, width=10_000
    )
    return dumped.strip()


def _actions_yaml(actions: list[dict[str, str]]) -> str:
    """Write action rows as a YAML list of mappings, keys in ACTION_FIELDS order."""
    lines = ["actions:"]
    for action in actions:
        names = [name for name in ACTION_FIELDS if action.get(name)]
        for index, name in enumerate(names or ["what"]):
            entry = _yaml_line(name, action.get(name, ""))
            lines.append(("  - " if index == 0 else "    ") + entry)
    return "\n".join(lines)


def compose(draft: Draft) -> str:
    """Return the Markdown file text of a draft: YAML front-matter then the body."""
    values = dict(draft.fields)
    kind = values.get("kind")
    order = list(COMMON) + ["translation_of"]
    order += list(LESSON) if kind == "lesson" else []
    order += ["creates"] if kind == "template" else []
    lines = [
        _actions_yaml(values[name]) if name == "actions" else _yaml_line(name, values[name])
        for name in order
        if values.get(name) not in (None, "", [])
    ]
    extra = draft.extra.strip()
    front = "\n".join(lines + ([extra] if extra else []))
    return f"---\n{front}\n---\n\n{draft.body.strip()}\n"


def decompose(text: str) -> Draft:
    """Split file text into editor fields; unknown front-matter stays as YAML text (lossless)."""
    try:
        front = split_front_matter(text, "draft.md")
    except FrontMatterError:
        return Draft({}, "", text)
    fields: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for name, value in front.data.items():
        if name == "status":
            continue  # the workflow decides the status
        if name == "actions" and _action_rows(value) is not None:
            fields[name] = _action_rows(value)
        elif name in FORM_FIELDS and name != "actions":
            fields[name] = _form_value(name, value)
        else:
            extra[name] = value
    extra_text = (
        yaml.safe_dump(extra, allow_unicode=True, sort_keys=False, width=10_000) if extra else ""
    )
    return Draft(fields, extra_text, front.body.strip("\n"))


def _action_rows(value: Any) -> list[dict[str, str]] | None:
    """Return `actions:` as editable rows of text, or None when the form cannot hold them
    losslessly (not a list of mappings, or fields the rows do not have): then they stay YAML."""
    items = [value] if isinstance(value, dict) else value
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        return None
    rows = []
    for item in items:
        row = {("what" if key == "action" else str(key)): v for key, v in item.items()}
        if set(row) - set(ACTION_FIELDS) or len(row) != len(item):
            return None
        rows.append({key: "" if v is None else str(v) for key, v in row.items()})
    return rows


def _form_value(name: str, value: Any) -> Any:
    if name in LISTS:
        items = value if isinstance(value, list) else [value] if value else []
        return [str(item) for item in items]
    return "" if value is None else str(value)


def from_form(form: dict[str, Any]) -> Draft:
    """Build a draft from submitted form values (lists as comma text or repeated fields)."""
    fields: dict[str, Any] = {}
    rows = _rows_from_form(form)
    if rows:
        fields["actions"] = rows
    for name in FORM_FIELDS:
        if name == "actions":
            continue
        value = form.get(name)
        if name in LISTS:
            items = value if isinstance(value, list) else str(value or "").split(",")
            fields[name] = [item.strip() for item in items if item and item.strip()]
        elif value is not None and str(value).strip():
            fields[name] = str(value).strip()

    def text(name: str) -> str:
        # browsers send textarea text with CRLF line ends; files use LF
        return str(form.get(name) or "").replace("\r\n", "\n").replace("\r", "\n")

    return Draft(fields, text("extra"), text("body"))


def _rows_from_form(form: dict[str, Any]) -> list[dict[str, str]]:
    """Return the action rows of the form (act_<field> lists, one item per row); a row with
    nothing typed in it (only its status chosen) is left out."""
    columns = {name: form.get(ACTION_INPUT + name) or [] for name in ACTION_FIELDS}
    columns = {
        name: value if isinstance(value, list) else [value] for name, value in columns.items()
    }
    count = max((len(value) for value in columns.values()), default=0)
    rows = []
    for index in range(count):
        row = {
            name: str(values[index]).strip() if index < len(values) else ""
            for name, values in columns.items()
        }
        if any(row[name] for name in ACTION_FIELDS if name != "status"):
            rows.append({name: value for name, value in row.items() if value})
    return rows


def rel_for(text: str, fallback: str = "draft.md") -> str:
    """Return the path a text would be published at (derived from its id, kind and lang)."""
    try:
        data = split_front_matter(text, fallback).data
    except FrontMatterError:
        return fallback
    try:
        return path_for(
            str(data.get("id") or ""), str(data.get("kind") or ""), str(data.get("lang"))
        )
    except UnsafePath:
        return fallback


def field_lines(text: str) -> tuple[dict[int, str], int]:
    """Return {line: top-level field} of the front-matter and the first line of the body."""
    lines = text.split("\n")
    mapping: dict[int, str] = {}
    if not lines or lines[0].strip() != "---":
        return mapping, 1
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() in ("---", "..."):
            return mapping, number + 1
        match = re.match(r"^([\w-]+)\s*:", line)
        if match:
            mapping[number] = match.group(1)
    return mapping, 1


def check(
    text: str,
    rel: str | None = None,
    max_bytes: int | None = None,
    for_review: bool = False,
    kinds: Mapping[str, str] | None = None,
) -> Check:
    """Validate file text with the same schema as `kb check`, grouping problems by form field.

    for_review (the editor and the submit step) also asks for a title and a summary
    (REVIEW_REQUIRED), which files on disk may lack; uploads and publishing check without.
    With max_bytes (the file limit ingest applies), a longer text gets only that problem.
    With kinds ({id: kind} of the catalog), a lesson's `recurs` and action links are checked."""
    rel = rel or rel_for(text)
    size = len(text.encode("utf-8"))
    if max_bytes is not None and size > max_bytes:
        return Check({"body": [file_too_large(rel, size, max_bytes)]}, rel)
    result = build_document(rel, text, BuildContext())
    problems = list(result.problems)
    control = control_character_problem(text, rel)  # what `kb check` would refuse as not text
    if control is not None:
        problems.append(control)
    if kinds is not None and result.document is not None:
        doc = result.document
        known = {**kinds, doc.id: doc.kind}
        problems += lesson_reference_problems(rel, doc.id, doc.meta, doc.source_lines, known)
    data = {}
    try:
        data = split_front_matter(text, rel).data
    except FrontMatterError:
        pass
    if not data.get("id"):
        problems.append(Problem(rel, 1, "required field 'id' is missing", "give a slug id"))
    for name in REVIEW_REQUIRED if for_review else ():
        if isinstance(data, dict) and not str(data.get(name) or "").strip():
            problems.append(Problem(rel, 1, f"required field '{name}' is missing", ""))
    if str(data.get("kind", "guide")) not in EDITABLE_KINDS:
        problems.append(
            Problem(rel, 1, "kind: the editor handles guides, lessons and templates", "")
        )
    lines, body_line = field_lines(text)
    grouped: dict[str, list[Problem]] = {}
    for problem in problems:
        grouped.setdefault(_field_of(problem, lines, body_line), []).append(problem)
    return Check(grouped, rel)


def _field_of(problem: Problem, lines: dict[int, str], body_line: int) -> str:
    missing = REQUIRED_MISSING.search(problem.message)
    if missing:
        return missing.group(1)
    if problem.line in lines:
        name = lines[problem.line]
        return name if name in FORM_FIELDS else "extra"
    if problem.line >= body_line > 1:
        return "body"
    prefix = problem.message.split(":", 1)[0].split(".", 1)[0].strip()
    return prefix if prefix in FORM_FIELDS else "form"


def set_status(text: str, status: str) -> str:
    """Return the text with its front-matter `status` set (added or replaced)."""
    return set_fields(text, status=status)


def set_fields(text: str, **values: str) -> str:
    """Return the text with these front-matter fields set (added or replaced, in this order)."""
    lines = text.split("\n")
    own = [f"{name}: {value}" for name, value in values.items()]
    if not lines or lines[0].strip() != "---":
        return "\n".join(["---", *own, "---", text])
    names = "|".join(re.escape(name) for name in values)
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            head = [line for line in lines[1:index] if not re.match(rf"^(?:{names})\s*:", line)]
            return "\n".join(["---", *head, *own, *lines[index:]])
    return text
