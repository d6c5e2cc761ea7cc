"""A missing or empty database beside an earlier catalog's search indexes is refused with how to
recover (accounts, progress and history would vanish silently otherwise), unless the operator
says to start empty (KB_ALLOW_EMPTY_DATABASE); a fresh data folder starts as before."""

import pytest
from click.testing import CliRunner

from kb.cli import main
from tests import postgres
from tests.conftest import serve_expecting_refusal
from tests.search_fixtures import build_kb

ALLOW = {"KB_ALLOW_EMPTY_DATABASE": "1"}


def kb(settings, *args, env=None, stdin=None):
    paths = ["--content", str(settings.content), "--data", str(settings.data)]
    environment = {"KB_EMBEDDERS": '["fake"]', **(env or {})}
    return CliRunner().invoke(main, [*args, *paths], env=environment, input=stdin)


def refused(result, where) -> None:
    """Assert one message naming the database and the fixes, and a non-zero exit."""
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert f"The database {where} is missing or empty" in result.output
    assert "search indexes of a catalog of" in result.output
    assert "kb restore" in result.output and "KB_ALLOW_EMPTY_DATABASE=1" in result.output


@pytest.fixture
def built(settings, database):
    build_kb(settings, database)
    database.close()
    assert kb(settings, "user", "add", "alice", stdin="alice-password\n").exit_code == 0
    return settings


def test_a_fresh_data_folder_starts_empty(content, settings):
    content.write("guides/a.md", "# A\n\nalpha text\n")
    assert not settings.data.exists()
    ingested = kb(settings, "ingest")
    assert ingested.exit_code == 0 and "1 documents" in ingested.output, ingested.output
    assert kb(settings, "user", "list").exit_code == 0


@pytest.mark.sqlite_only
@pytest.mark.parametrize("loss", ["missing", "zero bytes"])
def test_a_lost_sqlite_file_beside_the_indexes_is_refused(built, loss):
    path = built.sqlite_path
    for leftover in path.parent.glob(f"{path.name}*"):
        leftover.unlink()
    if loss == "zero bytes":
        path.touch()
    for command in (["docs"], ["ingest"], ["user", "list"], ["db", "upgrade"]):
        refused(kb(built, *command), path)
    if loss == "missing":
        assert not path.exists()  # refusing creates nothing
    started = kb(built, "ingest", env=ALLOW)  # told to start empty: the catalog is rebuilt
    assert started.exit_code == 0 and "5 documents" in started.output, started.output
    listed = kb(built, "user", "list")
    assert listed.exit_code == 0 and "alice" not in listed.output  # what starting empty costs


@pytest.mark.sqlite_only
def test_kb_serve_refuses_to_start_beside_the_indexes_without_its_database(built):
    built.sqlite_path.unlink()
    why = "kb serve started on a new empty database beside the old indexes"
    result = serve_expecting_refusal(built, why)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "is missing or empty" in result.stderr and "KB_ALLOW_EMPTY_DATABASE" in result.stderr
    assert not built.sqlite_path.exists()


def test_an_empty_postgresql_database_beside_the_indexes_is_refused(built, store_url, monkeypatch):
    if not store_url:
        pytest.skip("PostgreSQL: set KB_TEST_DATABASE_URL")
    with postgres.scratch_schema(postgres.server_url(), "kb_empty") as empty_url:
        monkeypatch.setenv("KB_DATABASE_URL", empty_url)
        result = kb(built, "docs")
        assert result.exit_code == 2 and "is missing or empty" in result.output, result.output
        assert "KB_ALLOW_EMPTY_DATABASE=1" in result.output
        started = kb(built, "ingest", env=ALLOW)
        assert started.exit_code == 0 and "5 documents" in started.output, started.output
