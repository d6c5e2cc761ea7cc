"""A content folder beside a shared catalog (PostgreSQL, several replicas): which catalog
documents `kb ingest --prune` would remove, and whether the folder looks like the folder of a
replica that does not author the content — one that lacks more than half of the catalog's
documents — from which nothing may be pruned."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingest.pipeline import load_content, missing_documents
from kb.store import catalog
from kb.store.database import Database

MOST_MISSING = 0.5  # more than this share of the catalog without a file here: a replica's folder


def lacks_most_of_catalog(missing: int, catalogued: int) -> bool:
    """Tell whether a folder lacking `missing` of the catalog's `catalogued` documents looks like
    a non-authoring replica's (or a wrong --content): more than half of them have no file."""
    return catalogued > 0 and missing > catalogued * MOST_MISSING


@dataclass(frozen=True)
class PlannedRemovals:
    """The catalog documents with no file in the folder, out of how many the catalog holds."""

    ids: tuple[str, ...]
    catalogued: int

    @property
    def from_replica_folder(self) -> bool:
        """Tell whether the folder looks like a non-authoring replica's (see the module)."""
        return lacks_most_of_catalog(len(self.ids), self.catalogued)


def planned_removals(database: Database, root: Path, max_bytes: int) -> PlannedRemovals:
    """Return what `kb ingest --prune` would take out of the catalog, changing nothing."""
    with database.reading() as session:
        known = catalog.entries(session)
    result = load_content(root, max_bytes, known)
    return PlannedRemovals(tuple(missing_documents(known, result)), len(known))
