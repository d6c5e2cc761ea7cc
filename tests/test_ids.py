"""Document ids: one rule for ingest, the editor, uploads, the workflow and the URLs."""

import pytest

from ingest import pipeline
from kb.content.ids import id_problem
from kb.curation.revisions import add_revision
from kb.curation.workflow import DocStateRow, states
from kb.store.audit import recent_events
from tests.test_curate import LESSON_FORM, approve, client, post, sign_in  # noqa: F401

BAD_IDS = [
    "../../x", "/etc/passwd", "a\nb", "lesson\n", "CON", "nul", "Aux.md", "com1.txt", "LPT9",
    "guides/con/x", ".hidden", "a/.b", "a//b", "a/", "a\\b", "a.", "a b", "a" * 121, "风" * 81,
]  # fmt: skip
GOOD_IDS = [
    "lesson-vendor-switch", "training/pm-basics/01-intro", "风险管理指南", "console", "nul-report",
    "com10", "a" * 120, "_draft", "v1.2",
]  # fmt: skip


@pytest.mark.parametrize("value", BAD_IDS)
def test_bad_ids_are_refused_with_a_reason(value):
    assert id_problem(value)


@pytest.mark.parametrize("value", GOOD_IDS)
def test_good_ids_pass(value):
    assert id_problem(value) is None


def test_ingest_names_the_file_and_line_of_a_bad_id(content, settings):
    content.write("guides/con.md", "---\ntitle: Reserved on Windows\n---\nText.\n")
    content.write("guides/ok.md", '---\ntitle: Newline id\nkind: guide\nid: "o\\nk"\n---\nText.\n')
    content.write("guides/fine.md", "---\ntitle: Fine\n---\nText.\n")
    result = pipeline.check_content(settings.content, settings.max_file_bytes)
    errors = {p.path: p for p in result.errors}
    assert "reserved file name on Windows" in errors["guides/con.md"].message
    assert errors["guides/con.md"].hint and errors["guides/con.md"].line == 1
    assert errors["guides/ok.md"].line == 4 and "id" in errors["guides/ok.md"].message
    assert [doc.id for doc in result.changed] == ["guides/fine"]


@pytest.mark.parametrize("bad", ["../../x", "/etc/passwd", "a\nb", "CON", "x" * 5000])
def test_the_editor_refuses_a_bad_id_at_save(client, database, bad):  # noqa: F811
    sign_in(client, "cur1")
    response = post(client, "/curate/save", {**LESSON_FORM, "id": bad, "action": "save"})
    assert response.status_code == 422
    assert "alert error" in response.text and "id:" in response.text
    assert [s.doc_id for s in states(database, "draft")] == ["guide-draft"]  # the fixture's


def test_an_upload_with_a_reserved_name_is_not_saved(client, database):  # noqa: F811
    sign_in(client, "cur1")
    files = [("files", ("NUL.md", b"# Nothing\n\ntext\n", "text/markdown"))]
    response = post(client, "/curate/upload", files=files)
    assert response.status_code == 422 and "reserved file name on Windows" in response.text
    assert [s.doc_id for s in states(database, "draft")] == ["guide-draft"]


@pytest.mark.sqlite_only  # PostgreSQL refuses such a row outright
def test_approving_a_5000_character_id_is_refused_and_not_audited(client, settings, database):  # noqa: F811
    long_id = "a" * 5000
    text = "---\nid: " + long_id + "\ntitle: Long\nkind: guide\nlang: en\n---\nBody.\n"
    with database.session() as session:  # a draft saved before ids were checked at save
        number = add_revision(session, long_id, text, "cur1", "", "editor")
        session.add(
            DocStateRow(doc_id=long_id, state="in_review", head=number, submitted_by="cur1")
        )
    sign_in(client, "cur2")
    response = approve(client, long_id, revision=1)
    assert response.status_code == 422 and "5,000 characters" in response.text
    assert list(settings.content.rglob("aaaa*")) == []
    with database.session() as session:
        assert "approve" not in [event.action for event in recent_events(session)]


def test_api_paths_refuse_bad_ids_with_422(client):  # noqa: F811
    response = client.get("/api/documents/" + "a" * 5000)
    assert response.status_code == 422 and "5,000 characters" in response.text
    assert client.get("/api/documents/guide-risk").status_code == 200
