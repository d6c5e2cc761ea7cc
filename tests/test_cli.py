"""The `kb` command: help, ingest summary and exit codes, check, docs, search --json, config."""

import json

import pytest
from click.testing import CliRunner

from kb.cli import main
from kb.settings import Settings
from tests.conftest import LESSON_EN

FAKE = {"KB_EMBEDDERS": '["fake"]'}


def invoke(*args, env=None):
    return CliRunner().invoke(main, list(args), env={**FAKE, **(env or {})})


def paths(settings):
    return ["--content", str(settings.content), "--data", str(settings.data)]


def test_help_lists_commands():
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("ingest", "check", "search", "eval", "bench", "serve", "user"):
        assert command in result.output


def test_ingest_summary_and_error_exit(content, settings):
    content.write("lessons/vendor.md", LESSON_EN)
    ok = invoke("ingest", *paths(settings))
    assert ok.exit_code == 0, ok.output
    assert "1 documents" in ok.output and "0 errors" in ok.output and "generation" in ok.output
    content.write("bad.md", "---\nkind: essay\n---\nx\n")
    bad = invoke("ingest", *paths(settings))
    assert bad.exit_code == 1 and "bad.md:2" in bad.output and "use one of" in bad.output


def test_check_exit_codes_and_json(content, settings):
    content.write("good.md", "# Good\n\ntext\n")
    assert invoke("check", *paths(settings)).exit_code == 0
    content.write("bad.md", "---\nphase: [planing]\nkind: guide\n---\nx\n")
    result = invoke("check", "--json", *paths(settings))
    assert result.exit_code == 1
    problems = json.loads(result.output)
    assert problems[0]["path"] == "bad.md" and problems[0]["line"] == 2


def test_missing_content_folder_is_a_clear_error(tmp_path):
    result = invoke("check", "--content", str(tmp_path / "nowhere"))
    assert result.exit_code == 2 and "does not exist" in result.output


def test_docs_and_search_json(content, settings):
    content.write("lessons/vendor.md", LESSON_EN)
    invoke("ingest", *paths(settings))
    docs = json.loads(invoke("docs", "--json", *paths(settings)).output)
    assert docs[0]["id"] == "lesson-vendor-switch"
    result = invoke("search", "vendor contract", "--json", "--kind", "lesson", *paths(settings))
    data = json.loads(result.output)
    hit = data["results"][0]
    assert set(data) >= {"results", "did_you_mean", "facets"}
    assert {"id", "path", "url", "anchor", "title", "snippet", "score", "legs"} <= set(hit)
    assert hit["path"] == "lessons/vendor.md" and hit["url"].startswith(
        "/docs/lesson-vendor-switch"
    )


def test_search_before_ingest_says_what_to_do(settings):
    result = invoke("search", "anything", *paths(settings))
    assert result.exit_code == 2 and "kb ingest" in result.output


def test_every_setting_is_documented():
    for name, field in Settings.model_fields.items():
        assert field.description, f"setting {name} has no description"
    assert "KB_CONTENT" in invoke("config").output


def test_eval_on_a_tiny_beir_set(tmp_path, settings):
    folder = tmp_path / "tiny"
    (folder / "qrels").mkdir(parents=True)
    corpus = [
        {"_id": "d1", "title": "Vendor switch", "text": "We replaced the vendor mid-project."},
        {"_id": "d2", "title": "Risk register", "text": "Review risks weekly with owners."},
    ]
    (folder / "corpus.jsonl").write_text("\n".join(json.dumps(c) for c in corpus))
    (folder / "queries.jsonl").write_text(json.dumps({"_id": "q1", "text": "replaced vendor"}))
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\n")
    result = invoke("eval", str(folder), "--json", "--data", str(settings.data))
    metrics = json.loads(result.stdout)  # progress lines go to stderr
    assert metrics["hybrid"]["ndcg@10"] == 1.0 and metrics["keyword"]["mrr@10"] == 1.0
    missing = invoke("eval", str(folder), "--split", "dev", "--data", str(settings.data))
    assert missing.exit_code == 2 and "dev.tsv" in missing.output


def test_an_unreachable_or_unsupported_database_is_one_message_and_exit_2(tmp_path, monkeypatch):
    data = ["--data", str(tmp_path / "data")]
    for url, reason in (
        ("postgresql://kb:hunter2@127.0.0.1:1/kb", "Connection refused"),
        ("mysql://kb@db/kb", "only SQLite and PostgreSQL"),
    ):
        monkeypatch.setenv("KB_DATABASE_URL", url)
        result = CliRunner().invoke(main, ["docs", *data])
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert reason in result.output and "Check KB_DATABASE_URL" in result.output
        assert "hunter2" not in result.output


def test_ingest_from_a_folder_lacking_documents_keeps_them_on_a_shared_store(
    content, settings, store_url
):
    # A replica's folder lacks what was published on another replica: with a shared database
    # `kb ingest` keeps those documents unless told to prune; on SQLite the folder is complete.
    content.write("lessons/vendor.md", LESSON_EN)
    content.write("notes.md", "# Notes\n\ntext\n")
    assert invoke("ingest", *paths(settings)).exit_code == 0
    (settings.content / "lessons" / "vendor.md").unlink()
    kept = invoke("ingest", "--keep-missing", *paths(settings))
    assert kept.exit_code == 0, kept.output
    assert "kept 1 documents" in kept.output and "kb ingest --prune" in kept.output
    assert "2 documents" in kept.output
    # a lesson here may name a kept document (one published on another replica)
    again = LESSON_EN.replace(
        "id: lesson-vendor-switch", "id: lesson-vendor-again\nrecurs: lesson-vendor-switch"
    )
    content.write("lessons/again.md", again)
    named = invoke("ingest", "--keep-missing", *paths(settings))
    assert named.exit_code == 0 and "0 errors" in named.output, named.output
    (settings.content / "lessons" / "again.md").unlink()
    default = invoke("ingest", *paths(settings))
    if store_url:
        assert "kept 2 documents" in default.output and "removed 0" in default.output
        # pruning is confirmed, and only from a folder that has most of the catalog
        content.write("more.md", "# More\n\ntext\n")
        content.write("most.md", "# Most\n\ntext\n")
        assert invoke("ingest", *paths(settings)).exit_code == 0
        pruned = invoke("ingest", "--prune", "--yes", *paths(settings))
        assert "removed 2" in pruned.output and "3 documents" in pruned.output, pruned.output
    else:
        assert "removed 2" in default.output and "1 documents" in default.output, default.output


def notes(content, settings, count: int) -> None:
    """Write `count` notes and ingest them."""
    for n in range(count):
        content.write(f"notes/n{n}.md", f"# Note {n}\n\ntext {n}\n")
    assert invoke("ingest", *paths(settings)).exit_code == 0


def test_prune_on_a_shared_store_says_how_many_and_wants_a_confirmation(
    content, settings, store_url
):
    notes(content, settings, 4)
    (settings.content / "notes/n0.md").unlink()
    if not store_url:  # one host: the folder is complete, a deleted file removes its document
        pruned = invoke("ingest", "--prune", *paths(settings))
        assert pruned.exit_code == 0 and "removed 1" in pruned.output, pruned.output
        return
    unasked = invoke("ingest", "--prune", *paths(settings))  # not a terminal: nobody to ask
    assert unasked.exit_code == 2 and "Traceback" not in unasked.output
    assert "1 of the 4 documents of the shared catalog" in unasked.output
    assert "--yes" in unasked.output and "nothing was changed" in unasked.output
    assert "4 documents" in invoke("docs", *paths(settings)).output
    pruned = invoke("ingest", "--prune", "--yes", *paths(settings))
    assert pruned.exit_code == 0, pruned.output
    assert "1 of the 4 documents" in pruned.output and "removed 1" in pruned.output
    assert "3 documents" in pruned.output


def test_a_replica_folder_lacking_most_of_a_shared_catalog_is_never_pruned(
    content, settings, store_url
):
    if not store_url:
        pytest.skip("a shared catalog is PostgreSQL's: set KB_TEST_DATABASE_URL")
    notes(content, settings, 6)
    for n in range(4):  # 4 of 6 documents have no file here: a non-authoring replica's folder
        (settings.content / f"notes/n{n}.md").unlink()
    refused = invoke("ingest", "--prune", "--yes", *paths(settings))
    assert refused.exit_code == 2 and "Traceback" not in refused.output
    assert "4 of the 6 documents" in refused.output and "nothing was changed" in refused.output
    assert "6 documents" in invoke("docs", *paths(settings)).output
    kept = invoke("ingest", *paths(settings))
    assert kept.exit_code == 0 and "kept 4 documents" in kept.output, kept.output
    assert "--prune" not in kept.output  # no advice to prune from here
    checked = invoke("check", *paths(settings))
    assert checked.exit_code == 0, checked.output
    assert checked.output.count("have no file in") == 1  # one summary line, not one a document
    assert "4 of the 6 documents of the shared catalog" in checked.output
    assert "its file is missing" not in checked.output and "do not prune" in checked.output


def test_a_postgresql_url_without_a_database_name_is_refused(tmp_path, monkeypatch):
    for url in ("postgresql://kb@127.0.0.1:1", "postgresql+psycopg://kb@127.0.0.1:1/"):
        monkeypatch.setenv("KB_DATABASE_URL", url)
        for command in (["docs"], ["db", "status"]):
            result = CliRunner().invoke(main, [*command, "--data", str(tmp_path / "data")])
            assert result.exit_code == 2 and "Traceback" not in result.output, result.output
            assert "names no database" in result.output and "KB_DATABASE_URL" in result.output


def test_docs_by_status_lists_the_editors_drafts_and_reviews(content, settings):
    from kb.bootstrap import open_database
    from kb.curation import workflow

    content.write("lessons/vendor.md", LESSON_EN)
    invoke("ingest", *paths(settings))
    database = open_database(settings.db_url)
    for doc_id in ("lesson-new-draft", "lesson-in-review"):
        text = f"---\nid: {doc_id}\ntitle: {doc_id}\nkind: lesson\n---\n# {doc_id}\n"
        workflow.save_draft(
            database, settings.content, doc_id, text, title=doc_id, author="ann", base=0
        )
    workflow.submit(database, settings.content, "lesson-in-review", "ann", has_errors=False)
    database.close()

    drafts = invoke("docs", "--status", "draft", *paths(settings)).output
    assert "lesson-new-draft" in drafts and "1 documents" in drafts
    assert "empty" not in drafts and "lesson-in-review" not in drafts
    review = json.loads(invoke("docs", "--status", "in_review", "--json", *paths(settings)).output)
    assert [(d["id"], d["status"]) for d in review] == [("lesson-in-review", "in_review")]
    archived = invoke("docs", "--status", "archived", *paths(settings)).output
    assert "No documents with status archived (1 with other ones)" in archived


def test_check_refuses_a_lesson_whose_required_sections_are_empty_headings(content, settings):
    hollow = LESSON_EN.replace("The first vendor went bankrupt in month four.\n", "").replace(
        "- Late invoices from the vendor\n", "<!-- list the signs -->\n"
    )
    content.write("lessons/vendor.md", hollow)
    result = invoke("check", *paths(settings))
    assert result.exit_code == 1, result.output
    lines = hollow.lstrip("\n").splitlines()
    for heading in ("Driving event", "Early-warning signs"):
        line = lines.index(f"## {heading}") + 1
        assert f"lessons/vendor.md:{line}" in result.output
        assert f"the required section '{heading}' is empty" in result.output
    assert "'Root cause' is empty" not in result.output
