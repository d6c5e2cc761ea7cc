"""Hostile input: a YAML alias bomb is a file:line error found at once, with memory flat, and
the rest of the content still loads; NUL and control characters in any parameter of any route
are cleaned or refused with a 4xx, never a 500, on SQLite and on PostgreSQL alike."""

import re
import subprocess
import sys
import textwrap
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import text

from ingest import editor, pipeline
from kb.accounts import create_user
from kb.store import catalog
from tests.conftest import REPO
from tests.search_fixtures import build_kb
from web.app import create_app
from web.core.text_guard import clean_query_string

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


# --- NUL and control characters: one rule (kb.text_rules) at every way in ----------------------

NUL = "nul\x00here"
BELL = "bell\x07here"
PASSWORD = "hostile-pass"
# fields the editor, upload and account pages read from the form themselves (not declared)
UNDECLARED_FORM_FIELDS = [
    *("id", "title", "kind", "lang", "summary", "tags", "phase", "area", "project", "date"),
    *("impact", "priority", "action_status", "body", "extra", "message", "doc_id", "base"),
    *("reason", "comment", "query", "helpful", "next", "username", "password", "display_name"),
]


def app_routes(routes):
    """Yield every API route of the app, inside included routers too."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from app_routes(inner.routes)


def parameters(dependant):
    """Return the query and body parameters of a route and of its dependencies."""
    query, body = set(), {}
    for param in dependant.query_params:
        query.add(param.alias)
    for param in dependant.body_params:
        body[param.alias] = param
    for sub in dependant.dependencies:
        sub_query, sub_body = parameters(sub)
        query |= sub_query
        body.update(sub_body)
    return query, body


def hostile_requests(app, bad):
    """Yield (method, path, request arguments) with `bad` text in every parameter of every route."""
    routes = list(app_routes(app.router.routes))
    paths = {route.path_format for route in routes}
    assert {"/signin", "/curate/save", "/api/feedback", "/api/search"} <= paths, paths
    for route in routes:
        path = re.sub(r"\{[^}]+\}", quote(bad), route.path_format)
        query, body = parameters(route.dependant)
        params = {name: bad for name in query | {"q"}}
        for method in sorted(route.methods - {"HEAD"}):
            if method == "GET":
                yield method, path, {"params": params}
                continue
            json_fields = [p for p in body.values() if type(p.field_info).__name__ == "Body"]
            if json_fields:
                model = json_fields[0].field_info.annotation
                names = getattr(model, "model_fields", {"body": None})
                yield method, path, {"params": params, "json": dict.fromkeys(names, bad)}
            form = dict.fromkeys([*body, *UNDECLARED_FORM_FIELDS], bad)
            files = {"files": ("hostile.md", f"---\ntitle: {bad}\n---\n{bad}\n".encode())}
            yield method, path, {"params": params, "data": form, "files": files}


@pytest.fixture
def web(settings, database):
    build_kb(settings, database)
    create_user(database, "admin1", PASSWORD, "admin")
    with (
        TestClient(create_app(settings), raise_server_exceptions=False) as anonymous,
        TestClient(create_app(settings), raise_server_exceptions=False) as admin,
    ):
        signing_in = {"username": "admin1", "password": PASSWORD, "csrf_token": csrf(admin)}
        assert admin.post("/signin", data=signing_in, follow_redirects=False).status_code == 303
        yield anonymous, admin


def csrf(client, path="/signin"):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


@pytest.mark.parametrize("bad", [NUL, BELL], ids=["nul", "bell"])
def test_no_route_answers_5xx_to_control_characters_anywhere(web, bad):
    anonymous, admin = web
    failures = []
    for client, page in ((anonymous, "/signin"), (admin, "/curate/upload")):
        token = csrf(client, page)
        for method, path, arguments in hostile_requests(client.app, bad):
            if "data" in arguments:
                arguments["data"] = {**arguments["data"], "csrf_token": token}
            response = client.request(method, path, follow_redirects=False, **arguments)
            if response.status_code >= 500:
                failures.append(f"{method} {path} {sorted(arguments)}: {response.status_code}")
    assert not failures, "\n".join(failures)


def refused(response, field):
    """Tell whether the answer is a 422 that names the field and the control character."""
    text = response.text.replace("&#39;", "'")
    return response.status_code == 422 and field in text and "control character" in text


@pytest.mark.parametrize("field", ["username", "password"])
def test_sign_in_with_a_control_character_is_refused_by_field(web, field):
    anonymous, _ = web
    data = {"username": "admin1", "password": PASSWORD, "csrf_token": csrf(anonymous)}
    response = anonymous.post("/signin", data={**data, field: NUL}, follow_redirects=False)
    assert refused(response, field)


@pytest.mark.parametrize("field", ["comment", "query"])
def test_feedback_with_a_control_character_is_refused_by_field(web, database, field):
    anonymous, _ = web
    form = {"helpful": "yes", "comment": "clear", "query": "risk", field: BELL}
    form["csrf_token"] = csrf(anonymous, "/docs/guide-change")
    assert refused(anonymous.post("/feedback/guide-change", data=form), field)
    vote = {"doc_id": "guide-change", "helpful": True, "comment": "ok", "query": "x", field: NUL}
    answer = anonymous.post("/api/feedback", json=vote)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["field"] == field
    with database.reading() as session:
        assert session.scalar(text("SELECT count(*) FROM feedback")) == 0


@pytest.mark.parametrize("field", ["title", "summary", "body", "message"])
def test_the_editor_refuses_to_save_a_control_character(web, field):
    _, admin = web
    form = {
        "id": "guide-hostile", "title": "Hostile", "kind": "guide", "lang": "en",
        "summary": "A guide.", "body": "## Steps\nDo it.\n", "message": "first",
    }  # fmt: skip
    form.update({field: f"{form[field]}{NUL}", "csrf_token": csrf(admin, "/curate/upload")})
    assert refused(admin.post("/curate/save", data=form, follow_redirects=False), field)
    assert admin.get("/curate/edit/guide-hostile").status_code == 404


def test_editor_check_and_kb_check_refuse_the_same_control_characters(content, settings):
    late_nul = "---\nid: late\ntitle: Late\nkind: guide\nlang: en\n---\n" + "x\n" * 5000 + "\x00\n"
    problems = editor.check(late_nul).problems
    [control] = [p for ps in problems.values() for p in ps if "control character" in p.message]
    assert control.line == 5007 and "U+0000" in control.message
    content.write("late.md", late_nul)
    content.write("bell.md", "---\ntitle: Bell\n---\nring \x07 here\n")
    result = pipeline.check_content(settings.content, settings.max_file_bytes)
    assert {(p.path, p.line) for p in result.errors} == {("late.md", 5007), ("bell.md", 4)}


def test_an_upload_with_a_control_character_is_refused_and_not_saved(web):
    _, admin = web
    token = csrf(admin, "/curate/upload")
    text = "---\nid: guide-up\ntitle: Up\nkind: guide\nlang: en\n---\n" + "y\n" * 5000 + "\x00"
    files = {"files": ("guide-up.md", text.encode())}
    response = admin.post("/curate/upload", data={"csrf_token": token}, files=files)
    assert response.status_code == 422 and "control character" in response.text
    # a raw body: HTTP clients percent-encode a NUL in a file name, a hostile one need not
    body = (
        f'--B\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--B\r\nContent-Disposition: form-data; name="files"; filename="guide-{NUL}.md"\r\n'
        "Content-Type: text/markdown\r\n\r\n---\ntitle: T\n---\nx\n\r\n--B--\r\n"
    ).encode()
    headers = {"content-type": "multipart/form-data; boundary=B"}
    response = admin.post("/curate/upload", content=body, headers=headers)
    assert refused(response, "files.filename")
    assert admin.get("/curate/edit/guide-up").status_code == 404


def test_a_search_with_a_control_character_is_cleaned_searched_and_logged(settings, database):
    build_kb(settings, database)
    with TestClient(create_app(settings)) as client:
        clean = client.get("/api/search", params={"q": "risk register"}).json()
        dirty = client.get("/api/search", params={"q": "risk\x00 register\x07"}).json()
        assert client.get("/search", params={"q": "risk\x00"}).status_code == 200
    assert [hit["id"] for hit in dirty["results"]] == [hit["id"] for hit in clean["results"]] != []
    with database.reading() as session:
        logged = session.scalars(text("SELECT query FROM search_log")).all()
    assert logged.count("risk register") == 2 and "risk" in logged


def test_query_strings_are_cleaned_and_clean_ones_kept_as_sent():
    assert clean_query_string(b"q=a%00b&kind=guide%07") == b"q=ab&kind=guide"
    assert clean_query_string(b"q=%E9%A3%8E%E9%99%A9+a&x=") == b"q=%E9%A3%8E%E9%99%A9+a&x="
