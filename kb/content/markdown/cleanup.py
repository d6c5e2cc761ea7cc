"""Remove the markup quirks of real-world Markdown (kramdown, Liquid, VitePress) line by line.

Every function keeps the number of lines, so line numbers in errors still point into the source.
"""

from __future__ import annotations

import re

FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
LIQUID_BLOCK = re.compile(r"\{%-?.*?-?%\}|\{\{-?.*?-?\}\}|\{#-?\s.*?#\}", re.DOTALL)
IAL_LINE = re.compile(r"^\s*\{:[^}\n]*\}\s*$")
IAL_INLINE = re.compile(r"\{:[^}\n]*\}")
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
        parts[index] = LIQUID_BLOCK.sub(lambda m: "\n" * m.group(0).count("\n"), parts[index])
    return "".join(parts)
