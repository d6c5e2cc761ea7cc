"""The PMO glossary: parsed from the curators' tables, it translates a query's terms so keyword
search reaches documents in the other language."""

import pytest

from search.query.searcher import SearchRequest
from search.text.analyzer import configure_jieba
from search.text.glossary import Glossary, parse_glossary
from tests.search_fixtures import build_kb

GLOSSARY = """---
id: guide-glossary
title: Glossary
kind: guide
lang: en
summary: Terms in English and Chinese.
tags: [glossary]
---
Intro text with a | pipe that is not a table.

## Contracts

| English | 中文 | Definition |
|---|---|---|
| final payment / retention | 尾款 / 质保金 | Money held back until acceptance. |
| user acceptance testing / UAT | 用户验收测试 / UAT | Key users test the system. |
| risk register | 风险登记册 | The list of risks. |

| Other | Table |
|---|---|
| not | terms |
"""
LESSON_ZH = """---
id: lesson-retention-zh
title: 尾款扣留经验
kind: guide
lang: zh
summary: 竣工资料移交前扣留尾款。
---
## 经过
集成商在竣工资料移交前要求支付尾款，我们扣留了质保金直到交接完成。
"""
LESSON_EN = """---
id: lesson-uat-en
title: Key users had no time for UAT
kind: guide
lang: en
summary: User acceptance testing got 40% of the planned hours.
---
## What happened
User acceptance testing collided with the year-end close.
"""


@pytest.fixture(scope="module", autouse=True)
def jieba(tmp_path_factory):
    configure_jieba(tmp_path_factory.mktemp("jieba"))


def test_only_english_chinese_tables_are_read_with_their_synonyms():
    pairs = parse_glossary(GLOSSARY.split("---", 2)[2])
    assert [(p.english, p.chinese) for p in pairs] == [
        (("final payment", "retention"), ("尾款", "质保金")),
        (("user acceptance testing", "UAT"), ("用户验收测试", "UAT")),
        (("risk register",), ("风险登记册",)),
    ]


def test_terms_translate_both_ways_longest_first():
    glossary = Glossary(parse_glossary(GLOSSARY))
    assert glossary.translate("Should we hold back the final payments?", "en") == ["尾款", "质保金"]
    assert glossary.translate("Our risk registers are useless", "en") == ["风险登记册"]
    assert glossary.translate("用户验收测试只用了四成工时", "zh") == [
        "UAT",
        "user acceptance testing",
    ]
    assert glossary.translate("项目章程怎么写", "zh") == []
    assert Glossary([]).translate("risk register", "en") == []


def test_a_query_reaches_the_other_language_through_the_glossary(settings, database):
    docs = {"guides/glossary.md": GLOSSARY, "lessons/zh.md": LESSON_ZH, "lessons/en.md": LESSON_EN}
    searcher = build_kb(settings, database, docs)
    english = searcher.search(SearchRequest("withholding the final payment", mode="keyword"))
    assert "lesson-retention-zh" in [hit.id for hit in english.results]
    assert "glossary" in english.legs
    chinese = searcher.search(SearchRequest("用户验收测试时间不够", mode="keyword"))
    assert "glossary" not in chinese.legs  # Chinese questions reach English through the vectors
    only_zh = searcher.search(
        SearchRequest("withholding the final payment", mode="keyword", filters={"lang": ["en"]})
    )
    assert "lesson-retention-zh" not in [hit.id for hit in only_zh.results]
    searcher.close()


def test_the_glossary_page_lists_topics_and_definitions_in_the_ui_language():
    from search.text.glossary import glossary_sections

    text = """## Contracts / 合同

| English | 中文 | Definition | 释义 |
|---|---|---|---|
| final payment / retention | 尾款 / 质保金 | Money held back. | 验收前扣留的款项。 |
"""
    [section] = glossary_sections(text)
    assert section.title == "Contracts / 合同"
    [entry] = section.entries
    assert (entry.english, entry.chinese) == ("final payment / retention", "尾款 / 质保金")
    assert entry.definitions == {"en": "Money held back.", "zh": "验收前扣留的款项。"}


def test_a_translation_found_almost_everywhere_is_not_searched(settings, database):
    glossary = GLOSSARY.replace(
        "| risk register | 风险登记册 | The list of risks. |",
        "| risk register | 风险登记册 | The list of risks. |\n| project | 项目 | A project. |",
    )
    docs = {"guides/glossary.md": glossary, "lessons/zh.md": LESSON_ZH}
    for i in range(40):
        docs[f"guides/p{i}.md"] = (
            f"---\nid: guide-p{i}\ntitle: 笔记 {i}\nkind: guide\nlang: zh\nsummary: 笔记。\n---\n"
            f"每个项目笔记 {i} 都提到这个项目。\n"
        )
    searcher = build_kb(settings, database, docs)
    found = [hit.id for hit in searcher.search(SearchRequest("project final payment")).results]
    assert "lesson-retention-zh" in found  # through 尾款 and 质保金
    assert not [doc for doc in found if doc.startswith("guide-p")]  # 项目 is everywhere
    searcher.close()


def test_the_glossary_page_filters_by_q_without_javascript(settings, database):
    from fastapi.testclient import TestClient

    from web.app import create_app

    build_kb(settings, database, {})
    with TestClient(create_app(settings)) as client:
        everything = client.get("/glossary", headers={"accept-language": "en"}).text
        risk = client.get("/glossary", params={"q": "RISK REGISTER"}).text
        chinese = client.get("/glossary", params={"q": "风险登记册"}).text
        none = client.get("/glossary", params={"q": "zzqx"}, headers={"accept-language": "zh"})
    rows = everything.count('class="glossary-row"')
    assert rows > 100 and 'id="glossary-q"' in everything and "/static/glossary.js" in everything
    assert 0 < risk.count('class="glossary-row"') < rows and ">risk register<" in risk.lower()
    assert 0 < chinese.count('class="glossary-row"') < rows and 'value="风险登记册"' in chinese
    assert none.status_code == 200 and 'class="glossary-row"' not in none.text
    assert "没有包含“zzqx”的术语。" in none.text
