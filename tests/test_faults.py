"""Crash consistency of publishing under a real kill -9.

A child process publishes with the real code (fake embedder) and is told to stop at a named step
(KB_CRASH_AT, see kb/crashpoint.py); the parent kills it with SIGKILL there, then reopens the
knowledge base the way the next command or server start does, and checks that the file, the
catalog, the workflow and the search index agree — and that `kb check` says so."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from ingest import editor, publish
from ingest.build import content_hash
from kb.cli import main
from kb.curation import workflow
from kb.store import catalog
from kb.store.audit import recent_events
from search.embedders import EmbedderPool
from search.service import open_publisher
from tests.conftest import REPO
from tests.search_fixtures import build_kb
from tests.test_publish import DOC_ID, in_review, keyword_hits, lesson_text
from web.app import create_app

pytestmark = pytest.mark.faults

CHILD = """
import sys
from pathlib import Path
from ingest import editor, publish
from kb.bootstrap import open_database
from kb.settings import Settings
from search.embedders import EmbedderPool
from search.service import open_publisher

content, data, action, doc_id, actor, revision = sys.argv[1:7]
settings = Settings(content=Path(content), data=Path(data), embedders=["fake"])
database = open_database(settings.db_url)
publisher = open_publisher(settings, database, EmbedderPool(settings.embedders, 1).all())
if action == "approve":
    publish.approve(publisher, doc_id, actor, "from the child", int(revision))
else:
    publish.unpublish(publisher, doc_id, actor, "from the child")
print("finished")
"""
HANG_GUARD = 120  # seconds to wait for the child to reach its step (not a timing assertion)


def kill_at(step: str, args: list[str]) -> None:
    """Run a child, wait until it pauses at `step`, kill it with SIGKILL."""
    env = {**os.environ, "KB_CRASH_AT": step, "KB_EMBEDDERS": '["fake"]'}
    child = subprocess.Popen(
        args, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    seen, deadline = [], time.monotonic() + HANG_GUARD
    try:
        while f"paused at {step}" not in "".join(seen):
            ready, _, _ = select.select([child.stderr], [], [], deadline - time.monotonic())
            line = child.stderr.readline() if ready else ""
            if not line:
                raise AssertionError(f"the child never reached {step}:\n{''.join(seen)}")
            seen.append(line)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL


def kill_publish_at(step, settings, action="approve", doc_id=DOC_ID, actor="cur2", revision=0):
    args = [sys.executable, "-c", CHILD, str(settings.content), str(settings.data)]
    kill_at(step, args + [action, doc_id, actor, str(revision)])


def kb(settings, *args):
    env = {"KB_EMBEDDERS": '["fake"]'}
    paths = ["--content", str(settings.content), "--data", str(settings.data)]
    return CliRunner().invoke(main, [*args, *paths], env=env)


def check_errors(settings):
    result = kb(settings, "check", "--json")
    problems = json.loads(result.output[result.output.index("[") :])
    return result.exit_code, [p for p in problems if p["severity"] == "error"]


def assert_agree(settings, database, doc_id, query):
    """File, catalog, workflow and index tell the same story about doc_id."""
    state, text = workflow.head_text(database, doc_id, settings.content)
    path = settings.content / (state.path or editor.rel_for(text))
    with database.session() as session:
        row = catalog.get(session, doc_id)
    assert workflow.pending_intents(database) == []
    assert not list(path.parent.glob(f".{path.name}.*.tmp"))  # no leftover temporary file
    if state.live is None:
        assert not path.exists() and row is None
        assert doc_id not in keyword_hits(settings, database, query)
    else:
        data = path.read_bytes()
        assert data.decode("utf-8") == workflow.revision_text(database, doc_id, state.live)
        assert row is not None and row.content_hash == content_hash(data)
        assert keyword_hits(settings, database, query)[0] == doc_id
    assert check_errors(settings) == (0, [])
    return state


@pytest.fixture
def kb_ready(settings, database):
    build_kb(settings, database)
    pool = EmbedderPool(settings.embedders, 1)
    publisher = open_publisher(settings, database, pool.all())
    in_review(publisher)
    return publisher


@pytest.mark.parametrize(
    "step", ["publish.intent", "publish.temp", "publish.file", "publish.catalog", "publish.index"]
)
def test_a_publish_killed_at_any_step_is_completed_by_the_next_command(
    kb_ready, settings, database, step
):
    head = workflow.get_state(database, DOC_ID, settings.content).head
    kill_publish_at(step, settings, revision=head)
    code, errors = check_errors(settings)
    assert code == 1 and "was interrupted" in errors[0]["message"]
    assert "kb ingest" in errors[0]["hint"]
    listed = kb(settings, "docs")  # any command that opens the knowledge base recovers
    assert listed.exit_code == 0 and f"publish of '{DOC_ID}' was completed" in listed.output
    state = assert_agree(settings, database, DOC_ID, "zorblax")
    assert state.state == "published" and state.live == head + 1
    with database.session() as session:
        actions = [e.action for e in recent_events(session) if e.target == DOC_ID]
    assert actions.count("approve") == 1 and actions.count("publish") == 1


def test_a_retried_approval_after_a_kill_succeeds_once(kb_ready, settings, database):
    head = workflow.get_state(database, DOC_ID, settings.content).head
    kill_publish_at("publish.file", settings, revision=head)  # file written, workflow in review
    number = publish.approve(kb_ready, DOC_ID, "cur2", "again", head)
    assert number == head + 1
    assert publish.approve(kb_ready, DOC_ID, "cur2", "and again", head) == number
    revisions = workflow.list_revisions(database, DOC_ID)
    assert [r.source for r in revisions].count("publish") == 1
    assert_agree(settings, database, DOC_ID, "zorblax")


def test_a_killed_publish_whose_approval_went_stale_is_rolled_back(kb_ready, settings, database):
    head = workflow.get_state(database, DOC_ID, settings.content).head
    kill_publish_at("publish.index", settings, revision=head)  # file and catalog already new
    changed = lesson_text(summary="A newer working copy saved after the crash.")
    workflow.save_draft(database, settings.content, DOC_ID, changed, title="t", author="cur1", base=head)  # fmt: skip
    listed = kb(settings, "docs")
    assert f"publish of '{DOC_ID}' was rolled back" in listed.output
    state = assert_agree(settings, database, DOC_ID, "zorblax")
    assert state.state == "draft" and state.live is None and state.head == head + 1
    with database.session() as session:
        actions = [e.action for e in recent_events(session) if e.target == DOC_ID]
    assert "publish_rolled_back" in actions and "publish" not in actions


def test_an_edit_killed_mid_publish_keeps_the_old_version_or_the_new_never_neither(
    kb_ready, settings, database
):
    state, text = workflow.head_text(database, "guide-risk", settings.content)
    new = text.replace("每周评审风险登记册", "每天评审风险登记册")
    workflow.save_draft(database, settings.content, "guide-risk", new, title="t", author="cur1", base=state.head)  # fmt: skip
    workflow.submit(database, settings.content, "guide-risk", "cur1", False)
    kill_publish_at("publish.catalog", settings, doc_id="guide-risk", revision=state.head + 1)
    with TestClient(create_app(settings)) as client:  # the server's start recovers too
        hits = client.get("/api/search", params={"q": "每天评审风险登记册", "mode": "keyword"})
        assert hits.json()["results"][0]["id"] == "guide-risk"
    state = assert_agree(settings, database, "guide-risk", "风险登记册")
    assert "每天" in (settings.content / "guides/risk.md").read_text(encoding="utf-8")


def test_a_recovery_killed_in_turn_is_finished_by_the_next_one(kb_ready, settings, database):
    head = workflow.get_state(database, DOC_ID, settings.content).head
    kill_publish_at("publish.temp", settings, revision=head)
    paths = ["--content", str(settings.content), "--data", str(settings.data)]
    kill_at("recovery.file", [sys.executable, "-m", "kb.cli", "docs", *paths])
    assert len(workflow.pending_intents(database)) == 1
    assert kb(settings, "docs").exit_code == 0
    assert assert_agree(settings, database, DOC_ID, "zorblax").state == "published"


@pytest.mark.parametrize("step", ["unpublish.intent", "unpublish.file", "unpublish.index"])
def test_an_unpublish_killed_at_any_step_is_completed(kb_ready, settings, database, step):
    workflow.request_unpublish(database, settings.content, "guide-change", "cur1", "obsolete")
    kill_publish_at(step, settings, action="unpublish", doc_id="guide-change")
    assert kb(settings, "docs").exit_code == 0
    state = assert_agree(settings, database, "guide-change", "变更评审流程")
    assert state.state == "archived" and state.live is None
    assert (settings.data / "unpublished/guides/change.md").is_file()
    assert workflow.unpublish_request(database, "guide-change") is None
