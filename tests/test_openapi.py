"""The JSON API keeps its OpenAPI promise: schemathesis sends generated requests (valid and
invalid, and undeclared methods) to every documented operation — anonymously, signed in, and on a
site closed to anonymous readers — and each answer must have a documented status, content type
and body shape, never a 5xx; a 405 anywhere on the site says which methods are allowed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings
from schemathesis.python.asgi import shutdown_lifespans

from kb import sessions
from kb.accounts import create_user
from kb.bootstrap import open_database
from kb.content.ids import ID_PATTERN, MAX_ID_CHARS
from kb.content.schema import MAX_CHOICES
from kb.settings import Settings
from tests.search_fixtures import DOCS, build_kb
from tests.test_lesson_actions import DOCS as LESSONS_WITH_ACTIONS
from tests.training_fixtures import COURSE
from web.app import create_app
from web.core.cookies import SESSION

# Bounded and seeded, so a run is quick and the same on every machine.
CONFIG = {
    "seed": 20260412,
    "generation": {
        "mode": "all",
        "max-examples": 30,
        "deterministic": True,
        "database": "none",
        "with-security-parameters": False,
    },
    "phases": {"examples": {"enabled": False}, "stateful": {"enabled": False}},
    "checks": {
        "enabled": False,
        "not_a_server_error": {"enabled": True},
        "status_code_conformance": {"enabled": True},
        "content_type_conformance": {"enabled": True},
        "response_schema_conformance": {"enabled": True},
        "response_headers_conformance": {"enabled": True},
        "unsupported_method": {"enabled": True},
        "allow_header_conformance": {"enabled": True},
    },
}


def served_spec() -> dict:
    """The app's OpenAPI document (made without opening a knowledge base)."""
    return create_app(Settings(secret_key="openapi-spec-only", embedders=["fake"])).openapi()


schema = schemathesis.openapi.from_dict(served_spec(), config=schemathesis.Config.from_dict(CONFIG))


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    """A scratch knowledge base (documents and a training course) shared by the module's tests."""
    root = tmp_path_factory.mktemp("openapi")
    settings = Settings(
        content=root / "content", data=root / "data", embedders=["fake"], semantic_at_start="wait"
    )
    database = open_database(settings.db_url)
    build_kb(settings, database, {**DOCS, **COURSE, **LESSONS_WITH_ACTIONS})
    yield settings, database
    database.close()


@pytest.fixture(scope="module")
def app(kb):
    """The web app on the scratch knowledge base (schemathesis runs its lifespan)."""
    yield create_app(kb[0])
    shutdown_lifespans()


@pytest.fixture(scope="module")
def closed_app(kb):
    """The same knowledge base served to signed-in users only."""
    yield create_app(kb[0].model_copy(update={"anonymous_read": False}))
    shutdown_lifespans()


@pytest.fixture(scope="module")
def client(kb):
    """A plain test client of another app on the same knowledge base."""
    with TestClient(create_app(kb[0])) as client:
        yield client


@pytest.fixture(scope="module")
def session_cookie(kb):
    """The cookie of a signed-in learner."""
    database = kb[1]
    user = create_user(database, "lin", "openapi-pass", "learner", "Lin")
    lifetime = sessions.Lifetime(idle=dt.timedelta(hours=1), absolute=dt.timedelta(days=1))
    return {SESSION: sessions.start(database, user.id, lifetime)}


@schema.parametrize()
def test_anonymous_requests_get_documented_answers(case, app):
    case.call_and_validate(app=app)


@schema.parametrize()
def test_signed_in_requests_get_documented_answers(case, app, session_cookie):
    response = case.call_and_validate(app=app, cookies=session_cookie)
    assert response.status_code != 401, "the session cookie was not taken"


@pytest.fixture(scope="module")
def curator_cookie(kb):
    """The cookie of a signed-in curator."""
    database = kb[1]
    user = create_user(database, "mei", "openapi-pass", "curator", "Mei")
    lifetime = sessions.Lifetime(idle=dt.timedelta(hours=1), absolute=dt.timedelta(days=1))
    return {SESSION: sessions.start(database, user.id, lifetime)}


@schema.include(path="/api/actions").parametrize()
@hypothesis_settings(max_examples=10)
def test_curators_get_the_actions_as_documented(case, app, curator_cookie):
    response = case.call_and_validate(app=app, cookies=curator_cookie)
    assert response.status_code not in (401, 403), "the curator was not let in"


@schema.parametrize()
@hypothesis_settings(max_examples=5)
def test_closed_site_answers_anonymous_requests_as_documented(case, closed_app):
    response = case.call_and_validate(app=closed_app)
    if case.operation.path.startswith("/api/certificates/"):
        assert response.status_code != 401  # certificates can be verified by anyone
    elif case.operation.path in ("/healthz", "/readyz"):
        assert response.status_code != 401  # a load balancer's probe has no sign-in
    elif response.status_code < 400:
        pytest.fail(f"{case.operation.label} answered {response.status_code} without a sign-in")


def test_served_document_is_the_tested_one(client):
    assert client.get("/api/openapi.json").json() == served_spec()


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("TRACE", "/api/search?q=risk", {"GET"}),
        ("PUT", "/api/feedback", {"POST"}),
        ("DELETE", "/api/documents/guide-risk", {"GET"}),
        ("TRACE", "/api/openapi.json", {"GET", "HEAD"}),
        ("TRACE", "/", {"GET"}),
        ("PROPFIND", "/search?q=risk", {"GET"}),
        ("TRACE", "/docs/guide-risk", {"GET"}),
        ("GET", "/feedback/guide-risk", {"POST"}),
        ("TRACE", "/static/style.css", {"GET", "HEAD"}),
        ("POST", "/static/no-such-file.js", {"GET", "HEAD"}),
    ],
)
def test_method_not_allowed_says_which_methods_are(client, method, path, allowed):
    response = client.request(method, path)
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["allow"].split(",")} == allowed
    kind = "application/json" if path.startswith("/api/") else "text/html"
    assert response.headers["content-type"].startswith(kind)


def test_the_document_declares_the_ranges_the_server_accepts(client, session_cookie):
    spec = served_spec()
    (doc_id,) = [
        p["schema"]
        for p in spec["paths"]["/api/documents/{doc_id}"]["get"]["parameters"]
        if p["name"] == "doc_id"
    ]
    assert doc_id["maxLength"] == MAX_ID_CHARS and doc_id["pattern"] == ID_PATTERN
    assert spec["components"]["schemas"]["FeedbackIn"]["properties"]["doc_id"] == doc_id
    choice = spec["components"]["schemas"]["AnswerIn"]["properties"]["choice"]
    assert (choice["minimum"], choice["maximum"]) == (1, MAX_CHOICES)
    # what the pattern allows is looked up; what it refuses, the server refuses too
    for good in ("guide-risk", "no-such/doc_1.v2", "风险-指南"):
        assert re.fullmatch(ID_PATTERN, good)
        assert client.get(f"/api/documents/{good}").status_code in (200, 404)
    for bad in ("a..", ".hidden", "a//b", "a" * (MAX_ID_CHARS + 1), "a b"):
        assert not re.fullmatch(ID_PATTERN, bad) or len(bad) > MAX_ID_CHARS
        assert client.get(f"/api/documents/{bad}").status_code == 422, bad
    answer = "/api/training/modules/training-basics/steps/1/questions/1/answer"
    client.cookies.update(session_cookie)
    try:
        over = client.post(answer, json={"choice": MAX_CHOICES + 1})
        assert over.status_code == 422
    finally:
        client.cookies.clear()
