"""Which words snippets and document pages mark for a query (search.query.marks)."""

from search.query.marks import term_spans
from search.text.analyzer import query_terms


def marked(text: str, query: str) -> list[str]:
    return [text[start:end] for start, end in term_spans(text, query_terms(query))]


def test_a_chinese_word_split_by_the_segmenter_is_marked_as_one():
    text = "某办公室搬迁项目在搬完第二天就关闭了成本科目。"
    assert marked(text, "办公室搬迁时的沟通") == ["办公室搬迁"]


def test_marks_separated_only_by_a_space_merge_but_not_across_lines():
    assert marked("异地办公室 搬迁计划", "办公室搬迁") == ["办公室 搬迁"]
    assert marked("Uncontrolled change, usually called scope creep, is", "scope creep") == [
        "scope creep"
    ]
    assert marked("办公室\n搬迁", "办公室搬迁") == ["办公室", "搬迁"]


def test_a_single_character_alone_is_not_marked():
    # 工程师 is split into 工程 + 师: 师 is marked only as part of 工程师, never on its own.
    text = "前端工程师负责页面；教师和律师不在此列。"
    assert marked(text, "前端工程师在项目里要承担哪些职责") == ["前端工程师"]


def test_function_characters_and_english_stop_words_are_never_marked():
    assert marked("项目里的时间表", "项目里") == ["项目"]
    text = "Tell stakeholders about every decision about scope."
    assert marked(text, "what to do about scope") == ["scope"]


def test_english_terms_match_word_starts_next_to_chinese_text():
    assert marked("由PMO负责的PMO审计", "PMO") == ["PMO", "PMO"]
    assert marked("Changing vendors", "change vendor") == ["Changing vendors"]


def test_words_joined_by_an_underscore_or_hyphen_are_one_mark():
    assert marked("set action_status accordingly", "action_status") == ["action_status"]
