"""Problems found in content: where they are, what is wrong and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One problem in one file, with the line it is on and a hint that says how to fix it."""

    path: str
    line: int
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}: {self.severity}: {self.message}"
        return f"{text}\n    fix: {self.hint}" if self.hint else text

    def as_dict(self) -> dict[str, object]:
        """Return the problem as plain JSON-ready data."""
        return {
            "path": self.path,
            "line": self.line,
            "severity": str(self.severity),
            "message": self.message,
            "hint": self.hint,
        }
