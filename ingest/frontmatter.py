"""Split YAML front-matter from the Markdown body and parse it, remembering each field's line."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from kb.content.problems import Problem


@dataclass
class FrontMatter:
    """Parsed front-matter: the data, the line of each key path, and where the body starts."""

    data: dict[str, Any]
    body: str
    body_line: int
    start_line: int = 1
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)

    def line_of(self, loc: tuple[str | int, ...]) -> int:
        """Return the source line of a field path, or of its nearest parent that has one."""
        for end in range(len(loc), 0, -1):
            if loc[:end] in self.lines:
                return self.lines[loc[:end]]
        return self.start_line


DATE_LIKE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
MAX_YAML_DEPTH = 32  # PyYAML recurses per level: refuse before it is slow or overflows


class _AnchorRefused(Exception):
    """An anchor (&name) or alias (*name) in front-matter, at this mark."""

    def __init__(self, mark: yaml.Mark) -> None:
        super().__init__(str(mark))
        self.mark = mark


class _NoAliasLoader(yaml.SafeLoader):
    """A SafeLoader that refuses anchors and aliases: without them the document is a tree no
    larger than its text, so a few hundred bytes cannot expand into billions of nodes."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        """Compose the next node, refusing it if it is an alias or carries an anchor."""
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _AnchorRefused(event.start_mark)
        return super().compose_node(parent, index)


def _load(yaml_text: str) -> tuple[Any, Any]:
    """Return (the composed node, the constructed data) of one YAML document, parsed once."""
    loader = _NoAliasLoader(yaml_text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


class FrontMatterError(Exception):
    """Malformed front-matter; carries the problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def split_front_matter(text: str, rel: str) -> FrontMatter:
    """Split `---` YAML front-matter off the text and parse it (no front-matter is fine)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return FrontMatter({}, text, 1)
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            yaml_text = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1 :])
            data, key_lines = _parse_yaml(yaml_text, rel, first_line=2)
            return FrontMatter(data, body, index + 2, 1, key_lines)
    raise FrontMatterError(
        Problem(
            rel, 1, "the front-matter starts with '---' but never ends", "add a closing '---' line"
        )
    )


def _parse_yaml(
    yaml_text: str, rel: str, first_line: int
) -> tuple[dict[str, Any], dict[tuple[str | int, ...], int]]:
    deep = _too_deep_line(yaml_text)
    if deep is not None:
        raise FrontMatterError(
            Problem(
                rel,
                first_line + deep,
                f"the front-matter nests '[' and '{{' more than {MAX_YAML_DEPTH} deep",
                "write lists and mappings with at most a few levels",
            )
        )
    try:
        node, data = _load(yaml_text)
    except _AnchorRefused as refused:
        raise FrontMatterError(
            Problem(
                rel,
                first_line + refused.mark.line,
                "the front-matter uses a YAML anchor (&name) or alias (*name)",
                "write each value out in full: anchors and aliases are not allowed here",
            )
        ) from None
    except RecursionError:
        raise FrontMatterError(
            Problem(
                rel, first_line, "the front-matter is nested too deeply", "flatten its structure"
            )
        ) from None
    except (yaml.YAMLError, ValueError, TypeError) as error:
        # PyYAML raises ValueError for impossible dates such as 2025-02-30
        mark = getattr(error, "problem_mark", None)
        offset = mark.line if mark else _line_of_bad_value(yaml_text, str(error))
        what = getattr(error, "problem", None) or str(error).split("\n")[0]
        hint = "check indentation and quote values that contain ': ' or start with '[', '{', '*'"
        bad_date = None if mark else _bad_date(yaml_text.split("\n")[offset])
        if bad_date:
            what = f"{what}: {bad_date} is not a date that exists"
            hint = "write a real date as YYYY-MM-DD (e.g. the last day of February is 02-28)"
        raise FrontMatterError(
            Problem(rel, first_line + offset, f"the front-matter is not valid YAML: {what}", hint)
        ) from None
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise FrontMatterError(
            Problem(
                rel,
                first_line,
                "the front-matter must be a set of 'field: value' lines",
                "write e.g. 'title: My document' on each line",
            )
        )
    key_lines: dict[tuple[str | int, ...], int] = {}
    _collect_lines(node, (), first_line, key_lines)
    return {str(key): value for key, value in data.items()}, key_lines


def _too_deep_line(yaml_text: str) -> int | None:
    """Return the line (from 0) where flow brackets nest over MAX_YAML_DEPTH, else None."""
    depth = 0
    for index, line in enumerate(yaml_text.split("\n")):
        for char in line:
            if char in "[{":
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    return index
            elif char in "]}":
                depth = max(0, depth - 1)
    return None


def _bad_date(line: str) -> str | None:
    """Return the impossible date written on a line (`due: 2026-02-30`), else None."""
    value = line.partition(":")[2].strip()
    if not DATE_LIKE.match(value):
        return None
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return value
    return None


def _line_of_bad_value(yaml_text: str, message: str) -> int:
    """Find the line of a value PyYAML could not convert (it names no position): a bad date."""
    for index, line in enumerate(yaml_text.split("\n")):
        value = line.partition(":")[2].strip()
        if _bad_date(line):
            return index
        if value and value in message:
            return index
    return 0


def _collect_lines(node: Any, loc: tuple, first_line: int, out: dict) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            path = (*loc, str(key_node.value))
            out[path] = first_line + key_node.start_mark.line
            _collect_lines(value_node, path, first_line, out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            path = (*loc, index)
            out[path] = first_line + item.start_mark.line
            _collect_lines(item, path, first_line, out)
