"""Browser-test fixtures: a real `kb serve` on loopback over the shipped content, real Chromium."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
XSS_DOC = """---
id: guide-hostile
title: Hostile document test
kind: guide
lang: en
summary: A document full of script injection attempts.
---
<script>window.__pwned = 1</script>

<img src=x onerror="window.__pwned = 2">

[click me](javascript:window.__pwned=3)
"""


PASSWORD = "browser-test-pass"
USERS = {
    "learner": "learner",
    "learner2": "learner",
    "curator": "curator",
    "curator2": "curator",
    "admin": "admin",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def server_env(tmp_path_factory) -> dict[str, str]:
    """Content (the shipped content plus a hostile document) and an ingested data folder."""
    root = tmp_path_factory.mktemp("browser-kb")
    content = root / "content"
    shutil.copytree(REPO / "content", content)
    (content / "hostile.md").write_text(XSS_DOC, encoding="utf-8")
    env = {
        **os.environ,
        "KB_CONTENT": str(content),
        "KB_DATA": str(root / "data"),
        "KB_EMBEDDERS": json.dumps(["fake"]),
        "KB_SEMANTIC_AT_START": "wait",  # hybrid from the first page
    }
    kb = [sys.executable, "-m", "kb.cli"]
    subprocess.run([*kb, "ingest"], env=env, check=True, capture_output=True, cwd=REPO)
    for username, role in USERS.items():
        subprocess.run(
            [*kb, "user", "add", username, "--role", role],
            input=PASSWORD + "\n",
            text=True,
            env=env,
            check=True,
            capture_output=True,
            cwd=REPO,
        )
    return env


def add_user(server_env: dict[str, str], username: str, role: str = "learner") -> str:
    """Create one more account (password PASSWORD) in the running server's database."""
    subprocess.run(
        [sys.executable, "-m", "kb.cli", "user", "add", username, "--role", role],
        input=PASSWORD + "\n",
        text=True,
        env=server_env,
        check=True,
        capture_output=True,
        cwd=REPO,
    )
    return username


def sign_in(page, base_url: str, username: str) -> None:
    """Sign a browser page in as one of the USERS."""
    page.goto(base_url + "/signin")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture(scope="session")
def base_url(server_env):
    """A real uvicorn server on a free loopback port, stopped after the session."""
    port = free_port()
    log_path = Path(server_env["KB_DATA"]) / "serve.log"
    log = open(log_path, "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [sys.executable, "-m", "kb.cli", "serve", "--port", str(port)],
        env=server_env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"kb serve exited: {log_path.read_text()[-2000:]}")
        try:
            if httpx.get(url + "/", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        process.kill()
        raise RuntimeError("kb serve did not answer within 60 s")
    yield url
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser context and page; a screenshot is saved if the test fails."""
    context = browser.new_context(accept_downloads=True, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        folder = Path(tempfile.gettempdir()) / "kb-browser-failures"
        folder.mkdir(exist_ok=True)
        shot = folder / f"{request.node.name}.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot of the failure: {shot}")
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
