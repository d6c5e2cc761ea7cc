# ruff: noqa: F401, F811 (the imported fixtures are used by name)
"""The audit log records every change to a document: drafts created, saved and edited, uploads,
files edited on disk — not only submit, approve, publish and sign-in."""

import re

from kb.store.audit import recent_events
from tests.search_fixtures import build_kb
from tests.test_curate import LESSON_FORM, client, create_lesson, post, sign_in


def events(database, target):
    with database.session() as session:
        rows = [e for e in recent_events(session, 500) if e.target == target]
    return [(e.actor, e.action, e.detail) for e in reversed(rows)]


def test_creating_saving_and_editing_drafts_are_recorded(client, database):
    sign_in(client, "cur1")
    create_lesson(client, message="first go")
    doc = "lesson-zorblax-cutover"
    form = {**LESSON_FORM, "doc_id": doc, "base": "1", "action": "save", "message": "typo"}
    assert post(client, "/curate/save", {**form, "summary": "Fixed."}).status_code == 303
    assert events(database, doc) == [
        ("cur1", "create_draft", "revision 1: first go"),
        ("cur1", "save_draft", "revision 2: typo"),
    ]
    page = client.get("/curate/edit/guide-risk").text  # a published document
    base = re.search(r'name="base" value="(\d+)"', page).group(1)
    edit = {**LESSON_FORM, "kind": "guide", "doc_id": "guide-risk", "base": base}
    assert post(client, "/curate/save", {**edit, "action": "save"}).status_code == 303
    assert events(database, "guide-risk")[-1][:2] == ("cur1", "edit")


def test_uploads_and_edits_on_disk_are_recorded_but_not_the_first_ingest(
    client, settings, database
):
    assert events(database, "guide-risk") == []  # first sight of the file: not an edit
    sign_in(client, "cur1")
    text = "---\nid: guide-uploaded\ntitle: Uploaded\nkind: guide\nlang: en\n---\n## A\ntext\n"
    assert (
        post(client, "/curate/upload", files=[("files", ("u.md", text.encode()))]).status_code
        == 200
    )
    assert events(database, "guide-uploaded")[0][:2] == ("cur1", "upload")
    path = settings.content / "guides/risk.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    build_kb(settings, database, {})
    assert events(database, "guide-risk") == [("disk", "disk_edit", "revision 2: guides/risk.md")]


def test_the_audit_page_names_actions_in_the_ui_language(client):
    sign_in(client, "cur1")
    create_lesson(client)
    sign_in(client, "admin1")
    client.cookies.set("ui_lang", "zh")
    page = client.get("/curate/audit").text
    assert '<td data-action="create_draft">新建草稿</td>' in page
    client.cookies.set("ui_lang", "en")
    assert '<td data-action="create_draft">Created a draft</td>' in client.get("/curate/audit").text
