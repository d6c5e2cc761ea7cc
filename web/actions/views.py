"""View models of lesson actions: the panel on a lesson's page, the curators' dashboard, CSV."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from kb.content.actions import LessonAction, link_url
from kb.content.meta import LessonMeta
from kb.content.model import Document
from kb.insights import actions as lesson_actions
from kb.insights.actions import ActionItem, MonthCount, Recurrence
from kb.store import catalog
from web.core.charts import BarChart, bar_chart
from web.core.i18n import N_, Marked, translator, vocabulary_label

GROUP_NAMES: dict[str, Marked] = {  # what the dashboard groups actions by
    "phase": N_("Phase"),
    "area": N_("Knowledge area"),
    "owner": N_("Owner"),
}
CSV_COLUMNS = (
    "lesson", "title", "phases", "areas", "number", "what", "owner", "due", "status",
    "overdue", "days_overdue", "reason", "link", "closed", "url",
)  # fmt: skip


@dataclass(frozen=True)
class ActionView:
    """One action as the lesson page shows it."""

    action: LessonAction
    overdue: bool
    link_url: str


@dataclass(frozen=True)
class LessonPanel:
    """What a lesson's page shows about its actions and recurrences."""

    actions: list[ActionView] = field(default_factory=list)
    recurrence: Recurrence | None = None  # later lessons that say this one happened again
    recurs: list[tuple[str, str]] = field(default_factory=list)  # (id, title) it repeats


def lesson_panel(session: Session, document: Document, today: dt.date) -> LessonPanel:
    """Return the actions (overdue marked) and recurrences of a lesson (empty for others)."""
    meta = document.meta
    if not isinstance(meta, LessonMeta):
        return LessonPanel()
    views = [
        ActionView(action, action.overdue(today), link_url(action.link) if action.link else "")
        for action in meta.actions
    ]
    found = lesson_actions.recurrences(session, document.id)
    titles = catalog.titles(session, list(meta.recurs), published_only=True)  # readers' view
    recurs = [(doc_id, titles[doc_id]) for doc_id in meta.recurs if doc_id in titles]
    return LessonPanel(views, found[0] if found else None, recurs)


def counts_chart(points: list[MonthCount], lang: str) -> BarChart:
    """Lay out the open actions per month (overdue in the caption) as the dashboard's chart."""
    return bar_chart(
        [
            (
                point.day.strftime("%Y-%m"),
                point.open,
                translator(lang).gettext(
                    "%(open)s open · %(overdue)s overdue", open=point.open, overdue=point.overdue
                ),
            )
            for point in points
        ]
    )


@dataclass(frozen=True)
class ActionsDashboard:
    """The curators' actions page: counts, groups, the chart and the recurring lessons."""

    group_by: str
    groups: list[lesson_actions.Group]
    total: int
    overdue: int
    owners: int
    chart: BarChart
    recurring: list[Recurrence]
    today: str


def actions_dashboard(
    session: Session, today: dt.date, group_by: str, lang: str
) -> ActionsDashboard:
    """Return the dashboard of open actions grouped by phase, area or owner, overdue first."""
    items = lesson_actions.actions(session, today)
    return ActionsDashboard(
        group_by=group_by,
        groups=lesson_actions.grouped(items, group_by),
        total=len(items),
        overdue=sum(1 for item in items if item.overdue),
        owners=len({item.owner for item in items}),
        chart=counts_chart(lesson_actions.counts_over_time(session, today), lang),
        recurring=lesson_actions.recurrences(session),
        today=today.isoformat(),
    )


def group_label(group_by: str, key: str, lang: str) -> str:
    """Return the heading of a group: a phase or area in the UI language, or the owner."""
    if not key:
        return (
            translator(lang).gettext("No phase given")
            if group_by == "phase"
            else translator(lang).gettext("No area given")
        )
    return key if group_by == "owner" else vocabulary_label(key, lang)


def csv_rows(items: list[ActionItem], base_url: str) -> list[list[str]]:
    """Return the actions as CSV rows (a header first), links as full addresses."""
    rows = [list(CSV_COLUMNS)]
    for item in items:
        data = item.as_dict()
        data["lesson"], data["url"] = item.doc_id, base_url + item.url
        data["phases"] = " ".join(item.phases)
        data["areas"] = " ".join(item.areas)
        data["overdue"] = "yes" if item.overdue else "no"
        rows.append(["" if data[name] is None else str(data[name]) for name in CSV_COLUMNS])
    return rows
