"""The search commands: ask the knowledge base (search), measure it (eval, bench)."""

from __future__ import annotations

import html
import json
import sys
from pathlib import Path

import click

from kb.cli.common import bar, echo_err, fail, open_store, with_settings
from kb.settings import Settings


@click.command()
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
    from search.index.records import RECURRING, facet_filters
    from search.query.searcher import SearchRequest
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


@click.command("eval")
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
    from search.measure.evaluation import DataSetError, run_eval
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


@click.command()
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
    from search.embedders import EmbedderPool
    from search.measure.bench import run_bench
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


COMMANDS = (search, evaluate, bench)
