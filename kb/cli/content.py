"""The content commands: load the content folder (ingest), check it, list the catalog (docs)."""

from __future__ import annotations

import json
import sys

import click

from kb.cli.common import (
    bar,
    fail,
    has_store,
    open_store,
    print_problems,
    progress,
    require_content,
    with_settings,
)
from kb.content.problems import Severity
from kb.settings import Settings


@click.command()
@click.option("--rebuild", is_flag=True, help="Rebuild every index from scratch (new generation).")
@click.option(
    "--prune/--keep-missing",
    default=None,
    help="Remove catalog documents that have no file in the content folder. Default: on with "
    "SQLite (one host, the folder is complete); off with a shared database, whose documents may "
    "have been published on another replica — there it says how many it removes and asks first, "
    "and refuses when this folder lacks more than half of the catalog.",
)
@click.option("--yes", is_flag=True, help="With --prune on a shared database: do not ask.")
@click.option(
    "--keyword-first",
    is_flag=True,
    help="Build only the keyword index now if the vectors are out of date (seconds, no model); "
    "`kb serve` then builds the semantic legs in the background (what `make run` does).",
)
@with_settings
def ingest(
    settings: Settings, rebuild: bool, prune: bool | None, yes: bool, keyword_first: bool
) -> None:
    """Load the content folder into the catalog and update the search indexes incrementally."""
    from ingest.shared_catalog import lacks_most_of_catalog
    from search.embedders import EmbedderPool
    from search.service import ingest_and_index

    require_content(settings)
    database = open_store(settings)
    shared = database.dialect != "sqlite"
    if prune is None:
        prune = not shared
    removable = confirmed_removals(settings, database, yes) if prune and shared else None
    pool = EmbedderPool(settings.embedders, settings.threads)
    report, index = ingest_and_index(
        settings,
        database,
        pool,
        rebuild,
        progress("ingest"),
        bar,
        prune=prune,
        defer_vectors=keyword_first,
        removable=removable,
    )
    print_problems(report.problems)
    if report.kept and lacks_most_of_catalog(len(report.kept), report.documents):
        click.echo(
            f"kept {len(report.kept)} documents of the shared catalog of {report.documents} that "
            f"have no file in {settings.content}: this folder lacks most of the catalog, like a "
            "replica's that does not author the content, so that is expected (they are removed "
            "on the replica that authors them)."
        )
    elif report.kept:
        click.echo(
            f"kept {len(report.kept)} documents of the shared catalog that have no file in "
            f"{settings.content} (published on another replica, or deleted here): "
            f"{', '.join(report.kept[:5])}{' …' if len(report.kept) > 5 else ''}. "
            "Run `kb ingest --prune` to remove them (it says how many and asks first)."
        )
    click.echo(
        f"{report.documents} documents, {report.sections} sections in the catalog · "
        f"added {len(report.added)}, updated {len(report.updated)}, removed {len(report.removed)}, "
        f"unchanged {report.unchanged} · {len(report.errors)} errors, "
        f"{len(report.problems) - len(report.errors)} warnings · {report.seconds:.2f} s"
    )
    click.echo(
        f"indexes: generation {index.generation} · {'rebuilt' if index.rebuilt else 'updated'}: "
        f"+{index.added} −{index.removed} sections, {index.embedded_texts} texts embedded · "
        f"{index.seconds:.2f} s"
    )
    from kb.store.hidden import hidden_documents

    with database.reading() as session:
        for line in hidden_documents(session).lines():
            click.echo(line)
    if keyword_first and report.documents:
        from search.index.generations import GenerationStore
        from search.index.indexer import serves_vectors

        if not serves_vectors(GenerationStore(settings.index_root), settings.embedders):
            click.echo(
                "semantic search: not built yet — `kb serve` builds it in the background while "
                "keyword search answers (or run `kb ingest` to build it now)"
            )
    if report.errors:
        click.echo("Files with errors were not (re)loaded; fix them and run `kb ingest` again.")
        sys.exit(1)


def confirmed_removals(settings: Settings, database, yes: bool) -> tuple[str, ...]:
    """Say which documents `--prune` would remove from the shared catalog and have it confirmed
    (or --yes); refuse, changing nothing, when the folder lacks most of the catalog."""
    from ingest.shared_catalog import MOST_MISSING, planned_removals

    plan = planned_removals(database, settings.content, settings.max_file_bytes)
    if not plan.ids:
        return ()
    count = f"{len(plan.ids)} of the {plan.catalogued} documents of the shared catalog"
    if plan.from_replica_folder:
        fail(
            f"--prune would remove {count}: they have no file in {settings.content}, which lacks "
            f"more than {MOST_MISSING:.0%} of the catalog, like the folder of a replica that does "
            "not author the content; nothing was changed",
            "run `kb ingest` without --prune here (it keeps them); prune only on the replica "
            "whose content folder has the documents, or point --content (KB_CONTENT) at it",
        )
    shown = ", ".join(plan.ids[:10]) + (" …" if len(plan.ids) > 10 else "")
    click.echo(
        f"--prune will remove {count}, whose files are not in {settings.content} (readers on "
        f"every replica stop seeing them): {shown}"
    )
    if yes:
        return plan.ids
    if not sys.stdin.isatty():
        fail(
            "removing documents from the shared catalog needs a confirmation; nothing was changed",
            "run it on a terminal to be asked, or add --yes",
        )
    if not click.confirm("Remove them?", default=False):
        fail("not confirmed; nothing was changed", "`kb ingest --keep-missing` keeps them")
    return plan.ids


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@with_settings
def check(settings: Settings, as_json: bool) -> None:
    """Validate the content folder, and check that files, catalog, workflow and search index
    agree (once ingested), without changing anything; exit 1 on errors."""
    from ingest.pipeline import check_content

    require_content(settings)
    result = check_content(settings.content, settings.max_file_bytes, progress("check"))
    problems = sorted(result.problems, key=lambda p: (p.path, p.line))
    store = []
    if has_store(settings):
        from search.index.consistency import disagreements
        from search.index.generations import GenerationStore

        database = open_store(settings, recover=False)
        store = disagreements(
            database, settings.content, settings.max_file_bytes,
            GenerationStore(settings.index_root), settings.embedders,
        )  # fmt: skip
        database.close()
    everything = problems + store
    errors = sum(1 for p in everything if p.severity == Severity.ERROR)
    warnings = len(everything) - errors
    from kb.store.hidden import HiddenDocument, HiddenReport

    hidden = HiddenReport.of(
        HiddenDocument(d.id, d.path, d.title, d.status) for d in result.changed
    )
    if as_json:
        click.echo(json.dumps([p.as_dict() for p in everything], ensure_ascii=False, indent=2))
    else:
        print_problems(everything)
        total = len(result.changed) + len(result.failed)
        agree = f" · {len(store)} disagreements of files, catalog, workflow and index"
        for line in hidden.lines():
            click.echo(line)
        click.echo(
            f"{total} files checked · {errors} errors, {warnings} warnings"
            + (f" · {len(hidden.documents)} hidden from readers" if hidden.documents else "")
            + (agree if has_store(settings) else "")
        )
    sys.exit(1 if errors else 0)


@click.command()
@click.option("--kind", help="Only documents of this kind.")
@click.option("--lang", help="Only documents in this language (zh, en).")
@click.option("--status", multiple=True, help="Only documents with this status (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_settings
def docs(
    settings: Settings, kind: str | None, lang: str | None, status: tuple[str, ...], as_json: bool
) -> None:
    """List the documents in the catalog (with --status, the editor's drafts and reviews too)."""
    from kb.curation import workflow
    from kb.store import catalog

    database = open_store(settings)
    with database.session() as session:
        everything = [
            {
                "id": r.id,
                "path": r.path,
                "title": r.title,
                "kind": r.kind,
                "lang": r.lang,
                "status": r.status,
                "phases": r.phases,
                "areas": r.areas,
                "sections": len(r.sections),
            }
            for r in catalog.list_documents(session, kind=kind, lang=lang)
        ]
    items = [item for item in everything if not status or item["status"] in status]
    if status:
        items += _workflow_items(workflow.states(database, *status), items, everything, kind, lang)
    if as_json:
        click.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    if not items:
        if status:
            wanted = " or ".join(status)
            click.echo(f"No documents with status {wanted} ({len(everything)} with other ones).")
        elif kind or lang:
            click.echo("No documents of that kind or language.")
        else:
            click.echo("The catalog is empty: run `kb ingest` first.")
        return
    for item in items:
        click.echo(
            f"{item['id']:<50} {item['kind']:<9} {item['lang']:<3} {item['status']:<10} "
            f"{item['title']}"
        )
    click.echo(f"{len(items)} documents")


def _workflow_items(states, listed: list[dict], catalogued: list[dict], kind, lang) -> list[dict]:
    """Return the editor's drafts and documents in review that the catalog rows do not already
    list (a new draft has no catalog row; a published document being edited has one)."""
    seen = {item["id"] for item in listed}
    by_id = {item["id"]: item for item in catalogued}
    items = []
    for state in states:
        row = by_id.get(state.doc_id)
        if state.doc_id in seen or ((kind or lang) and row is None):
            continue
        blank = {"path": "", "kind": "-", "lang": "-", "phases": [], "areas": [], "sections": 0}
        items.append(
            {
                **blank,
                **(row or {}),
                "id": state.doc_id,
                "path": state.path or (row or blank)["path"],
                "title": state.title or (row or {}).get("title", ""),
                "status": state.state,
            }
        )
    return items


COMMANDS = (ingest, check, docs)
