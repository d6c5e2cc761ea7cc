"""Page rendering: the Jinja2 environment and the context every page shares (language, CSRF)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import escape
from sqlalchemy.exc import DBAPIError
from starlette.responses import HTMLResponse

from kb.accounts import User
from kb.store.health import is_unreachable
from web.core.auth import current_user
from web.core.csrf import csrf_token
from web.core.i18n import Marked, Translator, choose_lang, found_by, translator, vocabulary_label

TEMPLATES_DIR = Path(__file__).parent.parent / "templates"


def make_templates(
    helpers: dict[str, Callable[..., Any]], names: dict[str, dict[str, Marked]]
) -> Jinja2Templates:
    """Build the template environment: gettext bound to each page's language, the features'
    helpers as globals, and `name_of(kind, value)` over the features' names of values."""
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.add_extension("jinja2.ext.i18n")
    install_gettext(templates.env, names)
    templates.env.globals.update(label=vocabulary_label, found_by=found_by, **helpers)
    templates.env.filters["with_query"] = with_query
    templates.env.filters["html_lang"] = html_lang
    return templates


def _ui(context: Context) -> Translator:
    return translator(context.get("lang", "en"))


def _filled(context: Context, text: str, values: dict) -> str:
    """Fill a translated text's %(name)s values; escaped when the template autoescapes."""
    ui = _ui(context)
    values = {name: ui.format_value(value) for name, value in values.items()}
    if context.eval_ctx.autoescape:
        return escape(text) % values
    return text % values


def install_gettext(env: Environment, names: dict[str, dict[str, Marked]]) -> None:
    """Give templates _(), gettext, ngettext, pgettext, npgettext and {% trans %}, each reading
    the page's `lang` from the render context (nothing global changes per request), and
    name_of('facet', 'phase'): the translated name of a value the code passes around."""

    @pass_context
    def gettext(context: Context, message: str, **values: object) -> str:
        return _filled(context, _ui(context).catalog.gettext(message), values)

    @pass_context
    def ngettext(context: Context, singular: str, plural: str, count: int, **values: object) -> str:
        text = _ui(context).catalog.ngettext(singular, plural, count)
        return _filled(context, text, {"n": count, **values})

    @pass_context
    def pgettext(context: Context, msgctxt: str, message: str, **values: object) -> str:
        return _filled(context, _ui(context).catalog.pgettext(msgctxt, message), values)

    @pass_context
    def npgettext(
        context: Context, msgctxt: str, singular: str, plural: str, count: int, **values: object
    ) -> str:
        text = _ui(context).catalog.npgettext(msgctxt, singular, plural, count)
        return _filled(context, text, {"n": count, **values})

    @pass_context
    def marked(context: Context, message: Marked) -> str:
        return escape(_ui(context).marked(message))

    @pass_context
    def name_of(context: Context, kind: str, value: str) -> str:
        message = names[kind].get(value)
        return escape(_ui(context).marked(message)) if message else value

    env.newstyle_gettext = True  # {% trans %} passes its variables as keywords, as _() does
    env.globals.update(
        _=gettext,
        gettext=gettext,
        ngettext=ngettext,
        pgettext=pgettext,
        npgettext=npgettext,
        marked=marked,
        name_of=name_of,
    )

    @pass_context
    def date(context: Context, value: dt.date) -> str:
        return _ui(context).date(value)

    env.filters["date"] = date


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
