"""Which issuing units a question names: by any alias of a stored unit, or a unit not stored.

Aliases come from the catalog (`ingest.units` generates them at ingestion; officials add more).
The longest alias wins; an alias several units share resolves only where a named place keeps one
of them, else the question is ambiguous and the answer asks which. A name shaped like a unit
('省公安厅', '普陀区教育局') that no stored unit answers to is reported as not stored. A homophone
typo a phone keyboard makes ('检查院') matches by pinyin.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.catalog import Catalog, StoredUnit
from ingest.units import LEVEL_CHARS, read_unit_name

_CJK = r"\u4e00-\u9fff"
# Endings that close a unit's name; a level or place before them makes the words a unit.
_ENDINGS = "委员会|办公室|办公厅|办事处|街道|检察院|法院|中心|局|厅|委|办|院|镇|乡|部|馆|所|站|队"
_NAME_CHAR = r"[^\W\d_和与及跟同比较的是在了呢吗各年度、，,。？?！!]"  # a character a unit's name may hold
_LEVELLED = re.compile(rf"[省市区县](?:委)?{_NAME_CHAR}{{1,10}}?(?:{_ENDINGS})(?![门分署长级])")
_PLACE_LED = re.compile(rf"{_NAME_CHAR}{{0,12}}?(?:{_ENDINGS})(?![门分署长级])")
_PLACELESS = re.compile(rf"{_NAME_CHAR}{{2,8}}?(?:厅|局|馆|委员会|办事处|检察院|法院)(?![门分署长级])")
# Words ending like a unit that name a place of work, not a unit ('政务服务大厅').
_NOT_UNITS = re.compile(r"(?:大厅|展厅|餐厅|客厅|书馆|场馆|布局|格局|结局|当局|全局|大局)$")
_PARTICLES = "那和与及跟比较同的是在了呢吗请问看查把对给"  # words before a name that are not of it
MIN_TYPO_ALIAS = 3  # a two-character alias with a typo is too often another word


@dataclass(frozen=True)
class UnitsAsked:
    units: tuple[str, ...] = ()  # stored unit ids, in the order named
    spans: tuple[tuple[int, int], ...] = ()  # characters of the question that named units
    ambiguous: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (name as written, the units it may be)
    unknown: tuple[str, ...] = ()  # unit names no stored unit answers to


def find_units(question: str, catalog: Catalog, localities: Sequence[str] = (),
               taken: Sequence[tuple[int, int]] = (),
               places: Sequence[tuple[int, int]] = (),
               unknown_places: Sequence[tuple[int, int]] = (),
               items: Sequence[tuple[int, int]] = ()) -> UnitsAsked:
    """The units `question` names; `localities` (named places) settle shared aliases; `taken`
    spans (years) are not unit names; `places` are the spans of place names, and a bare alias
    right after a place no document is of ('浦东新区' + '政务服务中心') names that place's unit;
    an alias inside a longer item's name ('政协' in '其他政协事务支出') is the item's."""
    found: list[tuple[int, int, frozenset[str]]] = []
    spans = list(taken)
    named = [(max([s, *(ie for is_, ie in items if is_ <= s < ie)]), e)  # '人员经费' + '市财政局'
             for s, e in _unit_like_spans(question, places)]
    together: list[str] = []
    for start, end, ids in _collective_matches(question, catalog, localities):
        if not any(s < end and start < e for s, e in spans):
            spans.append((start, end))
            together += ids
    for start, end, ids in _alias_matches(question, catalog):
        if _tail_of_another_name(question, start, end, named, places):
            continue  # '法院' of '南京市中级人民法院', '检察院' of '浙江省人民检察院'

        if any(s <= start < e - 1 or e == start + 1 for s, e in places if s < start):
            continue  # '市政务服务中心' inside '澄江市政务服务中心': the 市 is the place's
        if any(e == start for _, e in unknown_places):
            continue
        if any(s <= start and end <= e and e - s > end - start for s, e in items):
            continue
        if not any(s < end and start < e for s, e in spans):
            spans.append((start, end))
            found.append((start, end, ids))
    units: list[str] = []
    ambiguous: list[tuple[str, tuple[str, ...]]] = []
    unknown = []
    # a place named only inside a unit's name ('普陀区' of '普陀区财政局') does not bind other units
    binding = any(not any(fs <= s and e <= fe for fs, fe, _ in found) for s, e in places)
    for start, end, ids in sorted(found):
        kept = _in_places(ids, catalog, localities)
        outside = bool(localities) and (binding or any(e == start for _, e in places)) and not any(
            catalog.unit(i).locality.startswith(p) for i in ids for p in localities)
        near = _place_before(question, start, places, catalog, localities)  # '潼南' + '政务中心'
        kin = _kin_in_places(question[start:end], catalog, near or localities) if outside or len(kept) > 1 else None
        if kin:
            units.append(kin)
        elif outside:  # '汨罗市' + '财政局': a unit of the named place, not one elsewhere
            place_start = min((s for s, e in places if e == start), default=start)
            unknown.append(question[place_start:end])
        elif len(kept) == 1:
            units.append(next(iter(kept)))
        elif each := _in_each_place(question[start:end], kept, catalog, localities):
            units += each
        else:
            ambiguous.append((question[start:end], tuple(sorted(kept, key=lambda i: catalog.unit(i).name))))
    unit_spans = tuple((s, e) for s, e, _ in sorted(found))
    for name in _unknown_units(question, spans, places):
        if kin := _kin_in_places(name, catalog, localities):
            units.append(kin)
        else:
            unknown.append(name)
    return UnitsAsked(tuple(dict.fromkeys([*together, *units])), unit_spans, tuple(ambiguous), tuple(unknown))


# Names the genre gives several units together ('两院' = a place's 人民法院 and 人民检察院).
COLLECTIVE_NAMES = {"两院": ("法院", "检察院"), "公检法": ("公安", "检察院", "法院"), "法检": ("法院", "检察院")}


def _collective_matches(question: str, catalog: Catalog, localities: Sequence[str]
                        ) -> list[tuple[int, int, list[str]]]:
    """(start, end, unit ids) of each collective name whose every member is one stored unit of
    one place (the named places, else any single place holding them all)."""
    found = []
    for name, members in COLLECTIVE_NAMES.items():
        start = question.find(name)
        if start < 0:
            continue
        places = list(localities) or sorted({u.locality for u in catalog.units})
        for place in places:
            inside = catalog.units_in(place)
            picked = [[u.id for u in inside if member in u.name] for member in members]
            if all(len(ids) == 1 for ids in picked):
                found.append((start, start + len(name), [ids[0] for ids in picked]))
                break
    return found


def _place_before(question: str, start: int, places: Sequence[tuple[int, int]], catalog: Catalog,
                  localities: Sequence[str]) -> list[str]:
    """The named locality written right before `start`, as a list ([] when none)."""
    for place_start, place_end in places:
        if place_end == start:
            written = question[place_start:place_end]
            return [p for p in localities if written in (catalog.locality(p).forms() if catalog.locality(p) else ())]
    return []


def _unit_like_spans(question: str, places: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans shaped like a unit's name: led by a level or a place, or ending in a unit's word."""
    spans = [m.span() for pattern in (_LEVELLED, _PLACELESS) for m in pattern.finditer(question)]
    for start, end in places:
        if match := _PLACE_LED.match(question, end):
            spans.append((start, match.end()))
    return spans


def _tail_of_another_name(question: str, start: int, end: int, named: Sequence[tuple[int, int]],
                          places: Sequence[tuple[int, int]]) -> bool:
    """An alias ending a longer unit-like name whose words before it are more than a place or a
    level: the longer name is of another unit."""
    for s, e in named:
        if e != end or s >= start:
            continue
        prefix = question[s:start].lstrip(_PARTICLES)
        if not prefix:
            continue
        s = start - len(prefix)
        is_place = any(ps == s and pe == start for ps, pe in places)
        is_level = len(prefix) == 1 and prefix in LEVEL_CHARS
        if not is_place and not is_level:
            return True
    return False


def _kin_in_places(name: str, catalog: Catalog, localities: Sequence[str]) -> str | None:
    """The one stored unit of the named places whose core begins like the name's ('政务服务中心'
    of a place whose stored unit is its 政务服务管理局): the same body by another of its names.
    None when no place is named, or none or several units are kin."""
    if not localities:
        return None
    core = read_unit_name(name, None).core
    for place in localities:
        core = core.removeprefix(place).removeprefix(catalog.short(place))
    kin = [u for place in localities for u in catalog.units_in(place)
           if len(_common_prefix(read_unit_name(u.name, None).core, core, place, catalog)) >= 2]
    return kin[0].id if len({u.id for u in kin}) == 1 else None


def _in_each_place(name: str, ids: frozenset[str], catalog: Catalog, localities: Sequence[str]) -> list[str]:
    """'澄江、呈贡、柞水、汨罗、潼南的政务中心': a name several named places' units carry, one in
    each, asked of every named place — its unit of that name, or its one kin or only unit — or []."""
    places = [catalog.unit(i).locality for i in ids]
    if len(localities) < 2 or len(set(places)) != len(places):
        return []
    found = []
    for place in localities:
        mine = [i for i in ids if catalog.unit(i).locality.startswith(place)]
        own = catalog.units_in(place)
        unit = mine[0] if len(mine) == 1 else _kin_in_places(name, catalog, [place]) or (
            own[0].id if len(own) == 1 else None)
        if unit is None:
            return []
        found.append(unit)
    return found


def _common_prefix(stored: str, asked: str, place: str, catalog: Catalog) -> str:
    for form in (place, catalog.short(place)):
        stored = stored.removeprefix(form)
    length = 0
    while length < min(len(stored), len(asked)) and stored[length] == asked[length]:
        length += 1
    return stored[:length]


def _alias_matches(question: str, catalog: Catalog) -> list[tuple[int, int, frozenset[str]]]:
    """(start, end, unit ids) of every alias in the question, longest first."""
    longest = max((len(a) for a in catalog.aliases), default=0)
    matches = []
    for length in range(min(longest, len(question)), 1, -1):
        for start in range(len(question) - length + 1):
            piece = question[start:start + length]
            ids = catalog.aliases.get(piece)
            if ids is None and length >= MIN_TYPO_ALIAS:
                ids = _typo_alias(piece, catalog)
            if ids:
                matches.append((start, start + length, ids))
    return matches


def _typo_alias(piece: str, catalog: Catalog) -> frozenset[str] | None:
    """The units of the aliases `piece` is a homophone typo of."""
    if not re.fullmatch(f"[{_CJK}]+", piece):
        return None
    ids = {i for alias in catalog.sounds("aliases").homophones(piece) for i in catalog.aliases[alias]}
    return frozenset(ids) or None


def _in_places(ids: frozenset[str], catalog: Catalog, localities: Sequence[str]) -> frozenset[str]:
    """The units among `ids` inside a named place; all of them when no place is named or none is."""
    if not localities or len(ids) == 1:
        return ids
    kept = frozenset(i for i in ids if any(catalog.unit(i).locality.startswith(p) for p in localities))
    return kept or ids


def _unknown_units(question: str, taken: Sequence[tuple[int, int]],
                   places: Sequence[tuple[int, int]]) -> tuple[str, ...]:
    """Names shaped like a unit that no stored alias covered, with the place written before them
    ('江苏省' + '省教育厅' → '江苏省教育厅')."""
    unknown = []
    for pattern in (_LEVELLED, _PLACELESS):
        for match in pattern.finditer(question):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken) or _NOT_UNITS.search(match.group()):
                continue
            for place_start, place_end in places:
                if place_start < start < place_end or place_end == start:
                    start = place_start
            unknown.append(question[start:end])
            taken = [*taken, (start, end)]
    return tuple(dict.fromkeys(unknown))


def closest_units(name: str, units: Sequence[StoredUnit], limit: int = 8) -> list[StoredUnit]:
    """Stored units ordered by how much their name resembles `name`."""
    return sorted(units, key=lambda u: -difflib.SequenceMatcher(None, name, u.name).ratio())[:limit]
