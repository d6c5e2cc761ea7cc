"""The `kb` command: the composition root that wires settings, store, ingest, search and web."""

from __future__ import annotations

import functools
import html
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kb.content.problems import Severity
from kb.settings import Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def with_settings(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --content and --data to a command and pass it the resulting Settings."""

    @click.option(
        "--content",
        type=click.Path(path_type=Path),
        default=None,
        help="Content folder (env KB_CONTENT, default ./content).",
    )
    @click.option(
        "--data",
        type=click.Path(path_type=Path),
        default=None,
        help="Data folder for the database and indexes (env KB_DATA, default ./data).",
    )
    @functools.wraps(command)
    def wrapper(content: Path | None, data: Path | None, **kwargs: Any) -> Any:
        overrides = {k: v for k, v in {"content": content, "data": data}.items() if v is not None}
        return command(Settings(**overrides), **kwargs)

    return wrapper


def progress(label: str):
    """Return a progress wrapper for an iterable (shown on a terminal, silent otherwise)."""
    from tqdm import tqdm

    def wrap(items):
        items = list(items)
        return tqdm(items, desc=label, unit="file", file=sys.stderr, disable=None, leave=False)

    return wrap


def echo_err(message: str) -> None:
    """Print a progress line to stderr (stdout stays for results)."""
    click.echo(message, err=True)


def fail(message: str, hint: str = "") -> None:
    """Print an error with what to do next and exit with status 2."""
    click.secho(f"error: {message}", fg="red", err=True)
    if hint:
        click.echo(f"  {hint}", err=True)
    sys.exit(2)


def require_content(settings: Settings) -> None:
    """Exit with a clear message when the content folder does not exist."""
    if not settings.content.is_dir():
        fail(
            f"content folder {settings.content} does not exist",
            "pass --content PATH or set KB_CONTENT to a folder of Markdown files",
        )


def open_store(settings: Settings, recover: bool = True):
    """Open the knowledge base's database with its schema brought to head (said on stderr when
    it changes): a damaged SQLite file, or a database newer than this code, is an error saying
    what to do; a publish that a killed process left half-done is finished first (unless not
    `recover`); it is closed when the command ends."""
    from kb.bootstrap import open_database
    from kb.store.database import DatabaseUnreachable
    from kb.store.integrity import DatabaseDamaged
    from kb.store.schema import SchemaTooNew, SchemaUpgradeFailed

    def note(change) -> None:
        if not change.created:
            click.echo(f"note: {change}", err=True)

    try:
        database = open_database(settings.db_url, report=note)
    except (DatabaseDamaged, DatabaseUnreachable, SchemaTooNew, SchemaUpgradeFailed) as error:
        fail(str(error))
    context = click.get_current_context(silent=True)
    if context is not None:  # the connections are released when the command ends
        context.call_on_close(database.close)
    if recover:
        from kb.curation.workflow import pending_intents

        if pending_intents(database):
            from search.embedders import EmbedderPool
            from search.service import finish_interrupted_publishes

            pool = EmbedderPool(settings.embedders, settings.threads)
            for outcome in finish_interrupted_publishes(settings, database, pool):
                click.echo(f"note: {outcome}", err=True)
    return database


def has_store(settings: Settings) -> bool:
    """Tell whether the knowledge base has a database yet (a SQLite file, or another URL)."""
    from kb.store.integrity import sqlite_file

    path = sqlite_file(settings.db_url)
    return path is None or path.is_file()


def print_problems(problems) -> None:
    """Print problems (file:line, message, fix) to stderr."""
    for problem in problems:
        colour = "red" if problem.severity == Severity.ERROR else "yellow"
        click.secho(str(problem), fg=colour, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="pmo-kb")
def main() -> None:
    """PMO knowledge base: ingest Markdown content, search it, serve the web UI.

    \b
    Typical use:
      kb check            validate content/ (for curators; non-zero exit on errors)
      kb ingest           load content/ into the catalog and the search indexes
      kb search "变更评审流程"
      kb serve            web UI on http://127.0.0.1:8000
    """


def bar(label: str, total: int):
    """Return a callback that advances a progress bar by n items on a terminal; elsewhere (a
    log, a pipe) it prints one line every few seconds: done/total, rate, time left."""
    if not sys.stderr.isatty():
        from search.progress_meter import ProgressMeter

        meter = ProgressMeter(label, total, lambda line: click.echo(line, err=True))
        return meter.advance
    from tqdm import tqdm

    progress_bar = tqdm(total=total, desc=label, unit="text", file=sys.stderr)
    return progress_bar.update


@main.command()
@click.option("--rebuild", is_flag=True, help="Rebuild every index from scratch (new generation).")
@click.option(
    "--prune/--keep-missing",
    default=None,
    help="Remove catalog documents that have no file in the content folder. Default: on with "
    "SQLite (one host, the folder is complete); off with a shared database, whose documents may "
    "have been published on another replica.",
)
@click.option(
    "--keyword-first",
    is_flag=True,
    help="Build only the keyword index now if the vectors are out of date (seconds, no model); "
    "`kb serve` then builds the semantic legs in the background (what `make run` does).",
)
@with_settings
def ingest(settings: Settings, rebuild: bool, prune: bool | None, keyword_first: bool) -> None:
    """Load the content folder into the catalog and update the search indexes incrementally."""
    from search.embedders import EmbedderPool
    from search.service import ingest_and_index

    require_content(settings)
    database = open_store(settings)
    if prune is None:
        prune = database.dialect == "sqlite"
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
    )
    print_problems(report.problems)
    if report.kept:
        click.echo(
            f"kept {len(report.kept)} documents of the shared catalog that have no file in "
            f"{settings.content} (published on another replica, or deleted here): "
            f"{', '.join(report.kept[:5])}{' …' if len(report.kept) > 5 else ''}. "
            "Run `kb ingest --prune` to remove them."
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
        from search.generations import GenerationStore
        from search.indexer import serves_vectors

        if not serves_vectors(GenerationStore(settings.index_root), settings.embedders):
            click.echo(
                "semantic search: not built yet — `kb serve` builds it in the background while "
                "keyword search answers (or run `kb ingest` to build it now)"
            )
    if report.errors:
        click.echo("Files with errors were not (re)loaded; fix them and run `kb ingest` again.")
        sys.exit(1)


FACET_OPTIONS = ("kind", "phase", "area", "lang", "tag", "status")


@main.command()
@click.argument("query")
@click.option("--mode", type=click.Choice(["hybrid", "keyword", "semantic"]), default="hybrid")
@click.option("--kind", multiple=True, help="Filter by kind (repeatable).")
@click.option("--phase", multiple=True, help="Filter by phase (repeatable).")
@click.option("--area", multiple=True, help="Filter by knowledge area (repeatable).")
@click.option("--lang", multiple=True, help="Filter by language: zh, en.")
@click.option("--tag", multiple=True, help="Filter by tag (repeatable).")
@click.option("--status", multiple=True, help="Filter by status (curators; default published).")
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--exact", is_flag=True, help="Search the words as typed: no spelling correction.")
@click.option("--recurring", is_flag=True, help="Only lessons that recurred or say they recur.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_settings
def search(
    settings: Settings,
    query: str,
    mode: str,
    limit: int,
    exact: bool,
    recurring: bool,
    as_json: bool,
    **facets,
) -> None:
    """Search the knowledge base."""
    from search.embedders import EmbedderPool
    from search.records import RECURRING, facet_filters
    from search.searcher import SearchRequest
    from search.service import open_searcher

    database = open_store(settings)
    searcher = open_searcher(settings, database, EmbedderPool(settings.embedders, settings.threads))
    filters = facet_filters(**facets, recurring=[RECURRING] if recurring else [])
    request = SearchRequest(
        query,
        mode,
        filters,
        limit,
        include_unpublished=bool(facets["status"]),
        autocorrect=not exact,
    )
    try:
        response = searcher.search(request)
    except LookupError as error:
        fail(str(error))
    finally:
        searcher.close()
    if as_json:
        click.echo(json.dumps(response.as_dict(), ensure_ascii=False, indent=2))
        return
    if response.corrected_from:
        click.echo(f"Showing results for: {response.query} (search as typed with --exact)")
    elif response.did_you_mean:
        click.echo(f"Did you mean: {response.did_you_mean}")
    if response.intent:
        click.echo(
            f"Looking for a {response.intent}: those come first (only them: --kind {response.intent})"
        )
    if not response.results:
        click.echo("No results. Try fewer words, another mode (--mode semantic) or fewer filters.")
    for rank, hit in enumerate(response.results, 1):
        where = f" › {hit.heading}" if hit.heading else ""
        click.echo(f"{rank:>2}. {hit.title}{where}  [{hit.kind}, {hit.lang}, {'+'.join(hit.legs)}]")
        click.echo(f"    {hit.url}   ({hit.path})")
        snippet = hit.snippet.replace("<mark>", "\033[1m").replace("</mark>", "\033[0m")
        click.echo(f"    {html.unescape(snippet)}")
    click.echo(
        f"{response.total} documents · {response.took_ms:.1f} ms · legs: {', '.join(response.legs)}"
    )


@main.command()
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
        from search.consistency import disagreements
        from search.generations import GenerationStore

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


@main.command()
@click.option("--kind", help="Only documents of this kind.")
@click.option("--lang", help="Only documents in this language (zh, en).")
@click.option("--status", multiple=True, help="Only documents with this status (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_settings
def docs(
    settings: Settings, kind: str | None, lang: str | None, status: tuple[str, ...], as_json: bool
) -> None:
    """List the documents in the catalog."""
    from kb.store import catalog

    database = open_store(settings)
    with database.session() as session:
        rows = catalog.list_documents(session, kind=kind, lang=lang)
        rows = [row for row in rows if not status or row.status in status]
        items = [
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
            for r in rows
        ]
    if as_json:
        click.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    if not items:
        click.echo("The catalog is empty: run `kb ingest` first.")
        return
    for item in items:
        click.echo(f"{item['id']:<50} {item['kind']:<9} {item['lang']:<3} {item['title']}")
    click.echo(f"{len(items)} documents")


@main.command()
@click.option("--since", default="7d", show_default=True, help="Period: 12h, 7d, 2w or a date.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "html"]),
    default="markdown",
    show_default=True,
)
@click.option("--output", type=click.Path(path_type=Path), help="Write to this file (atomically).")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@click.option("--base-url", default=None, help="Site address for links (default: KB_HOST:KB_PORT).")
@with_settings
def digest(
    settings: Settings, since: str, fmt: str, output: Path | None, lang: str, base_url: str | None
) -> None:
    """Print the period's new and updated lessons per knowledge area, ready to mail."""
    from kb.following.digest import (
        PeriodError,
        build_digest,
        parse_since,
        render_html,
        render_markdown,
    )
    from kb.store.database import utcnow

    now = utcnow()
    try:
        start = parse_since(since, now)
    except PeriodError as error:
        fail(str(error), "e.g. kb digest --since 7d")
    if output is not None and output.is_dir():
        fail(f"--output {output} is a folder", "name a file, e.g. --output digest.md")
    database = open_store(settings)
    site = base_url or f"http://{settings.host}:{settings.port}"
    with database.reading() as session:
        built = build_digest(session, start, now, lang, site)
    text = render_html(built) if fmt == "html" else render_markdown(built)
    if output is None:
        click.echo(text, nl=False)
        return
    from ingest.publisher import write_atomic

    try:
        write_atomic(output, text.encode("utf-8"))
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror or error}", "choose a writable path")
    click.echo(f"wrote {output}", err=True)


@main.command()
@click.option("--host", default=None, help="Address to listen on (env KB_HOST).")
@click.option("--port", type=int, default=None, help="Port to listen on (env KB_PORT).")
@click.option("--workers", type=click.IntRange(1, 16), default=None, help="Processes (KB_WORKERS).")
@with_settings
def serve(settings: Settings, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the web UI and JSON API with uvicorn."""
    import uvicorn

    from web.app import create_app

    changes = {"host": host, "port": port, "workers": workers}
    settings = settings.model_copy(update={k: v for k, v in changes.items() if v is not None})
    from kb.accounts import list_users

    if not list_users(open_store(settings)):
        click.echo("No accounts yet: anyone can search and read; to curate or take training, run")
        click.echo("  kb user add NAME --role admin   (roles: learner, curator, admin)")
    click.echo(f"Serving on http://{settings.host}:{settings.port}  (Ctrl+C to stop)")
    if settings.workers == 1:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
        return
    # Several workers: uvicorn spawns fresh processes (never fork after torch/faiss loaded);
    # each builds the app from the settings passed down as KB_* variables. The session key is
    # fixed first, so a cookie signed by one worker is valid in the others.
    from web.core.secret import session_secret

    settings = settings.model_copy(update={"secret_key": session_secret(settings)})
    os.environ.update(settings.as_environment())
    uvicorn.run(
        "web.app:create_app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level="info",
    )


@main.command("eval")
@click.argument("dataset", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--split", default="test", show_default=True, help="Which qrels/<split>.tsv to use.")
@click.option("--modes", default="keyword,semantic,hybrid", show_default=True)
@click.option("--weights", default="", help="Leg weights, e.g. keyword=1,minilm=0.8.")
@click.option(
    "--corpus",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    default=None,
    help="Content folder the queries are judged on, for a set without corpus.jsonl "
    "(default: --content).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_settings
def evaluate(
    settings: Settings,
    dataset: Path,
    split: str,
    modes: str,
    weights: str,
    corpus: Path | None,
    as_json: bool,
) -> None:
    """Measure nDCG@10, Recall@10/100 and MRR@10 per mode, overall, per direction and query type.

    DATASET is a BEIR folder, or judged queries (queries.jsonl, qrels/) over a content folder.
    """
    from search.embedders import EmbedderPool
    from search.evaluation import DataSetError, run_eval
    from search.service import prepare

    prepare(settings)
    wanted = [m.strip() for m in modes.split(",") if m.strip()]
    try:
        leg_weights = {
            k.strip(): float(v) for k, v in (p.split("=") for p in weights.split(",") if p)
        }
    except ValueError:
        fail(f"--weights {weights!r} is not understood", "write it as keyword=1,minilm=0.8")
    content = None
    work = settings.data / "eval" / dataset.resolve().name
    if not (dataset / "corpus.jsonl").is_file():
        content = (corpus or settings.content).resolve()
        work = work.with_name(f"{dataset.resolve().name}-over-{content.name}")
    pool = EmbedderPool(settings.embedders, settings.threads)

    def per_query(items, mode):
        from tqdm import tqdm

        return tqdm(items, desc=f"eval {mode}", unit="query", file=sys.stderr, disable=None)

    try:
        weights_used = {**settings.leg_weights, **leg_weights}
        results = run_eval(
            dataset, split, wanted, work, pool, per_query, bar, weights_used,
            content=content, max_file_bytes=settings.max_file_bytes,
        )  # fmt: skip
    except DataSetError as error:
        fail(str(error))
    if as_json:
        click.echo(json.dumps(results, indent=2, ensure_ascii=False))
        return
    click.echo(f"{dataset.name} ({split}): {next(iter(results.values()))['queries']} queries")
    click.echo(
        f"{'mode':<10} {'group':<14} {'n':>4} {'nDCG@10':>8} {'R@10':>8} {'R@100':>8} {'MRR@10':>8}"
    )
    for mode, overall in results.items():
        for group, m in [("all", overall), *overall.get("groups", {}).items()]:
            click.echo(
                f"{mode:<10} {group:<14} {m['queries']:>4} {m['ndcg@10']:>8.4f} "
                f"{m['recall@10']:>8.4f} {m['recall@100']:>8.4f} {m['mrr@10']:>8.4f}"
            )


@main.command()
@click.option(
    "--corpus",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    default=Path("../shared/eval/pm-corpus"),
    show_default=True,
    help="Markdown folder to benchmark with (repeated to reach 10k sections).",
)
@click.option("--rounds", default=3, show_default=True, help="Passes over the query set per mode.")
@click.option("--out", type=click.Path(path_type=Path), help="Also write the JSON here.")
@click.option(
    "--database-url",
    envvar="KB_BENCH_DATABASE_URL",
    default="",
    help="PostgreSQL server for the replica comparison (a scratch schema is created and dropped).",
)
@click.option("--replicas-only", is_flag=True, help="Measure only the replica comparison.")
@with_settings
def bench(
    settings: Settings,
    corpus: Path,
    rounds: int,
    out: Path | None,
    database_url: str,
    replicas_only: bool,
) -> None:
    """Benchmark with the real models: ingest, query latency at 1k/10k sections, HTTP, memory;
    with --database-url, one replica on SQLite against two on PostgreSQL and a cold start."""
    from search.bench import run_bench
    from search.embedders import EmbedderPool
    from search.service import prepare

    if replicas_only and not database_url:
        fail("--replicas-only needs a PostgreSQL server", "add --database-url postgresql://…")
    prepare(settings)
    pool = EmbedderPool(settings.embedders, settings.threads)
    results = run_bench(
        corpus, settings.data / "bench", pool, rounds, echo_err, database_url, replicas_only
    )
    text = json.dumps(results, indent=2)
    if out:
        out.write_text(text + "\n", encoding="utf-8")
    click.echo(text)


NOT_SQLITE = (
    "kb backup and kb restore handle the SQLite database only; for PostgreSQL (KB_DATABASE_URL) "
    "they are not supported yet",
    "back the database up with `pg_dump -Fc` (restore with `pg_restore`) and copy the content "
    "folder yourself, while no publish runs",
)


@main.command("backup")
@click.argument("dest", type=click.Path(path_type=Path))
@with_settings
def backup_command(settings: Settings, dest: Path) -> None:
    """Back up the database and the content folder into DEST (a new folder, or DEST.tar.gz).

    Online and consistent: SQLite's backup API copies the database while the server runs, and
    no publish can happen in between. Indexes are not copied (`kb ingest` rebuilds them)."""
    from importlib.metadata import version

    from kb.store.backup import BackupError, backup
    from kb.store.integrity import sqlite_file
    from kb.store.locks import PUBLISH_LOCK, exclusive

    path = sqlite_file(settings.db_url)
    if path is None:
        fail(*NOT_SQLITE)
    open_store(settings).close()  # checked, and any interrupted publish finished
    try:
        with exclusive(settings.data / PUBLISH_LOCK):
            manifest = backup(path, settings.content, dest, version("pmo-kb"))
    except BackupError as error:
        fail(str(error))
    numbers = ", ".join(f"{n} {name}" for name, n in manifest["counts"].items())
    click.echo(f"backup written to {dest}: {numbers}; {manifest['files']} content files")


@main.command("restore")
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Replace the existing database and content folder (kept beside as *.before-restore-*).",
)
@with_settings
def restore_command(settings: Settings, source: Path, force: bool) -> None:
    """Restore a backup made by `kb backup` (a folder or .tar.gz), then rebuild the indexes.

    The backup is checked first (manifest, PRAGMA quick_check); the database and the content
    folder are written beside their targets and renamed into place. Stop `kb serve` first."""
    import tempfile

    from kb.store.backup import BackupError, restore, unpack, verify
    from kb.store.integrity import sqlite_file
    from kb.store.locks import PUBLISH_LOCK, SERVER_LOCK, exclusive, held_elsewhere

    path = sqlite_file(settings.db_url)
    if path is None:
        fail(*NOT_SQLITE)
    if held_elsewhere(settings.data / SERVER_LOCK):
        fail(
            f"a `kb serve` is running on {settings.data}; a restore under it would be lost",
            "stop the server, then run `kb restore` again",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=path.parent) as work:
        try:
            folder = unpack(source, Path(work))
            manifest = verify(folder)
        except BackupError as error:
            fail(str(error))
        content = settings.content
        if not force and (path.exists() or (content.is_dir() and any(content.iterdir()))):
            fail(
                f"restoring replaces the database {path} and the content folder {content}",
                "pass --force to do it (what is there now is kept beside, named "
                "*.before-restore-<time>)",
            )
        with exclusive(settings.data / PUBLISH_LOCK):
            kept = restore(folder, manifest, path, content)
    numbers = ", ".join(f"{n} {name}" for name, n in manifest["counts"].items())
    click.echo(
        f"restored the backup of {manifest['created']} (pmo-kb {manifest['version']}): {numbers}"
    )
    for old in kept:
        if not old.name.endswith(("-wal", "-shm")):
            click.echo(f"  what was there before is kept at {old}")
    from search.embedders import EmbedderPool
    from search.service import ingest_and_index

    database = open_store(settings)
    pool = EmbedderPool(settings.embedders, settings.threads)
    _, index = ingest_and_index(settings, database, pool, True, progress("ingest"), bar)
    click.echo(f"indexes rebuilt: generation {index.generation}")


@main.group()
def db() -> None:
    """The database schema: its revision, and upgrading it to this release's (migrations)."""


def connect_store(settings: Settings):
    """Connect to the database without creating or upgrading anything (checked if SQLite)."""
    from kb.store.database import Database
    from kb.store.integrity import DatabaseDamaged, check_url

    try:
        check_url(settings.db_url)
    except DatabaseDamaged as error:
        fail(str(error))
    return Database.connect(settings.db_url)


@db.command("status")
@with_settings
def db_status(settings: Settings) -> None:
    """Show the database's schema revision, this release's head and the migrations pending."""
    from kb.store.schema import SchemaTooNew, status, where

    database = connect_store(settings)
    try:
        found = status(database)
    except SchemaTooNew as error:
        fail(str(error))
    finally:
        database.close()
    click.echo(f"database: {where(database.engine)}")
    if found.empty:
        current = "none (empty: the first `kb ingest`, `kb serve` or `kb db upgrade` creates it)"
    elif found.before_migrations:
        current = "none (made by a release before schema migrations: baseline 0001)"
    else:
        current = found.current
    click.echo(f"current revision: {current}")
    click.echo(f"head (this release): {found.head}")
    if found.before_migrations and not found.pending:
        click.echo("pending migrations: none; `kb db upgrade` (or the next `kb ingest` or")
        click.echo(f"  `kb serve`) records revision {found.head} in it")
        return
    if not found.pending:
        click.echo("pending migrations: none" + ("" if found.empty else " (up to date)"))
        return
    click.echo(f"pending migrations: {len(found.pending)} (applied by `kb db upgrade`, or at the")
    click.echo("  next `kb ingest` or `kb serve`)")
    for migration in found.pending:
        click.echo(f"  {migration.revision}  {migration.message}")


@db.command("upgrade")
@with_settings
def db_upgrade(settings: Settings) -> None:
    """Upgrade the database's schema to this release's head (an empty one is created)."""
    from kb.store.schema import SchemaTooNew, SchemaUpgradeFailed, bring_to_head

    database = connect_store(settings)
    try:
        change = bring_to_head(database)
    except (SchemaTooNew, SchemaUpgradeFailed) as error:
        fail(str(error))
    finally:
        database.close()
    click.echo(str(change))


@db.command("revision")
@click.argument("message")
def db_revision(message: str) -> None:
    """For developers: write a migration for what the models have that the migrations do not.

    Compares the tables declared in the code with the schema the migrations build (Alembic's
    autogenerate) and writes kb/store/migrations/versions/NNNN_<message>.py; review it, then
    `make format` and commit it."""
    from kb.store.schema import new_migration

    written = new_migration(message)
    if written is None:
        click.echo("the models and the migrations agree: no migration written")
        return
    click.echo(f"wrote {written}: review it (Alembic cannot see renames or data changes)")


@main.group()
def user() -> None:
    """Manage local accounts (learner, curator, admin)."""


def read_password(confirm: bool = True) -> str:
    """Read a password from the terminal (asked twice) or, when piped, from standard input."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=confirm)


@user.command("add")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(["learner", "curator", "admin"]),
    default="learner",
    show_default=True,
)
@click.option("--name", "display_name", default="", help="Display name.")
@with_settings
def user_add(settings: Settings, username: str, role: str, display_name: str) -> None:
    """Create an account; the password is prompted for (or read from stdin)."""
    from kb.accounts import AccountError, create_user

    database = open_store(settings)
    try:
        created = create_user(database, username, read_password(), role, display_name)
    except AccountError as error:
        fail(str(error))
    click.echo(f"created {created.username} ({created.role})")


@user.command("list")
@with_settings
def user_list(settings: Settings) -> None:
    """List the accounts."""
    from kb.accounts import list_users

    for account in list_users(open_store(settings)):
        click.echo(f"{account.username:<24} {account.role:<8} {account.display_name}")


@user.command("passwd")
@click.argument("username")
@with_settings
def user_passwd(settings: Settings, username: str) -> None:
    """Set a new password (prompted, or read from stdin)."""
    from kb.accounts import AccountError, set_password

    try:
        set_password(open_store(settings), username, read_password())
    except AccountError as error:
        fail(str(error))
    click.echo(f"password changed for {username} (signed out everywhere)")


@user.command("role")
@click.argument("username")
@click.argument("role", type=click.Choice(["learner", "curator", "admin"]))
@with_settings
def user_role(settings: Settings, username: str, role: str) -> None:
    """Change an account's role (recorded in the audit log)."""
    from kb.accounts import AccountError, set_role

    try:
        set_role(open_store(settings), username, role)
    except AccountError as error:
        fail(str(error))
    click.echo(f"{username} is now {role} (signed out everywhere)")


@user.command("signout")
@click.argument("username")
@with_settings
def user_signout(settings: Settings, username: str) -> None:
    """End every session of an account at once (sign out everywhere)."""
    from kb.accounts import AccountError, sign_out_everywhere

    try:
        ended = sign_out_everywhere(open_store(settings), username)
    except AccountError as error:
        fail(str(error), "`kb user list` shows the accounts")
    click.echo(f"{username} is signed out everywhere ({ended} sessions ended)")


@main.command("config")
@with_settings
def show_config(settings: Settings) -> None:
    """Show every setting with its value, environment variable and meaning."""
    for name, info in Settings.model_fields.items():
        value = getattr(settings, name)
        shown = "(set)" if name == "secret_key" and value else value
        click.echo(f"KB_{name.upper():<20} {shown!s:<40} {info.description}")


if __name__ == "__main__":
    main()
