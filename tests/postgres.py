"""The PostgreSQL side of the suite: with KB_TEST_DATABASE_URL set, each test's store is a fresh
schema of that real server (dropped afterwards); unset, the suite runs on SQLite only."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

from sqlalchemy import create_engine, text

from kb.store.database import driver_url

ENVIRONMENT = "KB_TEST_DATABASE_URL"
_numbers = itertools.count()


def server_url() -> str:
    """Return the PostgreSQL URL the suite runs against, or '' for SQLite only."""
    return driver_url(os.environ.get(ENVIRONMENT, ""))


def with_search_path(url: str, schema: str) -> str:
    """Return url with every connection's search_path set to schema."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


@contextmanager
def scratch_schema(url: str) -> Iterator[str]:
    """Create an empty schema on the server, yield a URL whose connections use it, drop it."""
    schema = f"kb_test_{os.getpid()}_{next(_numbers)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        yield with_search_path(url, schema)
    finally:
        with admin.connect() as connection:
            connection.execute(text("SET lock_timeout = '20s'"))  # a leaked transaction
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()
