"""Page rendering: the Jinja2 environment and the context every page shares (language, CSRF)."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import DBAPIError
from starlette.responses import HTMLResponse

from kb.accounts import User
from kb.store.health import is_unreachable
from web.actions_views import group_label
from web.auth import current_user
from web.csrf import csrf_token
from web.curate_views import audit_action, field_label, problem_text
from web.follow_views import feed_url
from web.i18n import choose_lang, found_by, t, vocabulary_label
from web.training_views import progress_text

TEMPLATES_DIR = Path(__file__).parent / "templates"


def make_templates() -> Jinja2Templates:
    """Build the template environment with the UI helpers as globals."""
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.globals.update(t=t, label=vocabulary_label, found_by=found_by)
    templates.env.globals.update(
        progress_text=progress_text,
        problem_text=problem_text,
        field_label=field_label,
        audit_action=audit_action,
        group_label=group_label,
        feed_url=feed_url,
    )
    templates.env.filters["with_query"] = with_query
    templates.env.filters["html_lang"] = html_lang
    return templates


def html_lang(lang: str) -> str:
    """Return the BCP 47 tag a page or element declares for a language code (zh → zh-Hans), so
    browsers pick a Simplified Chinese font even where the system has no default CJK font."""
    return "zh-Hans" if lang == "zh" else "en"


def with_query(url: str, query: str) -> str:
    """Add ?q=<query> to a document link (before its #anchor), so feedback can name the search."""
    path, hash_mark, anchor = url.partition("#")
    return f"{path}?{urlencode({'q': query})}{hash_mark}{anchor}" if query else url


class LazyCsrfToken:
    """The form token, made (with its cookie) only when a template writes a form that needs it."""

    def __init__(self, request: Request) -> None:
        self._request = request
        self._value: str | None = None

    def __str__(self) -> str:
        if self._value is None:
            self._value = csrf_token(self._request)
        return self._value

    def __html__(self) -> str:
        return str(self)


def shown_user(request: Request) -> User | None:
    """Return the signed-in user a page shows in its header; while the database is unreachable,
    nobody (the page itself, e.g. search answered from memory, still renders)."""
    try:
        return current_user(request)
    except DBAPIError as error:
        if not is_unreachable(error):
            raise
        request.state.user = None
        return None


def page(request: Request, name: str, context: Any = None, status_code: int = 200) -> HTMLResponse:
    """Render a page template with the shared context.

    The context is a page's dataclass (its fields are the template's names) or a plain dict.
    """
    if is_dataclass(context) and not isinstance(context, type):
        context = {f.name: getattr(context, f.name) for f in fields(context)}
    lang = choose_lang(request)
    shared = {
        "lang": lang,
        "other_lang": "en" if lang == "zh" else "zh",
        "csrf_token": LazyCsrfToken(request),
        "path_with_query": str(request.url.path)
        + (f"?{request.url.query}" if request.url.query else ""),
        "user": shown_user(request),
    }
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request, name, {**shared, **(context or {})}, status_code=status_code
    )
