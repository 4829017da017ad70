"""The stored figures a question asks for: per unit-year and item, the one its words choose.

A unit-year's documents are read as one (a disclosure's text and tables files, its 部门 and 单位
documents). Every figure naming an asked item is fetched (`sql_build.item_query`); the question's
other words then choose among them: a word found in a figure's column, table title or parent
('基本支出里的退休费', '机关运行经费表里的物业管理费', '三公里的公务接待费') qualifies it, and that word
is no item of its own. Then the figure of the unit-year's own document wins over another year's
document stating it, the asked scope (预算 / 决算) or else the document's own, a 科目编码 asked, the
total column, a table over prose. Figures equally chosen with other values are kept as `others`,
so an answer can give each with its table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from assistant.catalog import Catalog, StoredUnit
from assistant.sql_build import item_query, span_facts_query, stated_changes_query
from assistant.types import CorpusFilters, Item, Slots
from ingest.catalog import fold, label_stem

# Words of columns and tables a question may choose a figure by.
COLUMN_WORDS = (
    "年初预算", "调整预算", "预算数", "决算数", "执行数", "上年", "合计", "小计", "基本支出", "项目支出",
    "人员经费", "公用经费", "财政拨款", "一般公共预算", "政府性基金", "机关运行经费", "三公", "政府采购",
    "功能分类", "经济分类", "收支总表", "收支预算总表", "支出预算总表", "收入预算总表", "基本支出预算表",
)
# Parts a figure may be read under: unasked, the figure of the whole is wanted ('会议费' is the
# 三公、会议费、培训费 table's, not the 基本支出 table's row 30215).
_BREAKDOWNS = ("基本支出", "项目支出", "人员经费", "公用经费", "机关运行经费", "政府性基金", "财政拨款基本")
_GENERIC_COLUMNS = ("", "合计", "金额", "小计", "总计", "预算数", "决算数", "本年预算", "预算金额", "年初预算数")
_PREVIOUS_YEAR_COLUMN = ("上年", "增减", "比上年", "增长", "变动")
_TIE = 9  # figures equal on the first parts of their rank are equally chosen: shown together
Row = dict[str, Any]


@dataclass(frozen=True)
class UnitYear:
    unit: StoredUnit
    year: int
    named: bool = True  # the question named the year; else it is the unit's latest document's
    shown: str = ""  # how answers name the unit (`Catalog.display`)

    @property
    def name(self) -> str:
        return self.shown or self.unit.name

    def holds(self, row: Row, catalog: Catalog) -> bool:
        """Whether a figure is of this unit-year: of the year, or — the year unnamed — stated by
        the latest document ('截至2023年12月底' in the 2024 text)."""
        if row["unit_id"] != self.unit.id:
            return False
        if row["year"] == self.year:
            return True
        doc = catalog.docs.get(row["doc_id"])
        return not self.named and doc is not None and doc.year == self.year


@dataclass
class Figure:
    """The figure chosen for one unit-year and item, and the others equally chosen."""

    row: Row
    item: Item
    unit_year: UnitYear
    others: list[Row] = field(default_factory=list)
    said_by: tuple[str, ...] = ()  # the question's words that chose it (columns, tables, parents)


def asked_units(slots: Slots, catalog: Catalog) -> tuple[StoredUnit, ...]:
    """The units a question is about: those named, else those of the places named, else those
    of the level named ('省里'), else all; '五家单位' keeps the one place with that many."""
    if slots.units:
        return tuple(u for uid in slots.units if (u := catalog.unit(uid)))
    if slots.localities:
        return tuple(dict.fromkeys(u for place in slots.localities for u in catalog.units_in(place)))
    units = tuple(u for u in catalog.units if not slots.level
                  or catalog.short(u.locality).endswith(slots.level))
    if slots.unit_count and len(units) != slots.unit_count:
        years = set(slots.years)
        by_place: dict[str, list[StoredUnit]] = {}
        for unit in units:
            if not years or years & set(unit.years):
                by_place.setdefault(unit.locality, []).append(unit)
        fitting = [group for group in by_place.values() if len(group) == slots.unit_count]
        if len(fitting) == 1:
            return tuple(fitting[0])
    return units


def unit_years(slots: Slots, catalog: Catalog, *, all_years: bool = False) -> list[UnitYear]:
    """The unit-years asked: each asked unit in each asked year its documents speak of (a year's
    figures may stand in the next year's document), else in its latest year (every year with
    `all_years`)."""
    found = []
    for unit in asked_units(slots, catalog):
        if slots.years:
            spoken = set(unit.years) | {y - 1 for y in unit.years}
            found += [UnitYear(unit, y, True, catalog.display(unit)) for y in slots.years if y in spoken]
            if _compares_named_units(slots) and unit.years and not spoken & set(slots.years):
                found.append(UnitYear(unit, unit.years[-1], False, catalog.display(unit)))
        elif unit.years:
            found += [UnitYear(unit, y, all_years, catalog.display(unit))
                      for y in (unit.years if all_years else unit.years[-1:])]
    return found


def _compares_named_units(slots: Slots) -> bool:
    """'政协办公厅19年的车比万里街道多几辆': units named to be set side by side, the year said for
    one of them — a unit with no document of that year is compared by its own latest year (said)."""
    return slots.operation == "compare" and len(slots.units) > 1


def own_years(slots: Slots, years: Sequence[UnitYear]) -> list[UnitYear]:
    """The unit-years standing in for a year asked that their unit has no document of."""
    return [uy for uy in years if _compares_named_units(slots) and slots.years and not uy.named]


def fetch(engine: Any, visibility: tuple[str, ...], years: Sequence[UnitYear], items: Sequence[Item],
          measures: tuple[str, ...] = ("value",), doc_types: tuple[str, ...] = ()) -> tuple[list[Row], str]:
    """Every stored figure of the unit-years naming one of the items (one guarded query), and
    the query as run."""
    if not years or not items:
        return [], ""
    # a year unnamed is the latest document's, whatever year its figures are of: no year filter
    wanted = tuple(sorted({uy.year for uy in years})) if all(uy.named for uy in years) else ()
    query = item_query(
        tuple(dict.fromkeys(uy.unit.id for uy in years)), wanted,
        metrics=tuple(dict.fromkeys(i.metric for i in items if i.metric)),
        stems=tuple(dict.fromkeys(s for i in items for s in i.stems)),
        codes=tuple(dict.fromkeys(i.code for i in items if i.code)), measures=measures,
    )
    return _rows(query, engine, visibility, CorpusFilters(doc_types=doc_types))  # the user's 类型 filter


def fetch_stated_changes(engine: Any, visibility: tuple[str, ...], doc_ids: Sequence[str]) -> list[Row]:
    """Every change the documents state, of any item."""
    if not doc_ids:
        return []
    return _rows(stated_changes_query(tuple(dict.fromkeys(doc_ids))), engine, visibility)[0]


def fetch_span(engine: Any, visibility: tuple[str, ...], doc_id: str, start: int, end: int) -> list[Row]:
    """The figures a document states between two offsets."""
    return _rows(span_facts_query(doc_id, start, end), engine, visibility)[0]


def _rows(query: Any, engine: Any, visibility: tuple[str, ...], filters: CorpusFilters | None = None
          ) -> tuple[list[Row], str]:
    """A guarded fact query's rows as dicts ([] when the guard refuses it), and the SQL as run."""
    from assistant.sql_run import run_sql

    result = run_sql(query.sql, engine, visibility=visibility, params=query.params, max_rows=1000,
                     filters=filters)
    return ([dict(zip(result.columns, r)) for r in result.rows] if result.ok else []), result.sql


def names(row: Row, item: Item) -> bool:
    """Whether a stored figure is one of `item`: by its label, metric or code, or by another
    text cell of its row."""
    return labels(row, item) or any(f"|{stem}|" in (row["row_stems"] or "") for stem in item.stems)


def labels(row: Row, item: Item) -> bool:
    """Whether a stored figure's own label, metric or code names `item`."""
    return bool((item.metric and row["metric"] == item.metric)
                or (row["label_stem"] and row["label_stem"] in item.stems)
                or (item.code and row["subject_code"] == item.code))


def _context(row: Row) -> str:
    return _folded_context(row["column_name"], row["table_title"], row["parent_label"], row["row_stems"])


@lru_cache(maxsize=8192)
def _folded_context(*parts: str | None) -> str:
    return fold(" ".join(filter(None, parts)))


def qualifies(word: str, row: Row) -> bool:
    """A question word found in a figure's column, table title or parent."""
    context = _context(row)
    return any(w and w in context for w in {fold(word), label_stem(word)} if len(w) >= 2)


def question_qualifiers(question: str, items: Sequence[Item], qualifiers: Sequence[Item],
                        extra: Sequence[str] = ()) -> list[str]:
    """The words that may choose among figures: those of the items that qualify others, the
    column words the question writes outside the items' names, and `extra` words (those no
    stored name explains: '十二届人代会五次会议' picks the 政府采购 row that names it)."""
    rest = fold(question)
    for item in items:
        rest = rest.replace(fold(item.text), " ")
    words = [w for item in qualifiers for w in (item.text, *item.stems)]
    words += [w for w in COLUMN_WORDS if w in rest]
    words += [w for w in extra if len(w) >= 2 and w not in words]
    return list(dict.fromkeys(words))


def qualifier_items(rows: Sequence[Row], items: Sequence[Item]) -> set[int]:
    """Indexes of the items that qualify another item's figures ('基本支出' of '基本支出里的人员经费'):
    those are no items asked of their own."""
    named = [[r for r in rows if names(r, item)] for item in items]

    def qualified(rows_of: int, by: int) -> bool:
        return any(qualifies(w, r) for r in named[rows_of] for w in (items[by].text, *items[by].stems))

    return {j for i in range(len(items)) for j in range(len(items))
            if j != i and qualified(i, j) and not qualified(j, i)}  # not when each qualifies the other


def choose(rows: Sequence[Row], item: Item, unit_year: UnitYear, words: Sequence[str],
           slots: Slots, catalog: Catalog) -> Figure | None:
    """The figure of `item` for `unit_year` the question's words choose, or None."""
    own_words = {fold(item.text), *item.stems}
    candidates = [r for r in rows if unit_year.holds(r, catalog) and r["measure"] == "value"
                  and names(r, item)]
    if not candidates:
        return None
    tables = [r for r in candidates if _in_own_table(r, item)]
    scored = [(_rank(r, item, [w for w in words if fold(w) not in own_words], slots, catalog,
                     not tables or any(_near_value(r, t) for t in tables)), r)
              for r in candidates]
    scored.sort(key=lambda pair: pair[0], reverse=True)
    best_key, best = scored[0]
    tied = [r for key, r in scored if key[:_TIE] == best_key[:_TIE]]
    # the same figure standing in a table too is cited at its cell
    best = next((r for r in tied if r["source"] == "table" and _same_value(r, best)), best)
    said = tuple(w for w in words if fold(w) not in own_words and qualifies(w, best))
    others = _distinct_values([r for r in tied if not _same_value(r, best)])
    return Figure(best, item, unit_year, others, said)


def _in_own_table(row: Row, item: Item) -> bool:
    """A table made of the item's figures (its column or title names it: the 三公、会议费、培训费
    table's 会议费 column) states the item itself, not one line of a list it is part of."""
    last = fold(row["column_name"] or "").split("/")[-1]
    return row["source"] == "table" and (label_stem(last) in item.stems or any(
        stem in fold(row["table_title"] or "") for stem in item.stems))


def _near_value(a: Row, b: Row) -> bool:
    """The same figure printed to another rounding (4.5 and 4.54): within 1%."""
    if a["value_yuan"] is not None and b["value_yuan"] is not None:
        x, y = a["value_yuan"], b["value_yuan"]
    elif a["unit"] == b["unit"]:
        x, y = a["value"], b["value"]
    else:
        return False
    return abs(x - y) <= 0.01 * max(abs(x), abs(y))


def _rank(row: Row, item: Item, words: Sequence[str], slots: Slots, catalog: Catalog,
          agrees_with_own_table: bool = True) -> tuple:
    doc = catalog.docs.get(row["doc_id"])
    own = doc is not None and doc.year == row["year"]
    if slots.scope:
        scope_fit = 2 if row["scope"] == slots.scope else 1 if not row["scope"] else 0
    else:
        scope_fit = 2 if doc and row["scope"] and row["scope"] in doc.doc_type else 1 if not row["scope"] else 0
    column = fold(row["column_name"] or "")
    last = column.split("/")[-1]
    previous_year = any(w in column for w in _PREVIOUS_YEAR_COLUMN) and "上年" not in "".join(words)
    total_column = last in _GENERIC_COLUMNS or label_stem(last) in item.stems or bool(
        item.metric and row["metric"] == item.metric)
    unasked = sum(w in _context(row) for w in _BREAKDOWNS if w not in words and w not in item.text)
    return (
        labels(row, item),
        sum(qualifies(w, row) for w in words),
        -unasked,
        not previous_year,
        own,
        row["year"] == (doc.year if doc else row["year"]),
        scope_fit,
        _scope_of_document(doc, slots),
        agrees_with_own_table,  # a figure the item's own table contradicts is of a part
        bool(item.code and row["subject_code"] == item.code),
        total_column,
        _source_rank(row, item),
        -(row["table_index"] or 0),
        -row["start"],
    )


def _scope_of_document(doc: Any, slots: Slots) -> bool:
    """A unit-year's 部门 document (the department with its units) is its figure, unless the
    question asks the unit alone (单位预算)."""
    wanted = slots.unit_scope or "部门"
    return doc is not None and doc.scope in (wanted, "")


def _source_rank(row: Row, item: Item) -> int:
    """A vocabulary metric stated in the prose first (the disclosure's own statement of it), then
    tables, then other prose: a sentence's label is read less surely than a table row's."""
    if row["source"] == "prose":
        return 2 if item.metric and row["metric"] == item.metric else 0
    return 1


def _same_value(a: Row, b: Row) -> bool:
    if a["value_yuan"] is not None and b["value_yuan"] is not None:
        return abs(a["value_yuan"] - b["value_yuan"]) < 0.005
    return a["value"] == b["value"] and a["unit"] == b["unit"]


def _distinct_values(rows: Sequence[Row]) -> list[Row]:
    kept: list[Row] = []
    for row in rows:
        if not any(_same_value(row, k) for k in kept):
            kept.append(row)
    return kept
