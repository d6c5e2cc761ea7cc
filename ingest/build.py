"""Turn one file's text into a validated Document: front-matter, schema, title, id, sections."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from ingest.frontmatter import FrontMatter, FrontMatterError, split_front_matter
from ingest.sections import split_sections
from kb.content.actions import LessonAction
from kb.content.ids import id_problem
from kb.content.language import detect_lang
from kb.content.markdown.bounds import TooComplex
from kb.content.markdown.parser import inline_text, parse
from kb.content.meta import LessonMeta, Meta, ModuleMeta, NoMeta, QuizItem, StepMeta, TemplateMeta
from kb.content.model import Document
from kb.content.problems import Problem, Severity
from kb.content.schema import (
    LESSON_SECTIONS,
    FieldIssue,
    lesson_section_hint,
    missing_lesson_sections,
    required_lesson_section,
    schema_name,
    validate_front_matter,
)

STEP_NAME = re.compile(r"^(\d{2})-[\w.-]+\.md$")
HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
# Part of every file's content hash: bump it when the same file builds a different document
# (2: a translated module's steps pair with the other module's), so the next ingest rebuilds all.
BUILD_FORMAT = b"2"
INHERITED = ("kind", "lang", "phase", "area", "status", "tags", "owner", "updated")


@dataclass
class BuildContext:
    """What a file inherits: for a training step, its module's id and front-matter."""

    module_id: str | None = None
    module_data: dict[str, Any] = field(default_factory=dict)
    is_module: bool = False


@dataclass
class BuildResult:
    """A built document (None when the file has errors) and the problems found."""

    document: Document | None
    problems: list[Problem]


def default_id(rel: str) -> str:
    """Derive a document id from its path: `lessons/en/vendor.md` → `lessons/en/vendor`."""
    stem = rel.removesuffix(".md")
    return re.sub(r"[^\w./-]+", "-", stem.lower()).strip("-") or "document"


def content_hash(raw: bytes, context_hash: str = "") -> str:
    """Return the hash ingest records for a file: an unchanged hash means the document is too."""
    return hashlib.sha256(BUILD_FORMAT + raw + context_hash.encode()).hexdigest()


def build_document(rel: str, text: str, context: BuildContext) -> BuildResult:
    """Build a Document from a file's text, or report why it cannot be built."""
    try:
        front = split_front_matter(text, rel)
    except FrontMatterError as error:
        return BuildResult(None, [error.problem])
    step_match = STEP_NAME.match(rel.rsplit("/", 1)[-1])
    is_step = context.module_id is not None and not context.is_module
    if is_step and not step_match:
        problem = Problem(
            rel,
            1,
            "a file in a training module folder must be a step named NN-<slug>.md",
            "rename it, e.g. 03-risk-register.md, or move it out of the module folder",
        )
        return BuildResult(None, [problem])
    data = dict(front.data)
    if is_step:
        for key in INHERITED:
            if key not in data and key in context.module_data:
                data[key] = context.module_data[key]
        data.setdefault("kind", "training")
        module_translation = context.module_data.get("translation_of")
        if "translation_of" not in data and isinstance(module_translation, str):
            # a translated module's step pairs with the step of the same file name there
            data["translation_of"] = f"{module_translation}/{rel.rsplit('/', 1)[-1][:-3]}"
    kind = str(data.get("kind", "guide"))
    schema = schema_name(kind, is_module=context.is_module, is_step=is_step)
    strict = "kind" in front.data or context.module_id is not None
    fields, issues = validate_front_matter(data, schema, strict_fields=strict)
    if fields is None and not strict:
        fields, issues = _lenient(data, schema, issues)
    problems = [_to_problem(rel, front, issue) for issue in issues]
    try:
        tokens = parse(front.body)
    except TooComplex as error:
        line = front.body_line + error.line - 1
        return BuildResult(None, [*problems, Problem(rel, line, error.message, error.hint)])
    if fields is None:
        if schema == "lesson":  # report missing sections too, so one check shows everything
            problems.extend(lesson_problems(rel, tokens, front))
        return BuildResult(None, problems)
    title = fields.title or _first_heading(tokens) or rel.rsplit("/", 1)[-1].removesuffix(".md")
    doc_id = fields.id or _derived_id(rel, context, is_step)
    if not fields.id and (bad_id := id_problem(doc_id)):
        problem = Problem(
            rel,
            1,
            f"the id '{doc_id[:60]}' taken from the file's path is not valid: {bad_id}",
            "rename the file, or give the document an `id:` in its front-matter",
        )
        return BuildResult(None, [*problems, problem])
    body_text = front.body
    sections = split_sections(tokens, title, front.body_line)
    document = Document(
        id=doc_id,
        path=rel,
        title=title,
        kind=str(fields.kind),
        lang=str(fields.lang) if fields.lang else detect_lang(title + "\n" + body_text),
        summary=fields.summary,
        tags=list(fields.tags),
        phases=[str(p) for p in fields.phase],
        areas=[str(a) for a in fields.area],
        owner=fields.owner,
        updated=fields.updated.isoformat() if fields.updated else None,
        status=str(fields.status),
        translation_of=fields.translation_of,
        meta=_meta(fields, schema, context, doc_id, step_match),
        body=body_text,
        body_line=front.body_line,
        sections=sections,
        source_lines=dict(front.lines),
    )
    if schema == "lesson":
        problems.extend(lesson_problems(rel, tokens, front))
    if any(p.severity == Severity.ERROR for p in problems):
        return BuildResult(None, problems)
    return BuildResult(document, problems)


def _lenient(
    data: dict[str, Any], schema: str, issues: list[FieldIssue]
) -> tuple[Any, list[FieldIssue]]:
    """Foreign front-matter (no `kind`): drop fields whose values are not ours, as warnings."""
    data = dict(data)
    dropped = {issue.loc[0]: issue for issue in issues if issue.loc}
    for name in dropped:
        data.pop(name, None)
    fields, remaining = validate_front_matter(data, schema, strict_fields=False)
    warnings = [
        FieldIssue(issue.loc, f"{issue.message} — field '{name}' ignored", issue.hint, True)
        for name, issue in dropped.items()
    ]
    return fields, warnings + remaining


def _derived_id(rel: str, context: BuildContext, is_step: bool) -> str:
    if is_step and context.module_id:
        return f"{context.module_id}/{rel.rsplit('/', 1)[-1].removesuffix('.md')}"
    if context.is_module:
        return default_id(rel.rsplit("/", 1)[0])
    return default_id(rel)


def _first_heading(tokens) -> str | None:
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            return inline_text(tokens[index + 1]) or None
    return None


def _meta(fields, schema: str, context: BuildContext, doc_id: str, step_match) -> Meta:
    if schema == "lesson":
        actions = tuple(
            LessonAction(
                item.what,
                item.owner,
                item.due.isoformat(),
                item.status,
                item.reason,
                item.link,
                item.closed.isoformat() if item.closed else None,
            )
            for item in fields.actions
        )
        return LessonMeta(
            fields.project,
            fields.date.isoformat(),
            fields.impact,
            fields.priority,
            fields.derived_status,
            actions,
            tuple(fields.recurs),
        )
    if schema == "template":
        return TemplateMeta(fields.creates)
    if schema == "module":
        return ModuleMeta(
            doc_id,
            tuple(fields.objectives),
            tuple(fields.prerequisites),
            fields.estimated_minutes,
            fields.pass_mark,
        )
    if schema == "step":
        quiz = tuple(
            QuizItem(item.question, tuple(item.choices), item.answer, item.explanation, item.hint)
            for item in fields.quiz
        )
        return StepMeta(context.module_id, int(step_match.group(1)), quiz)
    return NoMeta()


def lesson_problems(rel: str, tokens, front: FrontMatter) -> list[Problem]:
    """Report each required lesson section that the body's level-2 headings do not cover."""
    headings = [
        inline_text(tokens[i + 1])
        for i, token in enumerate(tokens)
        if token.type == "heading_open" and token.tag == "h2"
    ]
    last_line = front.body_line + front.body.count("\n")
    return [
        Problem(
            rel,
            last_line,
            f"a lesson needs the section '{name}', which is missing",
            lesson_section_hint(name)
            + f"; a lesson has: {', '.join(n[0] for n in LESSON_SECTIONS.values())}",
        )
        for name in missing_lesson_sections(headings)
    ] + empty_section_problems(rel, tokens, front)


def empty_section_problems(rel: str, tokens, front: FrontMatter) -> list[Problem]:
    """Report each required lesson section whose heading has nothing under it (an HTML comment
    or an empty list item is not content), at the heading's line."""
    problems = []
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or token.tag != "h2":
            continue
        heading = inline_text(tokens[index + 1])
        name = required_lesson_section(heading)
        if name is None or _has_content(tokens, index + 3):
            continue
        line = front.body_line + (token.map[0] if token.map else 0)
        also = "" if heading == name else f" ({name})"
        problems.append(
            Problem(
                rel,
                line,
                f"the required section '{heading}'{also} is empty",
                f"write the {name.lower()} under the heading '## {heading}'",
            )
        )
    return problems


def _has_content(tokens, start: int) -> bool:
    """Whether the tokens from `start` to the next h1/h2 heading hold any text, code or HTML."""
    inside_heading = False
    for token in tokens[start:]:
        if token.type == "heading_open":
            if token.tag in ("h1", "h2"):
                return False
            inside_heading = True
        elif token.type == "heading_close":
            inside_heading = False
        elif token.type == "inline" and not inside_heading and token.content.strip():
            return True
        elif token.type in ("fence", "code_block") and token.content.strip():
            return True
        elif token.type == "html_block" and HTML_COMMENT.sub("", token.content).strip():
            return True
    return False


def _to_problem(rel: str, front: FrontMatter, issue: FieldIssue) -> Problem:
    severity = Severity.WARNING if issue.warning else Severity.ERROR
    return Problem(rel, front.line_of(issue.loc), issue.message, issue.hint, severity)
