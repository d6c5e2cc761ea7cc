"""The shipped content: valid, and covering the standard process in both languages."""

from collections import Counter, defaultdict

import pytest

from ingest.pipeline import check_content
from kb.content.meta import ModuleMeta, StepMeta
from tests.conftest import REPO

PHASES = ["initiating", "planning", "executing", "monitoring", "closing"]
AREA_GUIDES = [
    "guide-risk-management",
    "guide-communication-management",
    "guide-change-management",
    "guide-resource-management",
    "guide-monitoring-reporting",
    "guide-performance-evaluation",
    "guide-knowledge-management",
]
TEMPLATES = [
    "template-project-charter",
    "template-stakeholder-register",
    "template-communication-plan",
    "template-risk-register",
    "template-change-request",
    "template-resource-plan",
    "template-weekly-status-report",
    "template-kpi-report",
    "template-lessons-learned",
    "template-closure-report",
]


@pytest.fixture(scope="module")
def shipped():
    result = check_content(REPO / "content", 2_000_000)
    return result, {doc.id: doc for doc in result.changed}


def test_kb_check_is_clean(shipped):
    result, _ = shipped
    assert [str(p) for p in result.problems] == []


def both_languages(docs, doc_id):
    return doc_id in docs and f"{doc_id}-zh" in docs and docs[f"{doc_id}-zh"].lang == "zh"


def test_every_phase_and_area_has_a_guide_in_both_languages(shipped):
    _, docs = shipped
    for guide in [f"guide-{phase}" for phase in PHASES] + AREA_GUIDES:
        assert both_languages(docs, guide), guide
        assert docs[guide].kind == "guide" and docs[guide].lang == "en"


def test_every_template_exists_in_both_languages(shipped):
    _, docs = shipped
    for template in TEMPLATES:
        assert both_languages(docs, template), template
        assert docs[template].kind == "template"
    assert docs["template-lessons-learned"].meta.creates == "lesson"


def test_lessons_cover_phases_areas_languages_and_both_impacts(shipped):
    _, docs = shipped
    lessons = [doc for doc in docs.values() if doc.kind == "lesson"]
    assert len(lessons) >= 40
    assert len({phase for doc in lessons for phase in doc.phases}) >= 5
    assert len({area for doc in lessons for area in doc.areas}) >= 8
    languages = Counter(doc.lang for doc in lessons)
    assert min(languages.values()) >= 0.35 * len(lessons)  # about half and half
    assert {doc.meta.impact for doc in lessons} == {"positive", "negative"}
    assert sum(1 for doc in lessons if doc.translation_of) >= 4  # some translated pairs


def test_training_modules_per_language_with_quizzes(shipped):
    _, docs = shipped
    modules = [doc for doc in docs.values() if isinstance(doc.meta, ModuleMeta)]
    by_lang = Counter(doc.lang for doc in modules)
    assert by_lang["en"] >= 6 and by_lang["zh"] >= 6
    steps = defaultdict(list)
    for doc in docs.values():
        if isinstance(doc.meta, StepMeta):
            steps[doc.meta.module].append(doc)
    for module in modules:
        assert 3 <= len(steps[module.id]) <= 6, module.id
        assert any(step.quiz for step in steps[module.id]), module.id
    first = {m.id for m in modules if not m.meta.prerequisites}
    assert first == {"training-initiating", "training-initiating-zh"}


def test_translations_point_at_the_other_language(shipped):
    _, docs = shipped
    linked = [doc for doc in docs.values() if doc.translation_of]
    assert len(linked) >= 30
    for doc in linked:
        target = docs.get(doc.translation_of)
        assert target is not None, f"{doc.id} → {doc.translation_of}"
        assert target.lang != doc.lang, doc.id
