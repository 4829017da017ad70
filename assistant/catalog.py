"""What the stores hold that a question can name — places, units, years, items — read from SQL.

The catalog is what question understanding links words to: the stored localities, the issuing
units with every alias a question may use, the unit-years documents cover, and the items figures
are stored for (label stems, 科目编码, printed labels). Loaded once per corpus version.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from sqlalchemy import Engine, func, or_, select

from assistant.typos import SoundIndex
from gongkai import db
from ingest.catalog import fold, is_specific
from ingest.vocab import MONEY_UNITS

if TYPE_CHECKING:
    from vectorstore.label_index import LabelIndex


@dataclass(frozen=True)
class StoredLocality:
    full: str
    name: str
    bare: str

    def forms(self) -> tuple[str, ...]:
        """Written forms a person may use, longest first."""
        return tuple(sorted({self.full, self.name, self.bare} - {""}, key=len, reverse=True))


@dataclass(frozen=True)
class StoredUnit:
    id: str
    name: str  # as its documents write it most often
    locality: str  # full locality name ('' when unknown)
    kind: str
    years: tuple[int, ...]


@dataclass(frozen=True)
class StoredDoc:
    id: str
    unit_id: str
    year: int | None
    doc_type: str  # 预算 / 决算 / 项目文本 …
    scope: str  # 部门 / 单位 / ''
    part: str  # text / tables / both
    title: str


@dataclass(frozen=True)
class Catalog:
    localities: tuple[StoredLocality, ...]
    years: tuple[int, ...]
    doc_types: tuple[str, ...]
    documents: int
    place_years: frozenset[tuple[str, int]] = frozenset()  # (full locality, year) pairs stored
    units: tuple[StoredUnit, ...] = ()
    aliases: Mapping[str, frozenset[str]] = field(default_factory=dict)  # alias → unit ids
    unit_years: frozenset[tuple[str, int]] = frozenset()
    labels: Mapping[str, str] = field(default_factory=dict)  # label stem → a printed label
    codes: Mapping[str, str] = field(default_factory=dict)  # 科目编码 → label stem
    code_stems: Mapping[str, frozenset[str]] = field(default_factory=dict)  # 科目编码 → every stem printed with it
    printed: Mapping[str, str] = field(default_factory=dict)  # a printed label (folded) → its stem
    docs: Mapping[str, StoredDoc] = field(default_factory=dict)
    engine: Engine | None = field(default=None, compare=False, repr=False)  # the store read from
    _by_id: dict[str, StoredUnit] = field(init=False, repr=False, compare=False)
    _sounds: dict[str, SoundIndex] = field(init=False, repr=False, compare=False)
    _label_index: list[LabelIndex | None] = field(init=False, repr=False, compare=False)
    _by_first: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {u.id: u for u in self.units})
        object.__setattr__(self, "_sounds", {})
        object.__setattr__(self, "_label_index", [])
        object.__setattr__(self, "_by_first", {})

    def label_index(self) -> LabelIndex | None:
        """The stored labels by meaning (`vectorstore.label_index`), found on first use; None
        when no embedding model loads. Its vectors persist in the store the catalog was read from."""
        if not self._label_index:
            from vectorstore.label_index import index_for  # lazy: numpy and the model

            self._label_index.append(index_for(self.labels, self.engine))
        return self._label_index[0]

    def sounds(self, kind: str) -> SoundIndex:
        """Aliases ('aliases') or label stems ('labels') by sound, built on first use."""
        if kind not in self._sounds:
            names = self.aliases if kind == "aliases" else {**self.labels, **self.printed}
            self._sounds[kind] = SoundIndex(n for n in names if len(n) >= 3)
        return self._sounds[kind]

    def stems_by_first(self) -> Mapping[str, tuple[str, ...]]:
        """The label stems (those without digits) by their first character, built on first use."""
        if not self._by_first and self.labels:
            grouped: dict[str, list[str]] = defaultdict(list)
            for stem in self.labels:
                if not re.search(r"\d", stem):
                    grouped[stem[0]].append(stem)
            self._by_first.update({first: tuple(group) for first, group in grouped.items()})
        return self._by_first

    def code_of(self, stem: str) -> str:
        """The one 科目编码 a stem is printed with, whose every other name ends in it ('差旅' →
        30211, printed 差旅费 and 国内差旅费), or ''."""
        codes = [c for c, stems in self.code_stems.items() if stem in stems and all(s.endswith(stem) for s in stems)]
        return codes[0] if len(codes) == 1 else ""

    def covers(self, locality: str, years: tuple[int, ...]) -> bool:
        return any((locality, year) in self.place_years for year in years)

    def locality(self, full: str) -> StoredLocality | None:
        return next((loc for loc in self.localities if loc.full == full), None)

    def unit(self, unit_id: str) -> StoredUnit | None:
        return self._by_id.get(unit_id)

    def units_in(self, locality: str) -> tuple[StoredUnit, ...]:
        """The units of a place and of the places inside it (普陀区's units are 上海市's too)."""
        return tuple(u for u in self.units if u.locality == locality or u.locality.startswith(locality))

    def unit_names_in(self, locality: str) -> tuple[str, ...]:
        return tuple(u.name for u in self.units_in(locality))

    def display(self, unit: StoredUnit) -> str:
        """How an answer names a unit: its place where it is the place's only stored unit
        ('潼南区'), else its own name ('江苏省高级人民法院')."""
        alone = unit.locality and len(self.units_in(unit.locality)) == 1
        return self.short(unit.locality) if alone else unit.name

    def short(self, full: str) -> str:
        """The name users know a stored locality by (潼南区 for 重庆市潼南区)."""
        found = self.locality(full)
        return found.name if found else full


def load_catalog(engine: Engine, visibility: tuple[str, ...] = ("public",)) -> Catalog:
    """Localities, units, years, types and items of the complete documents this user may see.

    Cached per engine, visibility and corpus version: documents are written and deleted whole,
    each with its ingestion time, so the newest ingestion time with the documents counted by
    status and visibility (both read from indexes) changes whenever the catalog may.
    """
    return _load_catalog(engine, tuple(visibility), corpus_version(engine))


def corpus_version(engine: Engine) -> tuple:
    """Changes when a document is added, removed, completed or shown to other users, or when
    an alias is added by hand."""
    d = db.documents.c
    with engine.connect() as conn:
        newest = conn.execute(select(func.max(d.ingested_at))).scalar()
        counts = conn.execute(
            select(d.status, d.visibility, func.count()).group_by(d.status, d.visibility)
        ).all()
        aliases = conn.execute(select(func.count()).select_from(db.unit_aliases)).scalar()
    return newest, tuple(sorted(tuple(row) for row in counts)), aliases


@lru_cache(maxsize=16)
def _load_catalog(engine: Engine, visibility: tuple[str, ...], _version: tuple) -> Catalog:
    d, u, a, f = db.documents.c, db.units.c, db.unit_aliases.c, db.facts.c
    visible = (d.status == "complete", d.visibility.in_(visibility))
    columns = (d.locality, d.locality_name, d.locality_bare, d.year, d.doc_type, d.unit_id)
    with engine.connect() as conn:  # distinct in SQL: far fewer rows than documents to read
        rows = conn.execute(select(*columns).where(*visible).distinct()).all()
        documents = conn.execute(select(func.count()).select_from(db.documents).where(*visible)).scalar()
        unit_ids = {r.unit_id for r in rows if r.unit_id}
        unit_rows = conn.execute(select(u.id, u.name, u.locality, u.kind).where(u.id.in_(unit_ids))).all()
        alias_rows = conn.execute(select(a.alias, a.unit_id, a.source).where(a.unit_id.in_(unit_ids))).all()
        doc_rows = conn.execute(select(d.id, d.unit_id, d.year, d.doc_type, d.scope, d.part, d.title)
                                .where(*visible)).all()
        # a sentence's money item names the catalog only where a table names it too: prose labels
        # are cut from running text and may hold other words ('安排资金'); counts (车辆, 处室,
        # 人员) and 科目 named by their 类/款/项 chain are printed in sentences only
        item_rows = conn.execute(
            select(f.label_stem, f.label, f.subject_code)
            .where(f.doc_id.in_(select(d.id).where(*visible)), f.label_stem != "",
                   or_(f.source == "table", f.unit.not_in((*MONEY_UNITS, "%")), f.parent_label != ""))
            .distinct()
        ).all()
        row_stem_rows = conn.execute(
            select(f.row_stems).where(f.doc_id.in_(select(d.id).where(*visible)), f.row_stems != "")
            .distinct()
        ).scalars().all()
    localities = {
        r.locality: StoredLocality(r.locality, r.locality_name or r.locality, r.locality_bare or "")
        for r in rows if r.locality
    }
    years_of: dict[str, set[int]] = defaultdict(set)
    for r in rows:
        if r.unit_id and r.year:
            years_of[r.unit_id].add(r.year)
    aliases: dict[str, set[str]] = defaultdict(set)
    official = {r.alias for r in alias_rows if r.source == "official"}
    for r in alias_rows:  # an alias an official gave names that unit only
        if r.alias not in official or r.source == "official":
            aliases[r.alias].add(r.unit_id)
    labels: dict[str, str] = {}
    codes: dict[str, str] = {}
    code_stems: dict[str, set[str]] = defaultdict(set)
    printed: dict[str, str] = {}
    for r in sorted(item_rows, key=lambda r: (r.label_stem, len(r.label or ""))):
        if is_specific(r.label_stem):
            labels.setdefault(r.label_stem, r.label)
            printed.setdefault(fold(r.label or ""), r.label_stem)
            if r.subject_code:
                codes.setdefault(r.subject_code, r.label_stem)
                code_stems[r.subject_code].add(r.label_stem)
    for stems in row_stem_rows:
        for stem in filter(None, stems.split("|")):
            labels.setdefault(stem, stem)
    return Catalog(
        localities=tuple(sorted(localities.values(), key=lambda loc: loc.full)),
        years=tuple(sorted({r.year for r in rows if r.year})),
        doc_types=tuple(sorted({r.doc_type for r in rows if r.doc_type})),
        documents=documents or 0,
        place_years=frozenset((r.locality, r.year) for r in rows if r.locality and r.year),
        units=tuple(sorted(
            (StoredUnit(r.id, r.name, r.locality or "", r.kind or "", tuple(sorted(years_of[r.id])))
             for r in unit_rows), key=lambda unit: (unit.locality, unit.name))),
        aliases={alias: frozenset(ids) for alias, ids in aliases.items()},
        unit_years=frozenset((uid, y) for uid, ys in years_of.items() for y in ys),
        labels=labels,
        codes=codes, code_stems={c: frozenset(v) for c, v in code_stems.items()},
        printed=printed,
        docs={r.id: StoredDoc(r.id, r.unit_id or "", r.year, r.doc_type or "", r.scope or "",
                              r.part or "", r.title) for r in doc_rows},
        engine=engine,
    )
