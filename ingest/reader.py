"""Read one source file safely: size limit, binary detection, strict UTF-8, newline normalising."""

from __future__ import annotations

from pathlib import Path

from kb import text_rules
from kb.content.problems import Problem


class ReadError(Exception):
    """A file that cannot be read as Markdown; carries the problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def read_bytes(path: Path, rel: str, max_bytes: int) -> bytes:
    """Return the file's bytes, refusing files over the size limit."""
    size = path.stat().st_size
    if size > max_bytes:
        raise ReadError(file_too_large(rel, size, max_bytes))
    return path.read_bytes()


def file_too_large(rel: str, size: int, max_bytes: int) -> Problem:
    """Return the problem of a document over the file limit (ingest and the editor share it)."""
    return Problem(
        rel,
        1,
        f"the document is {size:,} bytes, over the limit of {max_bytes:,} bytes",
        "split it into smaller documents, or raise KB_MAX_FILE_BYTES",
    )


def decode_markdown(raw: bytes, rel: str) -> str:
    """Decode UTF-8 Markdown (BOM allowed, CRLF normalised); binary, invalid or empty is an error."""
    if b"\x00" in raw[:8192]:
        raise ReadError(
            Problem(rel, 1, "this is a binary file, not Markdown text", "remove it or rename it")
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ReadError(
            Problem(
                rel,
                line,
                f"the file is not valid UTF-8 (byte {raw[error.start]:#04x} at offset {error.start})",
                "save the file as UTF-8 in your editor (e.g. 'Save with encoding: UTF-8')",
            )
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    problem = control_character_problem(text, rel)
    if problem is not None:
        raise ReadError(problem)
    if not text.strip():
        raise ReadError(
            Problem(rel, 1, "the file is empty", "write some content or delete the file")
        )
    return text


def control_character_problem(text: str, rel: str) -> Problem | None:
    """Return the problem of text holding a character kb.text_rules forbids (a NUL, a control
    character), at its line; None for clean text. Files and the editor are checked alike."""
    index = text_rules.first_forbidden(text)
    if index is None:
        return None
    return Problem(
        rel,
        text_rules.line_of(text, index),
        f"the text contains the control character {text_rules.character_name(text[index])}, "
        "which is not Markdown text",
        f"remove it: text may hold no control characters other than {text_rules.ALLOWED_CONTROLS}",
    )
