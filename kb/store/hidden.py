"""Documents readers do not see: every status but `published` (an imported site's `status:
draft`, a file left in review, an archived page) — counted by status, listed, with the fix."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.content.taxonomy import Status
from kb.store.tables import DocumentRow

LISTED = 10  # documents named in a summary; the rest are counted


@dataclass(frozen=True)
class HiddenDocument:
    """One document in the catalog (or the content folder) that readers do not see."""

    id: str
    path: str
    title: str
    status: str


@dataclass(frozen=True)
class HiddenReport:
    """The hidden documents, and how many there are of each status."""

    documents: list[HiddenDocument] = field(default_factory=list)

    @classmethod
    def of(cls, documents: Iterable[HiddenDocument]) -> HiddenReport:
        """Keep the documents whose status is not published, ordered by path."""
        hidden = [d for d in documents if d.status != Status.PUBLISHED]
        return cls(sorted(hidden, key=lambda d: d.path))

    @property
    def by_status(self) -> dict[str, int]:
        """Return {status: count}, the most frequent first."""
        return dict(Counter(d.status for d in self.documents).most_common())

    def lines(self, listed: int = LISTED) -> list[str]:
        """Say it for a terminal: how many and why, the first few, and how to publish them."""
        if not self.documents:
            return []
        why = ", ".join(
            f"{count} with status: {status}" for status, count in self.by_status.items()
        )
        lines = [f"{len(self.documents)} documents are hidden from readers ({why}):"]
        lines += [f"  {d.path}  (status: {d.status})" for d in self.documents[:listed]]
        if len(self.documents) > listed:
            statuses = " ".join(f"--status {s}" for s in self.by_status)
            lines.append(f"  … and {len(self.documents) - listed} more (all: kb docs {statuses})")
        lines.append(
            "  Readers see only documents with `status: published` (the default when the line is "
            "absent): to publish them, change or delete their `status:` line and run `kb ingest`."
        )
        return lines


def hidden_documents(session: Session) -> HiddenReport:
    """Return the catalog's documents that readers do not see."""
    rows = session.execute(
        select(DocumentRow.id, DocumentRow.path, DocumentRow.title, DocumentRow.status).where(
            DocumentRow.status != Status.PUBLISHED.value
        )
    )
    return HiddenReport.of(HiddenDocument(*row) for row in rows)
