"""The key that signs the forms' CSRF tokens: from settings, or generated once into the data folder."""

from __future__ import annotations

import os
import secrets

from kb.settings import Settings


def session_secret(settings: Settings) -> str:
    """Return the configured secret, or read (creating on first use) data/secret_key."""
    if settings.secret_key:
        return settings.secret_key
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
