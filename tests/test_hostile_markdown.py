"""Hostile Markdown: bounded parsing with a clear error, work off the event loop, raw-text HTML
that cannot swallow the page, table alignment without inline styles, one size limit."""

import asyncio
import re

import pytest

from ingest import editor, pipeline
from kb.content.markdown import render_html
from kb.content.markdown.bounds import MAX_TABLE_CELLS
from kb.content.markdown.cleanup import _blank_liquid
from tests.test_curate import LESSON_FORM, client, post, sign_in  # noqa: F401

HEAD = "---\ntitle: Hostile\nkind: guide\nlang: en\n---\n"  # the body starts at line 6
TABLE = "|a|b|c|d|\n|-|-|-|-|\n" + "|cell one|cell two|cell three|cell four|\n" * 47_000


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ("Intro.\n\n" + "[" * 100_000, 8, "nested more than 32"),
        ("Intro.\n\n" + ">" * 100 + " deep", 8, "nested too deeply"),
        ("".join("  " * i + "- item\n" for i in range(40)), 21, "nested too deeply"),
        ("Intro.\n\n" + TABLE, 8, f"more than {MAX_TABLE_CELLS:,} cells"),
        ("a\n\n" * 120_000, None, "more than 200,000"),
        ("Intro.\n\n" + "*a" * 300_000, 8, "too much inline markup"),
    ],
    ids=["brackets", "quotes", "lists", "table", "paragraphs", "emphasis"],
)
def test_kb_check_names_the_file_line_and_limit(content, settings, body, line, words):
    content.write("hostile.md", HEAD + body)
    result = pipeline.check_content(settings.content, settings.max_file_bytes)
    [error] = [p for p in result.errors if p.path == "hostile.md"]
    assert words in error.message and error.hint
    assert error.line == line if line else error.line > 6


def test_brackets_in_code_and_escaped_are_fine():
    body = "```\n" + "[" * 100 + "\n```\n\n`" + "[" * 100 + "`\n\n" + "\\[" * 100 + "\n"
    assert "render-error" not in render_html(body)


def test_the_editor_reports_hostile_nesting_instead_of_hanging(client):  # noqa: F811
    sign_in(client, "cur1")
    result = post(client, "/curate/check", {**LESSON_FORM, "body": "[" * 100_000}).json()
    body = [p["message"] for p in result["problems"] if p["field"] == "body"]
    assert any("nested more than 32" in message for message in body), result["problems"]
    assert not result["ok"] and "render-error" in result["html"]


def test_parsing_and_rendering_run_off_the_event_loop(client, monkeypatch):  # noqa: F811
    on_loop = []
    real_check = editor.check

    def spy(*args, **kwargs):
        on_loop.append(asyncio._get_running_loop() is not None)
        return real_check(*args, **kwargs)

    monkeypatch.setattr(editor, "check", spy)
    sign_in(client, "cur1")
    post(client, "/curate/check", LESSON_FORM)
    post(client, "/curate/save", {**LESSON_FORM, "action": "preview"})
    upload = ("files", ("up.md", b"---\nid: up\ntitle: Up\n---\nText.\n", "text/markdown"))
    post(client, "/curate/upload", files=[upload])
    assert len(on_loop) >= 3 and not any(on_loop)


def test_an_unclosed_style_keeps_the_rest_of_the_page():
    html = render_html("Before.\n\n<style>\nbody { display: none }\n\nText after.\n\n## Next\n")
    assert "Text after." in html and '<h2 id="next">Next</h2>' in html
    assert "<style" not in html and "&lt;style&gt;" in html
    inline = render_html("Inline <style> here.\n\nSecond paragraph.\n")
    assert "Second paragraph." in inline and "<style" not in inline


@pytest.mark.parametrize("opener", ["<script>", "<textarea>", "<title>", "<!-- note", "<xmp>"])
def test_other_unclosed_raw_text_keeps_the_following_content(opener):
    html = render_html(f"{opener}\n\nText after.\n\n## Next\n")
    assert "<p>Text after.</p>" in html and '<h2 id="next">Next</h2>' in html


def test_closed_style_and_script_content_is_dropped():
    html = render_html("<style>p { color: red }</style>\n\n<script>alert(1)</script>\n\nKept.\n")
    assert "color" not in html and "alert" not in html and "<p>Kept.</p>" in html


def test_aligned_table_cells_get_classes_not_styles(client):  # noqa: F811
    html = render_html("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n")
    assert '<th class="align-left">a</th>' in html and '<td class="align-right">3</td>' in html
    assert '<td class="align-center">2</td>' in html and "style" not in html
    raw = render_html('<table><tr><td style="color:red">x</td></tr></table>')
    assert "style" not in raw
    css = client.get("/static/style.css").text
    assert re.search(r"\.align-right\s*\{\s*text-align:\s*right", css)
    csp = client.get("/").headers["content-security-policy"]
    assert "style-src 'self';" in csp and "unsafe-inline" not in csp


def test_the_editor_and_ingest_share_one_size_limit(client, content, settings):  # noqa: F811
    sign_in(client, "cur1")
    big = ("A long paragraph of plain words. " * 1000 + "\n\n") * 45  # about 1.5 MB
    saved = post(client, "/curate/save", {**LESSON_FORM, "body": big, "action": "save"})
    assert saved.status_code == 303, saved.text[:300]
    too_big = big * 2  # about 3 MB: over the 2,000,000-byte file limit
    refused = post(
        client,
        "/curate/save",
        {**LESSON_FORM, "id": "lesson-two", "body": too_big, "action": "save"},
    )
    assert refused.status_code == 422 and "over the limit of 2,000,000 bytes" in refused.text
    checked = post(client, "/curate/check", {**LESSON_FORM, "body": too_big}).json()
    assert "over the limit of 2,000,000 bytes" in checked["problems"][0]["message"]
    content.write_bytes("huge.md", (HEAD + too_big).encode())
    result = pipeline.check_content(settings.content, settings.max_file_bytes)
    [error] = [p for p in result.errors if p.path == "huge.md"]
    assert "over the limit of 2,000,000 bytes" in error.message


OLD_LIQUID = re.compile(r"\{%-?.*?-?%\}|\{\{-?.*?-?\}\}|\{#-?\s.*?#\}", re.DOTALL)


@pytest.mark.parametrize(
    "text",
    [
        "a {% if x %}b{% endif %} c", "{{ page.title }}\nline", "{# note #} {#nospace#}",
        "{% multi\nline %} {{ a }} {%", "{{ {% %} }}", "{#- x -#}{{", "}} %} {{{ x }}}",
        "{# a\n#}", "{%%}", "{#", "",
    ],
)  # fmt: skip
def test_liquid_blanking_matches_the_former_regex(text):
    expected = OLD_LIQUID.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    assert _blank_liquid(text) == expected


@pytest.mark.parametrize("value", ["[" * 20_000, "{a: " * 5_000])
def test_deeply_nested_front_matter_is_an_error_not_a_crash(content, settings, value):
    content.write("deep.md", f"---\ntitle: Deep\ntags: {value}\n---\nText.\n")
    result = pipeline.check_content(settings.content, settings.max_file_bytes)
    [error] = [p for p in result.errors if p.path == "deep.md"]
    assert "nest" in error.message and error.line == 3
