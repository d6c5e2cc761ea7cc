"""An imported folder's `status: draft` pages are hidden from readers, and the ingest summary,
`kb check` and the curator dashboard say how many, why, which, and how to publish them."""

from __future__ import annotations

from click.testing import CliRunner
from fastapi.testclient import TestClient

from kb.accounts import create_user
from kb.cli import main
from tests.test_curate import PASSWORD, sign_in
from web.app import create_app

# A small imported site: its own front-matter (no `kind`), two pages its authors marked draft.
IMPORTED = {
    "site/index.md": "---\ntitle: Service manual\n---\n# Service manual\n\nHow we run services.\n",
    "site/alpha.md": "---\ntitle: Alpha phase\nstatus: draft\n---\n# Alpha phase\n\nTry ideas.\n",
    "site/beta.md": "---\ntitle: Beta phase\nstatus: draft\n---\n# Beta phase\n\nBuild it.\n",
}


def write(content, files):
    for rel, text in files.items():
        content.write(rel, text)


def invoke(settings, *args):
    paths = ["--content", str(settings.content), "--data", str(settings.data)]
    return CliRunner().invoke(main, [*args, *paths], env={"KB_EMBEDDERS": '["fake"]'})


def test_ingest_says_how_many_are_hidden_why_which_and_how_to_publish(content, settings):
    write(content, IMPORTED)
    result = invoke(settings, "ingest")
    assert result.exit_code == 0, result.output
    assert "2 documents are hidden from readers (2 with status: draft)" in result.output
    assert "site/alpha.md  (status: draft)" in result.output
    assert "site/beta.md  (status: draft)" in result.output
    assert "change or delete their `status:` line and run `kb ingest`" in result.output
    listed = invoke(settings, "docs", "--status", "draft")
    assert "site/alpha" in listed.output and "site/index" not in listed.output
    assert "2 documents" in listed.output


def test_check_says_the_same_before_anything_is_ingested(content, settings):
    write(content, IMPORTED)
    result = invoke(settings, "check")
    assert result.exit_code == 0, result.output
    assert "2 documents are hidden from readers" in result.output
    assert "· 2 hidden from readers" in result.output


def test_a_long_list_names_the_first_ten_and_counts_the_rest(content, settings):
    for n in range(12):
        content.write(f"site/p{n:02d}.md", f"---\ntitle: Page {n}\nstatus: draft\n---\nText {n}.\n")
    content.write("site/old.md", "---\ntitle: Old\nstatus: archived\n---\nOld text.\n")
    result = invoke(settings, "check")
    assert (
        "13 documents are hidden from readers (12 with status: draft, 1 with status: archived)"
        in result.output
    )
    assert "site/p08.md  (status: draft)" in result.output
    assert "site/p09.md  (status: draft)" not in result.output
    assert "… and 3 more (all: kb docs --status draft --status archived)" in result.output


def test_nothing_is_said_when_everything_is_published(content, settings):
    content.write("a.md", "# A\n\ntext\n")
    assert "hidden" not in invoke(settings, "ingest").output


def test_the_curator_dashboard_lists_them_in_both_languages(content, settings, database):
    write(content, IMPORTED)
    assert invoke(settings, "ingest").exit_code == 0
    create_user(database, "cur1", PASSWORD, "curator")
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/search", params={"q": "alpha"}).json()["results"] == []
        sign_in(client, "cur1")
        english = client.get("/curate", headers={"accept-language": "en"}).text
        assert "Hidden from readers (2)" in english and "status: draft · 2" in english
        assert "site/alpha.md" in english and 'href="/curate/doc/site/alpha"' in english
        assert "change or delete the status: line" in english
        chinese = client.get("/curate", headers={"accept-language": "zh"}).text
        assert "读者看不到的文档 (2)" in chinese and "状态：draft · 2" in chinese
