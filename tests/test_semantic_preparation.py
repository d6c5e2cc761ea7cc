"""Serve at once: keyword search answers while the semantic legs are prepared, the pages and the
API say so with the progress, and hybrid search switches on by itself when they are ready."""

from __future__ import annotations

from click.testing import CliRunner
from fastapi.testclient import TestClient

from kb.cli import main
from search.embedders import EmbedderPool
from search.index.generations import GenerationStore
from search.index.indexer import serves_vectors
from search.index.progress_meter import ProgressMeter, duration
from search.index.semantic_preparation import LOADING, READY, SemanticPreparation
from search.query.searcher import SearchRequest
from search.service import ingest_and_index, open_follower, open_preparation, open_searcher
from tests.search_fixtures import DOCS
from web.app import create_app


def write_docs(settings) -> None:
    for rel, text in DOCS.items():
        path = settings.content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def keyword_first_kb(settings, database) -> EmbedderPool:
    """Ingest the catalog and the keyword index only (what `make run` does before serving)."""
    write_docs(settings)
    pool = EmbedderPool(settings.embedders, settings.threads)
    ingest_and_index(settings, database, pool, defer_vectors=True)
    return pool


def test_keyword_first_ingest_builds_no_vectors_and_loads_no_model(settings, database):
    pool = keyword_first_kb(settings, database)
    store = GenerationStore(settings.index_root)
    assert store.current() is not None and store.current().manifest["embedders"] == []
    assert not serves_vectors(store, settings.embedders)
    assert pool._loaded == {}  # no model was needed


def test_searches_answer_by_keyword_while_preparing_then_switch_to_hybrid(settings, database):
    pool = keyword_first_kb(settings, database)
    searcher = open_searcher(settings, database, pool, load_models=False)
    preparation = open_preparation(settings, database, pool, searcher, lambda line: None)
    try:
        before = searcher.search(SearchRequest("vendor handover", "hybrid", log=False))
        assert "lesson-vendor" in [hit.id for hit in before.results]
        assert "fake" not in before.legs
        assert before.semantic is not None and before.semantic.state == LOADING
        assert before.as_dict()["semantic"]["state"] == LOADING

        preparation.run()  # what the background thread does

        assert preparation.status().state == READY
        assert serves_vectors(GenerationStore(settings.index_root), settings.embedders)
        after = searcher.search(SearchRequest("vendor handover", "hybrid", log=False))
        assert "fake" in after.legs and after.semantic is None
        assert "lesson-vendor" in [hit.id for hit in after.results]
        semantic = searcher.search(SearchRequest("stakeholder handover", "semantic", log=False))
        assert semantic.results and semantic.legs == ["fake"]
    finally:
        searcher.close()


def test_the_server_says_semantic_search_is_being_prepared_then_serves_hybrid(
    settings, database, monkeypatch
):
    keyword_first_kb(settings, database)
    held: list[SemanticPreparation] = []
    monkeypatch.setattr(SemanticPreparation, "start", lambda self: held.append(self))
    settings = settings.model_copy(update={"semantic_at_start": "background"})
    with TestClient(create_app(settings)) as client:
        api = client.get("/api/search", params={"q": "vendor"}).json()
        assert "lesson-vendor" in [hit["id"] for hit in api["results"]]
        assert api["semantic"]["state"] == "loading" and "fake" not in api["legs"]
        english = client.get("/search", params={"q": "vendor"}, headers={"accept-language": "en"})
        assert "Semantic search is still being prepared" in english.text
        assert "lesson-vendor" in english.text
        chinese = client.get("/search", params={"q": "vendor"}, headers={"accept-language": "zh"})
        assert "语义搜索仍在准备中" in chinese.text
        assert "语义搜索仍在准备中" in client.get("/search", headers={"accept-language": "zh"}).text

        held[0].run()  # the background preparation, run here to its end

        api = client.get("/api/search", params={"q": "vendor"}).json()
        assert api["semantic"] is None and "fake" in api["legs"]
        page = client.get("/search", params={"q": "vendor"}, headers={"accept-language": "en"})
        assert "Semantic search is still being prepared" not in page.text


def test_progress_while_embedding_is_counted_and_said_in_the_ui_language(settings, database):
    pool = keyword_first_kb(settings, database)
    searcher = open_searcher(settings, database, pool, load_models=False)
    lines: list[str] = []
    preparation = open_preparation(settings, database, pool, searcher, lines.append)
    seen = []
    original = searcher.use_embedders

    def watch(embedders):  # the status just before the models are handed over
        seen.append(preparation.status())
        original(embedders)

    preparation._use = watch
    try:
        preparation.run()
    finally:
        searcher.close()
    status = seen[0]
    assert status.total > 0 and status.done == status.total
    assert any(f"{status.total}/{status.total}" in line for line in lines)
    assert lines[-1].startswith("semantic search: ready (hybrid search is on)")
    assert f"{status.total} texts embedded" in lines[-1]
    from web.reading.views import semantic_notice

    assert f"{status.done} of {status.total} texts" in semantic_notice(status, "en")
    assert f"已处理 {status.done}/{status.total} 段文本" in semantic_notice(status, "zh")


def test_progress_meter_reports_a_line_every_interval_with_rate_and_time_left():
    now = [0.0]
    lines: list[str] = []
    meter = ProgressMeter("embed minilm", 100, lines.append, every=10, clock=lambda: now[0])
    now[0] = 5
    meter.advance(10)
    assert lines == []  # not yet 10 s since the last line
    now[0] = 10
    meter.advance(10)
    assert lines == ["embed minilm: 20/100 · 2.0/s · about 40 s left"]
    now[0] = 12
    meter.advance(80)  # done: always said
    assert lines[-1].startswith("embed minilm: 100/100")
    assert duration(168) == "2 min 48 s" and duration(3900) == "1 h 05 min"


def test_kb_ingest_off_a_terminal_prints_progress_lines(settings, content):
    write_docs(settings)
    paths = ["--content", str(settings.content), "--data", str(settings.data)]
    env = {"KB_EMBEDDERS": '["fake"]'}
    first = CliRunner().invoke(main, ["ingest", "--keyword-first", *paths], env=env)
    assert first.exit_code == 0, first.output
    assert "semantic search: not built yet" in first.output
    check = CliRunner().invoke(main, ["check", *paths], env=env)
    assert "has only the keyword index: semantic search is not built yet" in check.output
    full = CliRunner().invoke(main, ["ingest", *paths], env=env)
    assert full.exit_code == 0, full.output
    assert "embed fake: " in full.output and "/s · " in full.output


def test_catalog_changes_while_preparing_are_followed_and_end_up_in_the_vector_legs(
    settings, database
):
    pool = keyword_first_kb(settings, database)
    searcher = open_searcher(settings, database, pool, load_models=False)
    follower = open_follower(settings, database, lambda: searcher.embedders)
    preparation = open_preparation(settings, database, pool, searcher, lambda line: None)
    try:
        (settings.content / "late.md").write_text(
            "---\nid: guide-late\ntitle: Quokka onboarding\nkind: guide\nlang: en\n---\n"
            "## Quokka\n\nWelcome new quokka keepers on their first day.\n",
            encoding="utf-8",
        )
        ingest_and_index(settings, database, pool, defer_vectors=True)  # another process
        assert follower.step()  # keyword-only while the models are not there
        during = searcher.search(SearchRequest("quokka", "hybrid", log=False))
        assert [hit.id for hit in during.results] == ["guide-late"] and during.semantic

        preparation.run()

        after = searcher.search(SearchRequest("quokka keepers", "semantic", log=False))
        assert "guide-late" in [hit.id for hit in after.results] and after.semantic is None
    finally:
        searcher.close()
