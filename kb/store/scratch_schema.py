"""A throw-away PostgreSQL schema: the suite's per-test store and the replica benchmark's."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

from sqlalchemy import create_engine, text

_numbers = itertools.count()


def with_search_path(url: str, schema: str) -> str:
    """Return url with every connection's search_path set to schema."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


@contextmanager
def scratch_schema(url: str, prefix: str = "kb_test") -> Iterator[str]:
    """Create an empty schema on the server, yield a URL whose connections use it, drop it."""
    schema = f"{prefix}_{os.getpid()}_{next(_numbers)}"
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
