"""Progress of a long job as numbers (done/total, rate, time left) and as a one-line report that a
log or a non-terminal output gets every few seconds instead of a progress bar."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

REPORT_EVERY = 10.0  # seconds between one-line reports


@dataclass(frozen=True)
class ProgressSnapshot:
    """Where a job stands at one moment."""

    label: str
    done: int
    total: int
    seconds: float

    @property
    def rate(self) -> float:
        """Return the items done per second so far (0 before the first)."""
        return self.done / self.seconds if self.seconds > 0 and self.done else 0.0

    @property
    def seconds_left(self) -> float | None:
        """Return the estimated seconds to finish, or None while there is no rate yet."""
        if self.done >= self.total:
            return 0.0
        return (self.total - self.done) / self.rate if self.rate else None

    def line(self) -> str:
        """Return the one-line report: `embed minilm: 320/1010 texts · 4.1/s · about 2 min 48 s left`."""
        left = self.seconds_left
        eta = "estimating time left" if left is None else f"about {duration(left)} left"
        return f"{self.label}: {self.done}/{self.total} · {self.rate:.1f}/s · {eta}"


def duration(seconds: float) -> str:
    """Say a duration the short way: `45 s`, `2 min 48 s`, `1 h 05 min`."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class ProgressMeter:
    """Counts a job's progress (thread-safe) and reports a line at most every `every` seconds."""

    def __init__(
        self,
        label: str,
        total: int,
        report: Callable[[str], None] | None = None,
        every: float = REPORT_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self._report = report
        self._every = every
        self._clock = clock
        self._started = clock()
        self._last_report = self._started
        self._lock = threading.Lock()

    def advance(self, count: int) -> None:
        """Count `count` more items done; report a line if the last one is `every` seconds old."""
        with self._lock:
            self.done += count
            now = self._clock()
            due = now - self._last_report >= self._every or self.done >= self.total
            if due:
                self._last_report = now
        if due and self._report is not None:
            self._report(self.snapshot().line())

    def snapshot(self) -> ProgressSnapshot:
        """Return where the job stands now."""
        with self._lock:
            return ProgressSnapshot(
                self.label, self.done, self.total, self._clock() - self._started
            )
