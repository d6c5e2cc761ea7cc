"""The mixed Chinese/English analyzer and the keyword index's query handling."""

import pytest

from search.index.keyword import KeywordIndex
from search.index.records import SectionRecord
from search.text.analyzer import MixedTokenizer, configure_jieba, leaves, query_terms


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    configure_jieba(tmp_path_factory.mktemp("jieba"))
    texts = [
        "项目风险管理计划需要定期更新",
        "风险和管理是两个词，这里分开出现：管理层关注风险。",
        "The stakeholders reviewed the risk register weekly.",
        "Register your risks; the weekly review is mandatory.",
    ]
    records = [
        SectionRecord(
            i, f"d{i}", f"t{i}", "", (), text, str(i), "guide", "zh", "published", (), (), ()
        )
        for i, text in enumerate(texts)
    ]
    return KeywordIndex.create(tmp_path_factory.mktemp("kw"), records)


def sids(index, query):
    return [hit.sid for hit in index.search(query)]


def test_leaves_split_compounds_into_dictionary_words():
    assert leaves("风险管理") == ("风险", "管理")
    assert leaves("风险") == ("风险",)


def test_query_mode_emits_only_leaves_with_consecutive_positions():
    tokens = [(t.text, t.pos) for t in MixedTokenizer()("风险管理", positions=True, mode="query")]
    assert tokens == [("风险", 0), ("管理", 1)]


def test_latin_words_are_stemmed_and_stop_words_dropped():
    assert query_terms("The Stakeholders reviewing") == ["stakehold", "review"]


def test_compound_query_finds_longer_compound_in_document(index):
    assert sids(index, "风险管理")[0] == 0


def test_and_query_with_chinese_compound(index):
    assert set(sids(index, "风险管理 AND 计划")) == {0}


def test_quoted_chinese_phrase_needs_adjacent_words(index):
    assert sids(index, '"风险管理"') == [0]


def test_quoted_english_phrase(index):
    assert sids(index, '"risk register"') == [2]


def test_not_and_or_operators(index):
    assert set(sids(index, "register NOT stakeholders")) == {3}
    assert set(sids(index, "stakeholders OR mandatory")) == {2, 3}


def test_field_syntax(index):
    assert sids(index, "title:t3") == [3]


@pytest.mark.parametrize("query", ['"unclosed', "AND OR", "title:", "(((", "body:)", '"', "NOT"])
def test_malformed_queries_never_error(index, query):
    index.search(query)  # falls back to plain terms instead of raising


def test_malformed_query_with_words_still_finds_them(index):
    assert 3 in sids(index, '"mandatory review')


def test_chinese_function_words_are_not_search_terms():
    terms = query_terms("办公室搬迁时怎样通知到所有员工？我们应该如何做")
    assert "搬迁" in terms and "通知" in terms and "员工" in terms
    assert not {"时", "怎样", "所有", "应该", "如何", "我们", "的"} & set(terms)


def test_a_function_word_alone_matches_nothing(index):
    assert sids(index, "所有的时候") == []
