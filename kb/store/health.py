"""Whether the database answers: an outage is told apart from a busy store, and is logged once
when it starts and once when it ends, whichever thread (a request, the catalog follower, a
background writer) meets it first."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable

from sqlalchemy import Engine, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError

from kb.store.database import is_busy

# What SQLite says when its file is gone, replaced or unreadable (sqlite3.DatabaseError itself,
# not an OperationalError): the store cannot be used until someone puts the file back.
SQLITE_FILE_GONE = ("file is not a database", "disk image is malformed", "disk i/o error")


def is_unreachable(error: BaseException) -> bool:
    """Tell whether a database error means the store cannot be reached right now (the server
    is down or the connection was lost, the SQLite file is gone), as opposed to a busy store
    (worth a quick retry, kb.store.database.is_busy) or a fault of the request itself."""
    if isinstance(error, DisconnectionError):
        return True
    if not isinstance(error, DBAPIError) or is_busy(error):
        return False
    if error.connection_invalidated or isinstance(error, (OperationalError, InterfaceError)):
        return True
    original = error.orig
    text = str(original).lower()
    return isinstance(original, sqlite3.DatabaseError) and any(s in text for s in SQLITE_FILE_GONE)


class DatabaseHealth:
    """The database's state as this process last saw it: up, or down since when. Watching an
    engine, it learns of every failed statement or connection and of every committed
    transaction, and logs the change each time the state flips (once per outage, not per
    error)."""

    def __init__(self, log: logging.Logger, clock: Callable[[], float] = time.monotonic) -> None:
        self.log = log
        self.clock = clock
        self.down_since: float | None = None
        self._lock = threading.Lock()

    @property
    def down(self) -> bool:
        """Return whether the database was unreachable the last time this process tried it."""
        return self.down_since is not None

    def failed(self, error: BaseException) -> None:
        """Record an error of the store: an unreachable database starts an outage (logged)."""
        if not is_unreachable(error):
            return
        with self._lock:
            if self.down_since is not None:
                return
            self.down_since = self.clock()
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        self.log.error(
            "database unreachable (%s): pages that need it answer 503, search keeps answering "
            "from memory; retrying in the background",
            reason,
        )

    def answered(self) -> None:
        """Record a transaction the database completed: an outage, if any, ends (logged)."""
        if self.down_since is None:  # the common case, without taking the lock
            return
        with self._lock:
            if self.down_since is None:
                return
            seconds = self.clock() - self.down_since
            self.down_since = None
        self.log.warning("database back after %.0f s: every page answers again", seconds)

    def watch(self, engine: Engine) -> None:
        """Learn of the engine's failed statements and connections and of its commits."""

        def on_error(context: ExceptionContext) -> None:
            self.failed(context.sqlalchemy_exception or context.original_exception)

        event.listen(engine, "handle_error", on_error)
        event.listen(engine, "commit", lambda _connection: self.answered())
