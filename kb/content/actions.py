"""A lesson's actions: what is to change, who owns it, by when, and how far it has got.

A lesson's `action_status` is derived from its actions when it has any (`summary_status`):
all done or dropped → done; any in progress, or some done → in_progress; otherwise open.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kb.content.taxonomy import ActionState, ActionStatus

URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
CLOSED_STATES = (ActionState.DONE, ActionState.DROPPED)


@dataclass(frozen=True)
class LessonAction:
    """One action of a lesson's recommendation; dates are YYYY-MM-DD text."""

    what: str
    owner: str
    due: str
    status: ActionState
    reason: str = ""
    link: str = ""
    closed: str | None = None  # the day it was done or dropped, when known

    @property
    def is_open(self) -> bool:
        """Tell whether the action still has to be done (open or in progress)."""
        return self.status not in CLOSED_STATES

    def overdue(self, today: dt.date) -> bool:
        """Tell whether the action is still open after its due date."""
        return self.is_open and self.due < today.isoformat()

    def closed_on(self) -> str | None:
        """The day the action stopped being open: `closed`, else its due date (None: open)."""
        if self.is_open:
            return None
        return self.closed or self.due

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "what": self.what,
            "owner": self.owner,
            "due": self.due,
            "status": self.status.value,
        }
        for name in ("reason", "link", "closed"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LessonAction:
        """Rebuild an action from its stored JSON."""
        return cls(
            what=data["what"],
            owner=data["owner"],
            due=data["due"],
            status=ActionState(data["status"]),
            reason=data.get("reason", ""),
            link=data.get("link", ""),
            closed=data.get("closed"),
        )


def summary_status(states: Iterable[ActionState]) -> ActionStatus | None:
    """Summarise the actions' states as a lesson's action_status (None when there are none)."""
    states = list(states)
    if not states:
        return None
    if all(state in CLOSED_STATES for state in states):
        return ActionStatus.DONE
    if any(state in (ActionState.IN_PROGRESS, ActionState.DONE) for state in states):
        return ActionStatus.IN_PROGRESS
    return ActionStatus.OPEN


def link_target(link: str) -> tuple[str, str] | None:
    """Split a link to a document into (document id, section anchor); None for a web address."""
    if not link or URL.match(link):
        return None
    doc_id, _, anchor = link.removeprefix("/docs/").partition("#")
    return doc_id, anchor


def link_url(link: str) -> str:
    """Return where a link points on the site (a web address stays as it is)."""
    target = link_target(link)
    if target is None:
        return link
    doc_id, anchor = target
    return f"/docs/{doc_id}" + (f"#{anchor}" if anchor else "")
