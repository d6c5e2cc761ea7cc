"""The search page forgives what a person pastes or edits into the address: a long question is
cut and said so, a page past the end links to the last one, unknown filter values are ignored
and said so, and a pasted passage gets no did-you-mean; the JSON API answers each in JSON."""

import json
import socket
import time

import pytest
from fastapi.testclient import TestClient

from search.text.spelling import SUGGEST_MAX_CHARS, SpellingCorrector
from tests.live_server import live_server
from tests.search_fixtures import DOCS, build_kb
from web.app import create_app
from web.reading.views import QUERY_CHARS

EN, ZH = {"accept-language": "en"}, {"accept-language": "zh-CN"}


@pytest.fixture
def client(settings, database):
    build_kb(settings, database, DOCS)
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_long_question_searches_its_first_part_and_says_so(client):
    question = "stakeholder " + "risk " * 200  # 1012 characters, pasted
    page = client.get("/search", params={"q": question}, headers=EN)
    assert page.status_code == 200
    assert f"only its first {QUERY_CHARS} characters were searched" in page.text
    assert "/docs/guide-risk" in page.text
    chinese = client.get("/search", params={"q": question}, headers=ZH)
    assert chinese.status_code == 200 and f"仅搜索了前 {QUERY_CHARS} 个字符" in chinese.text
    short = client.get("/search", params={"q": "stakeholder risk"}, headers=EN)
    assert "characters were searched" not in short.text


def test_an_overlong_api_query_is_answered_in_json_by_the_real_server(settings, database):
    build_kb(settings, database, DOCS)
    path = "/api/search?q=" + "risk+" * 20_000  # a 100 KB URL
    head = f"GET {path} HTTP/1.1\r\nHost: kb\r\nConnection: close\r\n\r\n".encode()
    with live_server(create_app(settings)) as port:
        with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
            sock.sendall(head[:40_000])  # the head arrives in parts, as over a real network
            time.sleep(0.3)  # lets the server read the first part alone (not a timing check)
            sock.sendall(head[40_000:])
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    headers, _, body = rest.partition(b"\r\n\r\n")
    assert status_line.startswith(b"HTTP/1.1 422"), answer[:200]
    assert b"content-type: application/json" in headers.lower()
    assert json.loads(body)["detail"]


def test_a_page_past_the_end_links_to_the_last_page(client):
    page = client.get("/search", params={"q": "risk", "page": 999}, headers=EN)
    assert page.status_code == 200
    assert "Page 999 is past the end: these results have 1 pages." in page.text
    assert 'href="/search?q=risk" rel="last"' in page.text and "No results for" not in page.text
    assert (
        "已超出结果末尾"
        in client.get("/search", params={"q": "risk", "page": 999}, headers=ZH).text
    )


def test_unknown_filter_values_are_ignored_on_the_page_and_refused_by_the_api(client):
    page = client.get("/search", params={"q": "risk", "kind": ["bogus", "guide"]}, headers=EN)
    assert page.status_code == 200
    assert "Unknown filter values were ignored: kind=bogus." in page.text
    assert 'data-value="bogus"' not in page.text and 'data-value="guide"' in page.text
    zh = client.get("/search", params={"q": "risk", "kind": "bogus"}, headers=ZH).text
    assert "已忽略未知的筛选值：kind=bogus。" in zh
    assert client.get("/api/search", params={"q": "risk", "kind": "bogus"}).status_code == 422


def test_did_you_mean_is_offered_only_for_short_queries():
    corrector = SpellingCorrector({"stakeholder": 5, "register": 3})
    assert corrector.suggest("stakholder register") == "stakeholder register"
    passage = "the stakholder said " + "that we should keep going " * 14  # 380 characters
    assert len(passage) > SUGGEST_MAX_CHARS and corrector.suggest(passage) is None
    nine_words = "stakholder a b c d e f g h"
    assert corrector.suggest(nine_words) is None
