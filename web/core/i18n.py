"""UI language: how a request picks zh or en, and the gettext catalogs that translate the interface.

The interface text lives in `web/locale/<lang>/LC_MESSAGES/messages.po` (English msgids); code and
templates mark it with `_()` / `gettext` / `ngettext` / `pgettext`, and `web.core.catalogs` extracts the
marks into `web/locale/messages.pot`. Numbers in the messages go through Babel in the UI's locale.
"""

from __future__ import annotations

import datetime as dt
import gettext as gnu_gettext
import io
from functools import cache
from pathlib import Path

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from fastapi import Request

from kb.content.taxonomy import label

LANGS = ("zh", "en")
COOKIE = "ui_lang"
LOCALE_DIR = Path(__file__).parent.parent / "locale"
DOMAIN = "messages"
BABEL_LOCALES = {"zh": "zh_Hans_CN", "en": "en_US"}

# A message marked for extraction but translated later, where it is shown: N_("text"), or
# NC_("context", "text") when the same English text needs another translation elsewhere.
Marked = str | tuple[str, str]


def N_(message: str) -> str:
    """Mark a message for extraction; return it unchanged (translated where it is shown)."""
    return message


def NC_(context: str, message: str) -> tuple[str, str]:
    """Mark a message with its context for extraction; return (context, message)."""
    return context, message


class Translator:
    """The interface text of one language: gettext lookups with %(name)s values filled in,
    numbers and dates formatted by Babel for that language."""

    def __init__(self, lang: str, catalog: gnu_gettext.NullTranslations) -> None:
        self.lang = lang
        self.locale = BABEL_LOCALES[lang]
        self.catalog = catalog

    def gettext(self, message: str, **values: object) -> str:
        """Return message translated, with %(name)s values filled in."""
        return self._fill(self.catalog.gettext(message), values)

    def ngettext(self, singular: str, plural: str, count: int, **values: object) -> str:
        """Return the plural form for count (Chinese has one form), with n=count and values filled in."""
        return self._fill(self.catalog.ngettext(singular, plural, count), {"n": count, **values})

    def pgettext(self, context: str, message: str, **values: object) -> str:
        """Return message translated in context (an English text with two meanings)."""
        return self._fill(self.catalog.pgettext(context, message), values)

    def npgettext(
        self, context: str, singular: str, plural: str, count: int, **values: object
    ) -> str:
        """Return the plural form for count in context, with n=count and values filled in."""
        text = self.catalog.npgettext(context, singular, plural, count)
        return self._fill(text, {"n": count, **values})

    def marked(self, message: Marked) -> str:
        """Translate a message marked with N_ or NC_."""
        if isinstance(message, tuple):
            return self.pgettext(*message)
        return self.gettext(message)

    def number(self, n: float) -> str:
        """Format a number for the UI language (digit grouping)."""
        return format_decimal(n, locale=self.locale)

    def date(self, value: dt.date) -> str:
        """Format a date (or the date of a datetime) for the UI language."""
        if isinstance(value, dt.datetime):
            value = value.date()
        return format_date(value, format="medium", locale=self.locale)

    def format_value(self, value: object) -> object:
        """Format a message's value: numbers through Babel, everything else as it is."""
        if isinstance(value, int | float) and not isinstance(value, bool):
            return self.number(value)
        return value

    def _fill(self, text: str, values: dict[str, object]) -> str:
        return text % {name: self.format_value(v) for name, v in values.items()}


@cache
def translator(lang: str) -> Translator:
    """Return the translator of a UI language (catalogs are read once per process)."""
    return Translator(lang, load_catalog(lang if lang in LANGS else "en"))


def load_catalog(lang: str, locale_dir: Path = LOCALE_DIR) -> gnu_gettext.GNUTranslations:
    """Read a language's catalog: the compiled .mo when it is newer than the .po, else the .po
    compiled in memory (a translator's edit shows after a restart, without a build step)."""
    po = locale_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as compiled:
            return gnu_gettext.GNUTranslations(compiled)
    with po.open("rb") as source:
        catalog = read_po(source, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gnu_gettext.GNUTranslations(buffer)


def found_by(legs: list[str], lang: str) -> str:
    """Say how a result was found in the reader's words: the vector legs are all "meaning"."""
    names = {
        "keyword": N_("its words"),
        "meaning": N_("its meaning"),
        "glossary": N_("translated terms"),
    }
    found = {leg if leg in ("keyword", "glossary") else "meaning" for leg in legs}
    ui = translator(lang)
    joiner = ui.gettext(" + ")
    return joiner.join(ui.gettext(names[leg]) for leg in names if leg in found)


def choose_lang(request: Request) -> str:
    """Pick the UI language: the remembered choice, else the browser's Accept-Language."""
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGS:
        return chosen
    return from_accept_language(request.headers.get("accept-language", ""))


def from_accept_language(header: str) -> str:
    """Return zh or en, whichever the Accept-Language header prefers (en if neither)."""
    best, best_q = "en", -1.0
    for part in header.split(","):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        q = 1.0
        for param in pieces[1:]:
            if param.strip().startswith("q="):
                try:
                    q = float(param.strip()[2:])
                except ValueError:
                    q = 0.0
        primary = tag.split("-")[0]
        if primary in LANGS and q > best_q:
            best, best_q = primary, q
    return best


def vocabulary_label(value: str, lang: str) -> str:
    """Return the display label of a taxonomy value (kind, phase, area…)."""
    return label(value, lang)
