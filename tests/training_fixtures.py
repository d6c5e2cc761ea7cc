"""A small training course for tests: a basics module and an advanced one that requires it."""

from __future__ import annotations

from kb.settings import Settings
from kb.store.database import Database
from search.embedders import EmbedderPool
from search.service import ingest_and_index


def step(title: str, quiz: str = "") -> str:
    """Return a step file with an optional quiz block (YAML list items)."""
    quiz_block = f"quiz:\n{quiz}" if quiz else ""
    return f"---\ntitle: {title}\nsummary: {title}.\n{quiz_block}---\n\n## {title}\n\nText of {title}.\n"


QUESTION = """  - question: "{q}"
    choices: ["{a}", "{b}", "{c}"]
    answer: {answer}
    explanation: "{why}"
"""


def question(q: str, answer: int, why: str = "Because the step says so.", hint: str = "") -> str:
    """Return one quiz question (three choices A/B/C) as YAML, with a hint if given."""
    text = QUESTION.format(q=q, a=f"{q} A", b=f"{q} B", c=f"{q} C", answer=answer, why=why)
    return text + (f'    hint: "{hint}"\n' if hint else "")


BASICS = """---
id: training-basics
title: Basics of the process
kind: training
lang: en
summary: The basics.
phase: [initiating]
objectives: [Know the basics]
prerequisites: []
estimated_minutes: 20
pass_mark: 60
---
The basics module.
"""
ADVANCED = """---
id: training-advanced
title: Advanced topics
kind: training
lang: en
summary: Advanced.
phase: [planning]
objectives: [Know more]
prerequisites: [training-basics]
estimated_minutes: 10
pass_mark: 100
---
The advanced module.
"""
COURSE = {
    "training/basics/module.md": BASICS,
    # step 1: two questions (answers 2 and 3); step 2: one question (answer 1); step 3: no quiz
    "training/basics/01-intro.md": step(
        "Intro",
        question("Who signs the charter", 2, hint="Think of who pays for the project.")
        + question("When is gate one", 3),
    ),
    "training/basics/02-more.md": step("More", question("What is a WBS", 1)),
    "training/basics/03-wrap-up.md": step("Wrap up"),
    "training/advanced/module.md": ADVANCED,
    "training/advanced/01-only.md": step("Only step", question("What is a baseline", 2)),
}


def write(settings: Settings, files: dict[str, str]) -> None:
    """Write content files into the settings' content folder."""
    for rel, text in files.items():
        path = settings.content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def build_course(settings: Settings, database: Database, files: dict[str, str] = COURSE) -> None:
    """Write the course and ingest it (with the fake embedder)."""
    write(settings, files)
    ingest_and_index(settings, database, EmbedderPool(settings.embedders, settings.threads))
