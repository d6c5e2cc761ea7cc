"""`kb digest`: the period's new and updated lessons and the overdue actions per knowledge area,
as Markdown (printed or written atomically) or HTML; one version of a translated lesson; bad
--since or --output values are one clear message and exit 2."""

import datetime as dt

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from kb.cli import main
from kb.following.digest import PeriodError, parse_since
from kb.store.tables import DocumentRow
from tests.search_fixtures import DOCS, build_kb

LESSON = """---
id: {id}
title: "{title}"
kind: lesson
lang: {lang}
{extra}summary: "{summary}"
phase: [planning]
area: {areas}
project: P
date: 2025-02-01
impact: negative
priority: low
action_status: open
---
## Driving event
Something.
## Root cause
A cause.
## Effect
An effect.
## Recommendation
Do better.
## Early-warning signs
- A sign
"""


def lesson(doc_id, title, areas, lang="en", summary="A summary.", extra=""):
    return LESSON.format(
        id=doc_id, title=title, areas=areas, lang=lang, summary=summary, extra=extra
    )


EXTRA = {
    "lessons/risk.md": lesson(
        "lesson-risk-register", "Risk register <never> reviewed & forgotten", "[risk, schedule]"
    ),
    "lessons/risk-zh.md": lesson(
        "lesson-risk-register-zh", "风险登记册从未评审", "[risk, schedule]", lang="zh",
        extra="translation_of: lesson-risk-register\n",
    ),
    "lessons/old.md": lesson("lesson-old", "An old lesson", "[cost]"),
    "lessons/none.md": lesson("lesson-no-area", "A lesson without an area", "[]"),
}  # fmt: skip


@pytest.fixture
def kb(settings, database):
    build_kb(settings, database, {**DOCS, **EXTRA})
    with database.session() as session:  # the old lesson last changed a month ago
        row = session.get(DocumentRow, "lesson-old")
        row.changed_at = row.published_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
        # the vendor lesson was published a month ago and updated yesterday
        row = session.get(DocumentRow, "lesson-vendor")
        row.published_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
        row.changed_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    return settings


def digest(settings, *args):
    paths = ["--content", str(settings.content), "--data", str(settings.data)]
    return CliRunner().invoke(main, ["digest", *args, *paths], env={"KB_EMBEDDERS": '["fake"]'})


def test_markdown_lists_the_weeks_lessons_per_area(kb):
    result = digest(kb)
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("# PMO knowledge base digest\n")
    assert "## New and updated lessons learned" in text
    # areas in the taxonomy's order, each lesson under its first area, the others named
    assert (
        text.index("### Risk") < text.index("### Procurement") < text.index("### No knowledge area")
    )
    assert (
        "- [Risk register \\<never\\> reviewed & forgotten]"
        "(http://127.0.0.1:8000/docs/lesson-risk-register) — new, " in text
    )
    assert "(also: Schedule)" in text
    assert "(http://127.0.0.1:8000/docs/lesson-vendor) — updated, " in text
    assert "风险登记册" not in text  # the English digest shows the English version of the pair
    assert "lesson-old" not in text  # outside the period
    assert "guide-" not in text  # lessons only
    assert "A lesson without an area" in text


def test_a_chinese_digest_shows_the_chinese_version(kb):
    text = digest(kb, "--lang", "zh", "--since", "2w").output
    assert "# PMO 知识库摘要" in text and "### 风险" in text
    assert "风险登记册从未评审" in text and "Risk register" not in text
    assert "lesson-old" not in text


def test_a_longer_period_reaches_further_back(kb):
    assert "An old lesson" in digest(kb, "--since", "5w").output
    day = (dt.date.today() - dt.timedelta(days=40)).isoformat()
    assert "An old lesson" in digest(kb, "--since", day).output


def test_html_written_atomically_to_a_file(kb, tmp_path):
    target = tmp_path / "out" / "digest.html"
    result = digest(
        kb, "--format", "html", "--output", str(target), "--base-url", "https://kb.example.org/"
    )
    assert result.exit_code == 0, result.output
    html = target.read_text("utf-8")
    assert html.startswith("<!doctype html>")
    assert "Risk register &lt;never&gt; reviewed &amp; forgotten" in html
    assert '<a href="https://kb.example.org/docs/lesson-risk-register">' in html
    assert "<h3>Risk</h3>" in html
    assert [p.name for p in target.parent.iterdir()] == ["digest.html"]  # no temporary file left
    markdown = tmp_path / "digest.md"
    assert digest(kb, "--output", str(markdown)).exit_code == 0
    assert markdown.read_text("utf-8").startswith("# PMO knowledge base digest")


@pytest.mark.parametrize(
    ("since", "says"),
    [
        ("7x", "--since '7x' is not a period: use a number of hours, days or weeks"),
        ("last week", "is not a period"),
        ("0d", "is an empty period"),
        ("2999-01-01", "is in the future"),
        ("2026-02-30", "is not a period"),
    ],
)
def test_a_bad_since_is_one_clear_message(kb, since, says):
    result = digest(kb, "--since", since)
    assert result.exit_code == 2
    assert says in result.output
    assert "Traceback" not in result.output


def test_an_output_that_is_a_folder_is_refused(kb, tmp_path):
    result = digest(kb, "--output", str(tmp_path))
    assert result.exit_code == 2 and "is a folder" in result.output


def test_nothing_in_the_period(settings, database):
    build_kb(settings, database)
    with database.session() as session:
        for row in session.scalars(select(DocumentRow)):
            row.changed_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=60)
    result = digest(settings)
    assert result.exit_code == 0
    assert "No lessons were published or updated in this period." in result.output


def test_parse_since():
    now = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)
    assert parse_since("7d", now) == now - dt.timedelta(days=7)
    assert parse_since("12H", now) == now - dt.timedelta(hours=12)
    assert parse_since("2w", now) == now - dt.timedelta(weeks=2)
    assert parse_since("2026-11-25", now) == dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
    with pytest.raises(PeriodError):
        parse_since("-3d", now)


ACTIONS = """actions:
  - what: Review the risk register every fortnight
    owner: Sarah Chen (PMO)
    due: 2020-03-31
    status: open
  - what: Add risk owners to the charter template
    owner: Tom Li
    due: 2099-01-31
    status: in_progress
  - what: Train every PM on the register
    owner: Sarah Chen (PMO)
    due: 2020-01-31
    status: done
    closed: 2020-01-20
"""


def test_overdue_actions_are_listed_per_area_with_owner_and_days_late(settings, database):
    risk = lesson("lesson-risk-register", "Risk register never reviewed", "[risk]", extra=ACTIONS)
    build_kb(
        settings, database, {**DOCS, "lessons/risk.md": risk.replace("action_status: open\n", "")}
    )
    text = digest(settings).output
    part = text[text.index("## Overdue actions of lessons learned") :]
    assert "### Risk" in part
    days = (dt.date.today() - dt.date(2020, 3, 31)).days  # the server's day
    assert (
        "- [Review the risk register every fortnight]"
        "(http://127.0.0.1:8000/docs/lesson-risk-register#recommendation) — Sarah Chen (PMO), "
        f"due 2020-03-31 ({days} days overdue) · lesson: Risk register never reviewed" in part
    )
    assert "charter template" not in part  # not due yet
    assert "Train every PM" not in part  # done
    chinese = digest(settings, "--lang", "zh").output
    assert "## 逾期的经验教训改进行动" in chinese and f"（逾期 {days} 天）" in chinese


def test_no_overdue_action_is_said(kb):
    assert "No action of a published lesson is overdue." in digest(kb).output
