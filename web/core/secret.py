"""The key that signs the forms' CSRF tokens: from settings; else generated once — into the data
folder on SQLite (one host), into the shared database otherwise (every replica the same)."""

from __future__ import annotations

import os
import secrets

from kb.bootstrap import open_database
from kb.settings import Settings
from kb.store.integrity import sqlite_file
from kb.store.site_keys import shared_key


def session_secret(settings: Settings) -> str:
    """Return the configured secret, or read (creating on first use) data/secret_key, or the
    database's shared key when the store is not a SQLite file."""
    if settings.secret_key:
        return settings.secret_key
    if sqlite_file(settings.db_url) is None:
        database = open_database(settings.db_url)
        try:
            return shared_key(database)
        finally:
            database.close()
    path = settings.data / "secret_key"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    settings.data.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name("secret_key.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_urlsafe(48))
    os.replace(tmp, path)
    return path.read_text(encoding="utf-8").strip()
