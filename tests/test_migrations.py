"""Schema migrations: the migrations build the schema the models declare (SQLite, and PostgreSQL
with KB_TEST_DATABASE_URL); a database made by release 4427e0b upgrades in place with every row
usable; later migrations run once however many processes start together; a newer database is
refused; `kb db status|upgrade|revision`."""

import datetime as dt
import json
import re
import shutil
import sqlite3
import threading
import uuid
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import Column, MetaData, String, Table, create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from kb import sessions
from kb.accounts import authenticate, create_user, list_users
from kb.bootstrap import open_database
from kb.cli import main
from kb.curation import workflow
from kb.insights import analytics
from kb.insights.feedback import feedback_counts
from kb.store import catalog, schema
from kb.store.audit import recent_events
from kb.store.backup import backup
from kb.store.database import Base, Database
from kb.store.schema import SchemaTooNew, SchemaUpgradeFailed
from kb.training import certificates, modules, progress
from kb.training.modules import Status
from kb.training.progress import AnswerRow, AttemptRow
from tests.fixtures import make_release_db as release
from tests.search_fixtures import DOCS
from tests.training_fixtures import COURSE

FIXTURES = Path(__file__).parent / "fixtures"
RELEASE_DB = FIXTURES / "release-4427e0b.sqlite3"
FACTS = json.loads((FIXTURES / "release-4427e0b.json").read_text(encoding="utf-8"))
HEAD = schema.scripts().get_current_head()
NEXT = f"{int(HEAD) + 1:04d}"  # the revision of the test's "next release" migration


def kb(data: Path, *args, content: Path | None = None):
    paths = ["--data", str(data), "--content", str(content or data.parent / "content")]
    return CliRunner().invoke(main, [*args, *paths], env={"KB_EMBEDDERS": '["fake"]'})


def revision_of(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def differences(database: Database, metadata: MetaData) -> list:
    with database.engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), metadata)


def migrate(database: Database, to: str = "head") -> None:
    """Run the migration scripts themselves (not open_database's create_all shortcut)."""
    with schema.migrating(database.engine) as connection:
        command.upgrade(schema.alembic_config(connection), to)


@pytest.fixture
def release_db(tmp_path) -> Path:
    """A copy of the database made by release 4427e0b, as the default SQLite file of data/."""
    path = tmp_path / "data" / "kb.sqlite3"
    path.parent.mkdir()
    shutil.copyfile(RELEASE_DB, path)
    return path


@pytest.fixture
def postgres():
    """A scratch PostgreSQL database (KB_TEST_DATABASE_URL names the server); dropped after."""
    import os

    server = os.environ.get("KB_TEST_DATABASE_URL")
    if not server:
        pytest.skip("set KB_TEST_DATABASE_URL=postgresql+psycopg://… to test PostgreSQL")
    name = f"kb_migrations_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path) -> str:
    """The URL of an empty database of each dialect the store runs on."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    return request.getfixturevalue("postgres")


NEXT_RELEASE = '''"""users get a time zone, longer display names, and a new table (the next release)"""

import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = "{down_revision}"
branch_labels = None
depends_on = None


def upgrade():
    # A type change: on SQLite the batch copies the table that sessions and progress refer to.
    with op.batch_alter_table("users") as batch:
        batch.alter_column("display_name", existing_type=sa.String(200), type_=sa.String(300))
        batch.add_column(sa.Column("time_zone", sa.String(64), nullable=False, server_default="UTC"))
    op.create_table("next_release_probe", sa.Column("id", sa.Integer, primary_key=True))
    {extra}


def downgrade():
    pass
'''


def next_release(tmp_path: Path, monkeypatch, extra: str = "") -> Path:
    """Make this code ship the migrations of a next release (NEXT, after this one's head)."""
    migrations = tmp_path / "next-release-migrations"
    shutil.copytree(schema.MIGRATIONS, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    script = NEXT_RELEASE.replace("{extra}", extra or "pass")
    script = script.replace("{revision}", NEXT).replace("{down_revision}", HEAD)
    (migrations / "versions" / f"{NEXT}_next_release.py").write_text(script, encoding="utf-8")
    monkeypatch.setattr(schema, "MIGRATIONS", migrations)
    return migrations


def columns(url: str, table: str) -> dict[str, str]:
    engine = create_engine(url)
    try:
        return {c["name"]: str(c["type"]) for c in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def table_names(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


# --- the migrations are the models ------------------------------------------------------


def test_the_migrations_build_the_schema_the_models_declare(empty_url):
    database = Database.connect(empty_url)
    migrate(database)
    try:
        assert differences(database, Base.metadata) == []
        assert revision_of(empty_url) == HEAD
    finally:
        database.close()


def test_a_model_change_without_a_migration_is_caught(tmp_path):
    database = Database.connect(f"sqlite:///{tmp_path / 'kb.sqlite3'}")
    migrate(database)
    changed = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["users"].append_column(Column("time_zone", String(64)))
    Table("replica_secret", changed, Column("key", String(64), primary_key=True))
    found = differences(database, changed)
    database.close()
    assert {d[0] for d in found} == {"add_column", "add_table"}


def ddl(path: Path) -> dict[tuple[str, str], str]:
    connection = sqlite3.connect(path)
    rows = connection.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    connection.close()
    return {
        (kind, name): re.sub(r"\s+", " ", sql or "")
        for kind, name, sql in rows
        if "alembic_version" not in name
    }


def test_the_baseline_is_exactly_the_schema_release_4427e0b_made(tmp_path):
    database = Database.connect(f"sqlite:///{tmp_path / 'baseline.sqlite3'}")
    migrate(database, schema.BASELINE)
    database.close()
    made = ddl(tmp_path / "baseline.sqlite3")
    assert made == ddl(RELEASE_DB)  # every table, index and constraint, as written
    assert "AUTOINCREMENT" in made[("table", "sections")]


def test_the_migrations_are_one_line_of_revisions():
    script = schema.scripts()
    assert len(script.get_heads()) == 1, "two migrations revise the same one: renumber one"
    chain = [s.revision for s in script.walk_revisions()]
    assert chain[-1] == schema.BASELINE and chain[0] == HEAD


# --- opening a database -------------------------------------------------------------------


def test_an_empty_database_is_created_at_head(empty_url):
    database = open_database(empty_url)
    try:
        assert revision_of(empty_url) == HEAD
        assert differences(database, Base.metadata) == []
        create_user(database, "alice", "alice-password", "admin")
    finally:
        database.close()


def test_a_database_made_by_release_4427e0b_upgrades_in_place_with_every_row_usable(release_db):
    url = f"sqlite:///{release_db}"
    changes = []
    database = open_database(url, report=changes.append)
    assert revision_of(url) == HEAD
    assert [(c.before, c.after, c.created) for c in changes] == [(None, HEAD, False)]

    # accounts: the admin signs in with the password set then, the learner's session is valid
    admin = authenticate(database, release.ADMIN[0], release.ADMIN[1])
    assert admin is not None and admin.role == "admin" and admin.id == FACTS["admin_id"]
    assert authenticate(database, release.ADMIN[0], "wrong-password") is None
    assert [(u.username, u.role) for u in list_users(database)] == [
        ("alice", "admin"), ("cur1", "curator"), ("lin", "learner"),
    ]  # fmt: skip
    lifetime = sessions.Lifetime(*release.SESSION_LIFETIME)
    at = release.SESSION_STARTED + dt.timedelta(hours=1)
    assert sessions.resolve(database, FACTS["session_token"], lifetime, at) == FACTS["learner_id"]

    # training: answers, attempts, completion and the certificate that verifies
    learner = next(u for u in list_users(database) if u.username == "lin")
    with database.session() as session:
        catalogue = modules.load_catalogue(session)
        assert len(session.scalars(select(AnswerRow)).all()) == 3
        assert len(session.scalars(select(AttemptRow)).all()) == 4
        certificate = certificates.verify(session, FACTS["certificate_code"])
    assert certificate.learner_name == "Lin Wei" and certificate.module_id == "training-basics"
    basics = catalogue.get("training-basics")
    mine, _ = progress.progress_in(database, learner.id, catalogue, basics)
    assert mine.status is Status.COMPLETED and mine.certificate.code == FACTS["certificate_code"]

    # the catalog, the workflow (published + a draft on top), the request to unpublish
    with database.session() as session:
        ids = [row.id for row in catalog.list_documents(session)]
    assert {"guide-risk", "lesson-vendor", release.LESSON_ID, "training-basics"} <= set(ids)
    revisions = workflow.list_revisions(database, release.LESSON_ID)
    assert [r.number for r in revisions] == [3, 2, 1]  # newest first
    state = workflow.get_state(database, release.LESSON_ID, release_db.parent)
    assert (state.state, state.live, state.head) == ("draft", FACTS["live_revision"], 3)
    assert "twice, with a timer" in workflow.revision_text(database, release.LESSON_ID, 3)
    assert workflow.unpublish_request(database, "guide-risk-en").reason == "outdated"

    # the logs and feedback
    with database.session() as session:
        actions = {e.action for e in recent_events(session)}
    assert {"role_change", "sign_in_failed", "request_unpublish"} <= actions
    assert {q.query for q in analytics.top_queries(database)} == {
        "风险登记册", "risk register", "zzz nothing",
    }  # fmt: skip
    assert [q.query for q in analytics.zero_result_queries(database)] == ["zzz nothing"]
    assert feedback_counts(database, "guide-risk") == (1, 0)

    # and it keeps working: new rows, new revisions, section ids still never reused
    create_user(database, "newbie", "newbie-password")
    number = workflow.save_draft(
        database, release_db.parent, release.LESSON_ID, "x", title="t", author="cur1", base=3
    )
    assert number == 4
    database.close()
    open_database(url, report=changes.append).close()
    assert len(changes) == 1  # at head now: opening again changes nothing
    sequence = sqlite3.connect(release_db).execute(
        "SELECT seq FROM sqlite_sequence WHERE name = 'sections'"
    )
    assert sequence.fetchone()[0] >= 20


def test_a_database_behind_head_is_upgraded_and_keeps_the_rows_of_a_copied_table(
    release_db, tmp_path, monkeypatch
):
    url = f"sqlite:///{release_db}"
    open_database(url).close()  # at this release's head, 0001
    next_release(tmp_path, monkeypatch)
    changes = []
    database = open_database(url, report=changes.append)
    assert [str(c) for c in changes] == [
        f"upgraded the database schema from revision {HEAD} to {NEXT}"
    ]
    assert revision_of(url) == NEXT
    assert columns(url, "users")["display_name"] == "VARCHAR(300)"
    # the users table was copied with foreign keys off: the rows that point at it are all there
    assert authenticate(database, release.ADMIN[0], release.ADMIN[1]) is not None
    lifetime = sessions.Lifetime(*release.SESSION_LIFETIME)
    at = release.SESSION_STARTED + dt.timedelta(hours=1)
    assert sessions.resolve(database, FACTS["session_token"], lifetime, at) == FACTS["learner_id"]
    with database.session() as session:
        assert certificates.verify(session, FACTS["certificate_code"]) is not None
    database.close()
    check = sqlite3.connect(release_db)
    assert check.execute("PRAGMA foreign_key_check").fetchall() == []
    assert check.execute("SELECT time_zone FROM users").fetchall() == [("UTC",)] * 3


def release_like(url: str) -> None:
    """Make a database as release 4427e0b did, on any dialect: the baseline, no version, rows."""
    database = Database.connect(url)
    migrate(database, schema.BASELINE)
    with database.engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
        connection.execute(
            text(
                "INSERT INTO users (username, display_name, password_hash, role, created_at, "
                "failed_logins) VALUES ('alice', 'Alice', 'x', 'admin', :now, 0)"
            ),
            {"now": dt.datetime.now(dt.UTC)},
        )
    database.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def release_url(request, tmp_path) -> str:
    """A database made by release 4427e0b: the real file on SQLite, its schema on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{request.getfixturevalue('release_db')}"
    url = request.getfixturevalue("postgres")
    release_like(url)
    return url


def test_processes_starting_together_upgrade_once(release_url, tmp_path, monkeypatch):
    next_release(tmp_path, monkeypatch)
    start, changes, errors = threading.Barrier(4), [], []

    def server_start():
        start.wait()
        try:
            open_database(release_url, report=changes.append).close()
        except Exception as error:  # collected: the assertion below names it
            errors.append(error)

    threads = [threading.Thread(target=server_start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(changes) == 1 and changes[0].after == NEXT  # one did it, the others found it done
    assert revision_of(release_url) == NEXT and "time_zone" in columns(release_url, "users")


def test_a_failing_migration_changes_nothing(release_url, tmp_path, monkeypatch):
    next_release(tmp_path, monkeypatch, extra='op.execute("SELECT no_such_column FROM users")')
    with pytest.raises(SchemaUpgradeFailed, match=f"from revision 0001 to {NEXT} failed"):
        open_database(release_url)
    assert revision_of(release_url) is None  # as it was: not even stamped at the baseline
    assert "time_zone" not in columns(release_url, "users")
    assert "next_release_probe" not in table_names(release_url)


def test_a_database_newer_than_the_code_is_refused_and_left_alone(
    release_db, tmp_path, monkeypatch
):
    url = f"sqlite:///{release_db}"
    with monkeypatch.context() as newer_code:
        next_release(tmp_path, newer_code)
        open_database(url).close()  # a newer release upgraded it to NEXT
    before = release_db.read_bytes()
    with pytest.raises(SchemaTooNew) as refused:
        open_database(url)
    message = str(refused.value)
    assert f"the database at {release_db} has schema revision {NEXT}" in message
    assert f"(head {HEAD})" in message and "git pull && make install" in message
    assert "KB_DATABASE_URL" in message
    assert release_db.read_bytes() == before


# --- the commands ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [["docs"], ["ingest"], ["user", "list"], ["check"], ["serve"], ["db", "upgrade"],
     ["db", "status"], ["backup", "out"]],
)  # fmt: skip
def test_every_command_refuses_a_newer_database_in_one_line(release_db, tmp_path, monkeypatch, command):  # fmt: skip
    (tmp_path / "content").mkdir()
    with monkeypatch.context() as newer_code:
        next_release(tmp_path, newer_code)
        open_database(f"sqlite:///{release_db}").close()
    if command == ["backup", "out"]:
        command = ["backup", str(tmp_path / "out")]
    result = kb(release_db.parent, *command)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    assert f"has schema revision {NEXT}, newer than this release knows" in result.output
    assert not (tmp_path / "out").exists()


def test_kb_db_status_and_upgrade_say_from_where_to_where(release_db, tmp_path, monkeypatch):
    data = release_db.parent
    status = kb(data, "db", "status")
    assert status.exit_code == 0, status.output
    assert "current revision: none (made by a release before schema migrations" in status.output
    assert f"head (this release): {HEAD}" in status.output
    assert revision_of(f"sqlite:///{release_db}") is None  # status changed nothing
    next_release(tmp_path, monkeypatch)
    status = kb(data, "db", "status")
    assert f"pending migrations: {int(NEXT) - 1}" in status.output  # all but the baseline
    assert re.search(rf"^  {NEXT}  users get a time zone", status.output, re.M)
    upgrade = kb(data, "db", "upgrade")
    assert upgrade.exit_code == 0, upgrade.output
    assert f"from revision 0001 (a database made before migrations) to {NEXT}" in upgrade.output
    again = kb(data, "db", "upgrade")
    assert f"is at revision {NEXT} (head); nothing to do" in again.output
    status = kb(data, "db", "status")
    assert f"current revision: {NEXT}" in status.output
    assert "pending migrations: none (up to date)" in status.output


def test_kb_ingest_upgrades_first_and_says_so(release_db, tmp_path, monkeypatch):
    content = tmp_path / "content"
    for rel, body in {**DOCS, **COURSE}.items():
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_text(body, encoding="utf-8")
    open_database(f"sqlite:///{release_db}").close()
    next_release(tmp_path, monkeypatch)
    result = kb(release_db.parent, "ingest", content=content)
    assert result.exit_code == 0, result.output
    assert f"note: upgraded the database schema from revision {HEAD} to {NEXT}" in result.output
    assert revision_of(f"sqlite:///{release_db}") == NEXT


def test_kb_db_revision_writes_the_migration_a_new_table_needs(tmp_path, monkeypatch):
    migrations = next_release(tmp_path, monkeypatch)
    (migrations / "versions" / f"{NEXT}_next_release.py").unlink()  # start from this release
    assert "agree: no migration written" in CliRunner().invoke(main, ["db", "revision", "x"]).output
    table = Table(
        "replica_secret", Base.metadata, Column("key", String(64), primary_key=True),
        Column("secret", String(128), nullable=False),
    )  # fmt: skip
    try:
        result = CliRunner().invoke(main, ["db", "revision", "a shared site secret"])
        assert result.exit_code == 0, result.output
        written = migrations / "versions" / f"{NEXT}_a_shared_site_secret.py"
        assert f"wrote {written}" in result.output
        assert "op.create_table" in written.read_text() and "replica_secret" in written.read_text()
        database = Database.connect(f"sqlite:///{tmp_path / 'new.sqlite3'}")
        migrate(database)  # the scripts, the new one included
        assert differences(database, Base.metadata) == []
        database.close()
    finally:
        Base.metadata.remove(table)


def test_a_restored_backup_made_by_release_4427e0b_is_upgraded(release_db, tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    for rel, body in {**DOCS, **COURSE}.items():
        (old / rel).parent.mkdir(parents=True, exist_ok=True)
        (old / rel).write_text(body, encoding="utf-8")
    backup(release_db, old, tmp_path / "backup-4427e0b", "0.1.0")
    data = tmp_path / "site" / "data"
    restored = kb(data, "restore", str(tmp_path / "backup-4427e0b"), content=tmp_path / "site/c")
    assert restored.exit_code == 0, restored.output
    url = f"sqlite:///{data / 'kb.sqlite3'}"
    assert revision_of(url) == HEAD
    database = open_database(url)
    assert authenticate(database, release.ADMIN[0], release.ADMIN[1]) is not None
    with database.session() as session:
        assert certificates.verify(session, FACTS["certificate_code"]) is not None
    database.close()
