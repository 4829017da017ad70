"""Issuing units as entities: which unit a name as written is, and the names people call it by.

One unit is written many ways — '中国共产党江苏省委员会办公厅', '中共江苏省委办公厅', '江苏省委办公厅' —
and asked about by shorter ones ('省委办', '省高院', '区财政局', '万里街道'). Everything here is a
general rule of how Chinese government units are named (party and CPPCC prefixes, the place, the
level, standard contractions), never a list of the units at hand:

- `unit_core`: the name without its place and without the party/government wrapping
  ('人民政府万里街道办事处' → '万里街道办事处'), in full forms;
- `unit_key`: the core with every contraction applied ('高级人民法院' → '高院'); two names of one
  place with one key are one unit;
- `unit_aliases`: the core's variants, with and without the place (full, short, bare) and with the
  level ('省' '市' '区' '县'), each a name a question may use.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from gongkai.types import Locality
from ingest.describe.locality import place_chains

# Full form → the contraction people write, in the order they apply. Standard across places.
CONTRACTIONS: tuple[tuple[str, str], ...] = (
    ("人民代表大会常务委员会", "人大常委会"),
    ("人民代表大会", "人大"),
    ("政治协商会议", "政协"),
    ("常务委员会", "常委会"),
    ("人大常委会", "人大"),
    ("高级人民法院", "高院"),
    ("高级人民法院", "法院"),
    ("中级人民法院", "中院"),
    ("人民法院", "法院"),
    ("人民检察院", "检察院"),
    ("人民政府办公室", "政府办"),
    ("人民政府办公厅", "政府办公厅"),
    ("政府办", "府办"),
    ("政务服务管理办公室", "政务办"),
    ("政务服务管理局", "政务局"),
    ("政务服务局", "政务局"),
    ("政务服务中心", "政务中心"),
    ("行政审批服务局", "审批局"),
    ("行政审批局", "审批局"),
    ("发展和改革", "发改"),
    ("人力资源和社会保障", "人社"),
    ("住房和城乡建设", "住建"),
    ("卫生健康", "卫健"),
    ("市场监督管理", "市场监管"),
    ("自然资源", "资源"),
    ("街道办事处", "街道"),
    ("委员会", "委"),
    ("办公室", "办"),
    ("办公厅", "办"),
)
# An office publishing the budget of the organ it serves is asked about by the organ's name
# ('省人大', '省政协').
_ORGAN_OFFICE = re.compile(r"^(人大常委会|人大|政协)办公厅$")
_CONJUNCTION = re.compile(r"(?<=[\u4e00-\u9fff]{2})[和及与](?=[\u4e00-\u9fff]{2})")
_STREET = re.compile(r"^(?:人民政府)?(.+?)街道办事处$")
_GOVERNMENT_WRAP = re.compile(r"^人民政府(?!办公室|办公厅|$)")
# Kinds a unit name ends with, longest first (the last one a core ends with is its kind).
KINDS = tuple(sorted(
    "局 委 办 厅 院 中心 街道办事处 街道 镇 乡 部 办公室 办公厅 委员会 常委会 馆 所 站 队 会 处 室 社 团"
    .split(),
    key=len, reverse=True,
))
LEVEL_CHARS = "省市区县州旗盟"
MAX_VARIANTS = 64


@dataclass(frozen=True)
class UnitName:
    """What a unit name as written says about the unit."""

    written: str
    core: str  # without place and wrapping, full forms: '高级人民法院'
    key: str  # fully contracted core: '高院'
    kind: str | None  # '院'


def _clean(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


def _place_forms(locality: Locality | None) -> tuple[str, ...]:
    """The written forms of a locality and of the places holding it, longest first."""
    if locality is None:
        return ()
    forms = {locality.full, locality.name, locality.bare}
    for parent in (locality.city, locality.province):
        if parent and locality.full.startswith(parent):
            forms.add(locality.full[len(parent):])
    return tuple(sorted((f for f in forms if f), key=len, reverse=True))


def level_char(locality: Locality | None) -> str:
    """'省' for 江苏省, '区' for 普陀区, '市' for 上海市: how a unit's level is spoken."""
    if locality is None or not locality.name:
        return ""
    return locality.name[-1] if locality.name[-1] in LEVEL_CHARS else ""


def _strip_place(name: str, locality: Locality | None) -> str:
    """The name without the place it starts with (a gazetteer chain or the locality's forms)."""
    for form in _place_forms(locality):
        if name.startswith(form):
            return name[len(form):]
    chains = place_chains(name)
    if chains and chains[0][0].start == 0:
        return name[chains[0][-1].end:]
    return name


def unit_core(name: str, locality: Locality | None) -> str:
    """'中国共产党江苏省委员会办公厅' → '委办公厅'; '上海市普陀区人民政府万里街道办事处' → '万里街道办事处'."""
    text = _clean(name).replace("中国共产党", "中共").replace("中国人民政治协商会议", "政协")
    wrapped = re.match(r"^(中共|政协)(.+)$", text)
    if wrapped:  # 中共X委员会Y → X委Y ; 政协X委员会Y → X政协Y
        prefix, rest = wrapped.groups()
        place_free = _strip_place(rest, locality)
        place = rest[: len(rest) - len(place_free)]
        if place:
            body = re.sub(r"^委员会", "委", place_free)
            if prefix == "政协":
                body = "政协" + re.sub(r"^委", "", body)
            text = place + body
    core = _strip_place(text, locality)
    if street := _STREET.match(core):
        core = f"{street.group(1)}街道办事处"
    return _GOVERNMENT_WRAP.sub("", core) or core


def contract(core: str) -> str:
    """Every contraction applied: the unit's key ('人大常委会办公厅' → '人大常委会办')."""
    text = core
    for full, short in CONTRACTIONS:
        text = text.replace(full, short)
    return _CONJUNCTION.sub("", text)


def kind_of(core: str) -> str | None:
    return next((kind for kind in KINDS if core.endswith(kind)), None)


def read_unit_name(name: str, locality: Locality | None) -> UnitName:
    core = unit_core(name, locality)
    return UnitName(_clean(name), core, contract(core), kind_of(core))


def core_variants(core: str) -> tuple[str, ...]:
    """The core and the forms its contractions give, one rule at a time, in any combination."""
    seen = {core}
    frontier = [core]
    while frontier and len(seen) < MAX_VARIANTS:
        text = frontier.pop()
        candidates = [_CONJUNCTION.sub("", text)]
        candidates += [text.replace(full, short) for full, short in CONTRACTIONS if full in text]
        if organ := _ORGAN_OFFICE.match(text):
            candidates.append(organ.group(1))
        for candidate in candidates:
            if candidate not in seen and len(candidate) >= 2:
                seen.add(candidate)
                frontier.append(candidate)
    return tuple(sorted(seen, key=len, reverse=True))


@lru_cache(maxsize=4096)
def unit_aliases(name: str, locality: Locality | None) -> frozenset[str]:
    """Names a question may call the unit by: as written, and every core variant bare, with the
    place (full, short and bare forms, and the place written inside its parent) and with the level.
    """
    written = _clean(name)
    aliases = {written}
    level = level_char(locality)
    for variant in core_variants(unit_core(name, locality)):
        aliases.add(variant)
        aliases.update(form + variant for form in _place_forms(locality))
        if level:
            aliases.add(level + variant)
    return frozenset(a for a in aliases if len(a) >= 2)


@dataclass(frozen=True)
class UnitRecord:
    """A unit as stored: one per place and key."""

    id: str
    written: str  # the name as the document writes it
    key: str
    kind: str | None
    locality: str | None
    level: str | None
    aliases: frozenset[str]


def unit_id(locality: str | None, key: str) -> str:
    return hashlib.sha1(f"{locality or ''}|{key}".encode()).hexdigest()[:16]


def unit_record(name: str, locality: Locality | None) -> UnitRecord:
    """The unit a document's issuing unit name is, with its aliases."""
    read = read_unit_name(name, locality)
    full = locality.full if locality else None
    return UnitRecord(unit_id(full, read.key), read.written, read.key, read.kind, full,
                      locality.level if locality else None, unit_aliases(name, locality))
