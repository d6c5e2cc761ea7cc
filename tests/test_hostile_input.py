"""Hostile input: a YAML alias bomb is a file:line error found at once, with memory flat, and
the rest of the content still loads."""

import subprocess
import sys
import textwrap

from ingest import editor, pipeline
from kb.store import catalog
from tests.conftest import REPO

# "Billion laughs": under 400 bytes whose aliases expand to 9**9 (387 million) strings.
ALIAS_BOMB = (
    "---\ntitle: Laughs\nkind: guide\nlang: en\n"
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
        for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "---\nBody.\n"
)
GOOD = "---\ntitle: Good one\nkind: guide\nlang: en\n---\nFine text.\n"


def test_the_alias_bomb_is_small():
    assert len(ALIAS_BOMB.encode()) < 500


def test_an_alias_bomb_is_refused_at_its_line_and_the_ingest_goes_on(content, settings, database):
    content.write("bomb.md", ALIAS_BOMB)
    content.write("good.md", GOOD)
    report = pipeline.ingest(database, settings.content, settings.max_file_bytes)
    [error] = report.errors
    assert (error.path, error.line) == ("bomb.md", 5)  # the first anchor
    assert "anchor" in error.message and "alias" in error.message and error.hint
    with database.reading() as session:
        assert catalog.get(session, "good") is not None
        assert catalog.get(session, "bomb") is None


def test_an_anchor_or_alias_anywhere_in_front_matter_is_refused(content, settings):
    content.write("anchor.md", "---\ntitle: T\ntags: &t [a, b]\n---\nx\n")
    content.write("merge.md", "---\ntitle: T\nbase: {a: 1}\nmore:\n  <<: *base\n---\nx\n")
    result = pipeline.check_content(settings.content, settings.max_file_bytes)
    lines = {error.path: error.line for error in result.errors}
    assert lines == {"anchor.md": 3, "merge.md": 5}


def test_the_editor_check_refuses_an_alias_bomb():
    result = editor.check(ALIAS_BOMB.replace("title:", "id: laughs\ntitle:"))
    assert any("alias" in p.message for ps in result.problems.values() for p in ps)


def test_kb_check_refuses_an_alias_bomb_within_a_small_memory_limit(content):
    content.write("bomb.md", ALIAS_BOMB)
    content.write("good.md", GOOD)
    script = textwrap.dedent(
        """
        import resource, sys
        from pathlib import Path
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # 1 GiB of address space
        from ingest import pipeline
        result = pipeline.check_content(Path(sys.argv[1]), 1_000_000)
        print(*sorted(f"{p.path}:{p.line}" for p in result.errors))
        print(*sorted(doc.id for doc in result.changed))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(content.root)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,  # a hang fails rather than blocks the suite
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[:2] == ["bomb.md:5", "good"]
