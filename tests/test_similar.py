"""The similar-lesson warning: the published lessons nearest a lesson being written (not the
lesson itself nor its translation, nothing but published lessons), for curators only with the
form token; without a semantic index the keyword leg answers and says so; the review page
shows the same list."""

import re

import pytest
from fastapi.testclient import TestClient

from kb.accounts import create_user
from search.index.generations import GenerationStore
from search.lessons.similar import DraftLesson, driving_event, find_similar_lessons, probe_text
from search.query.searcher import Searcher
from tests.search_fixtures import DOCS, build_kb
from web.app import create_app
from web.core.rate_limit import RateLimiter

PASSWORD = "similar-pass"
VENDOR_ZH = """---
id: lesson-vendor-zh
title: 项目中途更换供应商
kind: lesson
lang: zh
translation_of: lesson-vendor
phase: [executing]
area: [procurement]
project: CRM
date: 2025-01-10
impact: negative
priority: high
action_status: done
---
## 触发事件
第四个月更换了集成供应商。
## 根本原因
合同没有退出条款。
## 影响
交接损失六周。
## 建议
增加知识转移条款。
## 预警信号
- 供应商交付延迟
"""
UAT = (
    DOCS["lessons/vendor.md"]
    .replace("lesson-vendor", "lesson-uat")
    .replace("Switching vendors mid-project", "Acceptance testing squeezed before go-live")
    .replace("The integration vendor was replaced in month four.", "UAT was cut to eight days.")
)
DRAFT = {
    "title": "Our vendor was replaced mid-project",
    "summary": "The integration vendor changed and the handover cost weeks.",
    "body": "Intro.\n\n## Driving event\nThe integration vendor was replaced in month four.\n\n"
    "## Root cause\nNo exit clause.\n",
    "lang": "en",
}


@pytest.fixture
def kb(settings, database):
    docs = {**DOCS, "lessons/vendor-zh.md": VENDOR_ZH, "lessons/uat.md": UAT}
    build_kb(settings, database, docs)
    create_user(database, "cur1", PASSWORD, "curator")
    create_user(database, "cur2", PASSWORD, "curator")
    create_user(database, "learner1", PASSWORD, "learner")
    return settings, database


@pytest.fixture
def client(kb):
    with TestClient(create_app(kb[0])) as client:
        yield client


def token(client, path="/signin"):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def sign_in(client, name):
    data = {"username": name, "password": PASSWORD, "csrf_token": token(client)}
    assert client.post("/signin", data=data, follow_redirects=False).status_code == 303


def similar(client, **fields):
    data = {**DRAFT, **fields, "csrf_token": token(client)}
    return client.post("/curate/similar", data=data, follow_redirects=False)


def test_the_nearest_published_lesson_comes_first_with_its_similarity(client):
    sign_in(client, "cur1")
    response = similar(client)
    assert response.status_code == 200
    answer = response.json()
    assert answer["method"] == "semantic"
    assert len(answer["lessons"]) <= 3
    first = answer["lessons"][0]
    assert (
        first["url"] == "/docs/lesson-vendor" and first["title"] == "Switching vendors mid-project"
    )
    assert 0 < first["percent"] <= 100 and first["level"] in ("same", "close", "related")
    percents = [lesson["percent"] for lesson in answer["lessons"]]
    assert percents == sorted(percents, reverse=True)
    ids = {lesson["id"] for lesson in answer["lessons"]}
    assert not ids & {"guide-risk", "guide-risk-en", "guide-change", "guide-draft"}  # lessons only
    assert "lesson-vendor-zh" not in ids  # one version of a translated lesson


def test_the_lesson_itself_and_its_translation_are_not_its_duplicates(client):
    sign_in(client, "cur1")
    for doc_id in ("lesson-vendor", "lesson-vendor-zh"):
        ids = {lesson["id"] for lesson in similar(client, doc_id=doc_id).json()["lessons"]}
        assert not ids & {"lesson-vendor", "lesson-vendor-zh"}, doc_id
    ids = {
        lesson["id"] for lesson in similar(client, translation_of="lesson-vendor").json()["lessons"]
    }
    assert not ids & {"lesson-vendor", "lesson-vendor-zh"}


def test_a_draft_like_nothing_finds_nothing(client):
    sign_in(client, "cur1")
    answer = similar(client, title="Zorblax quux", summary="", body="").json()
    assert answer == {"method": "semantic", "lessons": [], "took_ms": answer["took_ms"]}
    empty = similar(client, title="", summary="", body="").json()
    assert empty["lessons"] == []


def test_curators_only_with_the_form_token(client):
    assert similar(client).status_code == 303  # sign in first
    sign_in(client, "learner1")
    assert similar(client).status_code == 403
    sign_in(client, "cur1")
    assert client.post("/curate/similar", data=DRAFT).status_code == 403  # no token


def test_input_is_bounded(client):
    sign_in(client, "cur1")
    too_big = similar(client, body="x" * 70_000)
    assert too_big.status_code == 413
    long_title = similar(client, title="vendor " * 2000)
    assert long_title.status_code == 200


def test_the_driving_event_is_read_in_either_language():
    assert driving_event("## Driving event\nA.\n## Root cause\nB.") == "A."
    assert driving_event("# x\n\n## 触发事件\n第四个月。\n\n## 根本原因\n合同。") == "第四个月。"
    assert driving_event("## Effect\nC.") == ""
    text = probe_text(DraftLesson("T", "S", "## 事件经过\nE\n## 影响\nF"))
    assert text == "T\nS\nE"


def test_without_a_semantic_index_the_keyword_leg_answers(kb):
    settings, _ = kb
    store = GenerationStore(settings.index_root)
    searcher = Searcher(store, {})  # no vector leg at all
    try:
        answer = find_similar_lessons(searcher, DraftLesson(**{**DRAFT, "doc_id": "x"}))
    finally:
        searcher.close()
    assert answer.method == "keyword"
    assert answer.lessons[0].id == "lesson-vendor"
    assert answer.lessons[0].percent is None and answer.lessons[0].level == "words"


def test_before_any_index_it_says_so(settings):
    searcher = Searcher(GenerationStore(settings.index_root), {})
    try:
        assert find_similar_lessons(searcher, DraftLesson(**DRAFT)).method == "none"
    finally:
        searcher.close()


def test_the_review_page_shows_the_similar_lessons(client):
    sign_in(client, "cur1")
    form = {
        "id": "lesson-vendor-again", "kind": "lesson", "phase": ["executing"],
        "area": ["procurement"], "project": "CRM 2", "date": "2026-01-15", "impact": "negative",
        "priority": "high", "action_status": "open", "action": "save", **DRAFT,
        "body": DRAFT["body"] + "\n## Effect\nWeeks lost.\n\n## Recommendation\nA clause.\n\n"
        "## Early-warning signs\n- Late invoices\n",
    }  # fmt: skip
    saved = client.post(
        "/curate/save", data={**form, "csrf_token": token(client)}, follow_redirects=False
    )
    assert saved.status_code == 303, saved.text
    page = client.get("/curate/doc/lesson-vendor-again").text
    panel = re.search(r'<section class="similar-panel".*?</section>', page, re.S).group(0)
    assert "Similar lessons already published" in panel
    assert '<a href="/docs/lesson-vendor">Switching vendors mid-project</a>' in panel
    assert "% similar" in panel and "update it or mark yours as a recurrence" in panel
    # and the editor carries the live panel and its script
    editor = client.get("/curate/edit/lesson-vendor-again").text
    assert 'id="similar-lessons"' in editor and 'src="/static/similar.js"' in editor
    assert "<script>" not in editor  # no inline script (CSP)
    guide = client.get("/curate/doc/guide-risk").text
    assert "similar-panel" not in guide  # only lessons


def test_lookups_are_rate_limited_per_curator(kb):
    app = create_app(kb[0])
    app.state.similar_limiter = RateLimiter(burst=3, per_second=1.0, clock=lambda: 0.0)  # frozen
    with TestClient(app) as first, TestClient(app) as second:
        sign_in(first, "cur1")
        assert [similar(first).status_code for _ in range(3)] == [200, 200, 200]
        refused = similar(first)
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert "similar-lesson lookups" in refused.text
        sign_in(second, "cur2")  # another curator has a bucket of their own
        assert similar(second).status_code == 200
