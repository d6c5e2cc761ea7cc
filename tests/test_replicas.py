"""Two real `kb serve` replicas (different ports, data and content folders) on one PostgreSQL
database: what is published, signed in or answered on one is seen on the other, and a replica
killed with SIGKILL mid-publish leaves the document fully published or not at all.

Runs when KB_TEST_DATABASE_URL names a PostgreSQL server (`.ci/run` sets it when one answers)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from kb.bootstrap import open_database
from kb.curation import workflow
from tests import postgres
from tests.conftest import REPO
from tests.search_fixtures import DOCS
from tests.test_curate import LESSON_FORM
from tests.training_fixtures import COURSE

pytestmark = [
    pytest.mark.replicas,
    pytest.mark.skipif(not postgres.server_url(), reason="needs KB_TEST_DATABASE_URL"),
]
PASSWORD = "replica-password-1"
LESSON = LESSON_FORM["id"]
FOLLOWED_WITHIN = 10.0  # seconds: the replicas' promise (README, Running several replicas)
START_GUARD = 90.0  # seconds to wait for a server to answer at all (not a timing assertion)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write(folder: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")


def _kb(env: dict[str, str], *args: str, stdin: str = "") -> None:
    subprocess.run([sys.executable, "-m", "kb.cli", *args], env=env, input=stdin, text=True,
                   check=True, capture_output=True, cwd=REPO, timeout=180)  # fmt: skip


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    """Poll condition until it holds or the seconds run out; return whether it held."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return condition()


@dataclass
class Replica:
    """One `kb serve` process with its own data and content folders."""

    name: str
    env: dict[str, str]
    folder: Path
    process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.env['KB_PORT']}"

    @property
    def log(self) -> str:
        return (self.folder / "serve.log").read_text(encoding="utf-8", errors="replace")

    def start(self) -> None:
        out = open(self.folder / "serve.log", "w")  # noqa: SIM115  (the child owns it)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kb.cli", "serve"], env=self.env, cwd=REPO,
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        out.close()
        if not wait_for(self._answers, START_GUARD):
            raise AssertionError(f"replica {self.name} did not start:\n{self.log[-3000:]}")

    def _answers(self) -> bool:
        try:
            return httpx.get(f"{self.base}/api/search", params={"q": "risk"}).status_code == 200
        except httpx.HTTPError:
            return False

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=60, follow_redirects=False)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def _replica(tmp_path: Path, name: str, url: str, files: dict[str, str], **env: str) -> Replica:
    folder = tmp_path / name
    (folder / "content").mkdir(parents=True)
    _write(folder / "content", files)
    environment = {
        **os.environ,
        "KB_DATABASE_URL": url,
        "KB_CONTENT": str(folder / "content"),
        "KB_DATA": str(folder / "data"),
        "KB_PORT": str(_free_port()),
        "KB_EMBEDDERS": json.dumps(["fake"]),
        "KB_FOLLOW_SECONDS": "1",
        "KB_SELF_APPROVAL": "true",
    }
    environment.pop("KB_CRASH_AT", None)  # only where a test asks for it
    environment.update(env)
    return Replica(name, environment, folder)


@pytest.fixture
def database_url() -> Iterator[str]:
    with postgres.scratch_schema(postgres.server_url()) as url:
        yield url


def start_pair(tmp_path: Path, url: str, **a_env: str) -> tuple[Replica, Replica]:
    """Ingest the content on A's host, add accounts, start A, then B on an empty disk."""
    a = _replica(tmp_path, "a", url, {**DOCS, **COURSE}, **a_env)
    b = _replica(tmp_path, "b", url, {})
    _kb(a.env, "ingest")
    _kb(a.env, "user", "add", "cur1", "--role", "curator", stdin=PASSWORD + "\n")
    _kb(a.env, "user", "add", "lin", "--role", "learner", stdin=PASSWORD + "\n")
    a.start()
    b.start()
    return a, b


@pytest.fixture
def pair(tmp_path, database_url) -> Iterator[tuple[Replica, Replica]]:
    a, b = start_pair(tmp_path, database_url)
    yield a, b
    a.stop()
    b.stop()


def csrf(client: httpx.Client, path: str = "/signin") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def sign_in(client: httpx.Client, username: str) -> None:
    data = {"username": username, "password": PASSWORD, "csrf_token": csrf(client)}
    assert client.post("/signin", data=data).status_code == 303


def post(client: httpx.Client, path: str, data: dict) -> httpx.Response:
    return client.post(path, data={**data, "csrf_token": csrf(client, "/curate")})


def save_and_submit(client: httpx.Client) -> str:
    """Save the lesson as a draft and send it for review; return the revision to approve."""
    assert post(client, "/curate/save", {**LESSON_FORM, "action": "save"}).status_code == 303
    assert post(client, f"/curate/submit/{LESSON}", {}).status_code == 303
    page = client.get(f"/curate/doc/{LESSON}").text
    return re.search(r'name="revision" value="(\d+)"', page).group(1)


def hits(replica: Replica, query: str) -> list[str]:
    params = {"q": query, "mode": "keyword"}
    response = httpx.get(f"{replica.base}/api/search", params=params, timeout=30)
    assert response.status_code == 200, response.text
    return [hit["id"] for hit in response.json()["results"]]


def found(replica: Replica) -> bool:
    return LESSON in hits(replica, "zorblax")


def signed_in_on(replica: Replica, cookies: httpx.Cookies) -> bool:
    with httpx.Client(base_url=replica.base, cookies=cookies, timeout=30) as client:
        return client.get("/api/training/progress").status_code == 200


def test_a_new_replica_on_an_empty_disk_serves_the_shared_catalog(pair):
    _, b = pair
    assert "lesson-vendor" in hits(b, "vendor")
    assert httpx.get(f"{b.base}/docs/lesson-vendor").status_code == 200
    assert wait_for(lambda: "semantic search: ready" in b.log, START_GUARD), b.log[-2000:]
    assert "0 texts embedded" in b.log  # every vector came from the shared embedding cache


def test_published_on_a_is_found_on_b(pair):
    a, b = pair
    assert not found(b)
    with a.client() as client:
        sign_in(client, "cur1")
        revision = save_and_submit(client)
        approved = post(client, f"/curate/approve/{LESSON}", {"revision": revision})
        assert approved.status_code == 303, approved.text
    assert found(a)
    assert wait_for(lambda: found(b), FOLLOWED_WITHIN), b.log[-3000:]
    assert httpx.get(f"{b.base}/docs/{LESSON}").status_code == 200


def test_a_sign_in_on_a_holds_on_b_and_a_sign_out_on_a_ends_it_on_b(pair):
    a, b = pair
    with a.client() as client:
        sign_in(client, "lin")
        assert signed_in_on(b, client.cookies)  # same session, same forms key
        with b.client() as on_b:  # a form rendered by B is accepted by A
            on_b.cookies = client.cookies
            token = csrf(on_b, "/training")
        assert client.post("/signout", data={"csrf_token": token}).status_code == 303
        assert not signed_in_on(b, client.cookies)


def test_an_answer_given_on_a_shows_in_progress_on_b(pair):
    a, b = pair
    with a.client() as client:
        sign_in(client, "lin")
        page = client.get("/training/training-basics/1").text
        block = page.split('id="question-1"', 1)[1]
        fields = dict(re.findall(r'name="(csrf_token|question|nonce)" value="([^"]*)"', block)[:3])
        answered = client.post("/training/training-basics/1/answer", data={**fields, "choice": "2"})
        assert answered.status_code == 303, answered.text
        with httpx.Client(base_url=b.base, cookies=client.cookies, timeout=30) as on_b:
            mine = on_b.get("/api/training/progress/training-basics").json()
    assert mine["correct"] == 1 and mine["status"] != "not_started"


@pytest.mark.parametrize("step", ["publish.intent", "publish.catalog", "publish.index"])
def test_a_replica_killed_mid_publish_leaves_it_all_or_nothing_on_the_other(
    tmp_path, database_url, step
):
    a, b = start_pair(tmp_path, database_url, KB_CRASH_AT=step)
    try:
        with a.client() as client:
            sign_in(client, "cur1")
            revision = save_and_submit(client)
            data = {"revision": revision, "csrf_token": csrf(client, "/curate")}
            try:
                client.post(f"/curate/approve/{LESSON}", data=data, timeout=3)
            except httpx.TimeoutException:
                pass  # A is paused at the step, holding the publish
        assert wait_for(lambda: f"paused at {step}" in a.log, START_GUARD), a.log[-3000:]
        a.kill()
        assert "lesson-vendor" in hits(b, "vendor")  # B serves on while A is dead
        database = open_database(database_url)
        try:

            def settled() -> bool:
                return not workflow.pending_intents(database)

            assert wait_for(settled, FOLLOWED_WITHIN), b.log[-3000:]
            state = workflow.get_state(database, LESSON, b.folder / "content")
            published = state is not None and state.state == "published"
            assert wait_for(lambda: found(b) == published, FOLLOWED_WITHIN), b.log[-3000:]
            page = httpx.get(f"{b.base}/docs/{LESSON}").status_code
            assert page == (200 if published else 404)
        finally:
            database.close()
    finally:
        a.stop()
        b.stop()
