"""Absolute links come from KB_BASE_URL, never from the request's Host header (which anyone can
set): the Atom feed, the CSV export of lesson actions and a certificate's verification address."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from kb.accounts import create_user
from tests import test_lesson_actions as actions
from tests import test_training_web as training
from tests.search_fixtures import build_kb
from tests.training_fixtures import build_course
from web.app import create_app

SITE = "https://kb.example.org"
FORGED = {"host": "attacker.example"}


def test_feed_links_use_the_base_url_not_the_host_header(settings, database):
    build_kb(settings, database)
    app = create_app(settings.model_copy(update={"base_url": SITE + "/"}))
    with TestClient(app) as client:
        feed = client.get("/feeds/documents.atom", headers=FORGED).text
    assert "attacker.example" not in feed
    assert f'href="{SITE}/feeds/documents.atom"' in feed and f'href="{SITE}/docs/' in feed


def test_csv_export_links_use_the_base_url_not_the_host_header(settings, database):
    build_kb(settings, database, actions.DOCS)
    create_user(database, "cur1", actions.PASSWORD, "curator")
    with TestClient(create_app(settings.model_copy(update={"base_url": SITE}))) as client:
        actions.sign_in(client, "cur1")
        text = client.get("/curate/actions.csv", headers=FORGED).content.decode("utf-8-sig")
    urls = [row["url"] for row in csv.DictReader(io.StringIO(text))]
    assert urls and all(url.startswith(f"{SITE}/docs/") for url in urls)


def test_certificate_verification_address_uses_the_base_url(settings, database):
    build_course(settings, database)
    create_user(database, "lin", training.PASSWORD, "learner", "Lin")
    app = create_app(settings.model_copy(update={"base_url": SITE}))
    with TestClient(app, headers={"accept-language": "en"}) as client:
        training.sign_in(client, "lin")
        training.complete_basics(client)
        page = client.get("/training/training-basics/certificate", headers=FORGED).text
    assert f">{SITE}/certificates/" in page and "attacker.example" not in page


def test_without_a_base_url_links_use_the_configured_host_and_port(settings):
    assert settings.site_url == "http://127.0.0.1:8000"
    assert settings.model_copy(update={"base_url": "https://x.org/kb/"}).site_url == (
        "https://x.org/kb"
    )
