"""What changed in the published catalog: documents new or updated since a time, filtered by
facets — the one query behind the Atom feeds, "new since your last visit" and the digest."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.content.meta import StepMeta
from kb.content.taxonomy import Area, Kind, Lang, Phase, Status, allowed
from kb.store.tables import DocumentRow

VOCABULARIES = {"kind": Kind, "phase": Phase, "area": Area, "lang": Lang}
MAX_TAG_CHARS = 60
MAX_VALUES = 20  # values of one facet in one request


@dataclass(frozen=True)
class Change:
    """A published document as a feed entry: when it was first published and last changed."""

    id: str
    title: str
    kind: str
    lang: str
    summary: str
    phases: tuple[str, ...]
    areas: tuple[str, ...]
    tags: tuple[str, ...]
    owner: str
    published_at: dt.datetime
    changed_at: dt.datetime

    def is_new_since(self, since: dt.datetime | None) -> bool:
        """Tell whether the document was first published after `since` (else it was updated)."""
        return since is None or self.published_at > since


class FilterError(ValueError):
    """A filter value that is not in its vocabulary; the message names the allowed values."""


def check_filters(filters: dict[str, list[str]]) -> dict[str, list[str]]:
    """Return the filters {facet: [values]} validated (tags lower-cased), or raise FilterError."""
    checked: dict[str, list[str]] = {}
    for facet, values in filters.items():
        values = [v.strip() for v in values if v.strip()]
        if not values:
            continue
        if len(values) > MAX_VALUES:
            raise FilterError(f"at most {MAX_VALUES} values of '{facet}' at once")
        if facet == "tag":
            too_long = [v for v in values if len(v) > MAX_TAG_CHARS]
            if too_long:
                raise FilterError(f"a tag is at most {MAX_TAG_CHARS} characters")
            checked[facet] = [v.lower() for v in values]
            continue
        vocabulary = VOCABULARIES.get(facet)
        if vocabulary is None:
            raise FilterError(f"unknown filter '{facet}': use kind, phase, area, tag or lang")
        known = {member.value for member in vocabulary}
        for value in values:
            if value not in known:
                raise FilterError(f"unknown {facet} '{value}': use one of {allowed(vocabulary)}")
        checked[facet] = values
    return checked


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.replace(tzinfo=dt.UTC) if moment and moment.tzinfo is None else moment


def _values(row: DocumentRow, facet: str) -> set[str]:
    return {
        "kind": {row.kind},
        "lang": {row.lang},
        "phase": set(row.phases or ()),
        "area": set(row.areas or ()),
        "tag": {str(t).lower() for t in row.tags or ()},
    }[facet]


def _matches(row: DocumentRow, filters: dict[str, list[str]], any_facet: bool) -> bool:
    """All facets must match (feeds), or any one of them (a watch list); OR within a facet."""
    if not filters:
        return True
    hits = (bool(_values(row, facet) & set(values)) for facet, values in filters.items())
    return any(hits) if any_facet else all(hits)


def changed_documents(
    session: Session,
    since: dt.datetime | None = None,
    filters: dict[str, list[str]] | None = None,
    any_facet: bool = False,
    limit: int = 50,
) -> list[Change]:
    """Return published documents (not training steps) changed after `since`, newest change
    first, matching the filters (validated ones: see check_filters)."""
    query = select(DocumentRow).where(DocumentRow.status == Status.PUBLISHED)
    if since is not None:
        query = query.where(DocumentRow.changed_at > since)
    query = query.order_by(DocumentRow.changed_at.desc(), DocumentRow.id)
    out: list[Change] = []
    for row in session.scalars(query):
        if isinstance(row.meta, StepMeta) or not _matches(row, filters or {}, any_facet):
            continue
        changed = _aware(row.changed_at)
        out.append(
            Change(
                id=row.id,
                title=row.title,
                kind=row.kind,
                lang=row.lang,
                summary=row.summary or "",
                phases=tuple(row.phases or ()),
                areas=tuple(row.areas or ()),
                tags=tuple(row.tags or ()),
                owner=row.owner or "",
                published_at=_aware(row.published_at) or changed,
                changed_at=changed,
            )
        )
        if len(out) >= limit:
            break
    return out
