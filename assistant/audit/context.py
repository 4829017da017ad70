"""Where a figure stands in the text: its sentence, and the figures stated next to it."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from gongkai.types import Fact

_SENTENCE_END = re.compile(r"[。！？\n]")


class Sentences:
    """Sentence bounds of a text, for grouping prose figures."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.ends = [m.end() for m in _SENTENCE_END.finditer(text)]

    def index(self, offset: int) -> int:
        return bisect_right(self.ends, offset)

    def bounds(self, index: int) -> tuple[int, int]:
        start = self.ends[index - 1] if index > 0 else 0
        end = self.ends[index] if index < len(self.ends) else len(self.text)
        return start, end

    def sentence(self, index: int) -> str:
        start, end = self.bounds(index)
        return self.text[start:end]


def in_span(facts: Sequence[Fact], start: int, end: int) -> list[Fact]:
    return [f for f in facts if start <= f.start and f.end <= end]


def is_money(fact: Fact) -> bool:
    return fact.unit in ("元", "千元", "万元", "亿元") and fact.value_yuan is not None
