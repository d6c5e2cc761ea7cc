"""A database outage while the server runs: the database really goes away (SQLite: its file is
moved and a folder put in its place; PostgreSQL: the proxy the server reaches it through is cut),
pages that need it answer 503 with Retry-After and a page that says search still works, search
keeps answering from memory, the outage is logged once when it starts and once when it ends, and
the catalog follower backs off instead of logging a traceback every few seconds."""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import make_url

from kb.settings import Settings
from search.index.catalog_follower import LONGEST_WAIT, next_wait
from tests.search_fixtures import build_kb
from tests.tcp_proxy import TcpProxy
from web.app import create_app


class Outage:
    """Takes the test's database away and brings it back, for SQLite or PostgreSQL."""

    def __init__(self, settings: Settings, tmp_path: Path) -> None:
        self.settings = settings
        self.parked = tmp_path / "parked"
        self.proxy: TcpProxy | None = None
        if settings.database_url:
            url = make_url(settings.database_url)
            self.proxy = TcpProxy(url.host, url.port or 5432)
            self.proxy.start()
            self.url = url.set(host="127.0.0.1", port=self.proxy.port).render_as_string(False)
        else:
            self.url = ""

    def stop(self, app_state: dict) -> None:
        """Make the database unreachable for the running server."""
        if self.proxy is not None:
            self.proxy.stop()
            return
        sqlite = self.settings.sqlite_path
        self.parked.mkdir()
        for path in sqlite.parent.glob(sqlite.name + "*"):
            shutil.move(path, self.parked / path.name)
        sqlite.mkdir()  # "unable to open database file" for every new connection
        # An open SQLite handle keeps reading the moved file (as it would a deleted one); the
        # server's next connections are the ones that meet the outage.
        app_state["database"].engine.dispose()

    def start(self) -> None:
        """Bring the database back where it was."""
        if self.proxy is not None:
            self.proxy.start()
            return
        sqlite = self.settings.sqlite_path
        sqlite.rmdir()
        for path in self.parked.iterdir():
            shutil.move(path, sqlite.parent / path.name)

    def close(self) -> None:
        """Release the proxy, if any."""
        if self.proxy is not None:
            self.proxy.stop()


@contextmanager
def serving_through_outage(settings: Settings, database, tmp_path: Path) -> Iterator:
    build_kb(settings, database)
    outage = Outage(settings, tmp_path)
    served = settings.model_copy(update={"database_url": outage.url, "follow_seconds": 0.01})
    try:
        with TestClient(create_app(served)) as client:
            yield client, outage
    finally:
        outage.close()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_an_outage_answers_503_keeps_search_and_is_logged_once(
    settings, database, tmp_path, caplog
):
    caplog.set_level(logging.INFO)
    with serving_through_outage(settings, database, tmp_path) as (client, outage):
        assert client.get("/").status_code == 200
        sign_in_form = client.get("/signin").text
        outage.stop(client.app_state)

        home = client.get("/", headers={"Accept-Language": "en"})
        assert home.status_code == 503 and int(home.headers["retry-after"]) > 0
        assert "Search still works" in home.text and 'action="/search"' in home.text
        assert "Traceback" not in home.text
        zh = client.get("/", headers={"Accept-Language": "zh-CN"})
        assert zh.status_code == 503 and "搜索仍可使用" in zh.text
        document = client.get("/api/documents/guide-risk-en")
        assert document.status_code == 503 and "retry-after" in document.headers
        assert "search" in document.json()["detail"]
        spec = client.get("/api/openapi.json").json()  # and the API's document says so
        for path, operations in spec["paths"].items():
            if path != "/healthz":  # alive without the database: never 503
                assert all("503" in operation["responses"] for operation in operations.values())
        signin = client.post(
            "/signin",
            data={"username": "alice", "password": "x", "csrf_token": csrf_of(sign_in_form)},
        )
        assert signin.status_code == 503
        for _ in range(5):
            assert client.get("/feeds/documents.atom").status_code == 503

        # search answers from the indexes in memory
        found = client.get("/api/search", params={"q": "risk register", "mode": "keyword"})
        assert found.status_code == 200 and found.json()["results"]
        page = client.get("/search", params={"q": "risk register"})
        assert page.status_code == 200 and "/docs/guide-risk-en" in page.text

        during = list(caplog.records)
        outage.start()
        assert client.get("/").status_code == 200
        assert client.get("/api/documents/guide-risk-en").status_code == 200

    messages = [record.getMessage() for record in caplog.records]
    assert sum(m.startswith("database unreachable") for m in messages) == 1
    assert sum(m.startswith("database back") for m in messages) == 1
    # neither the requests nor the follower (trying every 0.01 s at first) logged a traceback
    assert [r.getMessage() for r in during if r.exc_info] == []


def test_the_follower_backs_off_while_it_fails_up_to_a_minute():
    waits = [next_wait(2.0, failures) for failures in range(10)]
    assert waits[:4] == [2.0, 4.0, 8.0, 16.0]
    assert waits[-1] == LONGEST_WAIT and max(waits) == LONGEST_WAIT
    assert next_wait(120.0, 3) == 120.0  # never sooner than the configured interval


@pytest.mark.parametrize(
    "route", ["/training", "/feeds/documents.atom", "/api/documents/guide-risk"]
)
def test_pages_needing_the_database_say_degraded_not_500(settings, database, tmp_path, route):
    with serving_through_outage(settings, database, tmp_path) as (client, outage):
        outage.stop(client.app_state)
        answer = client.get(route, follow_redirects=True)
        assert answer.status_code == 503 and "retry-after" in answer.headers
