"""The gettext catalogs of the interface: extract the marked text from the code and templates into
`web/locale/messages.pot`, merge it into the zh and en `.po` files, compile them to `.mo`.

    python -m web.core.catalogs extract   # messages.pot from the code (after changing UI text)
    python -m web.core.catalogs update    # the .po files follow the .pot (new entries empty)
    python -m web.core.catalogs compile   # .po → .mo (make install does it; the app also reads .po)
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from web.core.i18n import DOMAIN, LANGS, LOCALE_DIR

WEB_DIR = Path(__file__).parent.parent
POT = LOCALE_DIR / f"{DOMAIN}.pot"
KEYWORDS = {**DEFAULT_KEYWORDS, "NC_": ((1, "c"), 2)}
METHODS = [
    ("**/locale/**", "ignore"),
    ("**/static/**", "ignore"),
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2"),
]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
WIDTH = 100


def extract(web_dir: Path = WEB_DIR) -> Catalog:
    """Return the catalog of every message marked in web/'s Python code and templates."""
    catalog = Catalog(project="pmo-kb", version="0.1.0", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(web_dir), METHODS, OPTIONS, KEYWORDS, strip_comment_tags=True
    ):
        path = Path("web") / filename
        catalog.add(message, None, [(str(path), lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(lang: str) -> Path:
    """Return the .po file of a UI language."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(path: Path, lang: str | None = None) -> Catalog:
    """Read a .pot or .po file."""
    with path.open("rb") as source:
        return read_po(source, locale=lang, domain=DOMAIN)


def write_catalog(catalog: Catalog, path: Path, omit_header: bool = False) -> None:
    """Write a catalog as a .pot or .po file (entries sorted by msgid, so moving code between
    files changes only the location comments)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        write_po(
            out,
            catalog,
            width=WIDTH,
            omit_header=omit_header,
            include_lineno=False,
            sort_output=True,
        )


def update() -> None:
    """Merge messages.pot into each language's .po: new entries empty, gone ones dropped."""
    template = read_catalog(POT)
    for lang in LANGS:
        catalog = read_catalog(po_path(lang), lang)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        write_catalog(catalog, po_path(lang))


def compile_all() -> None:
    """Compile each language's .po into the .mo the app reads (fuzzy entries left out)."""
    for lang in LANGS:
        catalog = read_catalog(po_path(lang), lang)
        with po_path(lang).with_suffix(".mo").open("wb") as out:
            write_mo(out, catalog, use_fuzzy=False)


def main(argv: list[str]) -> int:
    """Run one of extract, update, compile."""
    commands = {
        "extract": lambda: write_catalog(extract(), POT),
        "update": update,
        "compile": compile_all,
    }
    if len(argv) != 1 or argv[0] not in commands:
        print(f"usage: python -m web.core.catalogs {{{','.join(commands)}}}", file=sys.stderr)
        return 2
    commands[argv[0]]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
