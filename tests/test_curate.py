"""Curator publishing over HTTP: roles, CSRF, editor validation, workflow, conflicts, history, dashboard."""

import re

import pytest
from fastapi.testclient import TestClient

from kb.accounts import create_user
from kb.curation.workflow import list_revisions
from kb.insights.feedback import record_feedback
from kb.insights.querylog import QueryLog, SearchLogEntry
from kb.store.audit import recent_events
from search.index.generations import GenerationStore
from tests.search_fixtures import build_kb
from web.app import create_app
from web.curate.routes import router as curate_router

PASSWORD = "curate-pass"
LESSON_FORM = {
    "id": "lesson-zorblax-cutover",
    "title": "Zorblax cutover weekend went badly",
    "kind": "lesson",
    "lang": "en",
    "summary": "The zorblax cutover had no rollback plan.",
    "tags": "cutover, 蓝鲸迁移",
    "phase": ["executing"],
    "area": ["risk"],
    "project": "Zorblax migration",
    "date": "2026-01-15",
    "impact": "negative",
    "priority": "high",
    "action_status": "open",
    "body": "## Driving event\nThe zorblax cutover failed.\n\n## Root cause\nNo rollback plan.\n\n"
    "## Effect\nTwo days of downtime.\n\n## Recommendation\nRehearse the cutover.\n\n"
    "## Early-warning signs\n- No rehearsal date in the plan\n",
}


@pytest.fixture
def client(settings, database):
    build_kb(settings, database)
    for name, role in (("learner1", "learner"), ("cur1", "curator"), ("cur2", "curator")):
        create_user(database, name, PASSWORD, role)
    create_user(database, "admin1", PASSWORD, "admin")
    with TestClient(create_app(settings)) as client:
        yield client


def token(client, path="/signin") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def sign_in(client, username):
    data = {"username": username, "password": PASSWORD, "csrf_token": token(client, "/signin")}
    assert client.post("/signin", data=data, follow_redirects=False).status_code == 303


def post(client, path, data=None, files=None):
    return client.post(
        path, data={**(data or {}), "csrf_token": token(client)}, files=files,
        follow_redirects=False,
    )  # fmt: skip


def approve(client, doc_id, revision=None):
    """Approve as the reviewer would: the revision shown on the document page."""
    if revision is None:
        found = re.search(
            r'name="revision" value="(\d+)"', client.get(f"/curate/doc/{doc_id}").text
        )
        revision = found.group(1) if found else "1"
    return post(client, f"/curate/approve/{doc_id}", {"revision": str(revision)})


def generation(settings):
    return GenerationStore(settings.index_root).current_name()


def reader_hits(client, query):
    return [
        hit["id"]
        for hit in client.get("/api/search", params={"q": query, "mode": "keyword"}).json()[
            "results"
        ]
    ]


def create_lesson(client, **changes):
    response = post(client, "/curate/save", {**LESSON_FORM, "action": "save", **changes})
    assert response.status_code == 303, response.text
    return response


CURATOR_GETS = [
    "/curate", "/curate/docs", "/curate/new", "/curate/edit/guide-risk", "/curate/doc/guide-risk",
    "/curate/history/guide-risk", "/curate/diff/guide-risk?a=1&b=1", "/curate/upload",
]  # fmt: skip
CURATOR_POSTS = [
    "/curate/check", "/curate/save", "/curate/submit/guide-risk", "/curate/approve/guide-risk",
    "/curate/reject/guide-risk", "/curate/unpublish/guide-risk", "/curate/restore/guide-risk",
    "/curate/approve-unpublish/guide-risk", "/curate/decline-unpublish/guide-risk",
    "/curate/upload",
]  # fmt: skip


def test_every_curate_route_is_listed_here():
    paths = {route.path for route in curate_router.routes}
    listed = {re.sub(r"/guide-risk.*|\?.*", "", p) for p in CURATOR_GETS + CURATOR_POSTS}
    assert {re.sub(r"/\{doc_id:path\}", "", p) for p in paths} == listed | {"/curate/audit"}


def test_roles_are_checked_on_every_curator_and_admin_route(client):
    for path in CURATOR_GETS + ["/curate/audit"]:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and "/signin?next=" in response.headers["location"]
    for path in CURATOR_POSTS:
        response = post(client, path, {"revision": "1"})
        assert response.status_code == 303 and "/signin" in response.headers["location"], path
    sign_in(client, "learner1")
    for path in CURATOR_GETS + ["/curate/audit"]:
        assert client.get(path).status_code == 403, path
    for path in CURATOR_POSTS:
        assert post(client, path, {"revision": "1"}).status_code == 403, path
    sign_in(client, "cur1")
    for path in CURATOR_GETS:
        assert client.get(path).status_code == 200, path
    assert client.get("/curate/audit").status_code == 403
    sign_in(client, "admin1")
    assert client.get("/curate/audit").status_code == 200


def test_posts_need_the_csrf_token(client):
    sign_in(client, "cur1")
    form = {**LESSON_FORM, "action": "save"}
    assert client.post("/curate/save", data=form).status_code == 403
    assert client.post("/curate/save", data={**form, "csrf_token": "forged"}).status_code == 403
    assert client.post("/curate/check", data=form).status_code == 403
    assert "lesson-zorblax-cutover" not in client.get("/curate").text


def test_live_validation_puts_errors_next_to_fields(client):
    sign_in(client, "cur1")
    body = LESSON_FORM["body"].split("## Early-warning")[0]
    result = post(client, "/curate/check", {**LESSON_FORM, "body": body, "project": ""}).json()
    fields = {p["field"]: p["message"] for p in result["problems"]}
    assert "Early-warning signs" in fields["body"] and "project" in fields
    assert not result["ok"] and "<h2" in result["html"]
    clean = post(client, "/curate/check", LESSON_FORM).json()
    assert clean["ok"] and clean["problems"] == []
    page = post(client, "/curate/save", {**LESSON_FORM, "body": body, "action": "preview"})
    assert page.status_code == 200 and 'data-errors-for="body"' in page.text
    assert "Early-warning signs" in page.text.split('data-errors-for="body"')[1][:400]


def test_new_document_from_a_template(client, settings, database):
    template = """---
id: template-lessons
title: Lessons form
kind: template
creates: lesson
lang: en
phase: [closing]
area: [knowledge]
tags: [form]
owner: PMO
---
Use this form for one lesson.

## Before you start

| Field | What to enter |
|---|---|
| `impact` | positive or negative |

## Driving event
> what happened

## Root cause
> why it happened
"""
    build_kb(settings, database, {"templates/l.md": template})
    sign_in(client, "cur1")
    page = client.get("/curate/new?template=template-lessons").text
    assert '<option value="lesson" selected>' in page  # the kind the template makes
    body = re.search(r'<textarea id="f-body"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert body.strip() == "## Driving event\n\n## Root cause"  # the sections to fill, only
    assert "checked" not in page.split('id="f-body"')[0].split("f-summary")[1]  # no phase/area
    assert 'name="tags" value=""' in page and 'value="PMO"' not in page
    guidance = page.split('id="template-guidance"')[1].split("</aside>")[0]
    assert "what happened" in guidance and "why it happened" in guidance
    assert "Use this form for one lesson." in guidance and "<table>" in guidance
    assert client.get("/curate/new?template=nope").status_code == 404
    assert client.get("/curate/new?template=guide-risk").status_code == 404


def test_workflow_drafts_hidden_then_published_incrementally(client, settings):
    sign_in(client, "cur1")
    create_lesson(client)
    assert "lesson-zorblax-cutover" in client.get("/curate").text  # in the drafts queue
    sign_in(client, "learner1")
    assert reader_hits(client, "zorblax") == []
    assert client.get("/docs/lesson-zorblax-cutover").status_code == 404
    sign_in(client, "cur1")
    assert post(client, "/curate/submit/lesson-zorblax-cutover").status_code == 303
    refused = approve(client, "lesson-zorblax-cutover")
    assert refused.status_code == 409 and "own change" in refused.text
    before = generation(settings)
    sign_in(client, "cur2")
    assert approve(client, "lesson-zorblax-cutover").status_code == 303
    path = settings.content / "lessons/en/lesson-zorblax-cutover.md"
    assert "status: published" in path.read_text(encoding="utf-8")
    assert generation(settings) != before
    client.cookies.clear()
    assert reader_hits(client, "zorblax cutover")[0] == "lesson-zorblax-cutover"
    assert reader_hits(client, "蓝鲸迁移")[0] == "lesson-zorblax-cutover"
    assert client.get("/docs/lesson-zorblax-cutover").status_code == 200
    sign_in(client, "admin1")
    audit = client.get("/curate/audit").text
    assert "publish" in audit and "approve" in audit and "cur2" in audit


def test_self_approval_when_the_setting_allows_it(client, settings):
    settings.self_approval = True
    sign_in(client, "cur1")
    create_lesson(client)
    post(client, "/curate/submit/lesson-zorblax-cutover")
    assert approve(client, "lesson-zorblax-cutover").status_code == 303


def test_submit_refused_while_there_are_errors(client):
    sign_in(client, "cur1")
    create_lesson(client, project="")
    response = post(client, "/curate/submit/lesson-zorblax-cutover")
    assert response.status_code == 409 and "validation errors" in response.text


def test_new_document_cannot_take_an_existing_id(client):
    sign_in(client, "cur1")
    response = post(client, "/curate/save", {**LESSON_FORM, "id": "guide-risk", "action": "save"})
    assert response.status_code == 409 and "already used" in response.text


def test_second_save_from_a_stale_base_shows_a_conflict(client, settings, database):
    sign_in(client, "cur1")
    editor = client.get("/curate/edit/guide-risk").text
    base = re.search(r'name="base" value="(\d+)"', editor).group(1)
    form = {
        "doc_id": "guide-risk", "base": base, "title": "风险管理指南", "kind": "guide",
        "lang": "zh", "action": "save",
    }  # fmt: skip
    assert (
        post(client, "/curate/save", {**form, "body": "## 风险\n\n第一位的修改。"}).status_code
        == 303
    )
    sign_in(client, "cur2")
    conflict = post(client, "/curate/save", {**form, "body": "## 风险\n\n第二位的修改。"})
    assert conflict.status_code == 409
    assert "第一位的修改" in conflict.text and "第二位的修改" in conflict.text
    assert 'id="conflict"' in conflict.text
    head = list_revisions(database, "guide-risk")[0]
    assert "第一位的修改" in head.text and head.author == "cur1"
    assert "第一位" not in (settings.content / "guides/risk.md").read_text(encoding="utf-8")


def test_history_diff_and_restore(client, database):
    sign_in(client, "cur1")
    create_lesson(client)
    editor = client.get("/curate/edit/lesson-zorblax-cutover").text
    base = re.search(r'name="base" value="(\d+)"', editor).group(1)
    changed = {**LESSON_FORM, "doc_id": "lesson-zorblax-cutover", "base": base, "action": "save"}
    changed["body"] = LESSON_FORM["body"].replace("Rehearse the cutover.", "Rehearse twice.")
    assert post(client, "/curate/save", changed).status_code == 303
    history = client.get("/curate/history/lesson-zorblax-cutover").text
    assert 'id="rev-1"' in history and 'id="rev-2"' in history
    unified = client.get("/curate/diff/lesson-zorblax-cutover?a=1&b=2&view=unified").text
    assert "-Rehearse the cutover." in unified and "+Rehearse twice." in unified
    split = client.get("/curate/diff/lesson-zorblax-cutover?a=1&b=2").text
    assert 'class="replace"' in split
    assert client.get("/curate/diff/lesson-zorblax-cutover?a=1&b=9").status_code == 404
    assert (
        post(client, "/curate/restore/lesson-zorblax-cutover", {"revision": "1"}).status_code == 303
    )
    revisions = list_revisions(database, "lesson-zorblax-cutover")
    assert [r.number for r in revisions] == [3, 2, 1]
    assert revisions[0].text == revisions[2].text and revisions[0].source == "restore"
    assert "restore" in [e.action for e in _events(database)]


def test_upload_validates_and_never_overwrites_without_confirmation(client, database):
    sign_in(client, "cur1")
    good = (
        "---\nid: guide-uploaded\ntitle: Uploaded guide\nkind: guide\nlang: en\n---\n## A\ntext\n"
    )
    bad = "---\nid: guide-bad\nkind: nonsense\n---\nbody\n"
    files = [
        ("files", ("good.md", good.encode(), "text/markdown")),
        ("files", ("bad.md", bad.encode(), "text/markdown")),
        ("files", ("../../evil.md", b"# Evil\n\nno front matter", "text/markdown")),
    ]
    response = post(client, "/curate/upload", files=files)
    assert response.status_code == 422  # one file failed
    assert "guide-uploaded" in response.text and "kind" in response.text
    assert "<code>evil</code>" in response.text  # id from the bare file name, no path
    existing = "---\nid: guide-risk\ntitle: 风险\nkind: guide\nlang: zh\n---\n## 新\n内容\n"
    again = post(client, "/curate/upload", files=[("files", ("r.md", existing.encode()))])
    assert again.status_code == 422 and "Replace existing" in again.text
    assert list_revisions(database, "guide-risk")[0].source == "disk"
    confirmed = post(
        client, "/curate/upload", {"replace": "yes"}, files=[("files", ("r.md", existing.encode()))]
    )
    assert confirmed.status_code == 200
    assert list_revisions(database, "guide-risk")[0].source == "upload"


def test_unpublishing_is_reviewed_and_can_be_restored(client, settings, database):
    path = settings.content / "guides/change.md"
    shipped = path.read_bytes()
    sign_in(client, "cur1")
    asked = post(client, "/curate/unpublish/guide-change", {"reason": "superseded"})
    assert asked.status_code == 303
    assert path.read_bytes() == shipped  # a request alone changes nothing readers see
    assert "guide-change" in reader_hits(client, "变更评审流程")
    page = client.get("/curate/doc/guide-change").text
    assert 'id="unpublish-request"' in page and 'id="approve-unpublish"' not in page
    assert "guide-change" in client.get("/curate").text.split('id="queue-unpublish"')[1]
    own = post(client, "/curate/approve-unpublish/guide-change")
    assert own.status_code == 409 and "your own request" in own.text
    assert post(client, "/curate/unpublish/guide-change").status_code == 409  # already asked
    assert path.exists()
    sign_in(client, "cur2")
    assert 'id="approve-unpublish"' in client.get("/curate/doc/guide-change").text
    assert post(client, "/curate/approve-unpublish/guide-change").status_code == 303
    assert not path.exists()
    assert (settings.data / "unpublished/guides/change.md").read_bytes() == shipped
    client.cookies.clear()
    assert client.get("/docs/guide-change").status_code == 404
    assert "guide-change" not in reader_hits(client, "变更评审流程")
    sign_in(client, "cur1")
    page = client.get("/curate/doc/guide-change").text
    assert 'id="unpublished"' in page and "superseded" in page
    live = re.search(r'id="unpublished".*?name="revision" value="(\d+)"', page, re.S).group(1)
    assert post(client, "/curate/restore/guide-change", {"revision": live}).status_code == 303
    assert post(client, "/curate/submit/guide-change").status_code == 303
    sign_in(client, "cur2")
    assert approve(client, "guide-change").status_code == 303
    assert "变更控制委员会" in path.read_text(encoding="utf-8")
    client.cookies.clear()
    assert "guide-change" in reader_hits(client, "变更评审流程")
    actions = [(e.actor, e.action) for e in _events(database) if e.target == "guide-change"]
    assert ("cur1", "request_unpublish") in actions and ("cur2", "unpublish") in actions


def test_a_declined_unpublish_request_leaves_the_document_published(client, settings):
    sign_in(client, "cur1")
    assert post(client, "/curate/unpublish/guide-change").status_code == 303
    sign_in(client, "cur2")
    assert post(client, "/curate/decline-unpublish/guide-change").status_code == 303
    assert post(client, "/curate/approve-unpublish/guide-change").status_code == 409
    assert (settings.content / "guides/change.md").exists()
    assert 'id="unpublish-request"' not in client.get("/curate/doc/guide-change").text


def test_dashboard_numbers(client, settings, database):
    db = database
    log = QueryLog(db)
    for query, count in [("risk", 3), ("risk", 2), ("gantt chart", 0), ("gantt chart", 0)]:
        log.record(SearchLogEntry(query, "hybrid", "en", {}, count, 5.0))
    log.close()
    record_feedback(db, "guide-risk", False, "", "risk owner")
    record_feedback(db, "guide-risk", True)
    (settings.content / "broken.md").write_text("---\nkind: lesson\n---\nx\n", encoding="utf-8")
    sign_in(client, "cur1")
    page = client.get("/curate").text
    top = page.split('id="top-queries"')[1].split("</ol>")[0]
    assert "risk" in top and ">2<" in top
    zero = page.split('id="zero-queries"')[1].split("</ol>")[0]
    assert "gantt chart" in zero and "risk" not in zero
    assert "risk owner" in page.split('id="unhelpful-queries"')[1].split("</ol>")[0]
    feedback = page.split('id="feedback"')[1].split("</section>")[0]
    assert "风险管理指南" in feedback and "1 not helpful" in feedback
    assert "broken.md" in page and 'id="trend-chart"' in page and "<rect" in page
    stale = page.split('id="stale"')[1].split("</section>")[0]
    assert "(0)" in stale  # the fixtures have no `updated` dates


def test_approval_of_a_stale_revision_is_refused(client, settings):
    sign_in(client, "cur1")
    create_lesson(client)
    post(client, "/curate/submit/lesson-zorblax-cutover")
    sign_in(client, "cur2")
    stale = approve(client, "lesson-zorblax-cutover", revision=99)
    assert stale.status_code == 409 and "changed after you opened it" in stale.text
    assert not (settings.content / "lessons/en/lesson-zorblax-cutover.md").exists()


def _events(database):
    with database.session() as session:
        return recent_events(session)
