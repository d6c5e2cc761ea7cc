"""Do the files, the catalog, the workflow and the serving index agree? What `kb check` reports
about a knowledge base that has been ingested: each disagreement with what to do about it.

Differences `kb ingest` settles as a matter of course (a file edited, added or deleted since the
last ingest) are warnings; states no normal step leaves behind (an interrupted publish, a
published document without its file, an index that is not the catalog's) are errors."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import select

from ingest.pipeline import load_content
from ingest.shared_catalog import lacks_most_of_catalog
from kb.content.problems import Problem, Severity
from kb.content.taxonomy import Status
from kb.curation import workflow
from kb.store import catalog
from kb.store.database import Database
from kb.store.tables import SectionRow
from search.index.generations import GenerationStore

INGEST = "run `kb ingest`"
WARNING = Severity.WARNING


def disagreements(
    database: Database, root: Path, max_bytes: int, store: GenerationStore, embedders: list[str]
) -> list[Problem]:
    """Return every disagreement between the content folder, catalog, workflow and index."""
    return [
        *_interrupted(database),
        *_files_and_catalog(database, root, max_bytes),
        *_workflow_and_files(database, root),
        *_catalog_and_index(database, store, embedders),
    ]


def _interrupted(database: Database) -> list[Problem]:
    return [
        Problem(
            intent.path,
            1,
            f"a {intent.action} of '{intent.doc_id}' by {intent.actor} was interrupted "
            f"(started {intent.started_at:%Y-%m-%d %H:%M} UTC); file, catalog and index may "
            "disagree until it is finished",
            f"{INGEST} or start `kb serve`: either completes it, or rolls it back when its "
            "approval no longer holds",
        )  # fmt: skip
        for intent in workflow.pending_intents(database)
    ]


def _files_and_catalog(database: Database, root: Path, max_bytes: int) -> list[Problem]:
    with database.reading() as session:
        known = catalog.entries(session)
    loaded = load_content(root, max_bytes, known)
    problems = []
    for document in loaded.changed:
        if document.path in known:
            message = "the file differs from the catalog (edited since the last ingest)"
        else:
            message = "the file is not in the catalog yet (readers and search do not see it)"
        problems.append(Problem(document.path, 1, message, INGEST, WARNING))
    shared = database.dialect != "sqlite"  # a replica's folder lacks what others published
    missing = {path: entry for path, entry in known.items() if path not in loaded.seen}
    if shared and lacks_most_of_catalog(len(missing), len(known)):
        problems.append(_replica_folder(root, len(missing), len(known)))
        return problems
    for path, entry in missing.items():
        problems.append(
            Problem(
                path,
                1,
                f"'{entry.id}' is in the catalog (readers see it) but its file is missing"
                + (" here (or it was published on another replica)" if shared else ""),
                "restore the file, or remove the document with `kb ingest --prune` on the "
                "replica that authors the content (it says how many it removes and asks first)"
                if shared
                else f"restore the file, or {INGEST} to take the document out of the catalog",
                WARNING,
            )  # fmt: skip
        )
    return problems


def _replica_folder(root: Path, missing: int, catalogued: int) -> Problem:
    return Problem(
        "(content folder)",
        1,
        f"{missing} of the {catalogued} documents of the shared catalog have no file in {root}: "
        "it lacks most of the catalog, like the folder of a replica that does not author the "
        "content (readers still see them all)",
        "nothing to do on this replica: documents are added and removed by `kb ingest` on the "
        "replica that authors the content; do not prune from this folder (`kb ingest --prune` "
        "refuses here); if it should be complete, point --content (KB_CONTENT) at the full folder",
        WARNING,
    )


def _workflow_and_files(database: Database, root: Path) -> list[Problem]:
    problems = []
    with database.reading() as session:
        known = {entry.id: entry for entry in catalog.entries(session).values()}
    for state in workflow.states(database, *Status):
        on_disk = bool(state.path) and (root / state.path).is_file()
        if state.live is not None and not on_disk and state.doc_id not in known:
            problems.append(
                Problem(
                    state.path or state.doc_id,
                    1,
                    f"'{state.doc_id}' is published in the workflow (revision {state.live}) "
                    "but has no file and is not in the catalog, so readers cannot find it",
                    f"{INGEST} to record it as unpublished, or restore revision {state.live} "
                    f"at /curate/history/{state.doc_id} and publish it again",
                )  # fmt: skip
            )
        elif state.state == workflow.ARCHIVED and on_disk and state.doc_id in known:
            problems.append(
                Problem(
                    state.path,
                    1,
                    f"'{state.doc_id}' was unpublished but its file is still there and "
                    "catalogued (readers see it)",
                    f"request unpublishing again at /curate/doc/{state.doc_id}, or delete the "
                    f"file and {INGEST}",
                )  # fmt: skip
            )
    return problems


def _catalog_and_index(
    database: Database, store: GenerationStore, embedders: list[str]
) -> list[Problem]:
    with database.reading() as session:
        rows = session.execute(select(SectionRow.id, SectionRow.doc_id, SectionRow.text_hash))
        wanted = {sid: (doc_id, digest) for sid, doc_id, digest in rows}
    current = store.current()
    if current is None:
        if not wanted:
            return []
        return [
            Problem("(index)", 1, "no search index has been built: search finds nothing", INGEST)
        ]
    problems = []
    if current.manifest.get("embedders") == [] and embedders:
        problems.append(
            Problem(
                "(index)",
                1,
                f"index generation {current.name} has only the keyword index: semantic search "
                "is not built yet",
                "`kb serve` builds it in the background while keyword search answers; or run "
                "`kb ingest` to build it now",
                WARNING,
            )
        )
    elif current.manifest.get("embedders") != embedders:
        problems.append(
            Problem(
                "(index)",
                1,
                f"index generation {current.name} was built for the models "
                f"{current.manifest.get('embedders')}, not the configured {embedders}",
                f"{INGEST} (it rebuilds the indexes for the configured models)",
                WARNING,
            )  # fmt: skip
        )
    indexed = current.sections
    missing = Counter(doc for sid, (doc, h) in wanted.items() if indexed.get(sid) != h)
    for doc_id, count in sorted(missing.items()):
        problems.append(
            Problem(
                f"(index) {doc_id}",
                1,
                f"'{doc_id}' is in the catalog but {count} of its sections are missing or out "
                f"of date in the serving index generation {current.name} (search cannot find it)",
                INGEST,
            )  # fmt: skip
        )
    extra = len(set(indexed) - set(wanted))
    if extra:
        problems.append(
            Problem(
                "(index)",
                1,
                f"the serving index generation {current.name} still has {extra} sections that "
                "are no longer in the catalog (search shows documents readers cannot open)",
                INGEST,
            )  # fmt: skip
        )
    return problems
