"""View helpers of following: feed addresses, the feed's description, and the home page's
"new since your last visit" box."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from kb.content.taxonomy import label
from kb.following.changes import Change
from web.core.i18n import N_, Marked, translator
from web.following.atom import FeedInfo

FEED_PATH = "/feeds/documents.atom"
FEED_FACETS = ("kind", "phase", "area", "tag", "lang")
WATCH_FLASHES: dict[str, Marked] = {  # what the watch list says after a change
    "added": N_("Added to your watch list."),
    "removed": N_("Removed from your watch list."),
}
FIRST_VISIT_DAYS = 14  # a first visit shows what changed in this many days


def feed_url(filters: dict[str, list[str]] | None = None) -> str:
    """Return the (relative) address of the Atom feed with these filters."""
    filters = filters or {}
    pairs = [(facet, value) for facet in FEED_FACETS for value in filters.get(facet, [])]
    return FEED_PATH + (f"?{urlencode(pairs)}" if pairs else "")


def feed_info(base_url: str, filters: dict[str, list[str]], lang: str) -> FeedInfo:
    """Describe the feed of these filters: a title naming them, its own and its page's address."""
    base = base_url.rstrip("/")
    named = [label(v, lang) for facet in FEED_FACETS for v in filters.get(facet, [])]
    title = " · ".join([translator(lang).gettext("PMO Knowledge Base: new and updated"), *named])
    single = [(f, v) for f, values in filters.items() for v in values]
    html = "/"
    if len(single) == 1 and single[0][0] in ("kind", "phase", "area"):
        html = f"/browse/{single[0][0]}/{single[0][1]}"
    return FeedInfo(
        title,
        translator(lang).gettext("Documents published or updated in the PMO knowledge base."),
        base + feed_url(filters),
        base + html,
        base,
        lang,
    )


@dataclass(frozen=True)
class NewsItem:
    """A watched document that is new or updated since the last visit."""

    change: Change
    new: bool


@dataclass(frozen=True)
class News:
    """The home page's box for a signed-in user: what changed in their watches, and since when."""

    since: dt.datetime | None  # the end of the previous visit (None: the first visit)
    watching: bool
    items: list[NewsItem] = field(default_factory=list)
    first_visit_days: int = FIRST_VISIT_DAYS


def news_window(since: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """Return the time the home page's box looks back to: the previous visit, or a fortnight."""
    return since if since is not None else now - dt.timedelta(days=FIRST_VISIT_DAYS)


def news_items(changes: list[Change], since: dt.datetime) -> list[NewsItem]:
    """Return the changes as news, each marked new (first published since) or updated."""
    return [NewsItem(change, change.is_new_since(since)) for change in changes]
