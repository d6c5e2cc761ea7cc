"""`kb check` on an ingested knowledge base: disagreements between the files, the catalog, the
workflow and the serving index are reported with what to do; `kb ingest` settles them."""

import json

from click.testing import CliRunner

from ingest.pipeline import ingest
from kb.cli import main
from kb.curation import workflow
from kb.curation.intents import Intent
from tests.search_fixtures import build_kb


def kb(settings, *args):
    paths = ["--content", str(settings.content), "--data", str(settings.data)]
    return CliRunner().invoke(main, [*args, *paths], env={"KB_EMBEDDERS": '["fake"]'})


def problems(settings):
    result = kb(settings, "check", "--json")
    return result.exit_code, json.loads(result.output[result.output.index("[") :])


def test_an_agreeing_knowledge_base_checks_clean(settings, database):
    build_kb(settings, database)
    result = kb(settings, "check")
    assert result.exit_code == 0, result.output
    assert "0 disagreements of files, catalog, workflow and index" in result.output


def test_a_catalogued_document_missing_from_the_index_is_an_error(settings, database):
    build_kb(settings, database)
    (settings.content / "guides/new.md").write_text(
        "---\nid: guide-new\ntitle: New\nkind: guide\nlang: en\n---\n## A\nquasar text\n",
        encoding="utf-8",
    )
    ingest(database, settings.content, settings.max_file_bytes)  # catalog only: index is behind
    code, found = problems(settings)
    assert code == 1
    [missing] = [p for p in found if "guide-new" in p["message"]]
    assert "serving index generation" in missing["message"] and "kb ingest" in missing["hint"]
    assert kb(settings, "ingest").exit_code == 0
    assert problems(settings) == (0, [])


def test_files_edited_or_deleted_since_the_last_ingest_are_warnings(settings, database):
    build_kb(settings, database)
    risk = settings.content / "guides/risk.md"
    risk.write_text(risk.read_text(encoding="utf-8") + "\n补充。\n", encoding="utf-8")
    code, found = problems(settings)
    assert code == 0
    assert [(p["path"], p["severity"]) for p in found] == [("guides/risk.md", "warning")]
    assert "differs from the catalog" in found[0]["message"] and "kb ingest" in found[0]["hint"]


def test_a_deleted_published_file_is_recorded_as_unpublished_by_ingest(settings, database):
    build_kb(settings, database)
    assert workflow.get_state(database, "guide-change", settings.content).live == 1
    (settings.content / "guides/change.md").unlink()
    code, found = problems(settings)
    assert "its file is missing" in found[0]["message"]
    assert "kb ingest" in found[0]["hint"]
    # --prune is the default on SQLite; a shared database keeps missing documents without it
    # (and asks before it prunes: --yes)
    assert kb(settings, "ingest", "--prune", "--yes").exit_code == 0
    state = workflow.get_state(database, "guide-change", settings.content)
    assert state.state == "archived" and state.live is None
    assert problems(settings) == (0, [])


def test_published_in_the_workflow_without_file_or_catalog_is_an_error(settings, database):
    build_kb(settings, database)
    workflow.get_state(database, "guide-change", settings.content)
    (settings.content / "guides/change.md").unlink()
    ingest(database, settings.content, settings.max_file_bytes)  # as an older ingest left it
    code, found = problems(settings)
    assert code == 1
    [error] = [p for p in found if p["severity"] == "error" and "guide-change" in p["message"]]
    assert "published in the workflow" in error["message"]
    assert "kb ingest" in error["hint"] and "/curate/history/guide-change" in error["hint"]


def test_an_interrupted_publish_that_cannot_be_finished_does_not_block_commands(settings, database):
    build_kb(settings, database)
    stuck = Intent("guide-x", "publish", "../outside.md", "", "x", None, "X", "cur2", "", None)
    workflow.begin_publish(database, stuck)  # as a killed process with a bad path left it
    listed = kb(settings, "docs")
    assert listed.exit_code == 0 and "could not be finished" in listed.output
    code, found = problems(settings)
    assert code == 1 and "was interrupted" in found[0]["message"]
