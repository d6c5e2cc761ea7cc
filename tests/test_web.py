"""Every route in-process: pages, API, errors, language, safety headers, feedback with CSRF."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kb.insights.feedback import FeedbackRow
from tests.search_fixtures import DOCS, build_kb
from web.app import create_app

XSS = """---
id: guide-xss
title: Hostile document
kind: guide
lang: en
---
<script>alert(1)</script>

<img src=x onerror="alert(2)">

[click](javascript:alert(3))
"""
TEMPLATE = """---
id: template-charter
title: Project charter template
kind: template
lang: en
phase: [initiating]
---
## Objectives
| Objective | Measure |
|---|---|
| ____ | ____ |
"""


@pytest.fixture
def client(settings, database):
    build_kb(settings, database, {**DOCS, "guides/xss.md": XSS, "templates/charter.md": TEMPLATE})
    with TestClient(create_app(settings)) as client:
        yield client


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_home_shows_browse_counts_and_search(client):
    page = client.get("/", headers={"accept-language": "en"})
    assert page.status_code == 200
    assert 'action="/search"' in page.text and "/browse/phase/planning" in page.text
    assert "Switching vendors mid-project" in page.text  # recent lessons


def test_ui_language_follows_accept_language_and_switch(client):
    assert "搜索" in client.get("/", headers={"accept-language": "zh-CN,zh;q=0.9"}).text
    switched = client.get("/lang/en?next=/browse", follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/browse"
    client.cookies.set("ui_lang", "en")
    assert "By phase" in client.get("/", headers={"accept-language": "zh-CN"}).text


def test_language_switch_refuses_open_redirect(client):
    response = client.get("/lang/zh?next=https://evil.example/", follow_redirects=False)
    assert response.headers["location"] == "/"


def test_search_page_with_facets_snippets_and_links(client):
    page = client.get("/search", params={"q": "风险管理"})
    assert page.status_code == 200
    assert 'href="/docs/guide-risk?q=%E9%A3%8E%E9%99%A9%E7%AE%A1%E7%90%86#风险登记册"' in page.text
    assert "<mark>" in page.text and 'data-facet="lang"' in page.text


def test_search_page_filter_and_did_you_mean(client):
    page = client.get("/search", params={"q": "risk register", "lang": "zh"})
    assert "/docs/guide-risk?q=" in page.text and "/docs/guide-risk-en" not in page.text
    assert "stakeholder" in client.get("/search", params={"q": "stakholder"}).text


def test_a_misspelling_is_corrected_with_a_way_back(client):
    headers = {"accept-language": "en"}
    page = client.get("/search", params={"q": "stakholder"}, headers=headers).text
    assert "Showing results for <strong>stakeholder</strong>" in page
    assert 'href="/search?q=stakholder&amp;exact=true"' in page and "/docs/guide-risk-en" in page
    as_typed = client.get("/search", params={"q": "stakholder", "exact": "true"}, headers=headers)
    assert "Showing results for" not in as_typed.text and "Did you mean" in as_typed.text
    data = client.get("/api/search", params={"q": "stakholder"}).json()
    assert data["corrected_from"] == "stakholder" and data["query"] == "stakeholder"
    assert (
        client.get("/api/search", params={"q": "stakholder", "exact": True}).json()["did_you_mean"]
        == "stakeholder"
    )


def test_a_kind_named_in_the_query_comes_first_with_a_filter(client):
    page = client.get("/search", params={"q": "vendor lessons"}, headers={"accept-language": "zh"})
    assert 'class="intent-filter" href="/search?q=vendor+lessons&amp;kind=lesson"' in page.text
    assert "只看经验教训" in page.text
    data = client.get("/api/search", params={"q": "vendor lessons"}).json()
    assert data["intent"] == "lesson" and data["results"][0]["id"] == "lesson-vendor"


def test_empty_result_helps(client):
    page = client.get("/search", params={"q": "zzzqqq", "mode": "keyword"})
    assert page.status_code == 200 and 'href="/browse"' in page.text


def test_document_page_renders_toc_meta_other_language_related(client):
    page = client.get("/docs/guide-risk-en", headers={"accept-language": "en"})
    assert page.status_code == 200
    assert 'id="the-risk-register"' in page.text and 'href="#the-risk-register"' in page.text
    assert 'href="/docs/guide-risk"' in page.text  # the Chinese version
    lesson = client.get("/docs/lesson-vendor", headers={"accept-language": "en"})
    assert "Negative" in lesson.text and "CRM" in lesson.text


def test_xss_document_is_harmless(client):
    page = client.get("/docs/guide-xss")
    body = page.text.split('<div class="markdown">')[1].split("</div>")[0]
    assert "<script" not in body and "onerror" not in body and 'href="javascript' not in body
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and page.headers["x-content-type-options"] == "nosniff"


def test_drafts_and_unknown_documents_are_404_pages(client):
    for path in ("/docs/guide-draft", "/docs/no-such-doc"):
        page = client.get(path)
        assert page.status_code == 404 and "<html" in page.text and "Traceback" not in page.text


def test_template_download(client):
    response = client.get("/download/template-charter")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    assert (
        response.text.startswith("# Project charter template") and "| Objective |" in response.text
    )
    assert "template-charter" in client.get("/templates").text


def test_browse_pages(client):
    assert "Switching vendors" in client.get("/browse/phase/executing").text
    assert client.get("/browse").status_code == 200
    assert client.get("/browse/phase/nonsense").status_code == 404


def test_feedback_needs_csrf_and_is_stored(client, database):
    page = client.get("/docs/guide-change")
    assert client.post("/feedback/guide-change", data={"helpful": "yes"}).status_code == 403
    bad = client.post("/feedback/guide-change", data={"helpful": "yes", "csrf_token": "forged"})
    assert bad.status_code == 403
    from_search = client.get("/docs/guide-change?q=变更评审")
    assert 'name="query" value="变更评审"' in from_search.text
    good = client.post(
        "/feedback/guide-change",
        data={
            "helpful": "no",
            "comment": "需要示例",
            "query": "变更评审",
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )
    assert good.status_code == 303
    with database.session() as session:
        row = session.scalars(select(FeedbackRow)).one()
    assert (row.doc_id, row.helpful, row.comment, row.query) == (
        "guide-change",
        False,
        "需要示例",
        "变更评审",
    )


def test_api_search_shape(client):
    data = client.get("/api/search", params={"q": "vendor", "kind": "lesson"}).json()
    assert set(data) >= {"results", "did_you_mean", "facets"}
    hit = data["results"][0]
    assert set(hit) >= {"id", "path", "url", "anchor", "title", "snippet", "score", "legs"}
    assert hit["id"] == "lesson-vendor" and hit["path"] == "lessons/vendor.md"


def test_api_validation_errors_are_422_with_message(client):
    for params in (
        {"q": ""},
        {"q": "x", "mode": "fuzzy"},
        {"q": "x", "kind": "essay"},
        {"q": "x", "limit": 0},
    ):
        response = client.get("/api/search", params=params)
        assert response.status_code == 422 and response.json()["detail"][0]["message"]


def test_api_documents_related_facets_feedback(client):
    doc = client.get("/api/documents/guide-risk").json()
    assert doc["translation"] == "guide-risk-en" and "<h2" in doc["html"]
    related = client.get("/api/documents/guide-risk/related").json()
    assert all(hit["id"] not in ("guide-risk", "guide-risk-en") for hit in related)
    assert client.get("/api/documents/nope").status_code == 404
    assert client.get("/api/documents/lesson-vendor").json()["meta"] == {
        "project": "CRM",
        "date": "2025-01-10",
        "impact": "negative",
        "priority": "high",
        "action_status": "done",
    }
    assert client.get("/api/facets").json()["kind"]["lesson"] == 1
    vote = client.post("/api/feedback", json={"doc_id": "guide-risk", "helpful": True})
    assert vote.status_code == 201
    assert client.post("/api/feedback", json={"doc_id": "nope", "helpful": True}).status_code == 404


def test_openapi_served_locally_without_collision(client):
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert "/api/search" in client.get("/api/openapi.json").json()["paths"]
    assert client.get("/docs/docs").status_code == 404  # a document path, not FastAPI's page


def test_bad_query_params_on_pages_are_friendly(client):
    page = client.get("/search", params={"q": "risk", "page": "abc"})
    assert page.status_code == 422 and "<html" in page.text


def test_unexpected_error_is_a_friendly_page_with_headers(settings, database, monkeypatch):
    build_kb(settings, database)
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        monkeypatch.setattr("kb.store.browse.overview", lambda *a, **k: 1 / 0)
        page = client.get("/")
        assert page.status_code == 500 and "Traceback" not in page.text and "<html" in page.text
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_pages_without_a_form_set_no_csrf_cookie(client):
    from web.core.cookies import CSRF

    client.cookies.clear()
    assert CSRF not in client.get("/search", params={"q": "risk"}).cookies
    assert CSRF in client.get("/docs/lesson-vendor").cookies  # the feedback form needs one


def test_glossary_page_in_both_languages(client):
    english = client.get("/glossary", headers={"accept-language": "en"})
    assert english.status_code == 200 and "risk register" in english.text
    assert "风险登记册" in english.text and "Definition" in english.text
    chinese = client.get("/glossary", headers={"accept-language": "zh-CN"})
    assert "术语表" in chinese.text and "释义" in chinese.text


def test_result_cards_say_how_a_result_was_found_in_the_readers_words(client):
    english = client.get("/search", params={"q": "vendor"}, headers={"accept-language": "en"})
    assert "found by: its words + its meaning" in english.text and "fake" not in english.text
    chinese = client.get("/search", params={"q": "vendor"}, headers={"accept-language": "zh-CN"})
    assert "匹配方式：关键词、语义" in chinese.text


def test_counts_use_each_languages_plural_rules():
    from web.core.i18n import translator

    def count(lang, n):
        return translator(lang).npgettext("results_count", "1 document", "%(n)s documents", n)

    assert (count("en", 1), count("en", 2)) == ("1 document", "2 documents")
    assert (count("zh", 1), count("zh", 3)) == ("共 1 篇文档", "共 3 篇文档")


def test_head_on_a_download_answers_like_get(client):
    got = client.get("/download/template-charter")
    head = client.head("/download/template-charter")
    assert got.status_code == 200 and head.status_code == 200
    assert head.headers["content-disposition"] == got.headers["content-disposition"]


def test_pages_declare_zh_hans_or_en_and_feedback_icons_are_svg(client):
    chinese = client.get("/docs/guide-risk", headers={"accept-language": "zh"}).text
    assert '<html lang="zh-Hans">' in chinese and '<article class="doc" lang="zh-Hans">' in chinese
    english = client.get("/docs/guide-risk", headers={"accept-language": "en"}).text
    assert '<html lang="en">' in english and "👍" not in english and '<svg class="icon"' in english


def test_browse_by_phase_groups_by_kind_in_the_ui_language_with_a_switch_to_both(client):
    english = client.get("/browse/phase/planning", headers={"accept-language": "en"}).text
    assert 'id="group-guide"' in english and "Risk management guide" in english
    assert "风险管理指南" not in english  # the Chinese version waits behind the switch
    assert "Show both languages (1 more in Chinese)" in english
    both = client.get("/browse/phase/planning?both=true", headers={"accept-language": "en"}).text
    assert both.index("Risk management guide") < both.index("风险管理指南")
    assert "Show English only" in both
    chinese = client.get("/browse/phase/planning", headers={"accept-language": "zh"}).text
    assert "风险管理指南" in chinese and "Risk management guide" not in chinese
    assert "显示两种语言（另有 1 篇英文）" in chinese
    executing = client.get("/browse/phase/executing", headers={"accept-language": "en"}).text
    assert executing.index('id="group-lesson"') > 0 and "变更管理" not in executing
