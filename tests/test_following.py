"""Watch lists and "new since your last visit": watches are stored per account and edited from
the watch page and the browse pages (CSRF, sign-in, bad values a 400); a visit ends after 30
minutes away, and the home page lists what changed in the watches since the previous one."""

import datetime as dt
import re
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kb.accounts import create_user, list_users
from kb.following import visits
from kb.following.changes import changed_documents
from kb.following.visits import note_visit
from kb.following.watches import MAX_WATCHES, WatchError, add_watch, list_watches, remove_watch
from kb.store.tables import DocumentRow
from search.embedders import EmbedderPool
from search.service import ingest_and_index
from tests.search_fixtures import build_kb, holding_the_writers_lock
from web.app import create_app

PASSWORD = "follow-pass"
T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def user_id(database, name="pm1"):
    return next(u.id for u in list_users(database) if u.username == name)


@pytest.fixture
def kb(settings, database):
    build_kb(settings, database)
    create_user(database, "pm1", PASSWORD, "learner")
    create_user(database, "pm2", PASSWORD, "learner")
    return settings, database


@pytest.fixture
def client(kb):
    settings, _ = kb
    with TestClient(create_app(settings)) as client:
        yield client


def token(client, path="/signin"):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def sign_in(client, name="pm1"):
    data = {"username": name, "password": PASSWORD, "csrf_token": token(client)}
    assert client.post("/signin", data=data, follow_redirects=False).status_code == 303


def watch(client, facet, value, action="add", next_url="/watches"):
    data = {"facet": facet, "value": value, "action": action, "next": next_url}
    return client.post(
        "/watches", data={**data, "csrf_token": token(client, "/watches")}, follow_redirects=False
    )


def test_watches_are_kept_per_account(kb):
    _, database = kb
    pm1, pm2 = user_id(database, "pm1"), user_id(database, "pm2")
    add_watch(database, pm1, "tag", "  Vendor ")
    add_watch(database, pm1, "area", "risk")
    add_watch(database, pm1, "phase", "planning")
    add_watch(database, pm1, "area", "risk")  # twice is once
    assert [(w.facet, w.value) for w in list_watches(database, pm1)] == [
        ("phase", "planning"), ("area", "risk"), ("tag", "vendor"),
    ]  # fmt: skip
    assert list_watches(database, pm2) == []
    remove_watch(database, pm1, "tag", "VENDOR")
    assert ("tag", "vendor") not in {(w.facet, w.value) for w in list_watches(database, pm1)}


@pytest.mark.parametrize(
    ("facet", "value", "says"),
    [
        ("phase", "design", "unknown phase 'design'"),
        ("area", "Risk", "unknown knowledge area 'Risk'"),
        ("tag", "", "a tag is 1 to 60 characters"),
        ("owner", "x", "unknown kind of watch 'owner'"),
        ("tag", "a\x00b", "no control characters"),  # PostgreSQL refuses NUL in text
    ],
)
def test_a_bad_watch_is_refused_with_what_is_allowed(kb, facet, value, says):
    _, database = kb
    with pytest.raises(WatchError, match=re.escape(says)):
        add_watch(database, user_id(database), facet, value)
    remove_watch(database, user_id(database), facet, value)  # nothing there: no error either


def test_a_watch_list_is_small(kb):
    _, database = kb
    pm1 = user_id(database)
    for n in range(MAX_WATCHES):
        add_watch(database, pm1, "tag", f"tag-{n}")
    with pytest.raises(WatchError, match="at most 50"):
        add_watch(database, pm1, "tag", "one-more")


def test_a_visit_ends_after_thirty_minutes_away(kb):
    _, database = kb
    pm1 = user_id(database)
    assert note_visit(database, pm1, T0) is None  # the first visit
    assert note_visit(database, pm1, T0 + dt.timedelta(minutes=20)) is None  # the same visit
    assert note_visit(database, pm1, T0 + dt.timedelta(minutes=45)) is None  # still: 25 min gap
    later = T0 + dt.timedelta(hours=3)
    assert note_visit(database, pm1, later) == T0 + dt.timedelta(minutes=45)
    # through the new visit, the answer stays the end of the previous one
    assert note_visit(database, pm1, later + dt.timedelta(minutes=10)) == T0 + dt.timedelta(
        minutes=45
    )
    assert note_visit(database, user_id(database, "pm2"), later) is None


def test_watch_page_and_browse_buttons(client, kb):
    assert client.get("/watches", follow_redirects=False).status_code == 303  # sign in first
    sign_in(client)
    page = client.get("/watches").text
    assert "You watch nothing yet." in page
    response = watch(client, "area", "risk")
    assert response.status_code == 303 and response.headers["location"] == "/watches?done=added"
    response = watch(client, "phase", "executing", next_url="/browse/phase/executing")
    assert response.headers["location"] == "/browse/phase/executing?done=added"
    assert watch(client, "tag", "Vendor").status_code == 303
    page = client.get("/watches").text
    assert 'aria-label="Stop watching: Risk"' in page
    assert 'href="/feeds/documents.atom?tag=vendor"' in page
    browse = client.get("/browse/phase/executing").text
    assert 'aria-label="Stop watching: Executing"' in browse
    assert 'aria-label="Watch: Planning"' in client.get("/browse/phase/planning").text
    assert watch(client, "phase", "executing", "remove").status_code == 303
    assert 'aria-label="Watch: Executing"' in client.get("/browse/phase/executing").text
    _, database = kb
    assert {(w.facet, w.value) for w in list_watches(database, user_id(database))} == {
        ("area", "risk"), ("tag", "vendor"),
    }  # fmt: skip


def test_watch_changes_need_the_form_token_and_valid_values(client):
    sign_in(client)
    data = {"facet": "area", "value": "risk"}
    assert client.post("/watches", data=data).status_code == 403  # no CSRF token
    bad = watch(client, "area", "astrology")
    assert bad.status_code == 400 and "unknown knowledge area" in bad.text
    assert watch(client, "colour", "red").status_code == 400
    # never sent to another site afterwards
    assert watch(client, "area", "risk", next_url="//evil.example").headers["location"] == (
        "/watches?done=added"
    )


def wait_for_visit(database, user) -> None:
    """The home page writes the visit in the background: wait until it is there."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with database.reading() as session:
            if session.get(visits.VisitRow, user) is not None:
                return
        time.sleep(0.05)
    raise AssertionError("the visit was never written")


def test_visits_are_written_in_the_background(kb):
    _, database = kb
    pm1 = user_id(database)
    log = visits.VisitLog(database)
    try:
        with holding_the_writers_lock(kb[0]):  # another process is writing
            assert note_visit(database, pm1, T0, log) is None  # answers at once
        log.flush()
    finally:
        log.close()
    with database.reading() as session:
        assert visits._aware(session.get(visits.VisitRow, pm1).last_seen_at) == T0
    assert note_visit(database, pm1, T0 + dt.timedelta(hours=1)) == T0


def test_the_home_page_of_a_watcher_never_waits_for_a_writer(client, kb):
    sign_in(client)
    watch(client, "area", "risk")
    with holding_the_writers_lock(kb[0]):
        assert client.get("/").status_code == 200


def _news_ids(html: str) -> list[str]:
    box = re.search(r'<section class="card news" id="news">(.*?)</section>', html, re.S)
    assert box, "no news box on the home page"
    return re.findall(r'<a href="/docs/([^"]+)">', box.group(1))


def test_home_shows_what_changed_in_the_watches_since_the_last_visit(client, kb):
    settings, database = kb
    assert 'id="news"' not in client.get("/").text  # anonymous: no box
    sign_in(client)
    home = client.get("/").text
    assert "Watch phases, areas or tags to see here what is new for you." in home
    watch(client, "area", "procurement")
    watch(client, "tag", "风险")
    # first visit: the last fortnight of what is watched (everything was just ingested)
    assert sorted(_news_ids(client.get("/").text)) == ["guide-risk", "lesson-vendor"]
    # say all that was three hours ago, and the visit ended two hours ago; since then one
    # watched document and one unwatched one changed
    pm1 = user_id(database)
    wait_for_visit(database, pm1)
    with database.session() as session:
        for row in session.scalars(select(DocumentRow)):
            row.changed_at -= dt.timedelta(hours=3)
            if row.published_at is not None:  # the draft was never published
                row.published_at -= dt.timedelta(hours=3)
        row = session.get(visits.VisitRow, pm1)
        row.last_seen_at = row.last_seen_at - dt.timedelta(hours=2)
    for rel, old, new in (
        ("lessons/vendor.md", "month four", "month five"),
        ("guides/change.md", "变更请求", "变更申请"),
    ):
        path = settings.content / rel
        path.write_text(path.read_text("utf-8").replace(old, new), "utf-8")
    ingest_and_index(settings, database, EmbedderPool(settings.embedders, settings.threads))
    home = client.get("/").text
    assert "New since your last visit" in home
    assert _news_ids(home) == ["lesson-vendor"]
    assert '<span class="state is-updated">updated</span>' in home
    # reloading during the same visit keeps the list
    assert _news_ids(client.get("/").text) == ["lesson-vendor"]


def test_new_documents_are_told_apart_from_updated_ones(kb):
    _, database = kb
    with database.reading() as session:
        changes = changed_documents(session, filters={"area": ["procurement"]})
    (vendor,) = changes
    assert vendor.is_new_since(vendor.published_at - dt.timedelta(seconds=1))
    assert not vendor.is_new_since(vendor.published_at)
