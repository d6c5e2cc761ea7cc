"""What only a real connection shows: a 500 does not reset a keep-alive connection, a body that
trickles in is answered 408 and its connection closed, and an anonymous post to a curator page
is refused before its body is read."""

from __future__ import annotations

import http.client
import logging
import socket

import pytest

from tests.asgi_stream import CHUNK, stream_body
from tests.live_server import live_server
from tests.search_fixtures import build_kb
from web.app import create_app
from web.core.body_timeout import SLOWEST_RATE, body_deadline

GUARD = 60  # socket timeout: a hung server fails the test instead of hanging it


@pytest.fixture
def app(settings, database):
    build_kb(settings, database)
    return create_app(settings.model_copy(update={"body_timeout_seconds": 0.5}))


def test_a_500_keeps_the_keep_alive_connection_and_logs_once(app, monkeypatch, caplog):
    monkeypatch.setattr("kb.store.browse.overview", lambda *a, **k: 1 / 0)
    with live_server(app) as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=GUARD)
        connection.request("GET", "/")
        failed = connection.getresponse()
        assert failed.status == 500 and b"Traceback" not in failed.read()
        kept = connection.sock
        connection.request("GET", "/signin")  # on the same connection
        answer = connection.getresponse()
        assert answer.status == 200 and connection.sock is kept
        answer.read()
        connection.close()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "unexpected error on /" in errors[0].getMessage()


def test_a_body_that_trickles_in_gets_408_and_the_connection_closes(app):
    with live_server(app) as port, socket.create_connection(("127.0.0.1", port), GUARD) as sock:
        sock.sendall(
            b"POST /signin HTTP/1.1\r\nHost: test\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n"
            b"username=a"
        )  # and then nothing more
        received = b""
        while chunk := sock.recv(65536):  # the server closes the connection after answering
            received += chunk
    assert received.startswith(b"HTTP/1.1 408 ")
    assert b"did not arrive within 0.531 s" in received  # 0.5 s + 1000 bytes at 32 KiB/s


def test_a_large_declared_body_gets_the_time_it_needs_on_a_slow_link():
    assert body_deadline(10.0, None) == 10.0
    assert body_deadline(10.0, 100 * SLOWEST_RATE) == 110.0  # a 3.2 MB upload: 110 s


def test_an_anonymous_38_mb_upload_is_refused_before_it_is_read(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        length = str(600 * CHUNK).encode()
        multipart = [
            (b"content-type", b"multipart/form-data; boundary=b"),
            (b"content-length", length),
        ]
        answer = stream_body(app, client.app_state, "/curate/upload", 600, multipart)
    assert answer.status == 303 and answer.headers[b"location"].startswith(b"/signin")
    assert answer.pulled == 0
