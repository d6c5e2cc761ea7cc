"""Following the shared catalog: each `kb serve` checks the catalog's version every few seconds
and, when another process or replica changed it, builds its own next index generation (reusing
the shared embedding cache) — and finishes a publish that a dead replica left half-done."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from ingest.publisher import Publisher
from ingest.recovery import recover
from kb.curation.workflow import pending_intents
from kb.store import catalog_version
from kb.store.database import Database
from kb.store.health import is_unreachable
from kb.store.locks import publishing_elsewhere

log = logging.getLogger("kb.follow")
LONGEST_WAIT = 60.0  # seconds between tries while the catalog cannot be followed


def next_wait(interval: float, failures: int) -> float:
    """Return how long to wait before the next try: the interval, doubled after each failure in
    a row, at most LONGEST_WAIT (a database outage is not retried every few seconds)."""
    return min(interval * 2**failures, max(interval, LONGEST_WAIT))


class CatalogFollower:
    """A background thread that keeps this process's indexes in step with the catalog."""

    def __init__(
        self,
        database: Database,
        publisher: Publisher,
        reindex: Callable[[], object],
        interval: float,
    ) -> None:
        self.database = database
        self.publisher = publisher
        self.reindex = reindex
        self.interval = interval
        self.seen = catalog_version.current(database)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="catalog-follower", daemon=True)

    def start(self) -> None:
        """Start following (returns at once); an interval of 0 means never."""
        if self.interval > 0:
            self._thread.start()

    def stop(self) -> None:
        """Stop following and wait for the thread to end."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=60)

    def step(self) -> bool:
        """Catch up once: finish orphaned publishes, rebuild if the catalog moved; return
        whether the indexes were brought up to date."""
        if pending_intents(self.database) and not publishing_elsewhere(
            self.database, self.publisher.state_dir
        ):
            for outcome in recover(self.publisher):
                log.warning("%s", outcome)
        version = catalog_version.current(self.database)
        if version == self.seen:
            return False
        self.reindex()
        self.seen = version
        return True

    def _run(self) -> None:
        failures = 0
        while not self._stop.wait(next_wait(self.interval, failures)):
            try:
                self.step()
                failures = 0
            except Exception as error:  # a database or disk hiccup: back off and try again
                failures = min(failures + 1, 16)
                if not is_unreachable(error):  # an outage is logged once, by kb.store.health
                    log.exception(
                        "following the catalog failed; retrying in %.0f s",
                        next_wait(self.interval, failures),
                    )
