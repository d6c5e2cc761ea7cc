"""The records the indexes are built from: one per section, with its document's facets."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.insights.actions import recurring_ids
from kb.store.tables import DocumentRow, SectionRow

FACETS = ("kind", "lang", "status", "phase", "area", "tag", "recurring")
RECURRING = "1"  # the value of the `recurring` facet: the lesson is part of a recurrence


def facet_filters(**values: Iterable[object]) -> dict[str, list[str]]:
    """Return the search filters {facet: [values]} from facet keyword arguments, empty ones left out."""
    unknown = set(values) - set(FACETS)
    if unknown:
        raise ValueError(f"unknown facets {sorted(unknown)}: use {', '.join(FACETS)}")
    return {facet: [str(v) for v in items] for facet, items in values.items() if items}


@dataclass(frozen=True)
class SectionRecord:
    """A section as the indexes see it: ids, texts to index, and filterable facets."""

    sid: int
    doc_id: str
    title: str
    heading: str
    trail: tuple[str, ...]
    text: str
    text_hash: str
    kind: str
    lang: str
    status: str
    phases: tuple[str, ...]
    areas: tuple[str, ...]
    tags: tuple[str, ...]
    anchor: str = ""
    level: int = 0
    path: str = ""
    summary: str = ""
    translation_of: str | None = None
    recurring: bool = False  # a lesson that recurred, or that says it recurs another

    def facet_values(self, facet: str) -> tuple[str, ...]:
        """Return this section's values of a facet (phase, area and tag have several)."""
        return {
            "kind": (self.kind,),
            "lang": (self.lang,),
            "status": (self.status,),
            "phase": self.phases,
            "area": self.areas,
            "tag": self.tags,
            "recurring": (RECURRING,) if self.recurring else (),
        }[facet]

    def embedding_text(self) -> str:
        """Return the text embedded for this section: title, heading trail and text."""
        context = [self.title] + [h for h in self.trail if h != self.title]
        return "\n".join([" › ".join(context), self.text])


def load_records(session: Session) -> list[SectionRecord]:
    """Read every section of the catalog with its document's facets, ordered by section id."""
    rows = session.execute(
        select(
            SectionRow.id,
            SectionRow.doc_id,
            DocumentRow.title,
            SectionRow.heading,
            SectionRow.trail,
            SectionRow.text,
            SectionRow.text_hash,
            DocumentRow.kind,
            DocumentRow.lang,
            DocumentRow.status,
            DocumentRow.phases,
            DocumentRow.areas,
            DocumentRow.tags,
            SectionRow.anchor,
            SectionRow.level,
            DocumentRow.path,
            DocumentRow.summary,
            DocumentRow.translation_of,
        )
        .join(DocumentRow, DocumentRow.id == SectionRow.doc_id)
        .order_by(SectionRow.id)
    )
    recurring = recurring_ids(session)
    return [
        SectionRecord(
            sid=row[0],
            doc_id=row[1],
            title=row[2],
            heading=row[3],
            trail=tuple(row[4] or ()),
            text=row[5],
            text_hash=row[6],
            kind=row[7],
            lang=row[8],
            status=row[9],
            phases=tuple(row[10] or ()),
            areas=tuple(row[11] or ()),
            tags=tuple(str(t).lower() for t in row[12] or ()),
            anchor=row[13],
            level=row[14],
            path=row[15],
            summary=row[16] or "",
            translation_of=row[17],
            recurring=row[1] in recurring,
        )
        for row in rows
    ]


def save_records(records: list[SectionRecord], path: Path) -> None:
    """Write the records an index generation was built from, so it serves them as a snapshot."""
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(asdict(record), ensure_ascii=False) + "\n")


def read_records(path: Path) -> list[SectionRecord]:
    """Read records written by save_records."""
    with open(path, encoding="utf-8") as handle:
        return [_from_json(json.loads(line)) for line in handle if line.strip()]


def _from_json(data: dict) -> SectionRecord:
    for name in ("trail", "phases", "areas", "tags"):
        data[name] = tuple(data[name])
    return SectionRecord(**data)
