"""Shared fixtures: a scratch content folder, settings pointing into tmp dirs, a database."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from kb.bootstrap import open_database  # noqa: E402
from kb.settings import Settings  # noqa: E402
from tests import postgres  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SHARED_EVAL = REPO.parent / "shared" / "eval"


class ContentDir:
    """A scratch content folder that tests write Markdown files into."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def write(self, rel: str, text: str) -> Path:
        """Write a file (dedented) and return its path."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def write_bytes(self, rel: str, data: bytes) -> Path:
        """Write raw bytes and return the path."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path


@pytest.fixture
def content(tmp_path: Path) -> ContentDir:
    """An empty content folder."""
    return ContentDir(tmp_path / "content")


@pytest.fixture
def store_url() -> Iterator[str]:
    """The scratch knowledge base's database URL: '' (SQLite in its data folder), or a fresh
    schema on the PostgreSQL server named by KB_TEST_DATABASE_URL."""
    server = postgres.server_url()
    if not server:
        yield ""
        return
    with postgres.scratch_schema(server) as url:
        yield url


@pytest.fixture
def settings(tmp_path: Path, content: ContentDir, store_url: str, monkeypatch) -> Settings:
    """Settings for a scratch knowledge base using the fake embedder (commands the test runs
    get the same database through KB_DATABASE_URL)."""
    if store_url:
        monkeypatch.setenv("KB_DATABASE_URL", store_url)
    return Settings(
        content=content.root,
        data=tmp_path / "data",
        embedders=["fake"],
        database_url=store_url,
        follow_seconds=0,  # tests that follow the catalog turn it on
        semantic_at_start="wait",  # hybrid from the first request (tests of "preparing" say so)
    )


def pytest_collection_modifyitems(config, items) -> None:
    """On a PostgreSQL run, skip the tests of SQLite's own file handling (marked sqlite_only)."""
    if not postgres.server_url():
        return
    skip = pytest.mark.skip(reason="tests SQLite's own file; this run is on PostgreSQL")
    for item in items:
        if "sqlite_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def database(settings: Settings):
    """The scratch knowledge base's database."""
    database = open_database(settings.db_url)
    yield database
    database.close()


LESSON_EN = """
---
id: lesson-vendor-switch
title: Switching vendors mid-project
kind: lesson
lang: en
summary: We changed the integration vendor in month four and lost six weeks.
tags: [vendor, handover]
phase: [executing]
area: [procurement, risk]
project: ERP rollout
date: 2025-06-30
impact: negative
priority: high
action_status: done
---
Intro text.

## Driving event
The first vendor went bankrupt in month four.

## Root cause
No exit clause and no knowledge transfer plan in the contract.

## Effect
Six weeks lost while the new vendor ramped up.

## Recommendation
Put a handover clause into every contract.

## Early-warning signs
- Late invoices from the vendor
"""


def serve_expecting_refusal(settings: Settings, why: str) -> subprocess.CompletedProcess:
    """Run `kb serve` on these settings, which should refuse to start; fail the test with
    `why` if it serves instead (the timeout only guards against that)."""
    paths = ["--content", str(settings.content), "--data", str(settings.data)]
    env = {**os.environ, "KB_EMBEDDERS": '["fake"]'}
    env.pop("KB_ALLOW_EMPTY_DATABASE", None)
    serve = [sys.executable, "-m", "kb.cli", "serve", "--port", "0", *paths]
    try:
        return subprocess.run(serve, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail(why)
