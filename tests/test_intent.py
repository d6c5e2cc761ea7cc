"""Intent words: a kind named as the query's head is a signal, a kind word used as a modifier is not."""

import pytest

from search.query.intent import detect_intent


@pytest.mark.parametrize(
    ("query", "kind", "rest"),
    [
        ("项目延期的教训", "lesson", "项目延期的"),
        ("关于供应商的经验教训", "lesson", "关于供应商的"),
        ("风险登记册模板", "template", "风险登记册"),
        ("风险登记册模板怎么填写", "template", "风险登记册 怎么填写"),
        ("经验教训模板", "template", "经验教训"),
        ("收尾阶段的指南", "guide", "收尾阶段的"),
        ("lessons about scope creep", "lesson", "about scope creep"),
        ("scope creep lessons", "lesson", "scope creep"),
        ("change request template", "template", "change request"),
        ("template for lessons learned", "template", "for lessons learned"),
        ("training on earned value", "training", "on earned value"),
    ],
)
def test_a_kind_word_at_the_head_names_the_kind(query, kind, rest):
    intent = detect_intent(query)
    assert intent is not None and (intent.kind, intent.rest) == (kind, rest)


@pytest.mark.parametrize(
    "query",
    [
        "how to run a lessons learned workshop",
        "如何组织经验教训总结会",
        "what went wrong when we changed vendors mid-project",
        "risk register",
        "变更评审流程",
        "form a team",
    ],
)
def test_a_kind_word_as_a_modifier_or_none_names_no_kind(query):
    assert detect_intent(query) is None


def test_a_query_that_is_only_a_kind_word_keeps_its_text():
    intent = detect_intent("templates")
    assert intent is not None and intent.kind == "template" and intent.rest == "templates"
