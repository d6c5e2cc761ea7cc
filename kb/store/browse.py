"""Browsing the published catalog: counts by phase, area and kind, recent lessons, templates."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.content.meta import StepMeta
from kb.content.taxonomy import Area, Kind, Phase, Status
from kb.store.tables import DocumentRow


@dataclass(frozen=True)
class Overview:
    """Published document counts per phase, area and kind."""

    phases: dict[str, int]
    areas: dict[str, int]
    kinds: dict[str, int]
    total: int


def overview(session: Session, lang: str | None = None) -> Overview:
    """Count published documents (training steps excluded) by phase, area and kind."""
    query = select(DocumentRow.kind, DocumentRow.phases, DocumentRow.areas, DocumentRow.meta).where(
        DocumentRow.status == Status.PUBLISHED
    )
    if lang:
        query = query.where(DocumentRow.lang == lang)
    phases: Counter[str] = Counter()
    areas: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    total = 0
    for kind, doc_phases, doc_areas, meta in session.execute(query):
        if isinstance(meta, StepMeta):
            continue
        total += 1
        kinds[kind] += 1
        phases.update(doc_phases or [])
        areas.update(doc_areas or [])
    return Overview(
        phases={p.value: phases.get(p.value, 0) for p in Phase},
        areas={a.value: areas.get(a.value, 0) for a in Area},
        kinds={k.value: kinds.get(k.value, 0) for k in Kind},
        total=total,
    )


def documents_where(
    session: Session,
    kind: str | None = None,
    phase: str | None = None,
    area: str | None = None,
    lang: str | None = None,
    limit: int = 200,
) -> list[DocumentRow]:
    """Return published documents (not training steps) matching the facets, newest first."""
    query = select(DocumentRow).where(DocumentRow.status == Status.PUBLISHED)
    if kind:
        query = query.where(DocumentRow.kind == kind)
    if lang:
        query = query.where(DocumentRow.lang == lang)
    rows = [
        row
        for row in session.scalars(
            query.order_by(DocumentRow.updated.desc().nulls_last(), DocumentRow.title)
        )
        if not isinstance(row.meta, StepMeta)
        and (phase is None or phase in (row.phases or []))
        and (area is None or area in (row.areas or []))
    ]
    return rows[:limit]
