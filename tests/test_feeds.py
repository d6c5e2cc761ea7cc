"""Atom feeds of new and updated documents: valid Atom 1.0, escaped text, absolute links, times
that move when a document changes, filters by kind, phase, area, tag and language, and a clear
400 for a filter value that does not exist; search and browse pages point to them."""

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from search.embedders import EmbedderPool
from search.service import ingest_and_index
from tests.search_fixtures import DOCS, build_kb
from web.app import create_app

A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
HOSTILE = """---
id: lesson-hostile-title
title: "Risks & <issues> \\"quoted\\" ]]> in a title"
kind: lesson
lang: en
summary: "Summary with <b>tags</b> & ampersands"
tags: [R&D, risk]
phase: [planning]
area: [risk]
project: X
date: 2025-02-01
impact: negative
priority: low
action_status: open
---
## Driving event
Something happened.
## Root cause
A cause.
## Effect
An effect.
## Recommendation
Do better.
## Early-warning signs
- A sign
"""


@pytest.fixture
def client(settings, database):
    build_kb(settings, database, {**DOCS, "lessons/hostile.md": HOSTILE})
    with TestClient(create_app(settings)) as client:
        yield client


def feed(client, **params):
    response = client.get("/feeds/documents.atom", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def entry_ids(root) -> list[str]:
    return [e.find(f"{A}link").get("href").rsplit("/docs/", 1)[1] for e in root.iter(f"{A}entry")]


def test_the_feed_is_valid_atom_with_absolute_links_and_times(client):
    root = feed(client)
    assert root.tag == f"{A}feed"
    for name in ("id", "title", "updated", "author"):
        assert root.find(f"{A}{name}") is not None, name
    assert RFC3339.match(root.find(f"{A}updated").text)
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{A}link")}
    assert links["self"] == "http://127.0.0.1:8000/feeds/documents.atom"
    assert links["alternate"].startswith("http://127.0.0.1:8000/")
    entries = root.findall(f"{A}entry")
    # published documents only: no draft, no training step
    assert set(entry_ids(root)) == {
        "guide-risk", "guide-risk-en", "lesson-vendor", "guide-change", "lesson-hostile-title",
    }  # fmt: skip
    ids = set()
    for entry in entries:
        for name in ("id", "title", "updated", "published"):
            assert entry.find(f"{A}{name}") is not None, name
        assert RFC3339.match(entry.find(f"{A}updated").text)
        assert entry.find(f"{A}published").text <= entry.find(f"{A}updated").text
        link = entry.find(f"{A}link")
        assert link.get("rel") == "alternate" and link.get("href").startswith(
            "http://127.0.0.1:8000/docs/"
        )
        ids.add(entry.find(f"{A}id").text)
    assert len(ids) == len(entries)  # entry ids are unique
    updated = [e.find(f"{A}updated").text for e in entries]
    assert updated == sorted(updated, reverse=True)


def test_text_is_escaped_not_markup(client):
    response = client.get("/feeds/documents.atom", params={"tag": "r&d"})
    assert b"Risks &amp; &lt;issues&gt;" in response.content
    root = ET.fromstring(response.content)
    (entry,) = root.findall(f"{A}entry")
    assert entry.find(f"{A}title").text == 'Risks & <issues> "quoted" ]]> in a title'
    assert entry.find(f"{A}summary").text == "Summary with <b>tags</b> & ampersands"
    terms = {c.get("term") for c in entry.findall(f"{A}category")}
    assert {"lesson", "planning", "risk", "R&D"} <= terms


def test_the_feed_links_ignore_the_host_header(client):
    # anyone can send any Host: links come from KB_BASE_URL (tests/test_base_url.py)
    response = client.get("/feeds/documents.atom", headers={"host": "kb.example.org"})
    root = ET.fromstring(response.content)
    assert root.find(f"{A}id").text == "http://127.0.0.1:8000/feeds/documents.atom"
    assert all(h.startswith("http://127.0.0.1:8000/docs/") for h in
               [e.find(f"{A}link").get("href") for e in root.iter(f"{A}entry")])  # fmt: skip


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "lesson"}, {"lesson-vendor", "lesson-hostile-title"}),
        ({"phase": "executing"}, {"lesson-vendor", "guide-change"}),
        ({"area": "risk"}, {"guide-risk", "guide-risk-en", "lesson-hostile-title"}),
        ({"tag": "风险"}, {"guide-risk"}),
        ({"lang": "zh"}, {"guide-risk", "guide-change"}),
        ({"kind": "lesson", "area": "risk"}, {"lesson-hostile-title"}),  # AND across facets
        (
            {"area": ["risk", "procurement"], "lang": "en"},  # OR within one
            {"guide-risk-en", "lesson-vendor", "lesson-hostile-title"},
        ),
        ({"kind": "template"}, set()),
    ],
)
def test_filters(client, params, expected):
    assert set(entry_ids(feed(client, **params))) == expected


@pytest.mark.parametrize(
    ("params", "says"),
    [
        (
            {"kind": "lessons"},
            "unknown kind 'lessons': use one of guide, lesson, template, training",
        ),
        ({"phase": "design"}, "unknown phase 'design'"),
        ({"area": "Risk"}, "unknown area 'Risk'"),
        ({"lang": "fr"}, "unknown lang 'fr': use one of zh, en"),
        ({"tag": "x" * 61}, "a tag is at most 60 characters"),
        ({"area": ["risk"] * 21}, "at most 20 values"),
    ],
)
def test_a_bad_filter_is_a_400_that_says_what_is_allowed(client, params, says):
    response = client.get("/feeds/documents.atom", params=params)
    assert response.status_code == 400
    assert says in response.text


def test_an_updated_document_moves_up_with_a_new_updated_time(client, settings, database):
    before = {
        e.find(f"{A}link").get("href").rsplit("/", 1)[1]: (
            e.find(f"{A}published").text, e.find(f"{A}updated").text,
        )
        for e in feed(client).iter(f"{A}entry")
    }  # fmt: skip
    path = settings.content / "lessons/vendor.md"
    path.write_text(path.read_text("utf-8").replace("month four", "month five"), "utf-8")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    while dt.datetime.now(dt.UTC) < later:  # timestamps have whole seconds
        pass
    ingest_and_index(settings, database, EmbedderPool(settings.embedders, settings.threads))
    root = feed(client)
    first = root.find(f"{A}entry")
    assert first.find(f"{A}link").get("href").endswith("/docs/lesson-vendor")
    published, updated = first.find(f"{A}published").text, first.find(f"{A}updated").text
    assert published == before["lesson-vendor"][0]  # first published: unchanged
    assert updated > before["lesson-vendor"][1]
    assert root.find(f"{A}updated").text == updated
    # the others did not change
    for entry in list(root.iter(f"{A}entry"))[1:]:
        doc = entry.find(f"{A}link").get("href").rsplit("/", 1)[1]
        assert entry.find(f"{A}updated").text == before[doc][1]


def test_search_and_browse_pages_point_to_their_feed(client):
    search = client.get("/search", params={"q": "risk", "area": "risk", "lang": "en"}).text
    assert (
        '<link rel="alternate" type="application/atom+xml"' in search
        and 'href="/feeds/documents.atom?area=risk&amp;lang=en"' in search
    )
    browse = client.get("/browse/phase/planning").text
    assert 'type="application/atom+xml"' in browse
    assert 'href="/feeds/documents.atom?phase=planning"' in browse
    assert 'href="/feeds/documents.atom"' in client.get("/browse").text
