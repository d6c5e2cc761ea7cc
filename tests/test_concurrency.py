"""Readers and writers side by side: reads never wait for a writer, a busy writer gets a
retryable 503, and search serves one consistent snapshot while the catalog changes under it."""

import pytest
from fastapi.testclient import TestClient

from ingest.pipeline import ingest
from search.embedders import EmbedderPool
from search.query.searcher import SearchRequest
from search.service import open_searcher, update_indexes
from tests.search_fixtures import build_kb, holding_the_writers_lock
from web.app import create_app


@pytest.fixture
def client(settings, database):
    build_kb(settings, database).close()
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def writer_holding_the_lock(settings):
    """Another process's writer in the middle of a long transaction (an ingest, a publish)."""
    with holding_the_writers_lock(settings):
        yield


def test_searches_and_pages_do_not_wait_for_a_writer(client, writer_holding_the_lock):
    assert client.get("/api/search", params={"q": "vendor"}).json()["results"]
    assert client.get("/search", params={"q": "风险管理"}).status_code == 200
    assert client.get("/docs/lesson-vendor").status_code == 200
    assert client.get("/api/documents/lesson-vendor").status_code == 200
    assert client.get("/").status_code == 200


def test_a_writer_that_meets_a_busy_database_gets_a_retryable_503(client, writer_holding_the_lock):
    vote = {"doc_id": "lesson-vendor", "helpful": True}
    response = client.post("/api/feedback", json=vote)  # waits the busy timeout, then gives up
    assert response.status_code == 503
    assert response.headers["retry-after"] and "retry" in response.json()["detail"]


def test_search_serves_the_old_version_until_the_new_generation_is_in_place(
    settings, database, content
):
    searcher = build_kb(settings, database)
    lesson = settings.content / "lessons" / "vendor.md"
    lesson.write_text(
        lesson.read_text("utf-8").replace("Switching vendors", "Replacing suppliers"), "utf-8"
    )
    ingest(database, settings.content, settings.max_file_bytes)  # catalog changed, index not yet
    during = searcher.search(SearchRequest("vendor", mode="keyword"))
    assert [hit.title for hit in during.results if hit.id == "lesson-vendor"] == [
        "Switching vendors mid-project"
    ]
    pool = EmbedderPool(settings.embedders, settings.threads)
    update_indexes(settings, database, pool.names, pool.get)
    after = searcher.search(SearchRequest("suppliers", mode="keyword"))
    assert [hit.title for hit in after.results] == ["Replacing suppliers mid-project"]
    searcher.close()
    fresh = open_searcher(settings, database, pool)  # a new worker opens the same snapshot
    assert "Replacing suppliers mid-project" in [
        hit.title for hit in fresh.search(SearchRequest("vendor", mode="keyword")).results
    ]
    fresh.close()
