"""Named crash points for the fault tests: a process told (KB_CRASH_AT=name) to stop at a named
step of a multi-step operation says so on stderr and waits there to be killed with SIGKILL."""

from __future__ import annotations

import os
import sys
import time

VARIABLE = "KB_CRASH_AT"


def crash_point(name: str) -> None:
    """Pause here for good when KB_CRASH_AT names this step (the parent then sends kill -9)."""
    if os.environ.get(VARIABLE) != name:
        return
    sys.stderr.write(f"paused at {name}\n")
    sys.stderr.flush()
    while True:
        time.sleep(60)
