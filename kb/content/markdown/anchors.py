"""Stable heading anchors: GitHub-style slugs that keep Chinese characters, unique per document."""

from __future__ import annotations

import re
import unicodedata

# No leading \s* and no '{' inside: a search costs one short scan per '{', never quadratic.
EXPLICIT_ID = re.compile(r"\{:?\s*#([\w-]+)[^{}]*\}\s*$")
TRAILING_ATTRS = re.compile(r"\{:[^{}]*\}\s*$")
_DROP = re.compile(r"[^\w\s-]", re.UNICODE)


def slugify(text: str) -> str:
    """Turn a heading into an anchor: lower-case, punctuation dropped, spaces to '-', CJK kept."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    text = _DROP.sub("", text)
    return re.sub(r"[\s_]+", "-", text).strip("-")


def split_explicit_id(heading: str) -> tuple[str, str | None]:
    """Split a kramdown heading id (`Title {#my-id}`) off the heading text."""
    match = EXPLICIT_ID.search(heading)
    if match:
        return heading[: match.start()].rstrip(), match.group(1)
    stripped = TRAILING_ATTRS.sub("", heading)
    return (stripped.rstrip() if stripped != heading else heading), None


class AnchorSet:
    """Hands out unique anchors within one document (`risks`, `risks-1`, `risks-2`, …)."""

    def __init__(self) -> None:
        self._used: set[str] = set()
        self._next: dict[str, int] = {}  # per base, the counter to try first

    def claim(self, heading: str, explicit: str | None = None) -> str:
        """Return a unique anchor for a heading, preferring its explicit id."""
        base = explicit or slugify(heading) or "section"
        counter = self._next.get(base, 0)
        anchor = f"{base}-{counter}" if counter else base
        while anchor in self._used:
            counter += 1
            anchor = f"{base}-{counter}"
        self._used.add(anchor)
        self._next[base] = counter + 1
        return anchor
