"""Index lifecycle: incremental generations, embedding cache, crash mid-build, recovery."""

import os
import signal
import subprocess
import sys
import time

import pytest

from kb.bootstrap import open_database
from search.embedders import EmbedderPool
from search.index import indexer
from search.index.generations import GenerationStore
from search.query.searcher import SearchRequest
from search.service import ingest_and_index, open_searcher
from tests.conftest import REPO
from tests.search_fixtures import build_kb


def sync(settings, database, **kwargs):
    pool = EmbedderPool(settings.embedders, settings.threads)
    return ingest_and_index(settings, database, pool, **kwargs)[1]


def test_no_change_makes_no_new_generation(settings, database):
    build_kb(settings, database)
    store = GenerationStore(settings.index_root)
    before = store.current_name()
    report = sync(settings, database)
    assert report.generation == before and (report.added, report.removed) == (0, 0)


def test_one_changed_document_is_the_only_thing_reindexed_and_embedded(settings, database):
    build_kb(settings, database)
    path = settings.content / "lessons/vendor.md"
    path.write_text(path.read_text(encoding="utf-8").replace("month four", "month five"), "utf-8")
    report = sync(settings, database)
    assert not report.rebuilt
    assert report.removed == report.added == 5  # the lesson's five sections, nothing else
    assert report.embedded_texts == 1  # only the changed section's text is new to the cache


def test_rebuild_writes_a_fresh_generation(settings, database):
    build_kb(settings, database)
    report = sync(settings, database, full=True)
    assert report.rebuilt and report.embedded_texts == 0  # all vectors come from the cache


def test_crash_mid_build_keeps_the_old_generation_serving_and_next_ingest_recovers(
    settings, database, monkeypatch
):
    searcher = build_kb(settings, database)
    store = GenerationStore(settings.index_root)
    serving = store.current_name()
    path = settings.content / "guides/change.md"
    path.write_text(path.read_text("utf-8").replace("评审", "审批评审"), "utf-8")

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("killed while writing vectors")

    monkeypatch.setattr(indexer, "_write_vectors", crash)
    with pytest.raises(KeyboardInterrupt):
        sync(settings, database)
    monkeypatch.undo()
    assert store.current_name() == serving
    assert list(settings.index_root.glob("gen-*.tmp"))  # the half-built generation
    assert searcher.search(SearchRequest("变更评审流程")).results  # still serving
    report = sync(settings, database)
    assert report.generation != serving and not list(settings.index_root.glob("gen-*.tmp"))
    fresh = open_searcher(settings, database, EmbedderPool(settings.embedders, 1))
    assert fresh.search(SearchRequest("审批评审", mode="keyword")).results


def test_kill_9_during_ingest_leaves_a_working_knowledge_base(settings, database):
    build_kb(settings, database)
    store = GenerationStore(settings.index_root)
    serving = store.current_name()
    for n in range(300):  # enough work that the kill lands mid-ingest
        (settings.content / "bulk").mkdir(exist_ok=True)
        (settings.content / "bulk" / f"doc{n}.md").write_text(
            f"# Bulk {n}\n\n" + " ".join(f"word{n}x{i}" for i in range(400)), "utf-8"
        )
    env = {
        **os.environ,
        "KB_CONTENT": str(settings.content),
        "KB_DATA": str(settings.data),
        "KB_EMBEDDERS": '["fake"]',
    }
    process = subprocess.Popen([sys.executable, "-m", "kb.cli", "ingest"], env=env, cwd=REPO)
    time.sleep(1.5)
    process.send_signal(signal.SIGKILL)
    process.wait()
    # whatever the moment of the kill, the serving generation is complete and searchable
    current = store.current_name()
    assert current is not None
    searcher = open_searcher(settings, open_database(settings.db_url), EmbedderPool(["fake"], 1))
    assert searcher.search(SearchRequest("vendor")).results
    report = sync(settings, database)
    assert report.generation is not None and not list(settings.index_root.glob("gen-*.tmp"))
    assert serving is not None
