"""The ingest pipeline: discover → read → build → cross-check → sync the catalog in one transaction."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.build import BuildContext, build_document, content_hash, default_id
from ingest.crosscheck import DocInfo, check_lessons, check_modules, check_translations
from ingest.discover import SourceFile, discover
from ingest.frontmatter import FrontMatterError, split_front_matter
from ingest.reader import ReadError, decode_markdown, read_bytes
from kb.content.model import Document
from kb.content.problems import Problem, Severity
from kb.store import catalog
from kb.store.database import Database

MODULE_FILE = "module.md"
Progress = Callable[[Iterable[SourceFile]], Iterable[SourceFile]]


@dataclass
class LoadResult:
    """What reading the content folder found: changed documents, unchanged paths, problems."""

    changed: list[Document] = field(default_factory=list)
    unchanged: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """Return the problems that are errors (not warnings)."""
        return [p for p in self.problems if p.severity == Severity.ERROR]


@dataclass
class IngestReport:
    """The summary `kb ingest` prints."""

    documents: int
    sections: int
    added: list[str]
    updated: list[str]
    removed: list[str]
    unchanged: int
    problems: list[Problem]
    seconds: float
    kept: list[str] = field(default_factory=list)  # in the catalog, no file here, not pruned

    @property
    def errors(self) -> list[Problem]:
        """Return the problems that are errors."""
        return [p for p in self.problems if p.severity == Severity.ERROR]


def load_content(
    root: Path,
    max_bytes: int,
    known: dict[str, catalog.CatalogEntry] | None = None,
    progress: Progress | None = None,
) -> LoadResult:
    """Read and build every changed file under root; files whose hash is known are skipped."""
    known = known or {}
    files, problems = discover(root)
    result = LoadResult(problems=problems)
    contexts = _module_contexts(root, files, max_bytes, result)
    for source in progress(files) if progress else files:
        result.seen.add(source.rel)
        context, context_hash = contexts.get(source.rel.rsplit("/", 1)[0], (BuildContext(), ""))
        if source.rel.endswith("/" + MODULE_FILE) or source.rel == MODULE_FILE:
            context = BuildContext(context.module_id, context.module_data, is_module=True)
        try:
            raw = read_bytes(source.path, source.rel, max_bytes)
            digest = content_hash(raw, context_hash)
            entry = known.get(source.rel)
            if entry is not None and entry.content_hash == digest:
                result.unchanged.add(source.rel)
                continue
            text = decode_markdown(raw, source.rel)
        except ReadError as error:
            result.problems.append(error.problem)
            result.failed.add(source.rel)
            continue
        except OSError as error:
            result.problems.append(
                Problem(
                    source.rel, 1, f"cannot read the file: {error.strerror}", "check permissions"
                )
            )
            result.failed.add(source.rel)
            continue
        built = build_document(source.rel, text, context)
        result.problems.extend(built.problems)
        if built.document is None:
            result.failed.add(source.rel)
            continue
        built.document.content_hash = digest
        result.changed.append(built.document)
    return result


def _module_contexts(
    root: Path, files: list[SourceFile], max_bytes: int, result: LoadResult
) -> dict[str, tuple[BuildContext, str]]:
    """Read each training module's module.md so its steps can inherit from it."""
    contexts: dict[str, tuple[BuildContext, str]] = {}
    for source in files:
        if source.rel.rsplit("/", 1)[-1] != MODULE_FILE:
            continue
        folder = source.rel.rsplit("/", 1)[0] if "/" in source.rel else ""
        try:
            raw = read_bytes(source.path, source.rel, max_bytes)
            data = split_front_matter(decode_markdown(raw, source.rel), source.rel).data
        except (ReadError, FrontMatterError, OSError):
            data, raw = {}, b""
        module_id = str(data.get("id") or default_id(folder or "module"))
        context = BuildContext(module_id=module_id, module_data=data)
        contexts[folder] = (context, hashlib.sha256(raw).hexdigest())
    return contexts


def cross_check(
    result: LoadResult, known: dict[str, catalog.CatalogEntry], keep_missing: bool = False
) -> list[DocInfo]:
    """Reject duplicate ids and check translations and modules across old and new documents
    (with `keep_missing`, also the catalog's documents that have no file here and stay)."""
    changed_paths = {doc.path for doc in result.changed}
    changed_ids = {doc.id for doc in result.changed}
    infos: dict[str, DocInfo] = {}
    owners: dict[str, str] = {}
    for entry in known.values():
        unchanged = entry.path in result.seen and entry.path not in changed_paths
        kept = (
            keep_missing
            and entry.path not in result.seen
            and entry.path not in result.failed
            and entry.id not in changed_ids
        )
        if unchanged or kept:
            info = DocInfo(
                entry.id, entry.path, entry.kind, entry.lang, entry.translation_of, entry.meta
            )
            infos[info.id] = info
            owners[info.id] = info.path
    accepted = []
    for doc in sorted(result.changed, key=lambda d: (known.get(d.path) is None, d.path)):
        if doc.id in owners and owners[doc.id] != doc.path:
            result.problems.append(
                Problem(
                    doc.path,
                    1,
                    f"the id '{doc.id}' is already used by {owners[doc.id]}",
                    "give this document its own id (ids must be unique)",
                )
            )
            result.failed.add(doc.path)
            continue
        owners[doc.id] = doc.path
        infos[doc.id] = DocInfo(
            doc.id, doc.path, doc.kind, doc.lang, doc.translation_of, doc.meta, doc.source_lines
        )
        accepted.append(doc)
    result.changed = accepted
    all_docs = list(infos.values())
    result.problems.extend(check_translations(all_docs))
    result.problems.extend(check_modules(all_docs))
    result.problems.extend(check_lessons(all_docs))
    return all_docs


def check_content(root: Path, max_bytes: int, progress: Progress | None = None) -> LoadResult:
    """Validate a content folder without touching the catalog (what `kb check` runs)."""
    result = load_content(root, max_bytes, progress=progress)
    cross_check(result, {})
    return result


def missing_documents(known: dict[str, catalog.CatalogEntry], result: LoadResult) -> list[str]:
    """Return the ids of the catalog's documents that have no file in the folder (not those
    whose file failed to load, nor those that moved to another path)."""
    changed_ids = {doc.id for doc in result.changed}
    return [
        entry.id
        for path, entry in known.items()
        if path not in result.seen and path not in result.failed and entry.id not in changed_ids
    ]


def ingest(
    database: Database,
    root: Path,
    max_bytes: int,
    progress: Progress | None = None,
    prune: bool = True,
    removable: Collection[str] | None = None,
) -> IngestReport:
    """Bring the catalog in line with the content folder in one transaction.

    A catalog document with no file in the folder is removed, or with `prune` off kept and
    reported (a replica's folder lacks what was published on another replica). With
    `removable`, only those documents may be removed (what the operator confirmed); one that
    went missing since is kept.
    """
    started = time.perf_counter()
    with database.session() as session:
        known = catalog.entries(session)
        result = load_content(root, max_bytes, known, progress)
        cross_check(result, known, keep_missing=not prune)
        missing = missing_documents(known, result)
        allowed = set(missing if removable is None else removable) if prune else set()
        removed = [doc_id for doc_id in missing if doc_id in allowed]
        kept = [doc_id for doc_id in missing if doc_id not in allowed]
        for doc_id in removed:
            catalog.remove(session, doc_id)
        session.flush()
        added, updated = [], []
        by_path = {entry.path: entry for entry in known.values()}
        for document in result.changed:
            previous = by_path.get(document.path)
            if previous is not None and previous.id != document.id:
                catalog.remove(session, previous.id)
                session.flush()
            moved = next((e for e in known.values() if e.id == document.id), None)
            (updated if moved is not None else added).append(document.id)
            catalog.upsert(session, document)
        session.flush()
        documents, sections = catalog.counts(session)
    return IngestReport(
        documents=documents,
        sections=sections,
        added=added,
        updated=updated,
        removed=removed,
        unchanged=len(result.unchanged),
        problems=sorted(result.problems, key=lambda p: (p.path, p.line)),
        seconds=time.perf_counter() - started,
        kept=kept,
    )


def content_problems(root: Path, max_bytes: int) -> list[Problem]:
    """Return every validation problem of the content folder (what `kb check` reports), errors first."""
    result = check_content(root, max_bytes)
    return sorted(result.problems, key=lambda p: (p.severity != "error", p.path, p.line))


def content_signature(root: Path) -> str:
    """Return a fingerprint of the content folder's files (names, sizes, modification times)."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


class ProblemsCache:
    """The content folder's validation problems, re-checked only when a file has changed."""

    def __init__(self) -> None:
        self._signature: str | None = None
        self._problems: list[Problem] = []

    def problems(self, root: Path, max_bytes: int) -> list[Problem]:
        """Return the problems, validating again only if the folder changed since last time."""
        signature = content_signature(root)
        if signature != self._signature:
            self._problems = content_problems(root, max_bytes)
            self._signature = signature
        return self._problems
