"""Sign-in throttling per (name, address): a guesser slows only themselves, unknown names answer
exactly like real ones, the wait backs off exponentially, and the state lives in the database."""

import datetime as dt
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from kb import accounts, signin_throttle
from kb.accounts import SignInThrottled, authenticate, create_user, set_password
from kb.bootstrap import open_database
from tests.search_fixtures import build_kb
from web.app import create_app

PASSWORD = "throttle-pass"
UNTIL_WAIT = signin_throttle.FREE_FAILURES + 1
A, B = "203.0.113.7", "198.51.100.20"


def test_failures_from_one_address_do_not_lock_out_another(database, settings):
    create_user(database, "lin", PASSWORD)
    for _ in range(UNTIL_WAIT):
        assert authenticate(database, "lin", "wrong-guess", A) is None
    with pytest.raises(SignInThrottled):
        authenticate(database, "lin", PASSWORD, A)
    assert authenticate(database, "lin", PASSWORD, B).username == "lin"
    restarted = open_database(settings.db_url)  # the wait is in the database: a restart keeps it
    with pytest.raises(SignInThrottled):
        authenticate(restarted, "lin", PASSWORD, A)
    restarted.close()


def test_a_password_change_lifts_the_wait(database):
    create_user(database, "lin", PASSWORD)
    for _ in range(UNTIL_WAIT):
        authenticate(database, "lin", "wrong-guess", A)
    set_password(database, "lin", "another-password")
    assert authenticate(database, "lin", "another-password", A).username == "lin"


def test_a_success_clears_the_count(database):
    create_user(database, "lin", PASSWORD)
    for _ in range(3):
        for _ in range(UNTIL_WAIT - 1):
            assert authenticate(database, "lin", "wrong-guess", A) is None
        assert authenticate(database, "lin", PASSWORD, A).username == "lin"


def test_the_wait_backs_off_exponentially_and_a_quiet_day_forgets(database):
    t0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

    def fail_at(moment):
        with database.session() as session:
            signin_throttle.record_failure(session, "lin", A, moment)
        with database.session() as session:
            return signin_throttle.wait_seconds(session, "lin", A, moment)

    waits = [fail_at(t0) for _ in range(signin_throttle.FREE_FAILURES)]
    assert waits == [0] * signin_throttle.FREE_FAILURES
    moment, waits = t0, []
    for _ in range(8):
        waits.append(fail_at(moment))
        moment += dt.timedelta(seconds=waits[-1])
    assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert fail_at(moment + signin_throttle.FORGET_AFTER + dt.timedelta(seconds=1)) == 0


def test_names_are_compared_normalised_and_ipv6_by_network():
    key = signin_throttle.name_key
    assert key("Lin") == key(" lin ") == key("ｌｉｎ") == "lin"
    addr = signin_throttle.address_key
    assert addr("2001:db8::1") == addr("2001:db8::ffff:1") != addr("2001:db8:0:1::1")
    assert addr("::ffff:203.0.113.7") == addr("203.0.113.7") == "203.0.113.7"
    assert addr("") == "" and addr("testclient") == "testclient"


def test_unknown_names_cost_a_real_password_check():
    # the dummy hash has the current argon2 parameters, so checking it takes as long as a real one
    assert not PasswordHasher().check_needs_rehash(accounts.DUMMY_HASH)


@pytest.fixture
def app(settings, database):
    build_kb(settings, database)
    create_user(database, "lin", PASSWORD, "learner")
    return create_app(settings)


def csrf(client):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/signin").text).group(1)


def attempt(client, username, password):
    data = {"username": username, "password": password, "csrf_token": csrf(client)}
    return client.post("/signin", data=data, follow_redirects=False)


def test_unknown_names_get_exactly_the_answers_of_real_ones(app):
    with TestClient(app, client=(A, 40000)) as client:
        known = [attempt(client, "lin", "wrong-guess") for _ in range(UNTIL_WAIT + 1)]
        unknown = [attempt(client, "no-such-user", "wrong-guess") for _ in range(UNTIL_WAIT + 1)]
    assert [r.status_code for r in known] == [401] * UNTIL_WAIT + [429]
    assert [r.status_code for r in unknown] == [r.status_code for r in known]
    # the form keeps what was typed: apart from the name itself, the pages are the same
    assert [r.text.replace('value="no-such-user"', 'value="lin"') for r in unknown] == [
        r.text for r in known
    ]
    assert "Retry-After" in known[-1].headers and "Retry-After" in unknown[-1].headers


def test_the_real_user_signs_in_from_another_address(app):
    # two clients on two addresses, each with its own lifespan: like two workers of one site
    with (
        TestClient(app, client=(A, 40000)) as guesser,
        TestClient(app, client=(B, 40000)) as owner,
    ):
        for _ in range(UNTIL_WAIT):
            assert attempt(guesser, "lin", "wrong-guess").status_code == 401
        assert attempt(guesser, "lin", PASSWORD).status_code == 429
        assert attempt(owner, "lin", PASSWORD).status_code == 303


class CountingHasher(PasswordHasher):
    """A password hasher that counts the passwords it checks."""

    checks = 0
    lock = threading.Lock()

    def verify(self, hash, password):  # noqa: A002 — the argon2 signature
        with CountingHasher.lock:
            CountingHasher.checks += 1
        return super().verify(hash, password)


def test_a_burst_of_parallel_guesses_gets_only_the_free_checks(database, settings, monkeypatch):
    create_user(database, "lin", PASSWORD)
    monkeypatch.setattr(CountingHasher, "checks", 0)
    monkeypatch.setattr(accounts, "_hasher", CountingHasher)
    replica = open_database(settings.db_url)  # a second server on the same store
    start = threading.Barrier(30)

    def guess(number):
        start.wait()
        try:
            server = database if number % 2 else replica
            return authenticate(server, "lin", f"wrong-guess-{number}", A)
        except SignInThrottled:
            return "throttled"

    with ThreadPoolExecutor(30) as pool:
        outcomes = list(pool.map(guess, range(30)))
    replica.close()
    assert CountingHasher.checks == UNTIL_WAIT  # the password was checked 5 times, not 30
    assert outcomes.count(None) == UNTIL_WAIT and outcomes.count("throttled") == 30 - UNTIL_WAIT
    with pytest.raises(SignInThrottled):  # even the right password waits now
        authenticate(database, "lin", PASSWORD, A)
