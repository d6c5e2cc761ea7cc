"""The similar-lesson warning with the real multilingual model over the shipped lessons: a
draft finds the lesson it repeats in the other language, and editing a lesson never lists
the lesson itself or its translation."""

import shutil
import statistics
import time

import pytest

from kb.bootstrap import open_database
from kb.settings import Settings
from search.embedders import EmbedderPool
from search.lessons.similar import DraftLesson, find_similar_lessons
from search.service import ingest_and_index, open_searcher
from tests.conftest import REPO

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    root = tmp_path_factory.mktemp("similar")
    # the whole content: the lessons' actions link to guides and templates
    shutil.copytree(REPO / "content", root / "content")
    settings = Settings(
        content=root / "content", data=root / "data", embedders=["use-multilingual"]
    )
    database = open_database(settings.db_url)
    pool = EmbedderPool(settings.embedders, settings.threads)
    report, _ = ingest_and_index(settings, database, pool)
    assert report.errors == []
    searcher = open_searcher(settings, database, pool)
    searcher.warm_up()
    yield searcher
    searcher.close()
    database.close()


def ids(searcher, **draft) -> list[str]:
    answer = find_similar_lessons(searcher, DraftLesson(**draft))
    assert answer.method == "semantic"
    return [lesson.id for lesson in answer.lessons]


def test_a_chinese_draft_finds_the_english_lesson_it_repeats(searcher):
    found = ids(
        searcher,
        title="工资系统上线前用户验收测试被压缩",
        summary="开发延期但上线日期不变，用户验收测试从四周压缩到八天，首次发薪大量员工工资算错。",
        body="## 触发事件\n配置延误五周，上线日期不变，验收测试被压缩，也没有并行发薪。\n",
        lang="zh",
    )
    assert "lesson-en-uat-squeezed" in found  # written only in English


def test_an_english_draft_finds_the_chinese_lesson_it_repeats(searcher):
    found = ids(
        searcher,
        title="Moving core systems to the private cloud in one weekend window",
        summary="Three full dress rehearsals and a rollback rehearsal let the cutover of 12 "
        "systems finish inside the 8-hour outage window.",
        body="## Driving event\nWe migrated 9 TB and 12 systems from physical servers to the "
        "private cloud over one weekend, after three timed rehearsals.\n",
        lang="en",
    )
    assert "lesson-zh-cloud-migration-rehearsal" in found  # written only in Chinese
    assert "lesson-en-datacentre-move-dress-rehearsal" in found  # and the English one like it


def test_editing_a_lesson_lists_neither_itself_nor_its_translation(searcher):
    text = (REPO / "content/lessons/en/lesson-en-vendor-switch-midproject.md").read_text("utf-8")
    body = text.split("\n---\n", 1)[1]
    for doc_id in ("lesson-en-vendor-switch-midproject", "lesson-en-vendor-switch-midproject-zh"):
        found = ids(searcher, title="Switching vendors mid-project", body=body, doc_id=doc_id)
        assert len(found) == 3
        assert not {"lesson-en-vendor-switch-midproject",
                    "lesson-en-vendor-switch-midproject-zh"} & set(found)  # fmt: skip


def test_measure_the_lookup(searcher, capsys):
    """Not an assertion on time: prints what one lookup costs with the real model."""
    drafts = [
        DraftLesson(f"Lesson draft {n} about vendors, testing and change control", "A summary "
                    "of what happened on the project and what it cost.", lang="en")
        for n in range(40)
    ]  # fmt: skip
    times = []
    for draft in drafts:
        started = time.perf_counter()
        find_similar_lessons(searcher, draft)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    with capsys.disabled():
        print(f"\nsimilar lessons: p50 {statistics.median(times):.1f} ms, "
              f"p95 {times[int(len(times) * 0.95)]:.1f} ms")  # fmt: skip
