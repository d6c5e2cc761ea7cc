"""Find the Markdown files of a content folder, honouring `.kbignore` and refusing path escapes."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

from kb.content.problems import Problem

IGNORE_FILE = ".kbignore"


@dataclass(frozen=True)
class SourceFile:
    """A Markdown file to ingest: its real path and its path relative to the content folder."""

    path: Path
    rel: str


def read_ignore_patterns(root: Path) -> list[str]:
    """Return the glob patterns of `.kbignore` (one per line, `#` comments)."""
    file = root / IGNORE_FILE
    if not file.is_file():
        return []
    lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def is_ignored(rel: str, patterns: list[str]) -> bool:
    """Tell whether a relative path matches an ignore pattern (by full path or by file name)."""
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(name, p) for p in patterns)


def discover(root: Path) -> tuple[list[SourceFile], list[Problem]]:
    """List the `.md` files under root in a stable order; links leading outside root are problems."""
    root_real = root.resolve()
    patterns = read_ignore_patterns(root)
    files: list[SourceFile] = []
    problems: list[Problem] = []
    for path in sorted(root.rglob("*.md")):
        rel = path.relative_to(root).as_posix()
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        if is_ignored(rel, patterns):
            continue
        real = path.resolve()
        if not real.is_relative_to(root_real):
            problems.append(
                Problem(
                    rel,
                    1,
                    f"this is a link to {real}, outside the content folder; it was not read",
                    "copy the file into the content folder instead of linking to it",
                )
            )
            continue
        if real.is_file():
            files.append(SourceFile(real, rel))
    return files, problems
