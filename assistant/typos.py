"""Homophone typos: what a pinyin keyboard makes of a word ('差率费' for 差旅费, '检查院' for 检察院).

A phone user types pinyin and picks a candidate; the wrong pick sounds the same. Two strings of one
length sound alike when every character shares a reading (tones ignored, heteronyms allowed, and
-ng/-n merged, the keyboard's commonest slip: '中兴' for 中心). `SoundIndex` finds, among many
names, those a piece of a question sounds like and shares at least half its characters with.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from itertools import islice, product

MAX_READINGS = 16  # heteronym combinations tried per piece


@lru_cache(maxsize=65536)
def readings(char: str) -> tuple[str, ...]:
    """The normalised pinyin readings of one character ('' for a non-Chinese one)."""
    from pypinyin import Style, pinyin

    found = pinyin(char, style=Style.NORMAL, heteronym=True, errors=lambda _: [""])[0]
    return tuple(dict.fromkeys(_merge_nasals(r) for r in found))


def _merge_nasals(syllable: str) -> str:
    return syllable[:-1] if syllable.endswith("ng") else syllable


def sounds_alike(a: str, b: str) -> bool:
    return len(a) == len(b) and all(set(readings(x)) & set(readings(y)) for x, y in zip(a, b))


def _keys(text: str) -> Iterable[tuple[str, ...]]:
    return islice(product(*(readings(ch) or ("",) for ch in text)), MAX_READINGS)


class SoundIndex:
    """Names by how they sound, for typo lookups."""

    def __init__(self, names: Iterable[str]) -> None:
        self._by_key: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for name in names:
            key = tuple(readings(ch)[0] if readings(ch) else "" for ch in name)
            self._by_key[key].add(name)

    def homophones(self, piece: str) -> list[str]:
        """Names sounding like `piece`, sharing at least half its characters, other than itself."""
        found = {name for key in _keys(piece) for name in self._by_key.get(key, ())}
        return sorted(name for name in found if name != piece
                      and 2 * sum(a == b for a, b in zip(name, piece)) >= len(piece))
