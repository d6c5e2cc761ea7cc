"""The curators' actions dashboard: open and overdue lesson actions, recurring lessons, CSV."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kb.insights import actions as lesson_actions
from kb.insights.csv_export import csv_text
from web.actions.views import actions_dashboard, csv_rows
from web.core.auth import CuratorDep
from web.core.deps import DatabaseDep, LangDep, SettingsDep
from web.core.render import page

router = APIRouter(prefix="/curate", include_in_schema=False)


@router.get("/actions")
def actions_page(
    request: Request,
    user: CuratorDep,
    database: DatabaseDep,
    lang: LangDep,
    group: Literal["phase", "area", "owner"] = "phase",
):
    """Open actions grouped by phase, area or owner (overdue first), the chart, recurrences."""
    with database.reading() as session:
        dashboard = actions_dashboard(session, dt.date.today(), group, lang)
    return page(request, "actions/dashboard.html", dashboard)


@router.get("/actions.csv")
def actions_csv(request: Request, user: CuratorDep, database: DatabaseDep, settings: SettingsDep):
    """The open actions as a CSV file for a spreadsheet (UTF-8 with BOM, formula-safe)."""
    with database.reading() as session:
        items = lesson_actions.actions(session, dt.date.today())
    base = settings.site_url  # never the request's Host header
    filename = f"lesson-actions-{dt.date.today().isoformat()}.csv"
    return Response(
        csv_text(csv_rows(items, base)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
