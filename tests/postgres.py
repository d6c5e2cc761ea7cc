"""The PostgreSQL side of the suite: with KB_TEST_DATABASE_URL set, each test's store is a fresh
schema of that real server (dropped afterwards); unset, the suite runs on SQLite only."""

from __future__ import annotations

import os

from kb.store.database import driver_url
from kb.store.scratch_schema import scratch_schema, with_search_path

ENVIRONMENT = "KB_TEST_DATABASE_URL"
__all__ = ["ENVIRONMENT", "scratch_schema", "server_url", "with_search_path"]


def server_url() -> str:
    """Return the PostgreSQL URL the suite runs against, or '' for SQLite only."""
    return driver_url(os.environ.get(ENVIRONMENT, ""))
