"""Where a document lives in the content folder: derived from its id, never escaping the folder."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

FOLDERS = {"guide": "guides", "lesson": "lessons", "template": "templates"}
SAFE_REL = re.compile(r"^[\w][\w.-]*(/[\w][\w.-]*)*\.md$")


class UnsafePath(ValueError):
    """A path that would leave the content folder, go through a link, or is not a Markdown file."""


def file_name_for(doc_id: str) -> str:
    """Return the file name of a document id: its slashes become dashes (`a/b` → `a-b.md`)."""
    name = re.sub(r"[^\w.-]+", "-", doc_id.replace("/", "-")).strip("-.")
    if not name or ".." in name:
        raise UnsafePath(f"the id '{doc_id}' cannot be turned into a file name")
    return name + ".md"


def path_for(doc_id: str, kind: str, lang: str) -> str:
    """Return the relative path a new document gets: `<kind folder>/<lang>/<id>.md`."""
    folder = FOLDERS.get(kind)
    if folder is None:
        raise UnsafePath(f"documents of kind '{kind}' cannot be created in the editor")
    return f"{folder}/{lang if lang in ('zh', 'en') else 'en'}/{file_name_for(doc_id)}"


def check_rel(rel: str) -> str:
    """Return rel if it is a plain relative Markdown path without '..', else raise UnsafePath."""
    pure = PurePosixPath(rel)
    if (
        not rel
        or "\\" in rel
        or "\x00" in rel
        or pure.is_absolute()
        or ".." in pure.parts
        or not SAFE_REL.match(rel)
    ):
        raise UnsafePath(f"'{rel}' is not a safe path inside the content folder")
    return rel


def resolve_inside(root: Path, rel: str) -> Path:
    """Return the absolute path of rel under root; refuse escapes and symbolic links on the way."""
    check_rel(rel)
    root_real = root.resolve()
    target = root / rel
    current = root
    for part in PurePosixPath(rel).parts:
        current = current / part
        if current.is_symlink():
            raise UnsafePath(f"'{rel}' goes through a symbolic link; links are refused")
    if not target.resolve().is_relative_to(root_real):
        raise UnsafePath(f"'{rel}' leads outside the content folder")
    return target
