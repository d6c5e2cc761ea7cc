"""The content model: documents, their sections and training quizzes, as ingest produces them."""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.content.meta import Meta, ModuleMeta, NoMeta, QuizItem, StepMeta
from kb.content.taxonomy import Status


@dataclass(frozen=True)
class Section:
    """A heading-bounded chunk of a document: the unit of retrieval."""

    anchor: str
    heading: str
    level: int
    trail: tuple[str, ...]
    text: str
    line: int
    part: int = 0


@dataclass
class Document:
    """One Markdown file after ingest: metadata, the Markdown body and its sections."""

    id: str
    path: str
    title: str
    kind: str
    lang: str
    summary: str = ""
    tags: list[str] = field(default_factory=list)
    phases: list[str] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)
    owner: str = ""
    updated: str | None = None
    status: str = Status.PUBLISHED
    translation_of: str | None = None
    meta: Meta = field(default_factory=NoMeta)
    body: str = ""
    body_line: int = 1
    sections: list[Section] = field(default_factory=list)
    content_hash: str = ""
    # the front-matter line of each field path, as read from the file (not stored)
    source_lines: dict[tuple[str | int, ...], int] = field(
        default_factory=dict, repr=False, compare=False
    )

    @property
    def module_id(self) -> str | None:
        """The training module this document belongs to (itself for a module.md), else None."""
        return self.meta.module if isinstance(self.meta, ModuleMeta | StepMeta) else None

    @property
    def quiz(self) -> list[QuizItem]:
        """The quiz questions of a training step (empty for other documents)."""
        return list(self.meta.quiz) if isinstance(self.meta, StepMeta) else []
