"""A damaged database is refused at start with how to recover; `kb backup` and `kb restore`."""

import json
import os
import re
import sqlite3

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from kb.accounts import create_user, list_users
from kb.bootstrap import open_database
from kb.cli import main
from kb.store.integrity import DatabaseDamaged
from tests.conftest import serve_expecting_refusal
from tests.search_fixtures import build_kb
from web.app import create_app

pytestmark = pytest.mark.sqlite_only  # backup and restore copy the SQLite file


def kb(settings, *args, env=None):
    paths = ["--content", str(settings.content), "--data", str(settings.data)]
    environment = {"KB_EMBEDDERS": '["fake"]', **(env or {})}
    return CliRunner().invoke(main, [*args, *paths], env=environment)


@pytest.fixture
def built(settings, database):
    build_kb(settings, database)
    create_user(database, "alice", "alice-password", "admin")
    database.close()  # checkpointed: everything is in the one file
    return settings


def not_a_database(path):
    path.write_bytes(b"these are somebody's notes, not a database\n" * 200)


def truncated(path):
    os.truncate(path, path.stat().st_size // 2)


def garbage_in_the_middle(path):
    pages = path.stat().st_size // 4096
    with open(path, "r+b") as handle:
        handle.seek(4096 * (pages // 3))
        handle.write(bytes(range(256)) * 16 * max(2, pages // 3))


@pytest.mark.parametrize("damage", [not_a_database, truncated, garbage_in_the_middle])
@pytest.mark.parametrize("command", [["docs"], ["ingest"], ["user", "list"], ["check"]])
def test_a_damaged_database_is_one_paragraph_and_a_non_zero_exit(built, damage, command):
    path = built.sqlite_path
    damage(path)
    result = kb(built, *command)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # no traceback
    assert "Traceback" not in result.output
    message = result.output
    assert f"The database {path} is damaged" in message
    assert "kb restore" in message and "kb ingest" in message and f"mv {path}* " in message
    assert "no accounts" in message  # what the second way loses
    if damage is not_a_database:
        assert "not a SQLite database" in message


@pytest.mark.parametrize("damage", [not_a_database, truncated, garbage_in_the_middle])
def test_kb_serve_refuses_a_damaged_database_instead_of_serving(built, damage):
    damage(built.sqlite_path)
    result = serve_expecting_refusal(built, "kb serve started serving a damaged database")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "is damaged" in result.stderr and "kb restore" in result.stderr


def test_the_server_refuses_a_damaged_database_at_start(built):
    garbage_in_the_middle(built.sqlite_path)
    with pytest.raises(DatabaseDamaged, match="kb restore"):
        with TestClient(create_app(built)):
            pass


def test_backup_and_restore_bring_back_accounts_drafts_and_content(built, tmp_path):
    settings = built
    with TestClient(create_app(settings)) as client:  # online: the server is running
        assert client.get("/api/search", params={"q": "risk"}).status_code == 200
        folder = kb(settings, "backup", str(tmp_path / "nightly"))
        archive = kb(settings, "backup", str(tmp_path / "nightly.tar.gz"))
        refused = kb(settings, "restore", str(tmp_path / "nightly"), "--force")
    assert folder.exit_code == 0, folder.output
    assert archive.exit_code == 0, archive.output
    assert refused.exit_code == 2 and "kb serve" in refused.output
    manifest = json.loads((tmp_path / "nightly/manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["users"] == 1 and manifest["counts"]["documents"] == 5
    assert manifest["version"] and manifest["created"] and manifest["files"] == 5
    assert kb(settings, "backup", str(tmp_path / "nightly")).exit_code == 2  # never overwrites

    # lose things: the account, a guide, and the database file itself
    (settings.content / "guides/risk.md").unlink()
    settings.sqlite_path.unlink()
    database = open_database(settings.db_url)
    assert list_users(database) == []
    database.close()

    unforced = kb(settings, "restore", str(tmp_path / "nightly.tar.gz"))
    assert unforced.exit_code == 2 and "--force" in unforced.output
    restored = kb(settings, "restore", str(tmp_path / "nightly.tar.gz"), "--force")
    assert restored.exit_code == 0, restored.output
    assert "indexes rebuilt" in restored.output
    database = open_database(settings.db_url)
    assert [u.username for u in list_users(database)] == ["alice"]
    database.close()
    assert (settings.content / "guides/risk.md").is_file()
    kept = [p.name for p in settings.content.parent.iterdir() if "before-restore" in p.name]
    assert any(name.startswith("content.before-restore-") for name in kept)
    found = json.loads(kb(settings, "search", "风险登记册", "--json").output)
    assert found["results"][0]["id"] == "guide-risk"
    assert kb(settings, "check").exit_code == 0


def test_restore_refuses_a_damaged_backup_and_changes_nothing(built, tmp_path):
    assert kb(built, "backup", str(tmp_path / "b")).exit_code == 0
    garbage_in_the_middle(tmp_path / "b/kb.sqlite3")
    before = built.sqlite_path.read_bytes()
    result = kb(built, "restore", str(tmp_path / "b"), "--force")
    assert result.exit_code == 2 and "damaged" in result.output
    assert built.sqlite_path.read_bytes() == before


def test_a_backup_is_a_consistent_sqlite_file(built, tmp_path):
    assert kb(built, "backup", str(tmp_path / "b")).exit_code == 0
    copy = sqlite3.connect(tmp_path / "b/kb.sqlite3")
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute("SELECT count(*) FROM documents").fetchone() == (5,)
    copy.close()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_postgresql_backup_says_it_is_not_supported(settings):
    env = {"KB_DATABASE_URL": "postgresql://kb@localhost/kb"}
    for command in (["backup", "x"], ["restore", "x"]):
        result = kb(settings, *command, env=env)
        assert result.exit_code == 2 and "pg_dump" in result.output


def test_restore_ends_every_session_so_none_revoked_since_comes_back(built, tmp_path):
    settings = built
    with TestClient(create_app(settings)) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/signin").text)
        form = {"username": "alice", "password": "alice-password", "csrf_token": token.group(1)}
        assert client.post("/signin", data=form, follow_redirects=False).status_code == 303
        cookies = dict(client.cookies)
        assert client.get("/curate", follow_redirects=False).status_code == 200
        assert kb(settings, "backup", str(tmp_path / "nightly")).exit_code == 0
        # after the backup, the session is revoked (alice signed out everywhere: a stolen cookie)
        assert kb(settings, "user", "signout", "alice").exit_code == 0
        assert client.get("/curate", follow_redirects=False).status_code == 303
    restored = kb(settings, "restore", str(tmp_path / "nightly"), "--force")
    assert restored.exit_code == 0, restored.output
    assert "ended all 1 sign-in sessions" in restored.output
    with TestClient(create_app(settings), cookies=cookies) as client:
        assert client.get("/curate", follow_redirects=False).status_code == 303  # not revived
