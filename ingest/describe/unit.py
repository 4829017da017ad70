"""The issuing unit: a place name, an organ, and a unit-kind suffix ('柞水县' '政务服务中心').

A unit is found by its kind suffix, then extended left to the place name that starts it (or to
'中共' before that place). Without a place, only titles and header fields may name a unit, and only
with a specific kind. `unit_kind` is the longest specific kind the name ends with.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ingest.describe._text import CJK, normalize, squeeze_cjk
from ingest.describe.locality import place_chains

# Specific unit kinds of the genre; the longest one a name ends with is its unit_kind.
UNIT_KINDS = tuple(
    "政务服务中心 政务服务管理局 政务服务管理办公室 政务服务局 政务服务办公室 "
    "政务服务和大数据管理局 政务服务数据管理局 政务服务和数据管理局 行政审批局 "
    "行政审批服务局 行政审批服务管理局 审批服务管理局 审批服务局 行政服务中心 "
    "市民服务中心 便民服务中心 公共资源交易中心 数据局 数据管理局 大数据局 "
    "大数据管理局 数据资源管理局 大数据中心 大数据发展中心 数据发展中心 "
    "大数据服务中心 信息中心 财政局 财政厅 税务局 审计局 审计厅 人民检察院 "
    "人民法院 人民政府 办公厅 办公室 街道办事处 办事处 管理委员会 管委会 "
    "委员会 人民代表大会常务委员会".split()
)
# Endings that close a unit name but say too little to be its kind.
GENERIC_ENDINGS = ("局", "厅", "中心", "院", "政府", "所", "站", "馆", "队", "委", "街道")
_PARTY_PREFIXES = ("中国共产党", "中共")
_MAX_UNIT_CHARS = 40
_CJK_RUN_END = re.compile(f"[{CJK}]+$")
_LEADING_NOISE = re.compile(r"^(年度|年|第[一二三四五六七八九十]+部分)")


@dataclass(frozen=True)
class UnitMatch:
    name: str
    start: int  # offsets within the line searched
    end: int
    kind: str | None
    has_place: bool


def unit_kind(name: str) -> str | None:
    """The longest specific kind `name` ends with ('澄江市政务服务管理局' → '政务服务管理局')."""
    endings = [kind for kind in UNIT_KINDS if name.endswith(kind)]
    return max(endings, key=len) if endings else None


def _kind_endings(line: str) -> dict[int, str]:
    """End offset → the longest kind or generic ending finishing there."""
    endings: dict[int, str] = {}
    for word in UNIT_KINDS + GENERIC_ENDINGS:
        start = line.find(word)
        while start >= 0:
            end = start + len(word)
            if len(word) > len(endings.get(end, "")):
                endings[end] = word
            start = line.find(word, start + 1)
    return endings


def find_units(line: str, *, allow_placeless: bool = False) -> list[UnitMatch]:
    """Unit names in one line, the longest per starting place ('汨罗市人民政府政务服务中心')."""
    line = squeeze_cjk(normalize(line))
    starts = [chain[0].start for chain in place_chains(line)]
    by_start: dict[int, UnitMatch] = {}
    for end, word in sorted(_kind_endings(line).items()):
        run = _CJK_RUN_END.search(line[:end])
        if not run:
            continue
        kind_start = end - len(word)
        place_starts = [s for s in starts if run.start() <= s < kind_start]
        if place_starts:
            start = _with_party_prefix(line, place_starts[-1])
        elif allow_placeless and word in UNIT_KINDS:
            noise = _LEADING_NOISE.match(run.group())
            start = run.start() + (noise.end() if noise else 0)
        else:
            continue
        if end - start > _MAX_UNIT_CHARS or end - start <= len(word):
            continue
        name = line[start:end]
        previous = by_start.get(start)
        if previous is None or len(name) > len(previous.name):
            by_start[start] = UnitMatch(name, start, end, unit_kind(name), bool(place_starts))
    return sorted(by_start.values(), key=lambda u: u.start)


def _with_party_prefix(line: str, start: int) -> int:
    """Move the start back over '中共' / '中国共产党' written right before the place."""
    for prefix in _PARTY_PREFIXES:
        if line[:start].endswith(prefix):
            return start - len(prefix)
    return start


def first_unit(text: str, *, allow_placeless: bool = False) -> UnitMatch | None:
    """The first unit named in `text`, preferring one that starts with a place."""
    units = find_units(text, allow_placeless=allow_placeless)
    placed = [u for u in units if u.has_place]
    return (placed or units or [None])[0]


def most_frequent_unit(lines: list[str]) -> str | None:
    """The place-led unit name recurring most often in these lines (earliest on a tie)."""
    counts: Counter[str] = Counter()
    for line in lines:
        counts.update(u.name for u in find_units(line) if u.has_place)
    return counts.most_common(1)[0][0] if counts else None
