"""The digest: what a PMO mails its project managers each week — the lessons published or
updated in a period and the lessons' overdue actions, grouped by knowledge area, as Markdown or
HTML.

A digest is a list of parts; each part is built by one function from (session, digest) and
made of groups of items (a title, a link, one line about it, an optional summary)."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.content.taxonomy import Area, Kind, label
from kb.following.changes import Change, changed_documents
from kb.insights.actions import actions as open_actions
from kb.store.tables import DocumentRow

NO_AREA = ""
SINCE = re.compile(r"^(\d{1,4})([hdw])$")
UNITS = {"h": "hours", "d": "days", "w": "weeks"}


class PeriodError(ValueError):
    """A --since value that is neither a duration (7d, 12h, 2w) nor a date (2026-11-25)."""


def parse_since(value: str, now: dt.datetime) -> dt.datetime:
    """Return the start of the period: `7d`, `12h`, `2w` before now, or a date (YYYY-MM-DD, UTC)."""
    text = value.strip().lower()
    if match := SINCE.match(text):
        amount = int(match.group(1))
        if amount == 0:
            raise PeriodError(
                f"--since {value!r} is an empty period: use at least 1{match.group(2)}"
            )
        return now - dt.timedelta(**{UNITS[match.group(2)]: amount})
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise PeriodError(
            f"--since {value!r} is not a period: use a number of hours, days or weeks "
            "(12h, 7d, 2w) or a date (2026-11-25)"
        ) from None
    start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    if start > now:
        raise PeriodError(f"--since {value!r} is in the future: use a date up to today")
    return start


@dataclass(frozen=True)
class DigestItem:
    """One entry of the digest: what it is, where it links, one line about it, a summary."""

    title: str
    url: str
    detail: str
    summary: str = ""


@dataclass(frozen=True)
class DigestGroup:
    """The items under one heading (a knowledge area)."""

    key: str
    heading: str
    items: list[DigestItem]


@dataclass(frozen=True)
class DigestPart:
    """One part of the digest: a title, what to say when it is empty, and its groups."""

    title: str
    empty: str
    groups: list[DigestGroup]


@dataclass(frozen=True)
class Digest:
    """A digest of one period, in one language, with links under base_url."""

    since: dt.datetime
    until: dt.datetime
    lang: str
    base_url: str
    parts: list[DigestPart] = field(default_factory=list)


TEXTS = {
    "title": {"en": "PMO knowledge base digest", "zh": "PMO 知识库摘要"},
    "period": {"en": "{since} to {until} (UTC)", "zh": "{since} 至 {until}（UTC）"},
    "lessons": {"en": "New and updated lessons learned", "zh": "新增和更新的经验教训"},
    "no_lessons": {
        "en": "No lessons were published or updated in this period.",
        "zh": "本期没有新发布或更新的经验教训。",
    },
    "no_area": {"en": "No knowledge area", "zh": "未分领域"},
    "new": {"en": "new", "zh": "新增"},
    "updated": {"en": "updated", "zh": "更新"},
    "also": {"en": "also", "zh": "另见"},
    "actions": {"en": "Overdue actions of lessons learned", "zh": "逾期的经验教训改进行动"},
    "no_actions": {
        "en": "No action of a published lesson is overdue.",
        "zh": "已发布的经验教训中没有逾期的改进行动。",
    },
    "action_line": {
        "en": "{owner}, due {due} ({days} days overdue) · lesson: {lesson}",
        "zh": "{owner}，截止 {due}（逾期 {days} 天）· 教训：{lesson}",
    },
}


def text(key: str, lang: str, **values: object) -> str:
    """Return a digest phrase in the digest's language."""
    phrase = TEXTS[key].get(lang) or TEXTS[key]["en"]
    return phrase.format(**values) if values else phrase


def _one_per_translation(changes: list[Change], lang: str, pairs: dict[str, str]) -> list[Change]:
    """Keep one version of a translated document: the one in the digest's language."""
    by_id = {change.id: change for change in changes}
    kept = []
    for change in changes:
        other = pairs.get(change.id)
        if other in by_id and change.lang != lang and by_id[other].lang == lang:
            continue
        if other in by_id and change.lang == by_id[other].lang and change.id > other:
            continue
        kept.append(change)
    return kept


def _pairs(ids: list[str], session: Session) -> dict[str, str]:
    """Return {document id: its translation's id} for these documents."""
    rows = session.execute(
        select(DocumentRow.id, DocumentRow.translation_of).where(
            DocumentRow.id.in_(ids) | DocumentRow.translation_of.in_(ids)
        )
    ).all()
    pairs: dict[str, str] = {}
    for doc_id, translation_of in rows:
        if translation_of:
            pairs[doc_id], pairs[translation_of] = translation_of, doc_id
    return pairs


def lessons_part(session: Session, digest: Digest) -> DigestPart:
    """The lessons published or updated in the period, under their first knowledge area."""
    changes = changed_documents(session, digest.since, {"kind": [Kind.LESSON.value]}, limit=1000)
    changes = [c for c in changes if c.changed_at <= digest.until]
    changes = _one_per_translation(changes, digest.lang, _pairs([c.id for c in changes], session))
    grouped: dict[str, list[DigestItem]] = {}
    order_in_area: dict[str, list[tuple[bool, str, DigestItem]]] = {}
    for change in changes:
        area = change.areas[0] if change.areas else NO_AREA
        new = change.is_new_since(digest.since)
        state = text("new" if new else "updated", digest.lang)
        detail = f"{state}, {change.changed_at.strftime('%Y-%m-%d')}{_also(change, digest.lang)}"
        item = DigestItem(change.title, _url(digest, change.id), detail, change.summary)
        order_in_area.setdefault(area, []).append((not new, change.title, item))
    for area, entries in order_in_area.items():
        grouped[area] = [item for *_, item in sorted(entries, key=lambda e: e[:2])]
    return DigestPart(
        text("lessons", digest.lang), text("no_lessons", digest.lang), _by_area(grouped, digest)
    )


def overdue_actions_part(session: Session, digest: Digest) -> DigestPart:
    """The open actions of published lessons whose due date has passed, most overdue first,
    under their lesson's first knowledge area (one version of a translated lesson)."""
    today = digest.until.astimezone().date()  # the server's day, as on the dashboard
    items = [item for item in open_actions(session, today) if item.overdue]
    shown = {item.doc_id for item in items}
    pairs = _pairs([item.doc_id for item in items], session)
    grouped: dict[str, list[DigestItem]] = {}
    for action in items:
        other = pairs.get(action.doc_id)
        if other in shown and action.lang != digest.lang:
            continue  # the translation's copy of the same action is listed
        area = action.areas[0] if action.areas else NO_AREA
        detail = text(
            "action_line", digest.lang, owner=action.owner, due=action.due,
            days=action.days_overdue, lesson=action.title,
        )  # fmt: skip
        url = f"{digest.base_url.rstrip('/')}{action.url}"
        grouped.setdefault(area, []).append(DigestItem(action.what, url, detail))
    return DigestPart(
        text("actions", digest.lang), text("no_actions", digest.lang), _by_area(grouped, digest)
    )


def _url(digest: Digest, doc_id: str) -> str:
    return f"{digest.base_url.rstrip('/')}/docs/{doc_id}"


def _by_area(grouped: dict[str, list[DigestItem]], digest: Digest) -> list[DigestGroup]:
    """Return the groups in the order of the knowledge areas, the ones without an area last."""
    order = {a.value: index for index, a in enumerate(Area)}
    return [
        DigestGroup(area, label(area, digest.lang) if area else text("no_area", digest.lang), items)
        for area, items in sorted(grouped.items(), key=lambda kv: order.get(kv[0], 99))
    ]


PARTS: tuple[Callable[[Session, Digest], DigestPart], ...] = (lessons_part, overdue_actions_part)


def build_digest(
    session: Session,
    since: dt.datetime,
    until: dt.datetime,
    lang: str = "en",
    base_url: str = "http://127.0.0.1:8000",
) -> Digest:
    """Build the digest of a period from every part in PARTS."""
    digest = Digest(since.astimezone(dt.UTC), until.astimezone(dt.UTC), lang, base_url)
    digest.parts.extend(part(session, digest) for part in PARTS)
    return digest


def _period(digest: Digest) -> str:
    fmt = "%Y-%m-%d %H:%M"
    return text(
        "period", digest.lang, since=digest.since.strftime(fmt), until=digest.until.strftime(fmt)
    )


def _also(change: Change, lang: str) -> str:
    other_areas = change.areas[1:]
    if not other_areas:
        return ""
    return f" ({text('also', lang)}: {', '.join(label(a, lang) for a in other_areas)})"


def _markdown_escape(value: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", value.replace("\n", " "))


def render_markdown(digest: Digest) -> str:
    """Return the digest as Markdown, ready to paste into a mail."""
    lang = digest.lang
    lines = [f"# {text('title', lang)}", "", _period(digest), ""]
    for part in digest.parts:
        lines += [f"## {part.title}", ""]
        if not part.groups:
            lines += [part.empty, ""]
        for group in part.groups:
            lines += [f"### {group.heading}", ""]
            for item in group.items:
                title = _markdown_escape(item.title)
                lines.append(f"- [{title}]({item.url}) — {_markdown_escape(item.detail)}")
                if item.summary:
                    lines.append(f"  {_markdown_escape(item.summary)}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_html(digest: Digest) -> str:
    """Return the digest as a standalone HTML page (every text escaped)."""
    lang = digest.lang
    e = html.escape
    out = [
        "<!doctype html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        f"<title>{e(text('title', lang))}</title></head><body>",
        f"<h1>{e(text('title', lang))}</h1>",
        f"<p>{e(_period(digest))}</p>",
    ]
    for part in digest.parts:
        out.append(f"<h2>{e(part.title)}</h2>")
        if not part.groups:
            out.append(f"<p>{e(part.empty)}</p>")
        for group in part.groups:
            out.append(f"<h3>{e(group.heading)}</h3><ul>")
            for item in group.items:
                summary = f"<br>{e(item.summary)}" if item.summary else ""
                out.append(
                    f'<li><a href="{e(item.url)}">{e(item.title)}</a> — '
                    f"{e(item.detail)}{summary}</li>"
                )
            out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
