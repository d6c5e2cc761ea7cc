"""A whoosh analyzer for mixed Chinese/English text.

Latin words are lower-cased, stop words dropped and Porter-stemmed. Chinese runs are segmented by
jieba (precise mode) and every word is reduced to its *leaf* words (风险管理 → 风险 / 管理), which
get consecutive positions. At index time the compound word is also emitted at its first leaf's
position, so a query for either form matches; at query time only leaves are emitted. This keeps
AND queries and phrases consistent between a document tokenised as 项目/风险管理/计划 and a query
tokenised as 风险管理.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

import jieba
import stopwordsiso
from whoosh.analysis import Token, Tokenizer
from whoosh.lang.porter import stem

TOKEN = re.compile(
    r"(?P<cjk>[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|(?P<latin>[A-Za-z0-9]+(?:['’][A-Za-z]+)?)"
)
ENGLISH_STOP_WORDS = frozenset(
    "a an and are as at be by for from has have in is it its of on or that the to was were will "
    "with this these those we our you your i me my do does did how what when where which who why "
    "can could should would if then than there their they them he she his her not no but so".split()
)
# Chinese function words (的, 时, 怎样, 如何, 所有 …): the stopwords-iso list, less the few
# entries that carry meaning in project work, plus question words it lacks.
CHINESE_STOP_WORDS = (
    frozenset(stopwordsiso.stopwords("zh")) - frozenset("开始 结果 替代 逐步 遵循".split())
) | frozenset("应该 需要 是否 没有 哪里 能够 怎么办 一下".split())


def configure_jieba(cache_dir: Path | None) -> None:
    """Point jieba's dictionary cache into the data folder and silence its start-up log."""
    jieba.setLogLevel(logging.WARNING)
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        jieba.dt.tmp_dir = str(cache_dir)


@lru_cache(maxsize=200_000)
def stem_word(word: str) -> str:
    """Return the Porter stem of a lower-case English word (cached)."""
    return stem(word)


@lru_cache(maxsize=200_000)
def leaves(word: str) -> tuple[str, ...]:
    """Split a Chinese word into its finest dictionary words (fewest single characters)."""
    if len(word) <= 2:
        return (word,)
    jieba.dt.check_initialized()
    freq = jieba.dt.FREQ
    n = len(word)
    # best[i] = (singles, -pieces, split) for word[:i]
    best: list[tuple[int, int, tuple[str, ...]] | None] = [None] * (n + 1)
    best[0] = (0, 0, ())
    for end in range(1, n + 1):
        for start in range(max(0, end - 4), end):
            piece = word[start:end]
            if best[start] is None or piece == word:
                continue
            if len(piece) > 1 and freq.get(piece, 0) <= 0:
                continue
            singles, pieces, split = best[start]
            candidate = (singles + (len(piece) == 1), pieces - 1, (*split, piece))
            if best[end] is None or candidate[:2] < best[end][:2]:
                best[end] = candidate
    result = best[n]
    if result is None or result[0] >= n or len(result[2]) < 2:
        return (word,)
    return result[2]


def chinese_tokens(run: str, index_mode: bool) -> list[tuple[str, int, int, bool]]:
    """Segment a Chinese run into (word, start, end, is_leaf) tuples, compounds only at index time."""
    out: list[tuple[str, int, int, bool]] = []
    offset = 0
    for word in jieba.cut(run, HMM=True):
        start = offset
        offset += len(word)
        parts = leaves(word)
        if index_mode and len(parts) > 1 and word not in CHINESE_STOP_WORDS:
            out.append((word, start, start + len(word), False))
        position = start
        for part in parts:
            out.append((part, position, position + len(part), True))
            position += len(part)
    return out


class MixedTokenizer(Tokenizer):
    """Tokenizes Chinese and English text into search terms with consistent positions."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MixedTokenizer)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ):
        index_mode = mode == "index"
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        position = start_pos
        for match in TOKEN.finditer(value):
            if match.lastgroup == "latin":
                word = match.group().lower().replace("’", "'")
                if word in ENGLISH_STOP_WORDS:
                    continue
                yield from self._emit(
                    token, stem_word(word), position, match.start(), match.end(),
                    start_char, keeporiginal, match.group(),
                )  # fmt: skip
                position += 1
                continue
            base = match.start()
            for word, start, end, is_leaf in chinese_tokens(match.group(), index_mode):
                if word in CHINESE_STOP_WORDS:
                    if is_leaf:
                        position += 1
                    continue
                yield from self._emit(
                    token, word, position, base + start, base + end, start_char, keeporiginal, word
                )
                if is_leaf:
                    position += 1

    @staticmethod
    def _emit(token, text, position, start, end, start_char, keeporiginal, original):
        token.text = text
        token.boost = 1.0
        token.stopped = False
        if keeporiginal:
            token.original = original
        token.pos = position
        token.startchar = start_char + start
        token.endchar = start_char + end
        yield token


def analyzer() -> MixedTokenizer:
    """Return the analyzer used by every text field of the keyword index."""
    return MixedTokenizer()


def query_terms(text: str) -> list[str]:
    """Return the distinct search terms of a query, in order (for highlighting and spelling)."""
    seen: dict[str, None] = {}
    for token in MixedTokenizer()(text, mode="query"):
        seen.setdefault(token.text, None)
    return list(seen)
