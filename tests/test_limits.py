"""Request limits: body sizes per route (refused before they are read) and feedback rates."""

import pytest
from fastapi.testclient import TestClient

from kb.insights import analytics
from tests.asgi_stream import stream_body
from tests.search_fixtures import build_kb
from web.app import create_app
from web.core.rate_limit import RateLimiter

VOTE = b'{"doc_id": "guide-risk", "helpful": true}'
JSON = {"content-type": "application/json"}


@pytest.fixture
def app(settings, database):
    build_kb(settings, database)
    return create_app(settings)


@pytest.fixture
def client(app):
    with TestClient(app) as client:
        yield client


def votes(database) -> int:
    return sum(row.helpful + row.not_helpful for row in analytics.feedback_by_document(database))


def test_a_declared_300_mb_body_is_refused_before_it_is_read(client, database):
    headers = {"content-type": "application/json", "content-length": str(300 << 20)}
    response = client.post("/api/feedback", content=VOTE, headers=headers)
    assert response.status_code == 413
    assert "at most 64 KiB" in response.json()["detail"]
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page = client.post("/feedback/guide-risk", content=b"helpful=yes", headers=headers)
    assert page.status_code == 413 and "64 KiB" in page.text and "<html" in page.text
    assert votes(database) == 0


def test_a_chunked_300_mb_body_is_stopped_at_the_limit(app, client, database):
    chunked = [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")]
    answer = stream_body(app, client.app_state, "/api/feedback", 4800, chunked)
    assert answer.status == 413 and b"64 KiB" in answer.body
    assert answer.pulled <= 2  # 64 KiB chunks: stopped at the second of 4,800
    assert votes(database) == 0


def test_quick_feedback_votes_get_429_with_retry_after(client, database):
    answers = [
        client.post("/api/feedback", content=VOTE, headers=JSON).status_code for _ in range(30)
    ]
    assert answers[:10] == [201] * 10 and 429 in answers
    refused = client.post("/api/feedback", content=VOTE, headers=JSON)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert "Too many votes" in refused.json()["detail"]
    assert votes(database) == answers.count(201)
    with TestClient(client.app, client=("203.0.113.9", 4000)) as elsewhere:
        assert elsewhere.post("/api/feedback", content=VOTE, headers=JSON).status_code == 201


def test_the_token_bucket_refills_with_time():
    now = [0.0]
    limiter = RateLimiter(burst=2, per_second=0.5, clock=lambda: now[0])
    assert [limiter.take("a"), limiter.take("a")] == [0, 0]
    assert limiter.take("a") == pytest.approx(2.0)
    assert limiter.take("b") == 0  # another address has its own bucket
    now[0] = 2.0
    assert limiter.take("a") == 0 and limiter.take("a") > 0


def test_the_limiter_forgets_the_oldest_addresses():
    limiter = RateLimiter(burst=1, max_keys=3)
    for address in "abcd":
        limiter.take(address)
    assert limiter.take("a") == 0  # forgotten, so a fresh bucket
    assert limiter.take("d") > 0
