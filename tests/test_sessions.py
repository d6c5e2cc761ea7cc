"""Server-side sessions: a copied cookie dies with its session (sign-out, password or role change,
sign out everywhere, idle and absolute expiry); cookies hold only random tokens; HTTPS flags."""

import base64
import datetime as dt
import hashlib
import re

import pytest
from click.testing import CliRunner
from fastapi import APIRouter
from fastapi.testclient import TestClient

from kb import sessions
from kb.accounts import create_user, set_role
from kb.cli import main
from kb.store.audit import recent_events
from tests.search_fixtures import build_kb, holding_the_writers_lock
from web.app import create_app
from web.core.auth import OptionalUserDep

PASSWORD = "session-pass"
LIFETIME = sessions.Lifetime(idle=dt.timedelta(hours=8), absolute=dt.timedelta(days=14))


def make_app(settings):
    """The app with a probe that says who the request is signed in as."""
    app = create_app(settings)
    probe = APIRouter()

    @probe.get("/probe/who")
    def who(user: OptionalUserDep):
        return {"user": user.username if user else None}

    app.include_router(probe)
    return app


@pytest.fixture
def client(settings, database):
    build_kb(settings, database)
    create_user(database, "lin", PASSWORD, "curator")
    create_user(database, "boss", PASSWORD, "admin")
    with TestClient(make_app(settings)) as client:
        yield client


def csrf(client, path="/signin"):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def sign_in(client, username):
    """Sign in with a fresh cookie jar and return the session cookie (what a thief would copy)."""
    client.cookies.clear()
    data = {"username": username, "password": PASSWORD, "csrf_token": csrf(client)}
    response = client.post("/signin", data=data, follow_redirects=False)
    assert response.status_code == 303
    return client.cookies["kb_session"]


def who(client, cookie):
    """Replay a session cookie alone, as from another machine; return who that is signed in as."""
    client.cookies.clear()
    client.cookies.set("kb_session", cookie)
    return client.get("/probe/who").json()["user"]


def test_a_copied_cookie_stops_working_at_sign_out(client):
    copied = sign_in(client, "lin")
    assert who(client, copied) == "lin"
    client.cookies.clear()
    client.cookies.set("kb_session", copied)
    signout = client.post(
        "/signout", data={"csrf_token": csrf(client, "/")}, follow_redirects=False
    )
    assert signout.status_code == 303
    assert who(client, copied) is None


def test_a_password_change_ends_every_session(client, settings):
    copied = sign_in(client, "lin")
    changed = CliRunner().invoke(
        main, ["user", "passwd", "lin", "--data", str(settings.data)], input="a-new-password\n"
    )
    assert changed.exit_code == 0, changed.output
    assert who(client, copied) is None


def test_a_role_change_ends_every_session(client, database):
    copied = sign_in(client, "lin")
    set_role(database, "lin", "learner", actor="boss")
    assert who(client, copied) is None


def test_an_admin_signs_an_account_out_everywhere(client, database):
    laptop, phone = sign_in(client, "lin"), sign_in(client, "lin")
    admin = sign_in(client, "boss")
    listing = client.get("/curate/users")
    assert re.search(r"<td>lin</td>.*?<td>2</td>", listing.text, re.S)
    ended = client.post(
        "/curate/users/signout",
        data={"username": "lin", "csrf_token": csrf(client, "/curate/users")},
        follow_redirects=False,
    )
    assert ended.status_code == 303
    assert who(client, laptop) is None and who(client, phone) is None
    assert who(client, admin) == "boss"
    with database.session() as session:
        assert any(e.action == "sign_out_everywhere" for e in recent_events(session))


def test_only_admins_may_sign_others_out(client):
    laptop = sign_in(client, "lin")
    ended = client.post(
        "/curate/users/signout", data={"username": "boss", "csrf_token": csrf(client, "/")}
    )
    assert ended.status_code == 403 and who(client, laptop) == "lin"


def test_kb_user_signout_ends_every_session(client, settings):
    copied = sign_in(client, "lin")
    args = ["--data", str(settings.data)]
    result = CliRunner().invoke(main, ["user", "signout", "lin", *args])
    assert result.exit_code == 0 and "1 sessions" in result.output
    assert who(client, copied) is None
    unknown = CliRunner().invoke(main, ["user", "signout", "nobody", *args])
    assert unknown.exit_code == 2 and "No account is called 'nobody'" in unknown.output


def test_sessions_end_when_idle_and_at_the_absolute_limit(database):
    user = create_user(database, "lin", PASSWORD)
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    token = sessions.start(database, user.id, LIFETIME, now=start)
    hour = dt.timedelta(hours=1)
    assert sessions.resolve(database, token, LIFETIME, now=start + 7 * hour) == user.id
    # that request counted as activity: the idle limit runs from it
    assert sessions.resolve(database, token, LIFETIME, now=start + 14 * hour) == user.id
    assert sessions.resolve(database, token, LIFETIME, now=start + 23 * hour) is None
    busy = sessions.start(database, user.id, LIFETIME, now=start)
    end = start + LIFETIME.absolute
    for k in range(1, 48):  # a request every 7 hours never lets it go idle...
        assert sessions.resolve(database, busy, LIFETIME, now=start + k * 7 * hour) == user.id
    assert sessions.resolve(database, busy, LIFETIME, now=end - hour) == user.id
    assert sessions.resolve(database, busy, LIFETIME, now=end) is None  # ...but 14 days is all


def test_last_seen_is_written_at_most_every_few_minutes(database):
    user = create_user(database, "lin", PASSWORD)
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    token = sessions.start(database, user.id, LIFETIME, now=start)

    def last_seen():
        with database.session() as session:
            return session.query(sessions.SessionRow).one().last_seen_at.replace(tzinfo=dt.UTC)

    soon = start + sessions.TOUCH_EVERY / 2
    sessions.resolve(database, token, LIFETIME, now=soon)
    assert last_seen() == start
    later = start + sessions.TOUCH_EVERY
    sessions.resolve(database, token, LIFETIME, now=later)
    assert last_seen() == later


def test_signed_in_requests_only_read(client, settings):
    sign_in(client, "lin")
    with holding_the_writers_lock(settings):  # another process holds the write lock
        assert who(client, client.cookies["kb_session"]) == "lin"
        assert client.get("/").status_code == 200  # would wait, then 503, if it wrote


def _readings(value):
    """The cookie value as is, and base64-decoded part by part (how Starlette's cookie was read)."""
    yield value
    for part in value.split("."):
        try:
            yield base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode("utf-8", "replace")
        except ValueError:
            pass


def test_the_cookies_hold_no_readable_user_data(client, database):
    create_user(database, "zhang.wei", PASSWORD, "learner")
    client.cookies.clear()
    data = {"username": "zhang.wei", "password": PASSWORD, "csrf_token": csrf(client)}
    response = client.post("/signin", data=data, follow_redirects=False)
    assert any(c.startswith("kb_session=") for c in response.headers.get_list("set-cookie"))
    assert set(client.cookies.keys()) == {"kb_session", "kb_csrf"}
    for name, value in client.cookies.items():
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", value), (name, value)  # 32 random bytes
        for text in _readings(value):
            assert "zhang.wei" not in text and "user_id" not in text, (name, text)
    token = client.cookies["kb_session"]
    with database.session() as session:
        row = session.query(sessions.SessionRow).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() != token


def test_a_foreign_or_garbage_session_cookie_is_simply_anonymous(client):
    assert who(client, "x" * 5000) is None
    assert who(client, "eyJ1c2VyX2lkIjogMX0=.old.starlette") is None
    client.cookies.set("kb_session", "chosen-by-an-attacker")
    data = {"username": "lin", "password": PASSWORD, "csrf_token": csrf(client)}
    response = client.post("/signin", data=data, follow_redirects=False)
    issued = _cookie_headers(response, "kb_session")
    assert len(issued) == 1 and "chosen-by-an-attacker" not in issued[0]  # no session fixation


def test_a_form_token_only_works_with_its_own_cookies(client):
    attacker = sign_in(client, "boss")
    planted = (client.cookies["kb_csrf"], csrf(client, "/"), attacker)
    victim = sign_in(client, "lin")
    client.cookies.set("kb_csrf", planted[0])  # even a planted CSRF cookie with its token
    refused = client.post("/signout", data={"csrf_token": planted[1]})
    assert refused.status_code == 403 and who(client, victim) == "lin"


def _cookie_headers(response, name):
    return [c for c in response.headers.get_list("set-cookie") if c.startswith(f"{name}=")]


@pytest.mark.parametrize("https", [False, True])
def test_https_setting_marks_cookies_secure_and_sends_hsts(settings, database, https):
    build_kb(settings, database)
    create_user(database, "lin", PASSWORD, "curator")
    served = settings.model_copy(update={"https": https})
    base_url = "https://testserver" if https else "http://testserver"  # Secure cookies need TLS
    with TestClient(create_app(served), base_url=base_url) as client:
        form = client.get("/signin")
        data = {"username": "lin", "password": PASSWORD, "csrf_token": csrf(client)}
        signed_in = client.post("/signin", data=data, follow_redirects=False)
        lang = client.get("/lang/zh", follow_redirects=False)
    cookies = [
        *_cookie_headers(form, "kb_csrf"),
        *_cookie_headers(signed_in, "kb_session"),
        *_cookie_headers(lang, "ui_lang"),
    ]
    assert len(cookies) == 3
    for cookie in cookies:
        assert ("; secure" in cookie.lower()) is https, cookie
        assert "httponly" in cookie.lower() or cookie.startswith("ui_lang=")
    assert ("Strict-Transport-Security" in form.headers) is https
