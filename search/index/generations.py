"""Index generations: each build writes a new folder and swaps a CURRENT pointer atomically.

A crash mid-build leaves a `*.tmp` folder and the previous generation serving; the next build
removes the leftovers. Writers hold an exclusive lock so two builds never interleave.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

POINTER = "CURRENT"
MANIFEST = "manifest.json"
KEEP = 2  # the current generation and the one before (a reader may still be loading it)


@dataclass(frozen=True)
class Generation:
    """One complete, immutable set of indexes."""

    folder: Path
    manifest: dict[str, Any]

    @property
    def name(self) -> str:
        """Return the generation's folder name (gen-000007)."""
        return self.folder.name

    @property
    def sections(self) -> dict[int, str]:
        """Return {section id: text hash} of the sections in this generation."""
        return {int(sid): digest for sid, digest in self.manifest["sections"].items()}


class GenerationStore:
    """The folder of index generations under the data folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def current_name(self) -> str | None:
        """Return the name of the serving generation, or None before the first build."""
        try:
            name = (self.root / POINTER).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name if (self.root / name / MANIFEST).is_file() else None

    def current(self) -> Generation | None:
        """Return the serving generation, or None."""
        name = self.current_name()
        if name is None:
            return None
        manifest = json.loads((self.root / name / MANIFEST).read_text(encoding="utf-8"))
        return Generation(self.root / name, manifest)

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the writers' lock (blocks while another process builds)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def new_folder(self) -> Path:
        """Remove leftovers of crashed builds and return a fresh `gen-N.tmp` folder."""
        for leftover in self.root.glob("gen-*.tmp"):
            shutil.rmtree(leftover, ignore_errors=True)
        numbers = [int(p.name[4:]) for p in self.root.glob("gen-*") if p.name[4:].isdigit()]
        folder = self.root / f"gen-{max(numbers, default=0) + 1:06d}.tmp"
        folder.mkdir(parents=True)
        return folder

    def publish(self, folder: Path, manifest: dict[str, Any]) -> Generation:
        """Finish a build: write its manifest, rename it into place and swap the pointer."""
        _write_atomic(folder / MANIFEST, json.dumps(manifest))
        final = folder.with_name(folder.name.removesuffix(".tmp"))
        os.replace(folder, final)
        _write_atomic(self.root / POINTER, final.name)
        self._prune(final.name)
        return Generation(final, manifest)

    def _prune(self, current: str) -> None:
        names = sorted(p.name for p in self.root.glob("gen-*") if p.name[4:].isdigit())
        for name in names[:-KEEP]:
            if name != current:
                shutil.rmtree(self.root / name, ignore_errors=True)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
