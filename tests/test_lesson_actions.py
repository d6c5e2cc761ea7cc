"""Lesson actions and recurrences: the front-matter and its errors (file:line, fix), the derived
action_status, the store (filled with the catalog, emptied with it), the editor round trip, the
lesson page, the curators' dashboard with its CSV and JSON API, and the `recurring` search filter."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ingest import editor, pipeline
from kb.accounts import create_user
from kb.content.actions import summary_status
from kb.content.taxonomy import ActionState, ActionStatus
from kb.insights import actions as lesson_actions
from kb.insights.csv_export import BOM, csv_text
from kb.store.tables import ActionRow, RecurrenceRow
from search.service import ingest_and_index
from tests.search_fixtures import build_kb
from web.app import create_app
from web.curate.views import problem_text

TODAY = dt.date.today()
PAST = (TODAY - dt.timedelta(days=20)).isoformat()
LONG_PAST = (TODAY - dt.timedelta(days=90)).isoformat()
FUTURE = (TODAY + dt.timedelta(days=30)).isoformat()
PASSWORD = "actions-pass"
ZH = {"accept-language": "zh-CN"}
BODY = """
## Driving event
The cutover failed.

## Root cause
No rehearsal.

## Effect
Two days of downtime.

## Recommendation
Rehearse every cutover.

## Early-warning signs
- No rehearsal date in the plan
"""


def lesson(doc_id: str, extra: str, lang: str = "en", date: str = "2026-01-10") -> str:
    head = (
        f"---\nid: {doc_id}\ntitle: Lesson {doc_id}\nkind: lesson\nlang: {lang}\n"
        f"summary: About {doc_id}.\nphase: [executing]\narea: [risk]\nproject: Pallet\n"
        f"date: {date}\nimpact: negative\npriority: high\n"
    )
    return head + extra + "---\n" + BODY


EARLIER = lesson(
    "lesson-cutover",
    f"""actions:
  - what: Rehearse the cutover twice
    owner: Li Wei
    due: {LONG_PAST}
    status: in_progress
  - what: "=HYPERLINK(\\"http://evil\\")"
    owner: Sarah Chen
    due: {FUTURE}
    link: guide-cutover#rollback
  - what: Buy a tool
    owner: Sarah Chen
    due: {PAST}
    status: dropped
    reason: the rehearsal covers it
""",
    date="2025-03-01",
)
LATER = lesson(
    "lesson-cutover-again",
    f"""actions:
  - what: 回退演练纳入切换规范
    owner: 王敏
    due: {PAST}
recurs: lesson-cutover
""",
    lang="zh",
    date="2026-05-04",
)
GUIDE = (
    "---\nid: guide-cutover\ntitle: Cutover guide\nkind: guide\nlang: en\n---\n## Rollback\nHow.\n"
)
DOCS = {
    "lessons/cutover.md": EARLIER,
    "lessons/cutover-again.md": LATER,
    "guides/cutover.md": GUIDE,
}


def problems(content, settings, text: str, rel: str = "lessons/bad.md"):
    content.write("guides/cutover.md", GUIDE)
    content.write("lessons/cutover.md", EARLIER)
    content.write(rel, text)
    result = pipeline.check_content(settings.content, settings.max_file_bytes)
    return [p for p in result.problems if p.path == rel]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if needle in line)


# --- the front-matter -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "needle", "words"),
    [
        ("what: A\n    owner: Li\n    due: 2026-03-01\n    status: finished", "status:", "'open'"),
        ("what: A\n    owner: Li\n    due: 2026-02-30", "due:", "not a date that exists"),
        ("what: A\n    owner: ''\n    due: 2026-03-01", "owner:", "needs an owner"),
        ("what: A\n    owner: Li\n    due: 2026-03-01\n    status: dropped", "- what", "reason"),
        ("what: A\n    due: 2026-03-01", "- what", "'owner' is missing"),
        ("what: A\n    owner: Li\n    due: 2026-03-01\n    colour: red", "colour", "unknown"),
        (f"what: A\n    owner: {'x' * 201}\n    due: 2026-03-01", "owner:", "at most 200"),
        (
            f"what: A\n    owner: Li\n    due: 2026-03-01\n    link: https://x.org/{'a' * 500}",
            "link:",
            "at most 500",
        ),
    ],
)
def test_a_bad_action_is_an_error_naming_file_line_and_fix(
    content, settings, action, needle, words
):
    text = lesson("lesson-bad", f"actions:\n  - {action}\n")
    errors = [p for p in problems(content, settings, text) if p.severity == "error"]
    assert len(errors) == 1, [str(p) for p in errors]
    assert words in errors[0].message
    assert errors[0].line == line_of(text, needle)
    assert errors[0].hint  # says how to fix it


@pytest.mark.parametrize(
    ("recurs", "words"),
    [
        ("lesson-nowhere", "no document has the id 'lesson-nowhere'"),
        ("guide-cutover", "is a guide, not a lesson"),
        ("lesson-bad", "this lesson itself"),
    ],
)
def test_recurs_must_name_another_existing_lesson(content, settings, recurs, words):
    text = lesson("lesson-bad", f"action_status: open\nrecurs: {recurs}\n")
    (error,) = problems(content, settings, text)
    assert error.severity == "error" and words in error.message
    assert error.line == line_of(text, "recurs:") and "earlier lesson" in error.hint


def test_a_recurs_list_names_the_line_of_the_bad_id(content, settings):
    text = lesson("lesson-bad", "action_status: open\nrecurs:\n  - lesson-cutover\n  - nope\n")
    (error,) = problems(content, settings, text)
    assert "'nope'" in error.message and error.line == line_of(text, "- nope")


def test_an_action_link_must_name_an_existing_document(content, settings):
    ok = "actions:\n  - what: A\n    owner: Li\n    due: 2026-03-01\n    link: guide-cutover#rollback\n"
    assert problems(content, settings, lesson("lesson-ok", ok)) == []
    url = ok.replace("guide-cutover#rollback", "https://wiki.example.com/x")
    assert problems(content, settings, lesson("lesson-ok", url)) == []
    text = lesson("lesson-bad", ok.replace("guide-cutover#rollback", "guide-gone#x"))
    (error,) = problems(content, settings, text)
    assert "guide-gone" in error.message and error.line == line_of(text, "link:")


def test_action_status_alone_still_works_and_is_required_without_actions(content, settings):
    assert problems(content, settings, lesson("lesson-old", "action_status: done\n")) == []
    (error,) = problems(content, settings, lesson("lesson-old", ""))
    assert "action_status" in error.message and "actions" in error.hint


@pytest.mark.parametrize(
    ("states", "summary"),
    [
        (["done", "dropped"], "done"),
        (["dropped"], "done"),
        (["open", "done"], "in_progress"),
        (["open", "in_progress"], "in_progress"),
        (["open", "open"], "open"),
        ([], None),
    ],
)
def test_action_status_summarises_the_actions(states, summary):
    assert summary_status(ActionState(s) for s in states) == (summary and ActionStatus(summary))


def test_a_contradicting_action_status_is_a_warning_and_the_actions_win(content, settings):
    text = lesson(
        "lesson-stale",
        "action_status: done\nactions:\n  - what: A\n    owner: Li\n    due: 2026-03-01\n",
    )
    (warning,) = problems(content, settings, text)
    assert warning.severity == "warning" and warning.line == line_of(text, "action_status")
    assert "'open'" in warning.message
    result = pipeline.check_content(settings.content, settings.max_file_bytes)
    (doc,) = [d for d in result.changed if d.id == "lesson-stale"]
    assert doc.meta.action_status == ActionStatus.OPEN


def test_a_closed_date_on_an_open_action_is_a_warning(content, settings):
    text = lesson(
        "lesson-odd",
        "actions:\n  - what: A\n    owner: Li\n    due: 2026-03-01\n    closed: 2026-02-01\n",
    )
    (warning,) = problems(content, settings, text)
    assert warning.severity == "warning" and warning.line == line_of(text, "closed:")
    assert "done or dropped" in warning.hint


def test_the_shipped_content_has_actions_in_both_languages_and_checks_clean(settings):
    from tests.conftest import REPO

    result = pipeline.check_content(REPO / "content", settings.max_file_bytes)
    assert result.errors == [] and result.problems == []
    lessons = [d for d in result.changed if d.kind == "lesson"]
    with_actions = [d for d in lessons if d.meta.actions]
    assert len(with_actions) == len(lessons)
    zh = [a.what for d in with_actions if d.lang == "zh" for a in d.meta.actions]
    assert zh and all(re.search(r"[\u4e00-\u9fff]", what) for what in zh)
    assert any(d.meta.recurs for d in lessons if d.lang == "zh")
    assert any(d.meta.recurs for d in lessons if d.lang == "en")


# --- the store ---------------------------------------------------------------------------------


def test_ingest_fills_the_action_and_recurrence_tables_and_keeps_them_in_step(settings, database):
    build_kb(settings, database, DOCS)
    with database.reading() as session:
        rows = session.scalars(select(ActionRow).order_by(ActionRow.doc_id, ActionRow.ord)).all()
        assert [(r.doc_id, r.ord, r.status) for r in rows] == [
            ("lesson-cutover", 0, "in_progress"),
            ("lesson-cutover", 1, "open"),
            ("lesson-cutover", 2, "dropped"),
            ("lesson-cutover-again", 0, "open"),
        ]
        recurrence = session.scalars(select(RecurrenceRow)).one()
        assert (recurrence.doc_id, recurrence.earlier_id, recurrence.date) == (
            "lesson-cutover-again", "lesson-cutover", "2026-05-04",
        )  # fmt: skip
    (settings.content / "lessons/cutover-again.md").unlink()
    (settings.content / "lessons/cutover.md").write_text(
        EARLIER.replace("status: in_progress", "status: done"), encoding="utf-8"
    )
    from search.embedders import EmbedderPool

    ingest_and_index(settings, database, EmbedderPool(settings.embedders, settings.threads))
    with database.reading() as session:
        statuses = session.scalars(select(ActionRow.status).order_by(ActionRow.ord)).all()
        assert statuses == ["done", "open", "dropped"]
        assert session.scalars(select(RecurrenceRow)).all() == []


def test_dashboard_queries_put_overdue_first_and_group(settings, database):
    build_kb(settings, database, DOCS)
    with database.reading() as session:
        items = lesson_actions.actions(session, TODAY)
        assert [(i.doc_id, i.number, i.overdue) for i in items] == [
            ("lesson-cutover", 1, True),  # 90 days overdue before 20
            ("lesson-cutover-again", 1, True),
            ("lesson-cutover", 2, False),
        ]
        assert items[0].url == "/docs/lesson-cutover#recommendation"
        assert items[0].days_overdue == 90
        owners = lesson_actions.grouped(items, "owner")
        assert [(g.key, len(g.items), g.overdue) for g in owners] == [
            ("Li Wei", 1, 1), ("王敏", 1, 1), ("Sarah Chen", 1, 0),
        ]  # fmt: skip
        months = lesson_actions.counts_over_time(session, TODAY)
        assert len(months) == 12 and months[-1].day == TODAY
        assert (months[-1].open, months[-1].overdue) == (3, 2)
        (recurred,) = lesson_actions.recurrences(session)
        assert (recurred.doc_id, recurred.count, recurred.last) == (
            "lesson-cutover",
            1,
            "2026-05-04",
        )


def test_counts_over_time_follow_the_dates():
    """Open from the lesson's date until closed; overdue once past due while open."""
    item = dict(
        doc_id="x", title="x", lang="en", phases=(), areas=(), number=1, what="w", owner="o",
        reason="", link="", url="", overdue=False, days_overdue=0,
    )  # fmt: skip

    class Rows:
        def __init__(self, items):
            self.items = items

    done = lesson_actions.ActionItem(
        **item, lesson_date="2026-01-05", due="2026-02-10", status="done", closed="2026-03-15"
    )
    still_open = lesson_actions.ActionItem(
        **item, lesson_date="2026-02-20", due="2026-03-01", status="open", closed=None
    )
    today = dt.date(2026, 4, 10)
    original = lesson_actions.actions
    try:
        lesson_actions.actions = lambda session, today, open_only=True: [done, still_open]
        months = {m.day.isoformat(): (m.open, m.overdue) for m in
                  lesson_actions.counts_over_time(None, today, months=4)}  # fmt: skip
    finally:
        lesson_actions.actions = original
    assert months == {
        "2026-01-31": (1, 0),
        "2026-02-28": (2, 1),  # `done` is past due and not closed yet
        "2026-03-31": (1, 1),  # closed on the 15th; the other is overdue
        "2026-04-10": (1, 1),
    }


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_has_a_bom_and_no_cell_starts_a_formula():
    text = csv_text(
        [["what", "owner"], ["=1+2", "+x"], ["-3", "@SUM(A1)"], ['改进, "quoted"', "ok"]]
    )
    assert text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM))))
    assert rows == [
        ["what", "owner"],
        ["'=1+2", "'+x"],
        ["'-3", "'@SUM(A1)"],
        ['改进, "quoted"', "ok"],
    ]


def test_csv_formulas_hidden_behind_a_separator_full_width_or_spaces_are_defused():
    payloads = [
        "Fix it;=cmd|' /C calc'!A0",  # a ";" locale splits the cell there
        "＝1+1",  # full-width equals sign
        "＋SUM(A1)",
        "  =1+1",  # leading spaces
        "\u3000@SUM(A1)",  # an ideographic space first
        "ok, -2+3",
    ]
    text = csv_text([payloads, ["plain text", "2026-01-05", "a-b"]])
    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM))))
    assert rows[0] == ["'" + p for p in payloads]
    assert rows[1] == ["plain text", "2026-01-05", "a-b"]  # what is not a formula is untouched
    # every field quoted: no locale's separator splits a cell in two
    assert text.removeprefix(BOM).startswith("\"'Fix it;=cmd|' /C calc'!A0\",\"")


# --- over HTTP ---------------------------------------------------------------------------------


@pytest.fixture
def client(settings, database):
    build_kb(settings, database, DOCS)
    create_user(database, "learner1", PASSWORD, "learner")
    create_user(database, "cur1", PASSWORD, "curator")
    with TestClient(create_app(settings)) as client:
        yield client


def token(client, path="/signin") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def sign_in(client, username):
    data = {"username": username, "password": PASSWORD, "csrf_token": token(client)}
    assert client.post("/signin", data=data, follow_redirects=False).status_code == 303


def test_the_lesson_page_shows_actions_overdue_and_recurrences(client):
    page = client.get("/docs/lesson-cutover").text
    recurred = page[page.index('id="recurred"') : page.index("</p>", page.index('id="recurred"'))]
    assert "Recurred once, on 2026-05-04" in recurred and "/docs/lesson-cutover-again" in recurred
    assert page.index('id="recurred"') < page.index('class="markdown"')  # above the text
    section = page[page.index('id="actions"') :]
    rows = re.findall(r'<tr class="action ([^"]*)">(.*?)</tr>', section, re.DOTALL)
    assert [cls for cls, _ in rows] == ["in_progress overdue", "open", "dropped"]
    assert "Li Wei" in rows[0][1] and LONG_PAST in rows[0][1] and "overdue" in rows[0][1]
    assert 'href="/docs/guide-cutover#rollback"' in rows[1][1]
    assert "the rehearsal covers it" in rows[2][1]
    later = client.get("/docs/lesson-cutover-again", headers=ZH).text
    assert "本条是以下经验教训的再次发生" in later and 'href="/docs/lesson-cutover"' in later
    assert "已逾期" in later
    assert 'id="actions"' not in client.get("/docs/guide-cutover").text


@pytest.mark.parametrize("path", ["/curate/actions", "/curate/actions.csv", "/api/actions"])
def test_the_dashboard_is_for_curators_only(client, path):
    anonymous = client.get(path, follow_redirects=False)
    assert anonymous.status_code == (401 if path.startswith("/api/") else 303)
    sign_in(client, "learner1")
    assert client.get(path).status_code == 403


def test_the_dashboard_groups_open_actions_overdue_first(client):
    sign_in(client, "cur1")
    page = client.get("/curate/actions?group=owner").text
    assert "3 open actions, 2 overdue, 3 owners" in page
    groups = re.findall(r'class="card action-group" data-key="([^"]*)"', page)
    assert groups == ["Li Wei", "王敏", "Sarah Chen"]
    assert 'href="/docs/lesson-cutover#recommendation"' in page
    assert "90 days overdue" in page and 'id="actions-chart"' in page and "<svg" in page
    assert "Lesson lesson-cutover" in page[page.index('id="recurring"') :]
    by_phase = client.get("/curate/actions", headers=ZH).text
    assert re.findall(r'data-key="([^"]*)"', by_phase) == ["executing"]
    assert "执行" in by_phase and "逾期 90 天" in by_phase
    assert client.get("/curate/actions?group=colour").status_code == 422
    summary = client.get("/curate").text
    assert re.search(r'id="actions-summary">.*3 open, 2 overdue', summary)


def test_the_csv_export_opens_in_a_spreadsheet(client):
    sign_in(client, "cur1")
    response = client.get("/curate/actions.csv")
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    raw = response.content
    assert raw.startswith(BOM.encode("utf-8"))
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8").removeprefix(BOM))))
    assert [(r["lesson"], r["number"], r["overdue"]) for r in rows] == [
        ("lesson-cutover", "1", "yes"),
        ("lesson-cutover-again", "1", "yes"),
        ("lesson-cutover", "2", "no"),
    ]
    assert rows[1]["what"] == "回退演练纳入切换规范"
    assert rows[2]["what"].startswith("'=HYPERLINK")  # never a live formula
    assert rows[0]["url"] == "http://127.0.0.1:8000/docs/lesson-cutover#recommendation"


def test_the_json_api_gives_the_dashboard_as_data(client):
    sign_in(client, "cur1")
    data = client.get("/api/actions").json()
    assert (data["total"], data["overdue"]) == (3, 2)
    assert [a["overdue"] for a in data["actions"]] == [True, True, False]
    assert data["groups"]["owner"][0] == {"key": "Li Wei", "open": 1, "overdue": 1}
    assert len(data["counts_over_time"]) == 12
    assert data["recurring"][0]["lesson"] == "lesson-cutover"
    assert data["recurring"][0]["later"] == [
        {
            "lesson": "lesson-cutover-again",
            "title": "Lesson lesson-cutover-again",
            "date": "2026-05-04",
        }
    ]
    only_late = client.get("/api/actions", params={"overdue_only": "true"}).json()
    assert only_late["total"] == 2
    every = client.get("/api/actions", params={"include_closed": "true"}).json()
    assert [a["status"] for a in every["actions"]].count("dropped") == 1


def test_search_filters_on_recurring_lessons(client):
    found = client.get("/api/search", params={"q": "cutover rehearsal", "recurring": "true"}).json()
    assert {hit["id"] for hit in found["results"]} == {"lesson-cutover", "lesson-cutover-again"}
    unfiltered = client.get("/api/search", params={"q": "cutover"}).json()
    assert "guide-cutover" in {hit["id"] for hit in unfiltered["results"]}
    assert unfiltered["facets"]["recurring"] == {"1": 2}
    keyword = client.get(
        "/api/search", params={"q": "cutover", "recurring": "true", "mode": "keyword"}
    ).json()
    assert {hit["id"] for hit in keyword["results"]} == {"lesson-cutover", "lesson-cutover-again"}
    page = client.get("/search", params={"q": "cutover", "recurring": "1"}).text
    assert "Recurred (not yet learned)" in page and "/docs/guide-cutover" not in page


def test_a_recurrence_of_a_draft_is_not_shown_to_readers(settings, database):
    # a published lesson that says it repeats a draft names no hidden title; the recurring
    # filter counts only recurrences between published lessons, as the pages do
    draft = EARLIER.replace("kind: lesson\n", "kind: lesson\nstatus: draft\n")
    build_kb(settings, database, {**DOCS, "lessons/cutover.md": draft})
    with TestClient(create_app(settings)) as client:
        later = client.get("/docs/lesson-cutover-again").text
        assert "Lesson lesson-cutover<" not in later and 'href="/docs/lesson-cutover"' not in later
        found = client.get("/api/search", params={"q": "cutover", "recurring": "true"}).json()
        assert found["results"] == []


# --- the editor --------------------------------------------------------------------------------


def test_the_editor_round_trips_actions_and_recurs():
    draft = editor.decompose(
        EARLIER.replace("date: 2025-03-01", "date: 2025-03-01\nrecurs: [lesson-x]")
    )
    assert [row["owner"] for row in draft.fields["actions"]] == [
        "Li Wei",
        "Sarah Chen",
        "Sarah Chen",
    ]
    assert draft.fields["recurs"] == ["lesson-x"] and draft.extra == ""
    again = editor.decompose(editor.compose(draft))
    assert again.fields == draft.fields


def test_actions_the_form_cannot_hold_stay_as_yaml():
    text = lesson(
        "lesson-odd", "actions:\n  - what: A\n    owner: Li\n    due: 2026-03-01\n    cost: 3\n"
    )
    draft = editor.decompose(text)
    assert "actions" not in draft.fields and "cost: 3" in draft.extra


def test_the_form_rows_become_actions_and_empty_rows_are_left_out():
    form = {
        "kind": "lesson",
        "act_what": ["Rehearse", "", "Buy"],
        "act_owner": ["Li", "", "Ann"],
        "act_due": ["2026-03-01", "", "2026-04-01"],
        "act_status": ["open", "open", "dropped"],
        "act_reason": ["", "", "covered"],
        "act_link": ["guide-cutover", "", ""],
        "act_closed": ["", "", "2026-03-20"],
    }
    draft = editor.from_form(form)
    assert draft.fields["actions"] == [
        {"what": "Rehearse", "owner": "Li", "due": "2026-03-01", "status": "open", "link": "guide-cutover"},
        {"what": "Buy", "owner": "Ann", "due": "2026-04-01", "status": "dropped", "reason": "covered",
         "closed": "2026-03-20"},
    ]  # fmt: skip


def test_saving_from_the_editor_keeps_the_actions_and_checks_them(client):
    sign_in(client, "cur1")
    form = {
        "csrf_token": token(client, "/curate/new"),
        "id": "lesson-new", "title": "New lesson", "kind": "lesson", "lang": "en",
        "summary": "S.", "project": "P", "date": "2026-01-15", "impact": "negative",
        "priority": "high", "recurs": "lesson-nowhere", "body": BODY,
        "act_what": ["Rehearse", ""], "act_owner": ["", ""], "act_due": ["2026-03-01", ""],
        "act_status": ["open", "open"], "act_reason": ["", ""], "act_link": ["", ""],
        "act_closed": ["", ""],
    }  # fmt: skip
    checked = client.post("/curate/check", data=form).json()
    by_field = {(p["field"], p["message"]) for p in checked["problems"]}
    assert by_field == {("actions", "Action 1 · Owner: the field 'owner' is missing")}
    form.update(act_owner=["Li Wei", ""], csrf_token=token(client))
    checked = client.post("/curate/check", data=form).json()
    (problem,) = checked["problems"]
    assert problem["field"] == "recurs" and "lesson-nowhere" in problem["message"]
    assert not checked["ok"]
    form.update(recurs="lesson-cutover", action="save", csrf_token=token(client))
    saved = client.post("/curate/save", data=form, follow_redirects=False)
    assert saved.status_code == 303
    edited = client.get("/curate/edit/lesson-new").text
    assert edited.count('name="act_what"') == 2  # the saved action and an empty row
    assert 'value="Li Wei"' in edited and 'value="lesson-cutover"' in edited
    checked = client.post("/curate/check", data={**form, "csrf_token": token(client)}).json()
    assert checked["ok"], checked["problems"]


def test_action_problems_read_in_the_ui_language():
    from kb.content.problems import Problem

    problem = Problem("x.md", 12, "actions.2.due: Input should be a valid date", "hint")
    assert problem_text(problem, "zh")[0].startswith("第 2 项行动 · 截止日期：")


# --- publishing --------------------------------------------------------------------------------


def test_publishing_updates_the_actions_and_a_failed_publish_puts_them_back(settings, database):
    from ingest.publish import PublishError, publish_text
    from search.embedders import EmbedderPool
    from search.service import open_publisher

    build_kb(settings, database, DOCS)
    publisher = open_publisher(
        settings, database, EmbedderPool(settings.embedders, settings.threads).all()
    )

    def statuses():
        with database.reading() as session:
            query = select(ActionRow.status).where(ActionRow.doc_id == "lesson-cutover")
            return session.scalars(query.order_by(ActionRow.ord)).all()

    rel = "lessons/cutover.md"
    publish_text(
        publisher,
        "lesson-cutover",
        rel,
        EARLIER.replace("status: in_progress", "status: done"),
        "cur1",
        "",
    )
    assert statuses() == ["done", "open", "dropped"]

    def broken_index():
        raise OSError("index disk failure")

    publisher.reindex = broken_index
    fewer = EARLIER.split('  - what: "=HYPERLINK')[0] + "---\n" + BODY
    with pytest.raises(PublishError):
        publish_text(publisher, "lesson-cutover", rel, fewer, "cur1", "")
    assert statuses() == ["done", "open", "dropped"]  # as before the failed publish
    with database.reading() as session:
        assert session.scalars(select(RecurrenceRow.doc_id)).all() == ["lesson-cutover-again"]


def test_an_action_due_before_the_lessons_own_date_is_a_warning_at_its_line(content, settings):
    text = lesson(
        "lesson-early-due",
        "actions:\n  - what: Rehearse\n    owner: Li\n    due: 2025-12-01\n"
        "  - what: Review\n    owner: Li\n    due: 2026-02-01\n",
        date="2026-01-10",
    )
    found = problems(content, settings, text)
    assert [(p.line, p.severity) for p in found] == [(line_of(text, "2025-12-01"), "warning")]
    assert "due 2025-12-01, before the lesson's own date 2026-01-10" in found[0].message
    assert "`due`" in found[0].hint and "`date`" in found[0].hint
