"""Remove the markup quirks of real-world Markdown (kramdown, Liquid, VitePress) line by line.

Every function keeps the number of lines, so line numbers in errors still point into the source.
"""

from __future__ import annotations

import re

FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
LIQUID_TAGS = (("{%", "%}"), ("{{", "}}"), ("{#", "#}"))  # {# needs a space: `{# note #}`
IAL_LINE = re.compile(r"^\s*\{:[^{}\n]*\}\s*$")
IAL_INLINE = re.compile(r"\{:[^{}\n]*\}")  # no '{' inside: one scan per candidate
HEADING_NO_SPACE = re.compile(r"^(\s{0,3}#{1,6})(?=[^#\s!])")
CONTAINER = re.compile(r"^\s*:::+\s*([\w-]*)\s*(.*)$")
EMOJI_SHORTCODE = re.compile(r"(?<![\w:/]):[a-z0-9_+-]{2,30}:(?![\w/])")


def clean_markup(source: str) -> str:
    """Return Markdown with Liquid tags, kramdown attribute lines, `:::` markers removed."""
    source = _drop_liquid(source)
    out: list[str] = []
    fence: str | None = None
    for line in source.split("\n"):
        opening = FENCE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            out.append(line)
            continue
        if opening:
            fence = opening.group(1)
            out.append(line)
            continue
        out.append(_clean_line(line))
    return "\n".join(out)


def _clean_line(line: str) -> str:
    if IAL_LINE.match(line):
        return ""
    container = CONTAINER.match(line)
    if container:
        return container.group(2).strip()
    line = HEADING_NO_SPACE.sub(r"\1 ", line)
    if not line.lstrip().startswith("#"):
        line = IAL_INLINE.sub("", line)
    return EMOJI_SHORTCODE.sub("", line)


def _drop_liquid(source: str) -> str:
    """Blank Liquid/Jinja tags outside code fences, keeping their newlines."""
    if "{%" not in source and "{{" not in source and "{#" not in source:
        return source
    parts = re.split(
        r"(^\s{0,3}(?:`{3,}|~{3,}).*?^\s{0,3}(?:`{3,}|~{3,})\s*$)", source, flags=re.M | re.S
    )
    for index in range(0, len(parts), 2):
        parts[index] = _blank_liquid(parts[index])
    return "".join(parts)


def _blank_liquid(text: str) -> str:
    """Replace each Liquid tag by its newlines, in one pass (an unclosed tag ends the search for
    its kind, so hostile text costs linear time, not a scan to the end per opening)."""
    out: list[str] = []
    pos = 0
    following = {opener: text.find(opener) for opener, _ in LIQUID_TAGS}
    while True:
        live = [(at, o, c) for o, c in LIQUID_TAGS if (at := following[o]) >= 0]
        if not live:
            break
        start, opener, closer = min(live)
        body = start + 2
        if opener == "{#":
            body += text.startswith("-", body)
            if body >= len(text) or not text[body].isspace():
                following[opener] = text.find(opener, start + 1)
                continue
            body += 1
        end = text.find(closer, body)
        if end < 0:
            following[opener] = -1
            continue
        out += [text[pos:start], "\n" * text.count("\n", start, end)]
        pos = end + 2
        for other, _ in LIQUID_TAGS:
            if 0 <= following[other] < pos:
                following[other] = text.find(other, pos)
    out.append(text[pos:])
    return "".join(out)
