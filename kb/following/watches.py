"""A signed-in user's watch list: the phases, knowledge areas and tags they follow."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import DateTime, ForeignKey, String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from kb.content.taxonomy import Area, Phase, allowed
from kb.store.database import Base, Database, utcnow

FACETS = ("phase", "area", "tag")
MAX_WATCHES = 50  # a small list per account
MAX_TAG_CHARS = 60


class WatchRow(Base):
    """One phase, area or tag an account watches."""

    __tablename__ = "watches"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    facet: Mapped[str] = mapped_column(String(10), primary_key=True)
    value: Mapped[str] = mapped_column(String(100), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


@dataclass(frozen=True)
class Watch:
    """A watched facet value."""

    facet: str
    value: str


class WatchError(ValueError):
    """A watch that cannot be added; the message says why and what is allowed."""


def normalise(facet: str, value: str) -> Watch:
    """Return the watch for a facet and value, or raise WatchError naming what is allowed."""
    value = value.strip()
    if facet == "phase":
        if value not in {p.value for p in Phase}:
            raise WatchError(f"unknown phase '{value}': use one of {allowed(Phase)}")
    elif facet == "area":
        if value not in {a.value for a in Area}:
            raise WatchError(f"unknown knowledge area '{value}': use one of {allowed(Area)}")
    elif facet == "tag":
        value = value.lower()
        if not value or len(value) > MAX_TAG_CHARS:
            raise WatchError(f"a tag is 1 to {MAX_TAG_CHARS} characters")
        if not value.isprintable():
            raise WatchError("a tag has no control characters: type it as it appears on a page")
    else:
        raise WatchError(f"unknown kind of watch '{facet}': use {', '.join(FACETS)}")
    return Watch(facet, value)


def list_watches(database: Database, user_id: int) -> list[Watch]:
    """Return an account's watches, phases first, then areas, then tags."""
    with database.reading() as session:
        rows = session.execute(
            select(WatchRow.facet, WatchRow.value).where(WatchRow.user_id == user_id)
        ).all()
    order = {facet: index for index, facet in enumerate(FACETS)}
    return sorted((Watch(f, v) for f, v in rows), key=lambda w: (order[w.facet], w.value))


def add_watch(database: Database, user_id: int, facet: str, value: str) -> Watch:
    """Add a watch (adding one already there changes nothing); WatchError when invalid or full."""
    watch = normalise(facet, value)
    with database.session() as session:
        if session.get(WatchRow, (user_id, watch.facet, watch.value)) is not None:
            return watch
        count = session.scalar(
            select(func.count()).select_from(WatchRow).where(WatchRow.user_id == user_id)
        )
        if (count or 0) >= MAX_WATCHES:
            raise WatchError(f"a watch list holds at most {MAX_WATCHES} entries: remove one first")
        session.add(WatchRow(user_id=user_id, facet=watch.facet, value=watch.value))
    return watch


def remove_watch(database: Database, user_id: int, facet: str, value: str) -> None:
    """Remove a watch (removing one that is not there changes nothing)."""
    value = value.strip().lower() if facet == "tag" else value.strip()
    if not value.isprintable():
        return  # no watch holds control characters (normalise refuses them)
    with database.session() as session:
        session.execute(
            delete(WatchRow).where(
                WatchRow.user_id == user_id, WatchRow.facet == facet, WatchRow.value == value
            )
        )


def watch_filters(watches: list[Watch]) -> dict[str, list[str]]:
    """Return the watches as {facet: [values]} (a document matches if it has any of them)."""
    filters: dict[str, list[str]] = {}
    for watch in watches:
        filters.setdefault(watch.facet, []).append(watch.value)
    return filters
