"""Which place a unit name or title is about, resolved against the gazetteer.

`full` is the key that keeps places apart: districts carry their city ('昆明市呈贡区',
'重庆市潼南区') because district names repeat across cities and are written that way; provinces,
prefectures, counties and county-level cities stand alone ('柞水县', '汨罗市') unless their name is
shared, when they carry their parent too. A shared name whose parent the text does not reveal
keeps the name as written with province/city left None, except what all its candidates share.
"""

from __future__ import annotations

import re
from collections import Counter

from gongkai.types import Locality
from ingest.describe._text import CJK, normalize, squeeze_cjk
from ingest.describe.gazetteer import (
    CITY,
    COUNTY,
    DISTRICT,
    PROVINCE,
    Division,
    PlaceMatch,
    bare_name,
    gazetteer,
)

_CJK_CHAR = re.compile(f"[{CJK}]")
_AFTER_YEAR = re.compile(r"\d\s*年度?$")


def place_chains(text: str) -> list[list[PlaceMatch]]:
    """Runs of adjacent division names, each nested in the previous ('昆明市' '呈贡区').

    Two-character names (和县, 城区 …) and derived forms (潼南县, 红河州) can be parts of other
    words ('雄安新区' holds '安新区'), so they count only where a name can begin (the start, after
    a non-Chinese character or a year) or right after their parent.
    """
    chains: list[list[PlaceMatch]] = []
    for match in gazetteer().find(text):
        previous = chains[-1][-1] if chains else None
        continues = (
            previous is not None
            and previous.end == match.start
            and bool(_nested(match.divisions, previous.divisions))
        )
        if continues:
            chains[-1].append(match)
        elif (match.official and len(match.written) > 2) or _opens_name(text, match.start):
            chains.append([match])
    return chains


def _opens_name(text: str, start: int) -> bool:
    """True where a name can begin: the text's start, after a non-Chinese character or a year."""
    return (
        start == 0 or not _CJK_CHAR.match(text[start - 1]) or bool(_AFTER_YEAR.search(text[:start]))
    )


def _nested(children: tuple[Division, ...], parents: tuple[Division, ...]) -> tuple[Division, ...]:
    """The children lying inside one of the parents."""
    return tuple(c for c in children if any(c.within(p) and c.code != p.code for p in parents))


def resolve_chain(chain: list[PlaceMatch]) -> tuple[Division, ...]:
    """Candidates for the chain's deepest name, narrowed by the names before it."""
    candidates = chain[0].divisions
    for match in chain[1:]:
        candidates = _nested(match.divisions, candidates)
    return candidates


def disambiguate(candidates: tuple[Division, ...], context: str) -> tuple[Division, ...]:
    """Keep the candidate whose parents the context mentions most; all of them on a tie."""
    if len(candidates) < 2 or not context:
        return candidates
    mentioned = Counter(m.written for chain in place_chains(context) for m in chain)
    scores = [
        sum(mentioned[name] for name in {c.parent, c.city, c.province} if name) for c in candidates
    ]
    best = max(scores)
    winners = tuple(c for c, s in zip(candidates, scores, strict=True) if s == best)
    return winners if best > 0 and len(winners) == 1 else candidates


def locality_from(text: str, context: str = "") -> Locality | None:
    """The place named first in `text` (a unit name, title or field value), or None."""
    chains = place_chains(squeeze_cjk(normalize(text)))
    if not chains:
        return None
    candidates = resolve_chain(chains[0])
    if not candidates:  # should not happen: a chain keeps only nested names
        return None
    return to_locality(disambiguate(candidates, context))


def most_mentioned_locality(text: str) -> Locality | None:
    """The place named most often (at least twice) in `text`; a last resort."""
    counts = Counter(chain[-1].written for chain in place_chains(squeeze_cjk(normalize(text))))
    for written, count in counts.most_common(1):
        if count >= 2:
            return locality_from(written, context=text)
    return None


def to_locality(candidates: tuple[Division, ...]) -> Locality:
    """A Locality for one division, or for several sharing a name (fields they agree on only)."""
    first = candidates[0]
    if len(candidates) == 1:
        return Locality(
            full=_full_name(first),
            name=first.name,
            bare=bare_name(first.name),
            level=first.level,
            province=first.province,
            city=first.city,
        )
    provinces = {c.province for c in candidates}
    cities = {c.city for c in candidates}
    return Locality(
        full=first.name,
        name=first.name,
        bare=bare_name(first.name),
        level=first.level,
        province=provinces.pop() if len(provinces) == 1 else None,
        city=cities.pop() if len(cities) == 1 else None,
    )


def _full_name(division: Division) -> str:
    """District → parent + name; other levels alone unless the name is shared."""
    needs_parent = division.level == DISTRICT or gazetteer().is_shared(division.name)
    if needs_parent and division.parent and not division.name.startswith(division.parent):
        return division.parent + division.name
    return division.name


def parse_locality(text: str) -> Locality:
    """A locality a person wrote ('重庆市潼南区', '柞水县'); unknown names are kept as given."""
    text = squeeze_cjk(normalize(text)).strip()
    chains = place_chains(text)
    if chains and chains[0][0].start == 0 and chains[0][-1].end == len(text):
        if candidates := resolve_chain(chains[0]):
            return to_locality(candidates)
    return Locality(full=text, name=text, bare=bare_name(text), level=_level_by_suffix(text))


def _level_by_suffix(name: str) -> str:
    """Level guessed from the suffix, for names the gazetteer does not know."""
    if name.endswith(("省", "自治区")):
        return PROVINCE
    if name.endswith("区"):
        return DISTRICT
    if name.endswith(("市", "州", "盟", "地区")):
        return CITY
    return COUNTY
