"""Publishing in the core: safe paths, atomic write, incremental index update, undo on failure."""

import datetime as dt
import os

import pytest

from ingest import editor
from ingest.publish import PublishError, approve, publish_text, published_text
from kb.content.paths import UnsafePath, check_rel, file_name_for, path_for, resolve_inside
from kb.curation import workflow
from kb.curation.revisions import side_by_side, unified_diff
from kb.curation.workflow import list_revisions
from kb.store import catalog
from kb.store.audit import recent_events
from kb.store.tables import SectionRow
from search.embedders import EmbedderPool
from search.index.generations import GenerationStore
from search.query.searcher import SearchRequest
from search.service import ingest_and_index, open_publisher
from tests.search_fixtures import build_kb
from tests.test_curate import LESSON_FORM

DOC_ID = LESSON_FORM["id"]


@pytest.fixture
def publisher(settings, database):
    build_kb(settings, database)
    pool = EmbedderPool(settings.embedders, settings.threads)
    publisher = open_publisher(settings, database, pool.all())
    reports, update = [], publisher.reindex

    def reindex():
        reports.append(update())
        return reports[-1]

    publisher.reindex, publisher.reports = reindex, reports
    return publisher


def lesson_text(**changes):
    return editor.compose(editor.from_form({**LESSON_FORM, **changes}))


def in_review(publisher, text=None, author="cur1"):
    root = publisher.root
    workflow.save_draft(
        publisher.database, root, DOC_ID, text or lesson_text(), title="t", author=author,
        base=0, create=True,
    )  # fmt: skip
    workflow.submit(publisher.database, root, DOC_ID, author, has_errors=False)


def keyword_hits(settings, database, query):
    from search.service import open_searcher

    searcher = open_searcher(settings, database, EmbedderPool(settings.embedders, 1))
    request = SearchRequest(query, mode="keyword", log=False)
    return [hit.id for hit in searcher.search(request).results]


@pytest.mark.parametrize(
    "rel", ["../evil.md", "/etc/passwd.md", "a/../../evil.md", "a\\..\\evil.md", "notes.txt", ""]
)
def test_unsafe_relative_paths_are_refused(tmp_path, rel):
    with pytest.raises(UnsafePath):
        resolve_inside(tmp_path, rel)


def test_paths_come_from_ids_and_links_are_refused(tmp_path):
    assert path_for("lesson-x", "lesson", "zh") == "lessons/zh/lesson-x.md"
    assert file_name_for("a/b") == "a-b.md" and "/" not in file_name_for("../../etc/passwd")
    with pytest.raises(UnsafePath):
        path_for("x", "training", "en")
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "content"
    root.mkdir()
    (root / "lessons").symlink_to(outside, target_is_directory=True)
    with pytest.raises(UnsafePath, match="link"):
        resolve_inside(root, "lessons/en/x.md")
    (root / "guide.md").symlink_to(outside / "target.md")
    with pytest.raises(UnsafePath):
        resolve_inside(root, "guide.md")
    assert check_rel("guides/en/ok.md") == "guides/en/ok.md"


def test_publishing_through_a_symlinked_folder_is_refused(publisher, settings, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (settings.content / "lessons").rename(tmp_path / "moved")
    (settings.content / "lessons").symlink_to(outside, target_is_directory=True)
    in_review(publisher)
    with pytest.raises(PublishError, match="link"):
        approve(publisher, DOC_ID, "cur2")
    assert list(outside.iterdir()) == []


def test_publish_writes_the_file_records_a_revision_and_updates_indexes_incrementally(
    publisher, settings, database
):
    in_review(publisher)
    before = GenerationStore(settings.index_root).current_name()
    number = approve(publisher, DOC_ID, "cur2", "first version")
    text = (settings.content / "lessons/en" / f"{DOC_ID}.md").read_text(encoding="utf-8")
    assert "status: published" in text
    report = publisher.reports[-1]
    assert not report.rebuilt and report.added == 5 and report.removed == 0
    assert report.generation != before
    assert report.embedded_texts == 5  # only the new sections were embedded
    revisions = list_revisions(database, DOC_ID)
    assert revisions[0].number == number and revisions[0].text == text
    assert revisions[0].author == "cur2" and revisions[0].message == "first version"
    assert keyword_hits(settings, database, "zorblax")[0] == DOC_ID
    assert keyword_hits(settings, database, "蓝鲸迁移")[0] == DOC_ID
    # a later `kb ingest` sees the file as unchanged (same hash) and adds no revision
    report, _ = ingest_and_index(settings, database, EmbedderPool(settings.embedders, 1))
    assert DOC_ID not in report.updated and len(list_revisions(database, DOC_ID)) == 2


def test_self_approval_is_refused_unless_allowed(publisher):
    in_review(publisher, author="cur1")
    with pytest.raises(workflow.WorkflowError, match="own change"):
        approve(publisher, DOC_ID, "cur1")
    publisher.self_approval = True
    assert approve(publisher, DOC_ID, "cur1") > 0


def _state_of_the_world(settings, database):
    with database.session() as session:
        document = catalog.get(session, "guide-risk")
        sids = sorted(s.id for s in session.query(SectionRow).filter_by(doc_id="guide-risk"))
    return (
        (settings.content / "guides/risk.md").read_bytes(),
        GenerationStore(settings.index_root).current_name(),
        document.body,
        sids,
        len(list_revisions(database, "guide-risk")),
    )


def _edit_risk_guide(publisher):
    state, text = workflow.head_text(publisher.database, "guide-risk", publisher.root)
    new = text.replace("每周评审风险登记册", "每天评审风险登记册")
    workflow.save_draft(
        publisher.database, publisher.root, "guide-risk", new, title="t", author="cur1",
        base=state.head,
    )  # fmt: skip
    workflow.submit(publisher.database, publisher.root, "guide-risk", "cur1", False)


def test_failed_write_leaves_file_catalog_and_indexes_unchanged(
    publisher, settings, database, monkeypatch
):
    _edit_risk_guide(publisher)
    before = _state_of_the_world(settings, database)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(PublishError, match="No space left"):
        approve(publisher, "guide-risk", "cur2")
    monkeypatch.undo()
    assert _state_of_the_world(settings, database) == before
    assert publisher.reports == []
    assert workflow.get_state(database, "guide-risk", settings.content).state == "in_review"
    assert not [p for p in (settings.content / "guides").iterdir() if p.name.endswith(".tmp")]


def test_failed_index_update_puts_file_and_catalog_back(publisher, settings, database):
    _edit_risk_guide(publisher)
    before = _state_of_the_world(settings, database)

    def broken_index():
        raise OSError("index disk failure")

    publisher.reindex = broken_index
    with pytest.raises(PublishError, match="index disk failure"):
        approve(publisher, "guide-risk", "cur2")
    assert _state_of_the_world(settings, database) == before
    state = workflow.get_state(database, "guide-risk", settings.content)
    assert state.state == "in_review" and state.live == 1
    assert "guide-risk" in keyword_hits(settings, database, "风险登记册")


def test_a_failed_publish_records_no_approval(publisher, database):
    _edit_risk_guide(publisher)

    def broken_index():
        raise OSError("index disk failure")

    publisher.reindex = broken_index
    with pytest.raises(PublishError):
        approve(publisher, "guide-risk", "cur2")
    with database.session() as session:
        actions = {(event.action, event.target) for event in recent_events(session)}
    assert ("approve", "guide-risk") not in actions and ("publish", "guide-risk") not in actions


def test_a_failed_workflow_record_undoes_file_catalog_and_indexes(
    publisher, settings, database, monkeypatch
):
    _edit_risk_guide(publisher)
    before = _state_of_the_world(settings, database)

    def refused(*args, **kwargs):
        raise workflow.WorkflowError("the document changed meanwhile")

    monkeypatch.setattr(workflow, "record_publish", refused)
    with pytest.raises(PublishError, match="changed meanwhile"):
        approve(publisher, "guide-risk", "cur2")
    after = _state_of_the_world(settings, database)
    assert after[0] == before[0] and after[2:] == before[2:]
    assert len(publisher.reports) == 2  # the index update, then the one that takes it back
    assert workflow.get_state(database, "guide-risk", settings.content).state == "in_review"
    assert "guide-risk" in keyword_hits(settings, database, "每周评审风险登记册")


def test_publish_refuses_to_change_the_id_or_take_another_documents_path(publisher):
    text = lesson_text(id="guide-risk-en")
    with pytest.raises(PublishError):
        publish_text(publisher, DOC_ID, "lessons/en/x.md", text, "cur2", "")
    with pytest.raises(PublishError, match="already"):
        publish_text(publisher, DOC_ID, "guides/risk.md", lesson_text(), "cur2", "")


def test_disk_edits_become_revisions(publisher, settings, database):
    assert [r.source for r in list_revisions(database, "guide-change")] == ["disk"]
    path = settings.content / "guides/change.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n新增一段。\n", encoding="utf-8")
    ingest_and_index(settings, database, EmbedderPool(settings.embedders, 1))
    revisions = list_revisions(database, "guide-change")
    assert [r.number for r in revisions] == [2, 1] and "新增一段" in revisions[0].text
    assert revisions[0].author == "disk"
    state = workflow.get_state(database, "guide-change", settings.content)
    assert state.live == 2 and state.head == 2


def test_diffs():
    rows = side_by_side("a\nb\nc", "a\nB\nc\nd")
    assert [r.tag for r in rows] == ["equal", "replace", "equal", "insert"]
    assert rows[3].left_no is None and rows[3].right == "d"
    assert unified_diff("a\nb", "a\nc", "r1", "r2")[2:] == ["@@ -1,2 +1,2 @@", " a", "-b", "+c"]


def test_restore_is_a_new_draft_revision(publisher, database, settings):
    in_review(publisher)
    approve(publisher, DOC_ID, "cur2")
    number = workflow.restore(database, settings.content, DOC_ID, 1, "cur1")
    revisions = list_revisions(database, DOC_ID)
    assert number == 3 and revisions[0].text == revisions[2].text
    state = workflow.get_state(database, DOC_ID, settings.content)
    assert state.state == "draft" and state.head == 3 and state.live == 2


def test_publish_never_overwrites_an_uningested_disk_edit(publisher, settings):
    _edit_risk_guide(publisher)
    path = settings.content / "guides/risk.md"
    hand_edit = path.read_text(encoding="utf-8") + "\n手工补充的一段。\n"
    path.write_text(hand_edit, encoding="utf-8")
    with pytest.raises(PublishError, match="edited on disk"):
        approve(publisher, "guide-risk", "cur2")
    assert path.read_text(encoding="utf-8") == hand_edit


def test_a_retried_approval_finds_its_own_file_already_written(publisher, settings, database):
    """A publish killed after writing the file (before the journal existed) left the file while
    the workflow still said "in review"; approving again must publish, not refuse with 409."""
    in_review(publisher)
    path = settings.content / "lessons/en" / f"{DOC_ID}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(published_text(lesson_text(), "2026-01-20"), encoding="utf-8")
    number = approve(publisher, DOC_ID, "cur2", revision=1)
    assert workflow.get_state(database, DOC_ID, settings.content).live == number
    assert keyword_hits(settings, database, "zorblax")[0] == DOC_ID
    assert approve(publisher, DOC_ID, "cur2", revision=1) == number  # the retry of a success


def test_a_different_file_in_the_way_is_still_refused(publisher, settings):
    in_review(publisher)
    path = settings.content / "lessons/en" / f"{DOC_ID}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("someone else's file\n", encoding="utf-8")
    with pytest.raises(PublishError, match="a different file already exists"):
        approve(publisher, DOC_ID, "cur2", revision=1)
    assert path.read_text(encoding="utf-8") == "someone else's file\n"


def test_a_publish_re_indexes_with_the_models_loaded_when_it_runs(settings, database):
    # A server still loading its models publishes with the embedders loaded at re-index time
    # (asked under the index lock), so a publish that waited while the vector legs were swapped
    # in does not replace them with a keyword-only generation.
    build_kb(settings, database)
    loaded: dict = {}
    publisher = open_publisher(settings, database, lambda: loaded)
    store = GenerationStore(settings.index_root)
    loaded.update(EmbedderPool(settings.embedders, settings.threads).all())
    (settings.content / "guides" / "new.md").write_text("# New\n\nFresh text.\n", "utf-8")
    ingest_and_index(settings, database, EmbedderPool([], 1), defer_vectors=True)
    assert store.current().manifest["embedders"] == []  # keyword only, as at a server's start
    publisher.reindex()
    assert store.current().manifest["embedders"] == list(loaded)


def test_a_published_lesson_is_dated_and_leads_the_recent_lessons(publisher):
    from kb.store.browse import documents_where

    in_review(publisher, lesson_text())  # the editor fills `date`, never `updated`
    before = dt.date.today().isoformat()
    approve(publisher, DOC_ID, "cur2")
    days = {before, dt.date.today().isoformat()}
    with publisher.database.session() as session:
        recent = documents_where(session, kind="lesson", limit=3)
        path = catalog.get(session, DOC_ID).path
    assert recent[0].id == DOC_ID and recent[0].updated in days
    text = (publisher.root / path).read_text(encoding="utf-8")
    assert any(f"\nupdated: {day}\n" in text for day in days)
