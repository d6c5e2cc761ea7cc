"""Make sure Debian's Chromium is installed for the browser tests (run by `make test`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

CHROMIUM = "/usr/bin/chromium"


def main() -> int:
    """Install chromium with apt-get when missing and we are root; otherwise explain."""
    if os.path.exists(CHROMIUM):
        return 0
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        print(
            f"note: {CHROMIUM} is missing, so the browser tests will be skipped. "
            "Install it with: sudo apt-get install chromium",
            file=sys.stderr,
        )
        return 0
    print("installing Debian's chromium for the browser tests…", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
