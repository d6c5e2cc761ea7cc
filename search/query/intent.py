"""Intent words: a query that names a kind of document ("项目延期的教训", "risk register template").

The word is a signal, not a term to match: "教训" matches every guide about *writing* lessons.
It counts only as the head of the query — at the end of a Chinese query, or followed by a
preposition or nothing in English — so "lessons learned workshop" or "经验教训总结会" (a workshop
about lessons) name no kind. The searcher drops the word from the text it matches and boosts
documents of that kind; the page offers the kind as a one-click filter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from search.text.analyzer import query_terms

# kind → words that name it, longest first within a language
CHINESE_WORDS = {
    "lesson": ("经验教训", "失败案例", "教训", "复盘", "案例"),
    "template": ("模板", "模版", "表格", "表单", "范本"),
    "guide": ("指南", "指引", "手册"),
    "training": ("培训课程", "培训", "课程", "教程"),
}
ENGLISH_WORDS = {
    "lesson": ("lessons learned", "lessons-learned", "lessons", "lesson", "post-mortems",
               "post-mortem", "postmortems", "postmortem"),
    "template": ("templates", "template"),
    "guide": ("guidelines", "guideline", "guides", "guide", "handbook", "manual"),
    "training": ("training", "trainings", "courses", "course", "tutorials", "tutorial"),
}  # fmt: skip
# words that may follow an English intent word without making it a modifier
ENGLISH_FOLLOWERS = frozenset(
    "about on for from of regarding with when where in to that which do does did we i you are is "
    "was were have has there any please example examples sample samples".split()
)
# what may follow a Chinese intent word: asking for it, filling it in, downloading it
CHINESE_FOLLOWERS = frozenset(
    "填写 填 写 下载 使用 用 参考 样例 示例 例子 查看 获取 找 有 哪里 在哪 在哪里 有没有 吗 呢 吧".split()
)
LATIN_WORD = re.compile(r"[a-z][a-z-]*")


@dataclass(frozen=True)
class Intent:
    """The kind a query names, the word that named it, and the query without it."""

    kind: str
    word: str
    rest: str


def detect_intent(query: str) -> Intent | None:
    """Return the kind of document the query asks for, if a kind word is its head."""
    return _chinese_intent(query) or _english_intent(query)


def _chinese_intent(query: str) -> Intent | None:
    """The last kind word followed only by asking/filling words is the head."""
    heads = []
    for kind, words in CHINESE_WORDS.items():
        for word in words:
            at = query.rfind(word)
            after = query[at + len(word) :]
            if at >= 0 and all(term in CHINESE_FOLLOWERS for term in query_terms(after)):
                heads.append((at + len(word), len(word), at, kind, word))
    if not heads:
        return None
    end, _, at, kind, word = max(heads)
    return _intent(query, kind, word, at, end)


def _english_intent(query: str) -> Intent | None:
    """The first kind word followed by a preposition (or nothing) is the head."""
    lowered = query.lower()
    heads = []
    for kind, words in ENGLISH_WORDS.items():
        for word in words:
            for match in re.finditer(rf"(?<![a-z-]){re.escape(word)}(?![a-z-])", lowered):
                following = LATIN_WORD.findall(lowered[match.end() :])
                if not following or following[0] in ENGLISH_FOLLOWERS:
                    heads.append((match.start(), -len(word), kind, word, match.end()))
    if not heads:
        return None
    at, _, kind, word, end = min(heads)
    return _intent(query, kind, word, at, end)


def _intent(query: str, kind: str, word: str, start: int, end: int) -> Intent:
    rest = (query[:start] + " " + query[end:]).strip()
    return Intent(kind, word, rest if query_terms(rest) else query)
