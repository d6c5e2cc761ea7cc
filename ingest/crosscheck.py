"""Checks across documents: duplicate ids, translations, module prerequisites and step numbering."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ingest.references import lesson_reference_problems
from kb.content.meta import Meta, ModuleMeta, StepMeta
from kb.content.problems import Problem, Severity


@dataclass(frozen=True)
class DocInfo:
    """The facts about one document that the cross-document checks look at."""

    id: str
    path: str
    kind: str
    lang: str
    translation_of: str | None
    meta: Meta
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)


def check_translations(docs: list[DocInfo]) -> list[Problem]:
    """A `translation_of` must name an existing document in the other language."""
    by_id = {doc.id: doc for doc in docs}
    problems = []
    for doc in docs:
        if not doc.translation_of:
            continue
        target = by_id.get(doc.translation_of)
        if target is None:
            problems.append(
                Problem(
                    doc.path,
                    1,
                    f"translation_of: no document has the id '{doc.translation_of}'",
                    _missing_translation_hint(doc),
                    Severity.WARNING,
                )
            )
        elif target.lang == doc.lang:
            problems.append(
                Problem(
                    doc.path,
                    1,
                    f"translation_of: '{target.id}' is in the same language ({doc.lang})",
                    "link a document to its version in the other language",
                    Severity.WARNING,
                )
            )
    return problems


def _missing_translation_hint(doc: DocInfo) -> str:
    if isinstance(doc.meta, StepMeta):
        return (
            "a step of a translated module pairs with the step of the same file name in the"
            " other module: add that step, rename this one to match, or give it its own"
            " `translation_of`"
        )
    return "give the id of the same document in the other language, or remove the field"


def check_lessons(docs: list[DocInfo]) -> list[Problem]:
    """A lesson's `recurs` must name other lessons and its actions' links existing documents."""
    kinds = {doc.id: doc.kind for doc in docs}
    problems = []
    for doc in docs:
        problems.extend(lesson_reference_problems(doc.path, doc.id, doc.meta, doc.lines, kinds))
    return problems


def check_modules(docs: list[DocInfo]) -> list[Problem]:
    """Prerequisites must exist and form no cycle; steps must be numbered 01.. without gaps."""
    modules = {doc.id: doc for doc in docs if isinstance(doc.meta, ModuleMeta)}
    problems: list[Problem] = []
    for module in modules.values():
        for prerequisite in module.meta.prerequisites:
            if prerequisite not in modules:
                problems.append(
                    Problem(
                        module.path,
                        1,
                        f"prerequisite '{prerequisite}' is not a training module",
                        f"use the id of a module: {', '.join(sorted(modules)) or '(none yet)'}",
                    )
                )
    problems.extend(_cycles(modules))
    steps: dict[str, list[DocInfo]] = defaultdict(list)
    for doc in docs:
        if isinstance(doc.meta, StepMeta):
            steps[doc.meta.module].append(doc)
    for module_id, module_steps in steps.items():
        numbers = sorted(step.meta.step for step in module_steps)
        expected = list(range(1, len(numbers) + 1))
        if numbers != expected:
            where = modules[module_id].path if module_id in modules else module_steps[0].path
            problems.append(
                Problem(
                    where,
                    1,
                    f"the steps of module '{module_id}' are numbered {numbers}, not 1..{len(numbers)}",
                    "number the step files 01-, 02-, 03-… without gaps or repeats",
                )
            )
    return problems


def _cycles(modules: dict[str, DocInfo]) -> list[Problem]:
    state: dict[str, int] = {}
    problems: list[Problem] = []

    def visit(module_id: str, trail: list[str]) -> None:
        state[module_id] = 1
        for prerequisite in modules[module_id].meta.prerequisites:
            if prerequisite not in modules:
                continue
            if state.get(prerequisite) == 1:
                cycle = trail[trail.index(prerequisite) :] + [prerequisite]
                problems.append(
                    Problem(
                        modules[module_id].path,
                        1,
                        f"prerequisites form a cycle: {' → '.join(cycle)}",
                        "remove one of these prerequisites so a learner can start somewhere",
                    )
                )
            elif prerequisite not in state:
                visit(prerequisite, trail + [prerequisite])
        state[module_id] = 2

    for module_id in sorted(modules):
        if module_id not in state:
            visit(module_id, [module_id])
    return problems
