"""A real `kb serve` under concurrent searches while another process re-ingests edited content:
every request answers 200, and the edited document is found in every answer (old or new
version, never neither). Bounded: about 20 s, loopback only."""

import json
import os
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest

from tests.search_fixtures import DOCS

pytestmark = pytest.mark.load
CLIENTS = 20
EDITS = 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _kb(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kb.cli", *args], env=env, check=True,
                          capture_output=True, text=True, timeout=120, **kwargs)  # fmt: skip


@pytest.fixture
def served(tmp_path):
    content = tmp_path / "content"
    for rel, text in DOCS.items():
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_text(text, encoding="utf-8")
    for i in range(40):  # enough sections that an ingest takes a moment
        (content / "guides" / f"extra-{i}.md").write_text(
            f"---\nid: guide-extra-{i}\ntitle: Extra guide {i}\nkind: guide\nlang: en\n"
            f"summary: Filler.\n---\n" + "\n\n".join(f"## Part {k}\nVendor note {i} {k}."
                                                      for k in range(20)), encoding="utf-8")  # fmt: skip
    env = {**os.environ, "KB_CONTENT": str(content), "KB_DATA": str(tmp_path / "data"),
           "KB_EMBEDDERS": json.dumps(["fake"])}  # fmt: skip
    _kb(env, "ingest")
    port = _free_port()
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115  (closed after the server stops)
    server = subprocess.Popen(
        [sys.executable, "-m", "kb.cli", "serve", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/api/search", params={"q": "risk"}, timeout=2)
            break
        except httpx.HTTPError:
            time.sleep(0.3)
    yield base, env, content
    server.terminate()
    server.wait(timeout=20)
    log.close()


def test_searches_answer_and_find_the_edited_lesson_while_it_is_reingested(served):
    base, env, content = served
    answers: list[tuple[int, bool]] = []
    stop = threading.Event()

    def client() -> None:
        with httpx.Client(base_url=base, timeout=30) as http:
            while not stop.is_set():
                response = http.get("/api/search", params={"q": "integration vendor replaced"})
                ids = [hit["id"] for hit in response.json().get("results", [])]
                answers.append((response.status_code, "lesson-vendor" in ids))

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    lesson = content / "lessons" / "vendor.md"
    original = lesson.read_text("utf-8")
    try:
        for edit in range(EDITS):
            title = "Switching vendors mid-project" if edit % 2 else f"Replacing suppliers ({edit})"
            lesson.write_text(original.replace("Switching vendors mid-project", title), "utf-8")
            _kb(env, "ingest")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert len(answers) > 50
    assert {status for status, _ in answers} == {200}
    assert all(found for _, found in answers), "the edited lesson vanished from search"
