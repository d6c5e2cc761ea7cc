"""Language facts about text: CJK detection, language guess, a rough model-token count."""

from __future__ import annotations

import re

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
LATIN_WORD = re.compile(r"[A-Za-z0-9]+")


def has_cjk(text: str) -> bool:
    """Tell whether the text contains any Chinese character."""
    return CJK.search(text) is not None


def detect_lang(text: str) -> str:
    """Guess 'zh' or 'en': Chinese when Chinese characters outnumber Latin words."""
    cjk = len(CJK.findall(text))
    words = len(LATIN_WORD.findall(text))
    return "zh" if cjk and cjk >= words else "en"


def estimate_tokens(text: str) -> int:
    """Roughly count model tokens: one per Chinese character, 1.3 per Latin word."""
    return len(CJK.findall(text)) + int(len(LATIN_WORD.findall(text)) * 1.3)
