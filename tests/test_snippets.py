"""Search-result snippets: the best window of a section, table rows kept readable (search.query.snippets)."""

from ingest.sections import split_sections
from kb.content.markdown import parse
from search.query.snippets import best_sentence, highlight
from search.text.analyzer import query_terms

TABLE_SECTION = """
## Part B: Response and monitoring

| ID | Strategy | Risk owner | Residual score |
|---|---|---|---|
| R-001 | Mitigate | Wang Lei | 6 |
| R-002 | Accept | | 5 |
"""


def section_text(markdown: str) -> str:
    return split_sections(parse(markdown), "Register", 1)[-1].text


def test_a_table_row_is_one_line_of_cells_joined_by_dots():
    assert section_text(TABLE_SECTION).split("\n") == [
        "ID · Strategy · Risk owner · Residual score",
        "R-001 · Mitigate · Wang Lei · 6",
        "R-002 · Accept · 5",  # the empty cell is left out
    ]


def test_a_snippet_from_a_table_starts_at_a_row_and_separates_rows():
    snippet, matched = highlight(section_text(TABLE_SECTION), set(query_terms("risk owner")))
    assert matched
    assert snippet.startswith("ID · Strategy · <mark>Risk owner</mark> · Residual score; R-001")
    assert "|" not in snippet


def test_chinese_rows_are_separated_by_a_full_width_semicolon():
    text = section_text(
        "| 字段 | 可选值 |\n|---|---|\n| 优先级 | 低、中、高 |\n| 影响 | 正面、负面 |\n"
    )
    snippet, _ = highlight(text, set(query_terms("优先级 影响")))
    assert snippet == "… <mark>优先级</mark> · 低、中、高； <mark>影响</mark> · 正面、负面"


def test_prose_is_preferred_to_a_table_row_with_the_same_words():
    text = "Owner · Risk · Date\n" + "x " * 200 + "\nEvery risk has one owner who watches it."
    snippet, _ = highlight(text, set(query_terms("risk owner")))
    assert "Every <mark>risk</mark> has one <mark>owner</mark>" in snippet
    sentence = best_sentence("Owner · risk\nEach risk has an owner.", "risk owner")
    assert sentence == "Each risk has an owner."


def test_a_window_with_more_distinct_words_wins_over_repeats():
    text = "risk risk risk risk. " + "y " * 150 + "The risk owner signs."
    snippet, _ = highlight(text, set(query_terms("risk owner")))
    assert "<mark>risk owner</mark>" in snippet


def test_snippet_has_one_mark_per_phrase_and_escapes_html():
    snippet, matched = highlight("A <b> scope creep & risk", {"scope", "creep"})
    assert matched
    assert snippet == "A &lt;b&gt; <mark>scope creep</mark> &amp; risk"


def test_a_query_of_only_stop_words_marks_nothing():
    snippet, matched = highlight("All about the project.", set(query_terms("about")))
    assert not matched and "<mark>" not in snippet
