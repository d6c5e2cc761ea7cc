"""Markdown handling: cleanup of real-world quirks, anchors, plain text, rendering safety."""

from ingest.sections import split_sections
from kb.content.markdown import clean_markup, parse, render_html, slugify


def sections_of(source: str):
    return split_sections(parse(source), "Doc", 1)


def test_slugify_keeps_chinese_and_drops_punctuation():
    assert slugify("风险管理：识别与评估") == "风险管理识别与评估"
    assert slugify("Root cause (why?)") == "root-cause-why"


def test_duplicate_headings_get_unique_anchors():
    sections = sections_of("## Risks\na\n## Risks\nb\n")
    assert [s.anchor for s in sections] == ["risks", "risks-1"]


def test_heading_without_space_is_a_heading():
    sections = sections_of("intro\n\n###Background\ntext\n#Who should take part\nmore\n")
    assert [s.heading for s in sections[1:]] == ["Background", "Who should take part"]


def test_kramdown_ids_and_attribute_lists_are_removed():
    source = "## Onboarding {#onboarding-id}\n\n{:.intro}\nUse a field. {: .lead}\n"
    sections = sections_of(source)
    assert sections[0].anchor == "onboarding-id"
    assert sections[0].heading == "Onboarding"
    assert "{" not in sections[0].text and "Use a field." in sections[0].text


def test_liquid_tags_are_removed_and_lines_kept():
    source = "{% include _phases.html %}\n{% for p in site.pages %}\n{{ p.title }}\n{% endfor %}\nReal text\n"
    cleaned = clean_markup(source)
    assert cleaned.count("\n") == source.count("\n")
    assert "{%" not in cleaned and "{{" not in cleaned and "Real text" in cleaned


def test_liquid_inside_code_fence_is_kept():
    source = "```\n{{ keep }}\n```\n"
    assert "{{ keep }}" in clean_markup(source)


def test_vitepress_containers_keep_their_text():
    sections = sections_of("::: tip 策略\n要点一\n:::\n")
    text = sections[0].text
    assert ":::" not in text and "策略" in text and "要点一" in text


def test_html_is_stripped_from_indexed_text():
    sections = sections_of(
        '<div class="example">\n<p>Visible words</p>\n</div>\n\nA <b>bold</b> move\n'
    )
    text = sections[0].text
    assert "<" not in text and "Visible words" in text and "bold" in text


def test_long_sections_are_split_at_paragraphs():
    paragraph = " ".join(["word"] * 120)
    sections = sections_of(f"## Long\n\n{paragraph}\n\n{paragraph}\n\n{paragraph}\n")
    assert len(sections) == 3
    assert {s.anchor for s in sections} == {"long"}
    assert [s.part for s in sections] == [0, 1, 2]


def test_chinese_headings_get_anchors():
    sections = sections_of("## 触发事件\n供应商破产。\n## 根本原因\n合同没有退出条款。\n")
    assert [s.anchor for s in sections] == ["触发事件", "根本原因"]


def test_rendering_is_safe():
    html = render_html(
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
        "[x](javascript:alert(1)) [y](data:text/html,hi)\n"
    )
    assert "<script" not in html and "onerror" not in html
    assert 'href="javascript' not in html and 'href="data' not in html
    assert "[x](javascript:alert(1))" in html  # shown as harmless text


def test_rendering_keeps_tables_tasks_and_anchors():
    html = render_html("## 风险 登记\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n")
    assert 'id="风险-登记"' in html and "<table>" in html and 'type="checkbox"' in html
