"""Typed records of the answering side: what a question asks, citations, answers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

ROUTES = ("sql", "retrieval", "both", "none")


@dataclass(frozen=True)
class Item:
    """A stored item the question names: a table row or prose figure by its label stem, a
    vocabulary metric, or a 科目编码."""

    text: str  # as written in the question
    stems: tuple[str, ...] = ()
    metric: str = ""
    code: str = ""
    how: str = "exact"  # exact | code | metric | typo | similar

    @property
    def name(self) -> str:
        return self.metric or self.text


@dataclass(frozen=True)
class Slots:
    """What the question asks, understood offline."""

    localities: tuple[str, ...] = ()  # stored full locality names
    years: tuple[int, ...] = ()
    metrics: tuple[str, ...] = ()  # canonical metric keys, in the order asked
    scope: str = ""  # 预算 / 决算 / ''
    operation: str = "lookup"  # lookup | rank | total | average | compare | change | share | list
    order: str = "desc"  # for rank: desc (最高) or asc (最低)
    top: int | None = None  # 前三 → 3; -1: the first and the last ('哪家最多，哪家最少')
    why: bool = False  # a reason / description question
    unknown_places: tuple[str, ...] = ()  # places named in the question that no document covers
    all_localities: bool = False  # 各地 / 哪个地方 / 所有
    units: tuple[str, ...] = ()  # ids of the stored issuing units named (catalog.unit(id))
    unknown_units: tuple[str, ...] = ()  # unit names no stored unit answers to
    doc_types: tuple[str, ...] = ()  # documents of these types only (a filter the user set)
    items: tuple[Item, ...] = ()  # stored items named, in the order asked
    ambiguous_units: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (name, unit ids it may be)
    missing_codes: tuple[str, ...] = ()  # 科目编码 asked that no stored figure has
    unit_scope: str = ""  # '单位' when the question asks a unit alone, not its department
    carried: tuple[str, ...] = ()  # what a follow-up took from the previous question
    within: tuple[Item, ...] = ()  # '其中X': the previous items X is part of
    level: str = ""  # '省' for 省里 / 省级: the units of places of that level
    unit_count: int | None = None  # '五家单位': how many units the question speaks of
    unlinked: str = ""  # the longest run of the question's words no stored item was linked to
    closest: tuple[str, ...] = ()  # stored labels nearest `unlinked` by meaning, none near enough


@dataclass(frozen=True)
class CorpusFilters:
    """What the user narrowed the corpus to (the UI's sidebar); empty means no restriction."""

    localities: tuple[str, ...] = ()  # stored full locality names
    years: tuple[int, ...] = ()
    doc_types: tuple[str, ...] = ()
    units: tuple[str, ...] = ()  # stored unit ids

    def __bool__(self) -> bool:
        return bool(self.localities or self.years or self.doc_types or self.units)


@dataclass(frozen=True)
class Citation:
    doc_id: str
    title: str
    locality: str | None
    year: int | None
    page: int | None
    start: int
    end: int
    quote: str  # the cited characters, exactly as in the document

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CitationGroup:
    """Citations that belong together, shown in the source viewer at once (an audit finding:
    its stated figure and the figures it is checked against)."""

    label: str  # Chinese, names what the group is ('第1处：三公经费 = …')
    numbers: tuple[int, ...]  # 1-based indexes into Answer.citations


@dataclass(frozen=True)
class Answer:
    answer: str  # Chinese text with [n] markers pointing into citations (1-based)
    route: str  # one of ROUTES
    why: str  # one short line: which route answered and why (and any fallback)
    citations: tuple[Citation, ...] = ()
    sql: str | None = None
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[Any, ...], ...] = ()
    chart: str | None = None  # 'bar' | 'line' | None
    slots: Slots | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    groups: tuple[CitationGroup, ...] = ()  # citations to show together (audit findings)
    check: str = ""  # the numeric faithfulness check: 'ok', or 'dropped: …' (assistant.faithful)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["rows"] = [list(r) for r in self.rows]
        data["columns"] = list(self.columns)
        data["citations"] = [c.to_dict() for c in self.citations]
        return data
