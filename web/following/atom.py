"""Atom 1.0 (RFC 4287) feeds of published documents: built with an XML library, so every text
is escaped; links are absolute, made from the address the request came to."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import quote

from kb.content.taxonomy import label
from kb.following.changes import Change

ATOM = "http://www.w3.org/2005/Atom"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
# characters XML 1.0 cannot carry at all, even escaped
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class FeedInfo:
    """What the feed says about itself: title, subtitle, its own and its HTML page's address."""

    title: str
    subtitle: str
    self_url: str
    html_url: str
    base_url: str
    lang: str


def timestamp(moment: dt.datetime) -> str:
    """Return an RFC 3339 time in UTC (Atom's date construct)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: str) -> str:
    return NOT_XML.sub("", value)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(
        parent, f"{{{ATOM}}}{tag}", {k: _text(v) for k, v in attributes.items()}
    )
    if text is not None:
        element.text = _text(text)
    return element


def atom_feed(info: FeedInfo, changes: list[Change], now: dt.datetime) -> bytes:
    """Return the feed document (UTF-8 XML) of these documents, newest change first."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": info.lang})
    _add(feed, "id", info.self_url)
    _add(feed, "title", info.title)
    _add(feed, "subtitle", info.subtitle)
    updated = max((change.changed_at for change in changes), default=now)
    _add(feed, "updated", timestamp(updated))
    _add(feed, "link", rel="self", type="application/atom+xml", href=info.self_url)
    _add(feed, "link", rel="alternate", type="text/html", href=info.html_url)
    author = _add(feed, "author")
    _add(author, "name", "PMO")
    _add(feed, "generator", "PMO Knowledge Base")
    base = info.base_url.rstrip("/")
    for change in changes:
        url = f"{base}/docs/{quote(change.id)}"
        entry = _add(feed, "entry")
        _add(entry, "id", url)
        _add(entry, "title", change.title)
        _add(entry, "link", rel="alternate", type="text/html", href=url, hreflang=change.lang)
        _add(entry, "published", timestamp(change.published_at))
        _add(entry, "updated", timestamp(change.changed_at))
        if change.owner:
            _add(_add(entry, "author"), "name", change.owner)
        categories = [("kind", change.kind)]
        categories += [("phase", p) for p in change.phases] + [("area", a) for a in change.areas]
        for facet, value in categories:
            scheme = f"{base}/browse/{facet}/"
            _add(entry, "category", term=value, scheme=scheme, label=label(value, info.lang))
        for tag in change.tags:
            _add(entry, "category", term=str(tag), scheme=f"{base}/search?tag=")
        if change.summary:
            _add(entry, "summary", change.summary, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
