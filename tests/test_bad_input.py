"""Bad input: each gets a clear error naming file, line and fix, and never stops the other files."""

import os

import pytest

from ingest import pipeline
from tests.conftest import LESSON_EN

GOOD = "---\ntitle: Good one\nkind: guide\nlang: en\n---\nFine text.\n"


def check(content, settings):
    content.write("good.md", GOOD)
    result = pipeline.check_content(settings.content, settings.max_file_bytes)
    assert any(doc.id == "good" for doc in result.changed), "the good file must still load"
    return result


def only_error(result, path):
    errors = [p for p in result.errors if p.path == path]
    assert len(errors) == 1, [str(p) for p in result.problems]
    return errors[0]


def test_malformed_yaml_names_the_line(content, settings):
    content.write("bad.md", "---\ntitle: ok\ntags: [a, b\nkind: guide\n---\ntext\n")
    error = only_error(check(content, settings), "bad.md")
    assert "not valid YAML" in error.message and error.line in (3, 4) and error.hint


def test_unclosed_front_matter(content, settings):
    content.write("bad.md", "---\ntitle: ok\n\ntext without end\n")
    assert "never ends" in only_error(check(content, settings), "bad.md").message


@pytest.mark.parametrize(
    ("field", "value", "line"),
    [("kind", "essay", 3), ("phase", "[planing]", 4), ("area", "[risks]", 4), ("lang", "fr", 4)],
)
def test_unknown_vocabulary_values(content, settings, field, value, line):
    head = "---\ntitle: T\nkind: guide\n"
    text = head.replace(f"{field}: guide\n", "") + f"{field}: {value}\n---\nbody\n"
    if field == "kind":
        text = f"---\ntitle: T\nkind: {value}\n---\nbody\n"
    content.write("bad.md", text)
    error = only_error(check(content, settings), "bad.md")
    assert error.line == line
    assert "use" in error.hint  # lists the allowed values


def test_duplicate_ids(content, settings):
    content.write("one.md", "---\nid: same\ntitle: One\n---\nx\n")
    content.write("two.md", "---\nid: same\ntitle: Two\n---\ny\n")
    error = only_error(check(content, settings), "two.md")
    assert "one.md" in error.message and "unique" in error.hint


def test_lesson_missing_a_required_section(content, settings):
    content.write("lesson.md", LESSON_EN.replace("## Root cause", "## Why"))
    error = only_error(check(content, settings), "lesson.md")
    assert "Root cause" in error.message and "根本原因" in error.hint


def test_lesson_missing_front_matter_field(content, settings):
    content.write("lesson.md", LESSON_EN.replace("impact: negative\n", ""))
    error = only_error(check(content, settings), "lesson.md")
    assert "impact" in error.message and "positive" in error.hint


def test_quiz_answer_out_of_range(content, settings):
    content.write(
        "training/m/module.md",
        "---\nid: m\ntitle: M\nkind: training\nlang: en\nobjectives: [x]\n"
        "estimated_minutes: 5\npass_mark: 50\n---\nIntro\n",
    )
    content.write(
        "training/m/01-a.md",
        "---\ntitle: A\nquiz:\n  - question: Q?\n    choices: [a, b]\n    answer: 3\n---\nText\n",
    )
    error = only_error(check(content, settings), "training/m/01-a.md")
    assert "out of range" in error.message and error.line == 4


def test_invalid_utf8_names_the_line(content, settings):
    content.write_bytes("latin1.md", "# Title\n\nline two\nCaf\xe9\n".encode("latin-1"))
    error = only_error(check(content, settings), "latin1.md")
    assert "UTF-8" in error.message and error.line == 4


def test_binary_file_with_md_name(content, settings):
    content.write_bytes("image.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    assert "binary" in only_error(check(content, settings), "image.md").message


def test_file_over_size_limit(content, settings):
    content.write("big.md", "# Big\n\n" + "word " * 1000)
    result = pipeline.check_content(settings.content, max_bytes=1000)
    error = only_error(result, "big.md")
    assert "over the limit" in error.message and "KB_MAX_FILE_BYTES" in error.hint


def test_empty_file(content, settings):
    content.write("empty.md", "  \n\n")
    assert "empty" in only_error(check(content, settings), "empty.md").message


def test_symlink_outside_content_is_refused(content, settings, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("# Secret\n\npassword\n", encoding="utf-8")
    os.symlink(secret, content.root / "link.md")
    result = check(content, settings)
    assert "outside the content folder" in only_error(result, "link.md").message
    assert all(doc.path != "link.md" for doc in result.changed)


def test_unknown_field_in_our_format_is_a_warning_with_suggestion(content, settings):
    content.write("doc.md", "---\ntitle: T\nkind: guide\nphases: [planning]\n---\nx\n")
    result = check(content, settings)
    warning = next(p for p in result.problems if p.path == "doc.md")
    assert warning.severity == "warning" and "phase" in warning.hint


def test_prerequisite_cycle_and_unknown_prerequisite(content, settings):
    module = (
        "---\nid: {id}\ntitle: {id}\nkind: training\nlang: en\nobjectives: [x]\n"
        "estimated_minutes: 5\npass_mark: 50\nprerequisites: [{pre}]\n---\nIntro\n"
    )
    content.write("training/a/module.md", module.format(id="a", pre="b"))
    content.write("training/b/module.md", module.format(id="b", pre="a"))
    content.write("training/c/module.md", module.format(id="c", pre="nowhere"))
    result = check(content, settings)
    messages = " | ".join(p.message for p in result.errors)
    assert "cycle" in messages and "'nowhere' is not a training module" in messages


def test_step_numbering_gap(content, settings):
    content.write(
        "training/m/module.md",
        "---\nid: m\ntitle: M\nkind: training\nlang: en\nobjectives: [x]\n"
        "estimated_minutes: 5\npass_mark: 50\n---\nIntro\n",
    )
    content.write("training/m/01-a.md", "---\ntitle: A\n---\nText\n")
    content.write("training/m/03-c.md", "---\ntitle: C\n---\nText\n")
    result = check(content, settings)
    assert any("without gaps" in p.hint for p in result.errors)


def test_impossible_date_is_a_clear_error(content, settings):
    content.write("bad.md", "---\ntitle: T\nkind: guide\nupdated: 2025-02-30\n---\nbody\n")
    error = only_error(check(content, settings), "bad.md")
    assert "not valid YAML" in error.message and "day is out of range" in error.message
    assert error.line == 4
