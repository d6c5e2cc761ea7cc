"""A lesson's references to other documents: the lessons it recurs and its actions' links."""

from __future__ import annotations

from collections.abc import Mapping

from kb.content.actions import link_target
from kb.content.meta import LessonMeta, Meta
from kb.content.problems import Problem

Lines = Mapping[tuple[str | int, ...], int]


def _line(lines: Lines, *loc: str | int) -> int:
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1


def lesson_reference_problems(
    path: str, doc_id: str, meta: Meta, lines: Lines, kinds: Mapping[str, str]
) -> list[Problem]:
    """Check that `recurs` names other existing lessons and that actions link to existing
    documents; `kinds` maps every known document id to its kind."""
    if not isinstance(meta, LessonMeta):
        return []
    problems = []
    several = len(meta.recurs) > 1
    for index, target in enumerate(meta.recurs):
        line = _line(lines, "recurs", index) if several else _line(lines, "recurs")
        kind = kinds.get(target)
        if target == doc_id:
            message = f"recurs: '{target}' is this lesson itself"
        elif kind is None:
            message = f"recurs: no document has the id '{target}'"
        elif kind != "lesson":
            message = f"recurs: '{target}' is a {kind}, not a lesson"
        else:
            continue
        problems.append(
            Problem(path, line, message, "give the id of the earlier lesson that happened again")
        )
    for index, action in enumerate(meta.actions):
        target = link_target(action.link)
        if target is None or target[0] in kinds:
            continue
        problems.append(
            Problem(
                path,
                _line(lines, "actions", index, "link"),
                f"actions.{index + 1}.link: no document has the id '{target[0]}'",
                "link a document id (optionally id#section) or an http(s):// address",
            )
        )
    return problems
