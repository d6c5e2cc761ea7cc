"""A background writer: requests queue rows to write and never wait on the database.

Items wait in a bounded queue and are written in batches, one transaction each, on one thread.
A busy database (another writer holds the lock) is retried with back-off; when the queue is
full, or the database stays busy or away, the items are dropped and counted rather than slowing
requests. A batch the database refuses for another reason is written again item by item, so one
bad item costs only itself; what a write drops is logged with the database's reason.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from kb.store.database import Database

log = logging.getLogger("kb.store")
Item = TypeVar("Item")
MAX_BATCH = 500
ATTEMPTS = 5


class BackgroundWriter(Generic[Item]):
    """Writes queued items with `write(session, items)` on a background thread."""

    def __init__(
        self,
        database: Database,
        write: Callable[[Session, list[Item]], None],
        name: str,
        interval: float = 1.0,
        capacity: int = 10_000,
    ) -> None:
        self.database = database
        self.interval = interval  # how long a batch waits for more items
        self.name = name
        self.dropped = 0
        self._write_items = write
        self._queue: queue.Queue[Item | None] = queue.Queue(capacity)
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def record(self, item: Item) -> None:
        """Queue an item for the next batch (never blocks; a full queue drops it)."""
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            self.dropped += 1

    def flush(self) -> None:
        """Block until every item queued so far is written (or dropped)."""
        self._queue.join()

    def close(self) -> None:
        """Write what is queued and stop the writer thread."""
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            batch = [self._queue.get()]
            deadline = time.monotonic() + self.interval
            while batch[-1] is not None and len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get(timeout=max(0.0, deadline - time.monotonic())))
                except queue.Empty:
                    break
            stopping = batch[-1] is None
            items = [item for item in batch if item is not None]
            if items:
                self._write(items)
            for _ in batch:
                self._queue.task_done()

    def _write(self, items: list[Item]) -> None:
        error = self._write_retrying(items)
        if error is None:
            return
        if isinstance(error, OperationalError) or len(items) == 1:
            self._drop(items, error)  # the database stays busy or away, or the one item is bad
            return
        for item in items:  # the database refused the batch: one bad item costs only itself
            self._write([item])

    def _write_retrying(self, items: list[Item]) -> Exception | None:
        """Write the items in one transaction, retrying while the database is busy or away;
        return the error that stopped it, or None once written."""
        error: Exception | None = None
        for attempt in range(ATTEMPTS):
            try:
                with self.database.session() as session:
                    self._write_items(session, items)
                return None
            except OperationalError as busy:
                error = busy
                time.sleep(0.2 * 2**attempt)  # busy: back off and retry the same items
            except Exception as refused:  # noqa: BLE001 — the writer thread outlives any item
                return refused
        return error

    def _drop(self, items: list[Item], error: Exception) -> None:
        self.dropped += len(items)
        what = f"{items[0]!r:.300}" if len(items) == 1 else f"{len(items)} items"
        log.warning("%s dropped %s: %s", self.name, what, _reason(error))


def _reason(error: Exception) -> str:
    """Return the first line of what the database (or the driver) said."""
    return str(getattr(error, "orig", None) or error).strip().split("\n")[0]
