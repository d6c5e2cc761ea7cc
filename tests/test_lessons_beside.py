"""Lessons at the moment of need: a training step and a guide of a phase show the published
lessons of that phase and area beside their text, nearest in content first, one version of a
translated lesson (in the reader's language); a page view runs no model, and a change to the
catalog shows at once."""

import re

import pytest
from fastapi.testclient import TestClient

from search.embedders import EmbedderPool, FakeEmbedder
from search.index.generations import GenerationStore
from search.lessons.beside import LessonsBeside
from search.query.searcher import Searcher
from search.service import ingest_and_index
from tests.search_fixtures import build_kb
from web.app import create_app


def lesson(doc_id, title, phase, area, text, lang="en", status="published", extra=""):
    return f"""---
id: {doc_id}
title: {title}
kind: lesson
lang: {lang}
status: {status}
{extra}phase: [{phase}]
area: [{area}]
project: P
date: 2025-03-01
impact: negative
priority: medium
action_status: done
---
## Driving event
{text}
## Root cause
Cause.
## Effect
Effect.
## Recommendation
Recommendation.
## Early-warning signs
- Sign
"""


DOCS = {
    "training/plan/module.md": """---
id: training-plan
title: Planning a project
kind: training
lang: en
summary: Plan it.
phase: [planning]
area: [risk, cost]
objectives: [Plan]
prerequisites: []
estimated_minutes: 10
pass_mark: 50
---
The planning module.
""",
    "training/plan/01-risks.md": """---
title: Build the risk register
summary: The risk register.
---
## Build the risk register

Write the risk register and review the risk register weekly with every risk owner.
""",
    "guides/planning.md": """---
id: guide-planning
title: Planning guide
kind: guide
lang: en
phase: [planning]
area: [risk]
---
## Risks in planning

Review the risk register weekly with every risk owner.
""",
    "guides/nophase.md": """---
id: guide-glossary-note
title: A note on words
kind: guide
lang: en
---
Review the risk register weekly.
""",
    "lessons/review.md": lesson(
        "lesson-register-unreviewed", "The risk register was never reviewed", "planning", "risk",
        "Nobody reviewed the risk register weekly; no risk owner was named.",
    ),
    "lessons/review-zh.md": lesson(
        "lesson-register-unreviewed-zh", "风险登记册从未评审", "planning", "risk",
        "没有人每周评审风险登记册。", lang="zh",
        extra="translation_of: lesson-register-unreviewed\n",
    ),
    "lessons/budget.md": lesson(
        "lesson-budget", "Budget without contingency", "planning", "cost",
        "The budget had no contingency reserve.",
    ),
    "lessons/vendor.md": lesson(
        "lesson-vendor-exec", "Vendor replaced during execution", "executing", "procurement",
        "The vendor was replaced; the risk register was reviewed weekly too late.",
    ),
    "lessons/draft.md": lesson(
        "lesson-draft-plan", "A draft planning lesson", "planning", "risk",
        "Review the risk register weekly.", status="draft",
    ),
}  # fmt: skip


@pytest.fixture
def kb(settings, database):
    build_kb(settings, database, DOCS)
    return settings, database


@pytest.fixture
def client(kb):
    with TestClient(create_app(kb[0])) as client:
        yield client


def beside(html: str) -> list[str]:
    box = re.search(r'<section class="card lessons-beside".*?</section>', html, re.S)
    return re.findall(r'<a href="/docs/([^"]+)"', box.group(0)) if box else []


def test_a_step_shows_the_lessons_of_its_phase_nearest_first(client):
    page = client.get("/training/training-plan/1")
    assert page.status_code == 200
    ids = beside(page.text)
    assert ids[0] == "lesson-register-unreviewed"  # same phase and area, and similar text
    assert set(ids) == {"lesson-register-unreviewed", "lesson-budget"}
    assert "lesson-vendor-exec" not in ids  # another phase and area, however similar
    assert "lesson-draft-plan" not in ids  # not published
    assert "same phase · Risk · similar content" in page.text


def test_in_chinese_the_chinese_version_is_shown(client):
    client.cookies.set("ui_lang", "zh")
    ids = beside(client.get("/training/training-plan/1").text)
    assert ids[0] == "lesson-register-unreviewed-zh"
    assert "lesson-register-unreviewed" not in ids


def test_a_guide_of_a_phase_shows_them_too(client):
    assert beside(client.get("/docs/guide-planning").text)[0] == "lesson-register-unreviewed"
    assert beside(client.get("/docs/guide-glossary-note").text) == []  # a guide of no phase
    assert beside(client.get("/docs/lesson-budget").text) == []  # not on lessons themselves


def test_a_page_view_runs_no_model(client, monkeypatch):
    calls = []

    def counting(self, texts):
        calls.append(texts)
        return original(self, texts)

    original = FakeEmbedder.encode_passages
    monkeypatch.setattr(FakeEmbedder, "encode_passages", counting)
    for _ in range(3):
        assert beside(client.get("/training/training-plan/1").text)
        assert beside(client.get("/docs/guide-planning").text)
    assert calls == []


def test_a_new_lesson_shows_after_the_next_index_generation(client, kb):
    settings, database = kb
    (settings.content / "lessons/new.md").write_text(
        lesson(
            "lesson-owners-named", "Name every risk owner", "planning", "risk",
            "Review the risk register weekly with every risk owner named.",
        ),
        encoding="utf-8",
    )  # fmt: skip
    before = beside(client.get("/training/training-plan/1").text)
    assert "lesson-owners-named" not in before
    ingest_and_index(settings, database, EmbedderPool(settings.embedders, settings.threads))
    assert "lesson-owners-named" in beside(client.get("/training/training-plan/1").text)


def test_without_a_semantic_index_phase_and_area_decide(kb):
    settings, _ = kb
    searcher = Searcher(GenerationStore(settings.index_root), {})
    try:
        found = LessonsBeside(searcher).for_page("guide-planning", "en")
    finally:
        searcher.close()
    assert [lesson.id for lesson in found] == ["lesson-register-unreviewed", "lesson-budget"]
    assert not any(lesson.similar for lesson in found)
    assert found[0].phases == ("planning",) and found[0].areas == ("risk",)
