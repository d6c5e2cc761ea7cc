"""Accounts and sign-in: hashing, wrong passwords, throttling, CSRF, role checks, the CLI."""

import re

import pytest
from click.testing import CliRunner
from fastapi import APIRouter
from fastapi.testclient import TestClient

from kb import accounts, signin_throttle
from kb.accounts import AccountError, Role, SignInThrottled, authenticate, create_user
from kb.cli import main
from kb.store.audit import recent_events
from tests.search_fixtures import build_kb
from web.app import create_app
from web.core.auth import CuratorDep

UNTIL_WAIT = signin_throttle.FREE_FAILURES + 1  # failures in a row that start the back-off


def test_passwords_are_argon2_hashed(database):
    create_user(database, "lin", "correct horse", "learner")
    with database.session() as session:
        row = session.query(accounts.UserRow).one()
    assert row.password_hash.startswith("$argon2") and "correct horse" not in row.password_hash
    assert authenticate(database, "lin", "correct horse").username == "lin"
    assert authenticate(database, "lin", "wrong password") is None
    assert authenticate(database, "nobody", "whatever1") is None


def test_account_rules(database):
    create_user(database, "lin", "longenough")
    with pytest.raises(AccountError, match="taken"):
        create_user(database, "lin", "longenough")
    with pytest.raises(AccountError, match="at least 8"):
        create_user(database, "wang", "short")
    with pytest.raises(AccountError, match="role"):
        create_user(database, "zhao", "longenough", role="boss")


def test_throttling_after_repeated_failures(database):
    create_user(database, "lin", "correct horse")
    for _ in range(UNTIL_WAIT):
        assert authenticate(database, "lin", "nope-nope") is None
    with pytest.raises(SignInThrottled):
        authenticate(database, "lin", "correct horse")  # waits even with the right password
    assert any(e.action == "sign_in_failed" for e in _events(database))


def test_roles_rank():
    curator = accounts.User(1, "c", "", "curator")
    assert curator.has_role(Role.LEARNER) and curator.has_role(Role.CURATOR)
    assert not curator.has_role(Role.ADMIN)


@pytest.fixture
def client(settings, database):
    build_kb(settings, database)
    create_user(database, "learner1", "learner-pass", "learner")
    create_user(database, "curator1", "curator-pass", "curator")
    app = create_app(settings)
    probe = APIRouter()

    @probe.get("/probe/curator")
    def curator_only(user: CuratorDep):
        return {"user": user.username}

    app.include_router(probe)
    with TestClient(app) as client:
        yield client


def csrf(client, path="/signin"):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def signin(client, username, password):
    return client.post(
        "/signin",
        data={"username": username, "password": password, "csrf_token": csrf(client)},
        follow_redirects=False,
    )


def test_sign_in_and_out(client):
    assert signin(client, "learner1", "wrong-pass").status_code == 401
    response = signin(client, "learner1", "learner-pass")
    assert response.status_code == 303
    assert "learner1" in client.get("/").text
    token = csrf(client, "/")
    assert (
        client.post("/signout", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    assert "learner1" not in client.get("/").text


def test_sign_in_without_or_with_bad_csrf_is_refused(client):
    data = {"username": "learner1", "password": "learner-pass"}
    assert client.post("/signin", data=data).status_code == 403
    assert client.post("/signin", data={**data, "csrf_token": "forged"}).status_code == 403


def test_throttled_sign_in_page(client):
    for _ in range(UNTIL_WAIT):
        signin(client, "learner1", "bad-password")
    response = signin(client, "learner1", "learner-pass")
    assert response.status_code == 429 and "Retry-After" in response.headers


def test_curator_route_checks_role_on_server(client):
    anonymous = client.get("/probe/curator", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith(
        "/signin?next="
    )
    signin(client, "learner1", "learner-pass")
    assert client.get("/probe/curator").status_code == 403
    signin(client, "curator1", "curator-pass")
    assert client.get("/probe/curator").json() == {"user": "curator1"}


def test_sign_in_never_redirects_off_site(client):
    token = csrf(client)
    response = client.post(
        "/signin",
        data={
            "username": "learner1",
            "password": "learner-pass",
            "csrf_token": token,
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_anonymous_reading_can_be_turned_off(settings, database):
    build_kb(settings, database)
    closed = settings.model_copy(update={"anonymous_read": False})
    with TestClient(create_app(closed)) as client:
        response = client.get("/search?q=risk", follow_redirects=False)
        assert response.status_code == 303 and "/signin" in response.headers["location"]
        assert client.get("/api/search?q=risk").status_code == 401
        assert client.get("/signin").status_code == 200


def test_self_registration_off_by_default_and_on_by_setting(settings, database):
    build_kb(settings, database)
    with TestClient(create_app(settings)) as client:
        assert client.get("/register").status_code == 404
    opened = settings.model_copy(update={"self_registration": True})
    with TestClient(create_app(opened)) as client:
        token = csrf(client, "/register")
        response = client.post(
            "/register",
            data={"username": "newbie", "password": "newbie-pass", "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303 and "newbie" in client.get("/").text


def test_cli_user_commands(settings):
    runner = CliRunner()
    args = ["--data", str(settings.data)]
    added = runner.invoke(
        main, ["user", "add", "amy", "--role", "curator", *args], input="amy-password\n"
    )
    assert added.exit_code == 0, added.output
    assert "amy" in runner.invoke(main, ["user", "list", *args]).output
    short = runner.invoke(main, ["user", "passwd", "amy", *args], input="short\n")
    assert short.exit_code == 2 and "at least 8" in short.output
    assert runner.invoke(main, ["user", "role", "amy", "admin", *args]).exit_code == 0


def _events(database):
    with database.session() as session:
        return recent_events(session)


def test_a_failed_sign_in_keeps_the_username_but_never_the_password(client):
    page = signin(client, "learner1", "wrong-pass-xyz")
    assert page.status_code == 401
    assert 'name="username" autocomplete="username" required maxlength="64" value="learner1"' in (
        page.text
    )
    assert "wrong-pass-xyz" not in page.text
    hostile = signin(client, '"><script>x</script>', "pw")
    assert "<script>x</script>" not in hostile.text
