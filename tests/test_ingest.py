"""The ingest pipeline: documents in the catalog, incremental updates, one transaction."""

import json

import pytest
from sqlalchemy import text

from ingest import pipeline
from kb.content import meta
from kb.content.meta import ModuleMeta
from kb.store import catalog
from tests.conftest import LESSON_EN


def run(database, settings):
    return pipeline.ingest(database, settings.content, settings.max_file_bytes)


def test_lesson_is_catalogued_with_fields_and_sections(content, settings, database):
    content.write("lessons/vendor.md", LESSON_EN)
    report = run(database, settings)
    assert report.errors == []
    assert (report.documents, report.added) == (1, ["lesson-vendor-switch"])
    with database.session() as session:
        doc = catalog.get(session, "lesson-vendor-switch")
    assert doc.kind == "lesson" and doc.lang == "en"
    assert doc.meta.impact == "negative" and doc.meta.date == "2025-06-30"
    assert doc.phases == ["executing"] and doc.areas == ["procurement", "risk"]
    assert [s.anchor for s in doc.sections][:2] == ["", "driving-event"]
    assert doc.sections[1].line == 18  # the heading's line in the file


def test_meta_is_stored_as_the_same_json(content, settings, database):
    content.write("lessons/vendor.md", LESSON_EN)
    run(database, settings)
    with database.session() as session:
        stored = session.execute(
            text("SELECT meta FROM documents WHERE id = 'lesson-vendor-switch'")
        ).scalar_one()
        doc = catalog.get(session, "lesson-vendor-switch")
    lesson = {
        "project": "ERP rollout",
        "date": "2025-06-30",
        "impact": "negative",
        "priority": "high",
        "action_status": "done",
    }
    stored = stored if isinstance(stored, dict) else json.loads(stored)  # PostgreSQL: JSON type
    assert stored == lesson and doc.meta.to_json() == lesson
    assert doc.meta == meta.from_json(lesson)


def test_defaults_for_foreign_markdown(content, settings, database):
    content.write(
        "notes/plain.md", "# 项目复盘\n\n这是一个没有前置元数据的文档，用来测试默认值。\n"
    )
    content.write(
        "notes/other.md", "---\nlayout: page\nphase: alpha\n---\nNo heading, English text.\n"
    )
    report = run(database, settings)
    assert report.errors == []
    with database.session() as session:
        plain = catalog.get(session, "notes/plain")
        other = catalog.get(session, "notes/other")
    assert (plain.title, plain.kind, plain.lang) == ("项目复盘", "guide", "zh")
    assert (other.title, other.lang, other.phases) == ("other", "en", [])


def test_unchanged_files_are_skipped_and_deleted_ones_removed(content, settings, database):
    content.write("a.md", "# A\n\ntext a\n")
    path_b = content.write("b.md", "# B\n\ntext b\n")
    assert len(run(database, settings).added) == 2
    again = run(database, settings)
    assert (again.added, again.updated, again.unchanged) == ([], [], 2)
    content.write("a.md", "# A\n\nchanged text\n")
    path_b.unlink()
    third = run(database, settings)
    assert (third.updated, third.removed, third.unchanged) == (["a"], ["b"], 0)
    with database.session() as session:
        assert catalog.get(session, "a").sections[0].text == "changed text"
        assert catalog.get(session, "b") is None


def test_a_broken_edit_keeps_the_last_good_version(content, settings, database):
    content.write("a.md", "---\ntitle: Good\n---\ntext\n")
    run(database, settings)
    content.write("a.md", "---\ntitle: [unclosed\n---\ntext\n")
    report = run(database, settings)
    assert len(report.errors) == 1 and report.removed == []
    with database.session() as session:
        assert catalog.get(session, "a").title == "Good"


def test_a_crash_mid_ingest_leaves_the_catalog_as_it_was(content, settings, database, monkeypatch):
    content.write("a.md", "# A\n\none\n")
    run(database, settings)
    content.write("a.md", "# A\n\ntwo\n")
    content.write("b.md", "# B\n\nnew\n")
    real_upsert = catalog.upsert
    calls = []

    def crashing_upsert(session, document):
        calls.append(document.id)
        if len(calls) == 2:
            raise RuntimeError("killed")
        real_upsert(session, document)

    monkeypatch.setattr(catalog, "upsert", crashing_upsert)
    with pytest.raises(RuntimeError):
        run(database, settings)
    with database.session() as session:
        assert catalog.get(session, "a").sections[0].text == "one"
        assert catalog.get(session, "b") is None


def test_training_module_steps_inherit_and_carry_quizzes(content, settings, database):
    content.write(
        "training/basics/module.md",
        """
        ---
        id: training-basics
        title: Basics
        kind: training
        lang: en
        phase: [initiating]
        objectives: [Know the basics]
        estimated_minutes: 20
        pass_mark: 80
        ---
        Welcome.
        """,
    )
    content.write(
        "training/basics/01-start.md",
        """
        ---
        title: Start here
        quiz:
          - question: Who signs the charter?
            choices: [PM, Sponsor]
            answer: 2
            explanation: The sponsor authorises the project.
        ---
        The sponsor signs the charter.
        """,
    )
    report = run(database, settings)
    assert report.errors == []
    with database.session() as session:
        step = catalog.get(session, "training-basics/01-start")
        module = catalog.get(session, "training-basics")
    assert (step.kind, step.lang, step.phases) == ("training", "en", ["initiating"])
    assert step.meta.module == "training-basics" and step.meta.step == 1
    assert step.quiz[0].answer == 2
    assert module.meta.pass_mark == 80 and isinstance(module.meta, ModuleMeta)


def test_steps_of_a_translated_module_pair_by_file_name(content, settings, database):
    module = """
        ---
        id: {id}
        title: Basics
        kind: training
        lang: {lang}
        objectives: [Know the basics]
        estimated_minutes: 20
        pass_mark: 80
        {extra}
        ---
        Welcome.
        """
    content.write("training/basics/module.md", module.format(id="t-basics", lang="en", extra=""))
    content.write("training/basics/01-start.md", "# Start here\n\nThe sponsor signs.\n")
    content.write(
        "training/basics-zh/module.md",
        module.format(id="t-basics-zh", lang="zh", extra="translation_of: t-basics"),
    )
    content.write("training/basics-zh/01-start.md", "# 从这里开始\n\n发起人签署章程。\n")
    content.write("training/basics-zh/02-extra.md", "# 补充\n\n只有中文版的一步。\n")
    report = run(database, settings)
    assert report.errors == []
    with database.session() as session:
        assert catalog.get(session, "t-basics-zh/01-start").translation_of == "t-basics/01-start"
    [missing] = [p for p in report.problems if "translation_of" in p.message]
    assert missing.path == "training/basics-zh/02-extra.md"
    assert "t-basics/02-extra" in missing.message and "same file name" in missing.hint


def test_pm_corpus_ingests_without_crash(tmp_path):
    from kb.bootstrap import open_database
    from tests.conftest import SHARED_EVAL

    corpus = SHARED_EVAL / "pm-corpus"
    if not corpus.is_dir():
        pytest.skip("shared/eval/pm-corpus is not beside the project")
    database = open_database(f"sqlite:///{tmp_path / 'kb.sqlite3'}")
    report = pipeline.ingest(database, corpus, 2_000_000)
    assert report.errors == [] and report.documents == 514
    with database.session() as session:
        texts = [row.text for row in session.query(catalog.SectionRow).limit(100000)]
        titles = [row.title for row in catalog.list_documents(session)]
    assert all(title.strip() for title in titles)
    for marker in ("{:", "{% ", "{{ ", ":::"):
        # only code examples may keep markup; prose must not
        assert sum(marker in text for text in texts) <= 2, marker
    again = pipeline.ingest(database, corpus, 2_000_000)
    assert again.unchanged == 514 and again.added == again.updated == []


def test_the_editor_names_an_empty_chinese_section_and_its_line():
    from ingest.editor import check as editor_check

    text = LESSON_EN.lstrip("\n").replace(
        "## Root cause\nNo exit clause and no knowledge transfer plan in the contract.\n",
        "## 根本原因\n\n### 细节\n\n",
    )
    problems = [p for ps in editor_check(text).problems.values() for p in ps]
    empty = [p for p in problems if "is empty" in p.message]
    assert [(p.line, p.message) for p in empty] == [
        (text.splitlines().index("## 根本原因") + 1,
         "the required section '根本原因' (Root cause) is empty"),
    ]  # fmt: skip
