"""Raw-text HTML elements in Markdown (`<style>`, `<script>`, `<textarea>`, comments …).

An HTML parser reads everything after `<style>` as style text until `</style>`: one unclosed
tag in a document would swallow the rest of the page. The spans are found in one linear pass;
an unclosed opening is escaped (shown as text), so the following content survives."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

RAW_TEXT = ("script", "style", "template", "textarea", "title", "xmp", "plaintext",
            "iframe", "noembed", "noframes", "noscript")  # fmt: skip
HIDDEN = {"script", "style", "template", "!--"}  # content never shown to readers
OPENING = re.compile(r"<(!--|(?:" + "|".join(RAW_TEXT) + r")(?=[\s/>]|$))", re.IGNORECASE)
BOUNDARY = re.compile(r"[\s/>]|$")
# CommonMark HTML blocks of types 1 and 2 run to their end tag, or to the end of the document.
BLOCK_START = re.compile(r"^ {0,3}<(script|pre|style|textarea|!--)(?=[\s>]|$)", re.IGNORECASE)
BLOCK_END = re.compile(r"</(?:script|pre|style|textarea)>", re.IGNORECASE)
FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")


@dataclass(frozen=True)
class Span:
    """One raw-text element: from its opening `<` to after its end tag (end == -1: unclosed)."""

    name: str
    start: int
    end: int


def raw_spans(html: str) -> Iterator[Span]:
    """Yield the raw-text elements and comments of an HTML text, in order, in linear time."""
    lower = html.lower()
    resume = 0
    unclosed: set[str] = set()  # once one has no end tag, none later of that name has one
    for match in OPENING.finditer(html):
        if match.start() < resume:
            continue  # inside an earlier element's raw text
        name = match.group(1).lower()
        closable = name not in unclosed and name != "plaintext"  # plaintext never ends
        end = _end_of(lower, name, match.end()) if closable else -1
        if end < 0:
            unclosed.add(name)
        else:
            resume = end
        yield Span(name, match.start(), end)


def _end_of(lower: str, name: str, after: int) -> int:
    """Return the index after the end tag (`</name…>` or `-->`), or -1 if there is none."""
    if name == "!--":
        found = lower.find("-->", after)
        return found + 3 if found >= 0 else -1
    at = after
    while (at := lower.find(f"</{name}", at)) >= 0:
        if BOUNDARY.match(lower, at + len(name) + 2):
            close = lower.find(">", at)
            return close + 1 if close >= 0 else len(lower)
        at += len(name) + 2
    return -1


def escape_unclosed(html: str) -> str:
    """Return html with each unclosed raw-text opening (and unclosed `<!--`) escaped as text."""
    out: list[str] = []
    pos = 0
    for span in raw_spans(html):
        if span.end < 0:
            out += [html[pos : span.start], "&lt;"]
            pos = span.start + 1
    out.append(html[pos:])
    return "".join(out)


def drop_hidden(html: str) -> str:
    """Return html without its closed script/style/template elements and comments."""
    out: list[str] = []
    pos = 0
    for span in raw_spans(html):
        if span.end >= 0 and span.name in HIDDEN:
            out += [html[pos : span.start], " "]
            pos = span.end
    out.append(html[pos:])
    return "".join(out)


def escape_unclosed_blocks(source: str) -> str:
    """Return Markdown whose HTML blocks that never end (`<style>` with no `</style>` after it,
    `<!--` with no `-->`) start with `&lt;`: shown as text, the rest still read as Markdown."""
    if "<" not in source:
        return source
    last_end = max((m.end() for m in BLOCK_END.finditer(source)), default=-1)
    last_comment_end = source.rfind("-->")
    out: list[str] = []
    offset = 0
    fence: str | None = None
    for line in source.split("\n"):
        line_start, offset = offset, offset + len(line) + 1
        opening = FENCE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
        elif opening:
            fence = opening.group(1)
        elif start := BLOCK_START.match(line):
            at = line_start + start.start(1) - 1
            ends = last_comment_end if start.group(1) == "!--" else last_end
            if ends <= at:
                line = line.replace("<", "&lt;", 1)
        out.append(line)
    return "\n".join(out)
