"""The interface text: gettext catalogs complete, current and free of stale entries; templates hold
no visible text outside a marker; Chinese strings use full-width punctuation; and the pages a
reader of the Chinese UI once found in English now speak Chinese."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kb.accounts import create_user
from tests.search_fixtures import DOCS, build_kb
from web.app import create_app
from web.core.catalogs import POT, extract, po_path, read_catalog
from web.core.i18n import LANGS, load_catalog
from web.core.render import TEMPLATES_DIR

PASSWORD = "catalog-pass"
# Visible words a template may hold outside a marker: each language named in itself, and units.
ALLOWED_TEXT = {
    "English",
    "中文",
    "Switch to English",
    "切换到中文",
    "UTC",
    "ms",
    "PMO",
    "JSON",
    "API",
}
VISIBLE_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label"}
CJK = "\u3400-\u9fff\uf900-\ufaff"
HALF_WIDTH_BESIDE_CJK = re.compile(rf"[{CJK}][:;,?!()]|[:;,?!(][{CJK}]|\)[{CJK}]")


def keys(catalog) -> set[tuple[str | None, str]]:
    """Return the (context, msgid) of every entry, plural ones by their singular."""
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}


def translated(message) -> bool:
    strings = [message.string] if isinstance(message.string, str) else list(message.string)
    return all(strings) and not message.fuzzy


@pytest.mark.parametrize("lang", LANGS)
def test_every_marked_string_has_a_translation(lang):
    template = keys(read_catalog(POT))
    catalog = read_catalog(po_path(lang), lang)
    missing = sorted(str(k) for k in template - keys(catalog))
    untranslated = sorted(str(m.id) for m in catalog if m.id and not translated(m))
    assert missing == [] and untranslated == []


@pytest.mark.parametrize("lang", LANGS)
def test_no_catalog_holds_a_stale_entry(lang):
    stale = keys(read_catalog(po_path(lang), lang)) - keys(read_catalog(POT))
    assert sorted(str(k) for k in stale) == []


def test_messages_pot_is_up_to_date_with_the_code():
    assert keys(extract()) == keys(read_catalog(POT)), "run: python -m web.core.catalogs extract"


def test_chinese_strings_use_full_width_punctuation():
    catalog = read_catalog(po_path("zh"), "zh")
    strings = [
        s for m in catalog if m.id for s in ([m.string] if isinstance(m.string, str) else m.string)
    ]
    assert [s for s in strings if HALF_WIDTH_BESIDE_CJK.search(s)] == []


def test_an_edited_po_is_read_without_a_build_step(tmp_path):
    folder = tmp_path / "zh" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    text = po_path("zh").read_text(encoding="utf-8")
    (folder / "messages.po").write_text(text.replace('"搜索"', '"查找"'), encoding="utf-8")
    assert load_catalog("zh", tmp_path).gettext("Search") == "查找"


class VisibleText(HTMLParser):
    """Collect what a browser shows of a template (Jinja already blanked out): text and the
    attributes people read."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.found += [value for name, value in attrs if name in VISIBLE_ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.found.append(data)


def text_outside_markers(source: str) -> list[str]:
    """Return the words of a template a reader sees that no _() marker translates."""
    blanked = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", source, flags=re.DOTALL)
    parser = VisibleText()
    parser.feed(blanked)
    words = []
    for chunk in parser.found:
        for word in re.findall(rf"[A-Za-z{CJK}][\w{CJK}'’-]*", chunk):
            if word not in ALLOWED_TEXT:
                words.append(word)
    return words


MARKER_THEN_COLON = re.compile(r"\{\{\s*_\((?:(?!\}\}).)*\}\}\s*:", re.DOTALL)


@pytest.mark.parametrize(
    "path",
    sorted(TEMPLATES_DIR.rglob("*.html")),
    ids=lambda p: p.relative_to(TEMPLATES_DIR).as_posix(),
)
def test_templates_hold_no_visible_text_outside_a_marker(path: Path):
    source = path.read_text(encoding="utf-8")
    assert text_outside_markers(source) == []
    # a colon after a marker stays half-width in Chinese: it belongs in the message ("%(label)s:")
    assert MARKER_THEN_COLON.findall(source) == []


def test_the_checker_sees_text_and_readable_attributes():
    source = '<p title="Hello">{{ _("ok") }} Stray words</p><script>var x = "no";</script>'
    assert text_outside_markers(source) == ["Hello", "Stray", "words"]


MANY = {
    f"guides/budget-{i}.md": f"---\nid: guide-budget-{i}\ntitle: Budget guide {i}\nkind: guide\n"
    f"lang: en\nphase: [planning]\narea: [cost]\n---\n## Budget\n\nThe budget baseline {i}.\n"
    for i in range(12)
}


@pytest.fixture
def client(settings, database):
    build_kb(settings, database, {**DOCS, **MANY})
    create_user(database, "learner1", PASSWORD, "learner")
    create_user(database, "admin1", PASSWORD, "admin")
    with TestClient(create_app(settings), headers={"accept-language": "zh-CN"}) as client:
        yield client


def sign_in(client, username):
    page = client.get("/signin").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = {"username": username, "password": PASSWORD, "csrf_token": token}
    assert client.post("/signin", data=data, follow_redirects=False).status_code == 303


def test_error_pages_speak_the_ui_language(client):
    missing = client.get("/docs/no-such-doc")
    assert missing.status_code == 404
    assert "页面不存在" in missing.text and "没有 ID 为“no-such-doc”的已发布文档。" in missing.text
    assert "No published document" not in missing.text
    no_route = client.get("/no/such/page")
    assert "页面不存在" in no_route.text and "Not Found" not in no_route.text
    sign_in(client, "learner1")
    forbidden = client.get("/curate")
    assert forbidden.status_code == 403
    assert "此页面仅供内容管理员使用。" in forbidden.text and "curators only" not in forbidden.text


def test_pagination_and_the_other_language_link_speak_chinese(client):
    results = client.get("/search", params={"q": "budget baseline"})
    assert "第 1 页，共 2 页" in results.text and "Page 1" not in results.text
    english_doc = client.get("/docs/guide-risk-en")
    assert "阅读中文版" in english_doc.text and "Read in Chinese" not in english_doc.text


def test_role_names_and_audit_entries_speak_chinese(client):
    sign_in(client, "admin1")
    users = client.get("/curate/users").text
    assert "<td>管理员</td>" in users and "<td>学员</td>" in users
    audit = client.get("/curate/audit").text
    assert "登录" in audit and ">admin<" not in users


def test_chinese_pages_have_no_half_width_colon_after_chinese_text(client):
    sign_in(client, "admin1")
    for path in (
        "/search?q=budget+baseline",
        "/curate",
        "/curate/actions",
        "/browse/phase/planning",
    ):
        text = re.sub(
            r"<script.*?</script>|<style.*?</style>", "", client.get(path).text, flags=re.S
        )
        visible = re.sub(r"<[^>]+>", "", text)
        assert re.findall(rf"[{CJK}]:", visible) == [], path
