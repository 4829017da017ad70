"""Figure questions answered from the stored figures of the named items (`figures`), per operation.

One figure per unit-year and item, so a sum, ranking or average counts each unit once; a change
is computed only between one unit's own years (or from the figure its document states for the
previous year); a share divides the part by the whole. Each figure is cited at its exact cell or
sentence; a table cell's citation names its table, row and column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from assistant import compose
from assistant.catalog import Catalog
from assistant.cell_citations import cite_figure
from assistant.extract import terms
from assistant.figures import (
    Figure,
    Row,
    UnitYear,
    choose,
    fetch,
    fetch_span,
    fetch_stated_changes,
    labels,
    own_years,
    qualifier_items,
    qualifies,
    question_qualifiers,
    unit_years,
)
from assistant.linking import closest_labels, leftover_runs
from assistant.scanned import SCAN_NOTE, unsure_figures
from assistant.sources import (
    comparison_before,
    get_source,
    ingest_stamps,
    sentence_span,
    unchanged_after,
)
from assistant.text_figures import COUNT_UNITS
from assistant.types import Answer, Citation, Item, Slots
from ingest.catalog import ENDINGS, fold, label_stem
from ingest.vocab import metric_by_key, unit_kind

_ASKED_UNIT = re.compile(r"多少\s*(万元|亿元|元)|(万元|亿元|元)\s*[?？]?$|几(万|亿)")
_COUNT_ASKED = re.compile(r"几个|多少个|多少人|几人|几名|几辆|多少辆|几台|多少台|几家|多少家|几次|多少次|几批|多少批|"
                          r"多少平方米|多大|面积|多少项|几项|多少件|几处")
_MONEY_ASKED = re.compile(r"多少钱|多少元|万元|经费|资金|预算|决算|拨款|花了|花费|安排了?多少")
_AGAINST_LAST_YEAR = re.compile(r"(?:比|较|与|跟|和)(?:上年|去年|上一年)|同比")
_AGAINST_START = re.compile(r"年初预算|年初")
_BASE_NAMED = re.compile(r"上年|去年|上一年|前一年")
_RATE_ASKED = re.compile(r"百分之|幅度|增幅|降幅|增长率|%|百分比|几成")
# '哪家安排了X' asks which units hold the item at all: those whose figure is zero are named apart
_WHICH_HOLDS = re.compile(r"(?:哪家|哪几家|哪些(?:单位|部门)?|哪个(?:单位|部门)|谁)(?:有|安排|列|编列|发生|花)")
_RATE_REACH = 20  # characters between a stated change and the rate printed after it ('…增加1064.47万元，增长86.16%')
_TABLE_REACH = 3000  # characters around a table's figures its total row may stand in
_GAP_ASKED = re.compile(r"多多少|少多少|差多少|相差|差距|高多少|低多少")


@dataclass
class _Citations:
    """Citations in marker order, one per cited span."""

    engine: Any
    stamps: dict[str, str]
    citations: list[Citation]
    markers: dict[tuple[str, int], int]

    def add(self, row: Row) -> int:
        """The marker of the row's citation; two figures of one sentence share it."""
        key = (row["doc_id"], row["start"])
        if key not in self.markers:
            citation = cite_figure(self.engine, row, self.stamps)
            same = next((n for n, c in enumerate(self.citations, 1) if (c.doc_id, c.start, c.end)
                         == (citation.doc_id, citation.start, citation.end)), None)
            if same is None:
                self.citations.append(citation)
                same = len(self.citations)
            self.markers[key] = same
        return self.markers[key]


def asked_money_unit(question: str) -> str:
    match = _ASKED_UNIT.search(question)
    if not match:
        return ""
    unit = next(g for g in match.groups() if g)
    return {"万": "万元", "亿": "亿元"}.get(unit, unit)


_SHARE_WORDS = re.compile(r"(?:多大|多少)?(?:比例|比重|占比|份额)")
# '这几家' / '哪几个' point at units or items already named: a reference, not a count asked
_REFERENCE_WORDS = re.compile(r"[这那哪]\s*几\s*[个家项位]|(?:降幅|增幅|涨幅|幅度)(?:有)?多大")  # '降幅多大': a rate
_ASKED_COUNT_UNIT = re.compile(r"(?:几|多少)\s*(批次|批|人次|辆|台|套|人|名|个|件|家|项|次|平方米)")
_SAME_COUNT = {"批": ("批次", "批"), "人": ("人", "名", "位"), "名": ("人", "名", "位"), "台": ("台", "套", "台套", "台（套）"),
               "个": ("个", "家", "处", "所")}  # '几个部门' are counted in 家 too


def _kind_fits(row: Row, item: Item, question: str) -> bool:
    """Money for an item named by a money ending or a question about money, a count for a
    question about how many — in the unit asked ('多少批次' is no 人次): the kind follows the
    figure's unit, never the row's name."""
    return _unit_fits(item, question)(row["unit"])


@lru_cache(maxsize=256)
def _unit_fits(item: Item, question: str) -> Callable[[str | None], bool]:
    """`_kind_fits` as a test of the figure's unit, read from the question once, not per row."""
    question = _count_words(question)
    if prices := price_units(question):
        return lambda unit: unit in prices
    if counted := _ASKED_COUNT_UNIT.search(question):
        asked = _SAME_COUNT.get(counted.group(1), (counted.group(1),))
        return lambda unit: unit in asked
    if _COUNT_ASKED.search(question) and not _MONEY_ASKED.search(question):
        return lambda unit: unit_kind(unit) != "money"
    if item.text.endswith(ENDINGS) or _MONEY_ASKED.search(question):
        return lambda unit: unit_kind(unit) == "money" or unit == "%"
    return lambda unit: True


_PRICE_ASKED = re.compile(r"多少钱(?:一|每)\s*([件个台套人次场辆张本箱包册])|每\s*([件个台套人次场辆张本箱包册])\s*(?:多少钱|几元|多少元)")


def price_units(question: str) -> tuple[str, ...]:
    """'打印纸多少钱一件': a price per thing is asked, printed '151.43元/件' — its units, or ()."""
    if (match := _PRICE_ASKED.search(question)) is None:
        return ()
    thing = match.group(1) or match.group(2)
    return (f"元/{thing}", f"万元/{thing}")


TextReader = Callable[[Item, UnitYear, tuple[str, ...]], "Row | None"]


def _count_words(question: str) -> str:
    """The question without the words that look like a count asked but are not: '多大比例' asks
    a share, '这几家' points at the units named."""
    return _REFERENCE_WORDS.sub("", _SHARE_WORDS.sub("", question))


def count_units(item: Item, question: str) -> tuple[str, ...]:
    """The units a count item is counted in — those the question asks in ('多少批次') — or ()
    when the item is money."""
    question = _count_words(question)
    if prices := price_units(question):
        return prices
    entry = metric_by_key(item.metric)
    if entry is not None:
        units = (entry.unit, *entry.units) if entry.kind != "money" else ()
    elif _COUNT_ASKED.search(question) and not _MONEY_ASKED.search(question):
        units = COUNT_UNITS
    else:
        return ()
    if counted := _ASKED_COUNT_UNIT.search(question):
        asked = _SAME_COUNT.get(counted.group(1), (counted.group(1),))
        units = tuple(u for u in asked if u in units) or asked
    return units


def answer_items(question: str, slots: Slots, engine: Any, visibility: tuple[str, ...],
                 catalog: Catalog, read_text: TextReader | None = None) -> Answer | None:
    """The answer from the named items' stored figures, or None when none is stored.
    `read_text` reads a count the figures lack from the unit-year's own lines."""
    if not slots.items:
        return None
    years = unit_years(slots, catalog, all_years=slots.operation in ("change", "average", "total")
                       and not slots.years and len(slots.items) == 1 and bool(slots.units))
    if slots.operation == "change":
        years = _with_previous_years(years)
    if not years:
        return None
    items = (*slots.items, *slots.within)
    measures = ("value", "change", "change_pct") if slots.operation == "change" else ("value",)
    fetched, sql = fetch(engine, visibility, years, items, measures, slots.doc_types)
    rows = [r for r in fetched if any(_kind_fits(r, i, question) for i in items)]
    if not rows and not (read_text and any(count_units(i, question) for i in items)):
        return None
    qualifiers = qualifier_items(rows, items)
    asked = [item for i, item in enumerate(slots.items) if i not in qualifiers] or list(slots.items)
    wholes = [items[i] for i in sorted(qualifiers)] + list(slots.within)
    runs = leftover_runs(question, catalog)
    unexplained = [t for run in runs for t in terms(run)
                   if not any(t in i.text or i.text in t for i in items)]
    words = question_qualifiers(question, items, wholes, unexplained)
    if (part := _asked_inside(runs, slots.items)) and not any(qualifies(part, r) for r in rows):
        return _part_not_found(part, slots, catalog)
    stamps = ingest_stamps(engine, (r["doc_id"] for r in rows))
    citations = _Citations(engine, stamps, [], {})
    build = _Builder(question, slots, catalog, rows, words, citations, engine, stamps, read_text, visibility)
    lines = build.lines(asked, wholes, years)
    if not lines:
        return None
    asked_years = "、".join(f"{y}年" for y in slots.years)
    lines += [f"（{uy.name}没有{asked_years}的文件，按其{uy.year}年的文件比较。）" for uy in own_years(slots, years)]
    shown = list({(r["doc_id"], r["start"]): (f, r) for f, r in build.shown}.values())
    if not shown:  # what the figures say cannot answer the question as asked
        return Answer("\n".join(lines), "none", "数据表中只有相对其他基数的变化", slots=slots)
    columns = ("locality", "locality_name", "unit_name", "year", "metric", "scope", "measure", "value", "unit", "text",
               "metric_raw", "label", "label_stem", "table_title", "column_name", "source", "unit_id",
               "value_yuan", "doc_type", "doc_id", "start", "end")
    table = tuple(tuple(_result_row(f, r, catalog).get(c) for c in columns) for f, r in shown)
    several_units = len({f.unit_year.unit.id for f, _ in shown}) > 1
    several_years = len({f.unit_year.year for f, _ in shown}) > 1
    if unsure_figures(engine, ((r["doc_id"], r["start"], r["end"]) for _, r in shown)):
        lines.append(SCAN_NOTE)  # a figure read from a scan that its checks could not confirm
    return Answer("\n".join(lines), "sql", _route_line(slots, asked, years, catalog),
                  tuple(citations.citations), sql=sql, columns=columns, rows=table,
                  chart="bar" if several_units else "line" if several_years else None, slots=slots)


_WHICH_ASKED = re.compile(r"哪|谁")  # '哪家高', '谁多': which one, answered first
_INSIDE_AFTER = re.compile(r"^(?:里面?|当中|之中|中)的?")


def _asked_inside(runs: Sequence[str], items: Sequence[Item]) -> str:
    """The words naming a part of an item no stored name explains ('政府采购里买油' → '买油'),
    or ''. Such a part is what is asked: the item's own figure would be no answer."""
    for item in items:
        for run in runs:
            at = run.find(item.text)
            inside = _INSIDE_AFTER.match(run[at + len(item.text):]) if at >= 0 else None
            if inside is None:
                continue
            part = run[at + len(item.text) + inside.end():]
            if len(part) >= 2 and not any(other.text in part or part in other.text for other in items):
                return part
    return ""


def _part_not_found(part: str, slots: Slots, catalog: Catalog) -> Answer:
    units = "、".join(dict.fromkeys(uy.unit.name for uy in unit_years(slots, catalog)))
    closest = closest_labels(part, catalog)
    hint = f"最接近的是：{'、'.join(closest)}。" if closest else ""
    within = "、".join(i.text for i in slots.items)
    return Answer(f"已收录的{units}文件中，{within}里没有找到“{part}”的数字。{hint}", "none",
                  f"数据表中没有{within}里“{part}”的数字", slots=slots)


def _with_previous_years(years: list[UnitYear]) -> list[UnitYear]:
    found = list(years)
    for uy in years:
        previous = UnitYear(uy.unit, uy.year - 1, True, uy.shown)
        if previous not in found:
            found.append(previous)
    return found


def _result_row(figure: Figure, row: Row, catalog: Catalog) -> dict[str, Any]:
    doc = catalog.docs.get(row["doc_id"])
    return {**row, "metric": row["label"] or figure.item.name, "unit_name": figure.unit_year.unit.name,
            "locality_name": catalog.short(figure.unit_year.unit.locality), "metric_raw": row["metric_raw"],
            "doc_type": doc.doc_type if doc else None}


def _route_line(slots: Slots, asked: Sequence[Item], years: Sequence[UnitYear], catalog: Catalog) -> str:
    units = "、".join(dict.fromkeys(uy.unit.name for uy in years)) or "全部单位"
    shown_years = "、".join(str(y) for y in sorted({uy.year for uy in years}))
    items = "、".join(i.name for i in asked)
    line = f"按数据表查询：{items} × {units} × {shown_years} × {compose.OPERATION_NAMES[slots.operation]}"
    if slots.operation in ("rank", "total", "average", "compare"):
        line += "；同一单位同一年度的文件合读，每个单位每年取一个数"
    if slots.carried:
        names = {"unit": "单位", "year": "年度", "item": "项目"}
        line += "；沿用上一问的" + "、".join(names[c] for c in slots.carried)
    return line


class _Builder:
    """Lines of an answer for each operation, figures chosen from the fetched rows."""

    def __init__(self, question: str, slots: Slots, catalog: Catalog, rows: list[Row],
                 words: list[str], citations: _Citations, engine: Any, stamps: dict[str, str],
                 read_text: TextReader | None = None, visibility: tuple[str, ...] = ("public",)) -> None:
        self.question, self.slots, self.catalog, self.rows = question, slots, catalog, rows
        self.words, self.citations, self.engine, self.stamps = words, citations, engine, stamps
        self.read_text = read_text
        self.shown: list[tuple[Figure, Row]] = []
        self.other_bases: list[str] = []  # items whose stated change is against another base
        self.visibility = visibility
        self._fitting: dict[Item, dict[str, list[Row]]] = {}
        self._by_table: dict[tuple, list[Row]] | None = None  # the rows of each table, for beside()

    def _rows_of(self, item: Item, unit_id: str) -> list[Row]:
        """The fetched rows of a unit whose kind fits the item and the question (read once per item)."""
        if item not in self._fitting:
            by_unit: dict[str, list[Row]] = {}
            for row in self.rows:
                if _kind_fits(row, item, self.question):
                    by_unit.setdefault(row["unit_id"], []).append(row)
            self._fitting[item] = by_unit
        return self._fitting[item].get(unit_id, [])

    def cite(self, figure: Figure) -> Any:
        def add(row: Row) -> int:
            self.shown.append((figure, row))
            return self.citations.add(row)
        return add

    def figure(self, item: Item, uy: UnitYear, words: list[str] | None = None) -> Figure | None:
        rows = self._rows_of(item, uy.unit.id)
        found = choose(rows, item, uy, self.words if words is None else words, self.slots, self.catalog)
        units = count_units(item, self.question)
        row = self.read_text(item, uy, units) if found is None and units and self.read_text else None
        if row is not None:
            self.stamps.update(ingest_stamps(self.engine, [row["doc_id"]]))
            return Figure(row, item, uy)
        return found

    def lines(self, asked: list[Item], wholes: list[Item], years: list[UnitYear]) -> list[str]:
        operation = self.slots.operation
        own = own_years(self.slots, years)
        asked_years = [uy for uy in years if not self.slots.years or uy.year in self.slots.years or uy in own]
        if operation == "change":
            return self.change(asked[0], years)
        if operation == "share" and (listed := _listed_whole(self.question, self.slots.items)):
            return self.share_of_listed(*listed, asked_years)
        if operation == "share":
            return self.share(asked, wholes, asked_years)
        figures = [f for uy in asked_years for item in asked if (f := self.figure(item, uy))]
        if not figures:
            return []
        if _AGAINST_START.search(self.question) and operation == "lookup":
            figures = [self.start_budget(f) for f in figures]
        if operation == "rank":
            found = {f.unit_year.unit.id for f in figures}
            missing = dict.fromkeys(uy.name for uy in asked_years if uy.unit.id not in found)
            return self.rank(figures) + ([f"（{'、'.join(missing)}的文件中没有找到该项数字。）"] if missing else [])
        figures = _once(figures)
        if operation == "lookup" and _WHICH_HOLDS.search(self.question):
            return self.holders(figures)
        if operation in ("total", "average") and len(figures) > 1:
            return compose.total_lines(figures, self._cite_any(figures), average=operation == "average")
        if operation == "compare" and len(figures) == 2:
            return compose.difference_lines(*figures, self._cite_any(figures), ratio="倍" in self.question,
                                            which_first=bool(_WHICH_ASKED.search(self.question)))
        return compose.lookup_lines(figures, self._cite_any(figures), asked_money_unit(self.question))

    def _cite_any(self, figures: Sequence[Figure]) -> Any:
        by_row = {id(f.row): f for f in figures} | {id(o): f for f in figures for o in f.others}

        def add(row: Row) -> int:
            self.shown.append((by_row.get(id(row), figures[0]), row))
            return self.citations.add(row)
        return add

    def holders(self, figures: list[Figure]) -> list[str]:
        """The units whose figure is not zero first; a zero count is the count asked ('0辆'), a
        zero sum of money is said as nothing arranged."""
        held = [f for f in figures if compose.decimal(f.row) != 0]
        zero_money = [f for f in figures if f not in held and unit_kind(f.row["unit"]) == "money"]
        cite = self._cite_any(figures)
        shown = held + [f for f in figures if f not in held and f not in zero_money]
        lines = compose.lookup_lines(shown, cite, asked_money_unit(self.question))
        if zero_money and held:
            names = "、".join(dict.fromkeys(f"{f.unit_year.shown} [{cite(f.row)}]" for f in zero_money))
            lines.append(f"其余单位（{names}）未安排该项（表中为零）。")
        elif zero_money:
            lines = compose.lookup_lines(figures, cite, asked_money_unit(self.question))
        return lines

    def rank(self, figures: list[Figure]) -> list[str]:
        latest: dict[str, Figure] = {}
        for figure in figures:  # one figure per unit: its latest year asked
            held = latest.get(figure.unit_year.unit.id)
            if held is None or figure.unit_year.year > held.unit_year.year:
                latest[figure.unit_year.unit.id] = figure
        ranked = list(latest.values()) if not self.slots.years or len(self.slots.years) == 1 else figures
        lines = compose.rank_lines(ranked, self.slots.order, self.slots.top, self._cite_any(ranked))
        if len(ranked) > 1 and _GAP_ASKED.search(self.question):  # '比最少的那家多多少'
            ordered = sorted(ranked, key=lambda f: compose.in_yuan(f.row) or compose.decimal(f.row))
            lines += compose.difference_lines(ordered[-1], ordered[0], self._cite_any(ranked))[2:]
        return lines

    def share(self, asked: list[Item], wholes: list[Item], years: list[UnitYear]) -> list[str]:
        """Part of whole per unit-year; the whole is the item named as containing the other (its
        qualifier or parent) or else the larger, and both are read from one table where one
        table holds both."""
        lines = []
        whole_words = {w for item in [*asked[1:], *wholes] for w in (item.text, *item.stems)}
        own_words = [w for w in self.words if w not in whole_words]  # the whole is read beside the part
        for uy in years:
            part = self.figure(asked[0], uy, own_words)
            if part is None:
                continue
            named_whole = len(asked) < 2
            whole_item = asked[1] if not named_whole else wholes[0] if wholes else _parent_item(part)
            whole = self.figure(whole_item, uy) if whole_item else None
            if whole is None or whole.row is part.row:
                continue
            part, whole = self.read_together(part, whole)
            lines += compose.share_lines(part, whole, self._cite_any([part, whole]),
                                         whole_known=named_whole)
        return lines

    def share_of_listed(self, part: Item, listed: list[Item], years: list[UnitYear]) -> list[str]:
        """'三公、会议费、培训费这一大块里，会议费占多少': the part of the listed items' sum."""
        lines = []
        for uy in years:
            figures = [f for item in listed if (f := self.figure(item, uy))]
            mine = next((f for f in figures if f.item == part), None)
            if mine is None or len(figures) != len(listed):
                continue
            lines += compose.share_of_sum_lines(mine, figures, self._cite_any(figures), self.printed_sum(figures))
        return lines

    def printed_sum(self, figures: Sequence[Figure]) -> Row | None:
        """The total row or column of the one table all `figures` stand in that prints their sum."""
        rows = [f.row for f in figures]
        if len({(r["doc_id"], r["table_index"]) for r in rows}) != 1 or rows[0]["source"] != "table":
            return None
        whole = sum(compose.in_yuan(r) or 0 for r in rows)
        near = fetch_span(self.engine, self.visibility, rows[0]["doc_id"],
                          max(0, min(r["start"] for r in rows) - _TABLE_REACH), max(r["end"] for r in rows) + _TABLE_REACH)
        for row in near:
            total_named = re.fullmatch(r"合计|总计", (row["label"] or "").strip()) or re.fullmatch(
                r"合计|总计", (row["column_name"] or "").strip())
            if (row["table_index"] == rows[0]["table_index"] and total_named and compose.in_yuan(row) is not None
                    and abs(compose.in_yuan(row) - whole) <= compose.half_last_digit(row) * 2):
                return row
        return None

    def read_together(self, first: Figure, second: Figure) -> tuple[Figure, Figure]:
        """Two figures read from one table (or one document's prose) where one of their sources
        states both: '2022年执行数为767.68万元，2023年预算安排690.58万元' is read as one
        sentence, not its 2023 figure from a table in 元 — the two are printed alike."""
        near = self.beside(second, first.row)
        if near is not None and near.row is not first.row:
            return first, near
        near = self.beside(first, second.row)
        return (near if near is not None and near.row is not second.row else first), second

    def beside(self, figure: Figure, row: Row) -> Figure | None:
        """The same item's figure read from the table (or the prose) `row` stands in."""
        if self._by_table is None:
            self._by_table = {}
            for r in self.rows:
                self._by_table.setdefault((r["doc_id"], r["source"], r["table_index"]), []).append(r)
        near = self._by_table.get((row["doc_id"], row["source"], row["table_index"]), [])
        return choose(near, figure.item, figure.unit_year, self.words, self.slots, self.catalog)

    def change(self, item: Item, years: list[UnitYear]) -> list[str]:
        lines = []
        asked = [uy for uy in years if not self.slots.years or uy.year in self.slots.years]
        asked = sorted(asked, key=lambda uy: uy.year)
        if asked and _AGAINST_START.search(self.question) and not re.search(r"(?:上年|去年)年初", self.question) and (
                gap := self.against_start(item, asked[-1])):
            return gap
        if self.slots.years and len(self.slots.years) >= 2:  # '19年比17年少了多少': between those years
            first, last = asked[0], asked[-1]
            if first.unit.id == last.unit.id and first.year != last.year:
                before, after = self.figure(item, first), self.figure(item, last)
                if before and after:
                    return [self.year_change(before, after)]
        for uy in asked[-1:] if not self.slots.years else asked:
            stated = self.stated_change(item, uy)
            if stated:
                lines.append(stated)
                continue
            after = self.figure(item, uy)
            before = self.figure(item, UnitYear(uy.unit, uy.year - 1, True, uy.shown))
            if after and before:
                lines.append(self.year_change(before, after))
        if not lines and self.other_bases:
            return [f"已收录的文件没有说明{item.name}比上年的变化（文件中的变化是相对其他基数说的）。"]
        if not lines:  # no change stated or computable: the figure, with the source's words on it
            figures = [f for uy in asked[-1:] if (f := self.figure(item, uy))]
            if figures and (sole := self.sole_part_change(figures[0])):
                return [sole]
            said = lambda row: unchanged_after(self.engine, row["doc_id"], row["end"], self.stamps) or (
                "文件未说明与上年相比的变化")
            return compose.lookup_lines(figures, self._cite_any(figures), said=said) if figures else []
        return lines

    def sole_part_change(self, figure: Figure) -> str | None:
        """'收入预算16497.86万元，其中：财政拨款收入16497.86万元，比2022年预算增加1421.25万元': the
        change its sentence states of a part equal to the whole, said as the part's (the whole's
        own change is not stated)."""
        row = figure.row
        if row["source"] == "table":
            return None
        text = get_source(self.engine, row["doc_id"], self.stamps).text
        _, end = sentence_span(text, row["start"], row["end"])
        values = [r for r in fetch_span(self.engine, self.visibility, row["doc_id"], row["end"], end)
                  if r["label"] != row["label"] and compose.same_kind(r, row) and r["value"] == row["value"]]
        changes = [c for c in fetch_stated_changes(self.engine, self.visibility, [row["doc_id"]])
                   if c["measure"] == "change" and values and values[0]["end"] <= c["start"] < end]
        if not values or not changes:
            return None
        part, change = values[0], changes[0]
        if any(values[0]["end"] < r["start"] < change["start"] for r in values[1:]):
            return None  # another figure stands between the part and the change
        phrase = comparison_before(self.engine, change["doc_id"], change["start"], self.stamps) or (
            "减少" if change["value"] < 0 else "增加")
        cite = self._cite_any([figure])
        return (f"{compose.who(figure)}{compose.item_name(figure)}为 {compose.printed(row)} [{cite(row)}]，文件未直接说明其比上年的变化；"
                f"其中{part['label']}为 {compose.printed(part)} [{cite(part)}]（与之相等），{phrase} {compose.printed(change)} [{cite(change)}]")

    def against_start(self, item: Item, uy: UnitYear) -> list[str]:
        """'决算比年初预算多了多少': the item's 年初预算 and 决算 as its sentence (or table line)
        states them side by side, and the gap between them."""
        chosen = self.figure(item, uy)
        if chosen is None:
            return []
        for candidate in self._item_rows(chosen):
            roles = self._budget_and_final(candidate)
            if set(roles) == {"budget", "final"}:
                budget, final = (Figure(roles[r], item, uy) for r in ("budget", "final"))
                return [compose.against_budget_line(budget, final, self._cite_any([budget, final]))]
        return []

    def start_budget(self, figure: Figure) -> Figure:
        """'年初预算是多少' of an item its 决算 states beside its 年初预算: that 年初预算."""
        for candidate in self._item_rows(figure):
            if (budget := self._budget_and_final(candidate).get("budget")) is not None:
                return Figure(budget, figure.item, figure.unit_year)
        return figure

    def _item_rows(self, figure: Figure) -> list[Row]:
        """The chosen figure's row, then the other fetched rows of its item and unit-year."""
        uy, item = figure.unit_year, figure.item
        return [figure.row, *(r for r in self.rows if r is not figure.row and r["measure"] == "value"
                              and uy.holds(r, self.catalog) and labels(r, item))]

    def _budget_and_final(self, figure: Row) -> dict[str, Row]:
        """The 年初预算 and the 决算 stated in one statement with `figure`."""
        text = get_source(self.engine, figure["doc_id"], self.stamps).text
        start, end = sentence_span(text, figure["start"], figure["end"])
        roles: dict[str, Row] = {}
        previous = start
        for row in fetch_span(self.engine, self.visibility, figure["doc_id"], start, end):
            role = _budget_role(row, text[previous:row["start"]])
            previous = row["end"]
            if role and role not in roles and _same_statement(text, figure, row):
                roles[role] = row
        return roles

    def year_change(self, before: Figure, after: Figure) -> str:
        """A change between two years; where the later year's documents state that same change
        (of one year, whatever they name the item), it is said and cited as they state it."""
        before, after = self.read_together(before, after)
        if after.unit_year.year - before.unit_year.year == 1:
            stated = self._stating(after, compose.comparable(after.row) - compose.comparable(before.row))
            if stated is not None:
                phrase = comparison_before(self.engine, stated["doc_id"], stated["start"], self.stamps)
                if phrase and re.search(r"上年|去年|同期|" + str(before.unit_year.year), phrase):
                    cite = self._cite_any([after, before])
                    line = compose.stated_change_line(after, stated, phrase, cite, after) + self._stated_rate(stated, cite)
                    if not _BASE_NAMED.search(self.question) and len(self.slots.years) < 2:
                        return line  # the base year unasked: the later document's own words only
                    line += f"（{before.unit_year.year}年为 {compose.printed(before.row)} [{cite(before.row)}]"
                    if _RATE_ASKED.search(self.question) and (rate := compose.change_rate(before, after)):
                        line += f"，{rate}"
                    return line + "）"
        return compose.year_change_line(before, after, self._cite_any([before, after]))

    def _stated_rate(self, change: Row, cite: Any) -> str:
        """'，增长 86.16% [n]' where the source prints the rate right after the change it states."""
        rate = self._printed_after(change, ("change_pct",))
        if rate is None:
            return ""
        shown = rate["text"] if rate["text"].endswith("%") else f"{rate['text']}%"
        return f"，{'下降' if rate['value'] < 0 or change['value'] < 0 else '增长'} {shown} [{cite(rate)}]"

    def _printed_after(self, row: Row, measures: tuple[str, ...]) -> Row | None:
        """The fetched figure of one of `measures` printed right after `row` ('…增加1064.47万元，增长86.16%')."""
        return next((r for r in self.rows if r["doc_id"] == row["doc_id"] and r["measure"] in measures
                     and 0 < r["start"] - row["end"] < _RATE_REACH), None)

    def _stating(self, after: Figure, delta: Any) -> Row | None:
        """The stated change of `after`'s unit-year equal to `delta` (to its last printed digit)."""
        docs = [d.id for d in self.catalog.docs.values()
                if d.unit_id == after.unit_year.unit.id and d.year == after.unit_year.year]
        for row in fetch_stated_changes(self.engine, self.visibility, docs):
            if not compose.same_kind(row, after.row) or (row["value"] < 0) != (delta < 0):
                continue
            if abs(abs(compose.comparable(row)) - abs(delta)) <= compose.half_last_digit(row):
                self.stamps.update(ingest_stamps(self.engine, [row["doc_id"]]))
                return row
        return None

    def stated_change(self, item: Item, uy: UnitYear) -> str | None:
        """A change the unit-year's document states, against the base the question names."""
        rows = [replace_measure(r) for r in self.rows if r["measure"] in ("change", "change_pct")]
        figure = choose(rows, item, uy, self.words, self.slots, self.catalog)
        if figure is None:
            return None
        row = next(r for r in self.rows if r["doc_id"] == figure.row["doc_id"] and r["start"] == figure.row["start"])
        phrase = comparison_before(self.engine, row["doc_id"], row["start"], self.stamps)
        against_last_year = _AGAINST_LAST_YEAR.search(self.question)
        if (against_last_year and phrase and not re.search(r"上年|去年|\d{4}年|同期", phrase)) or (
                _AGAINST_START.search(self.question) and phrase and "年初" not in phrase):
            self.other_bases.append(figure.item.name)
            return None
        phrase = phrase or ("减少" if row["value"] < 0 else "增加")  # the source's base unread: none said
        other = self._printed_after(row, ("change", "change_pct"))
        value = self.figure(item, uy)
        line = compose.stated_change_line(figure, row, phrase, self._cite_any([figure, *([value] if value else [])]),
                                          value)
        if other is not None:
            shown = f"{other['text']}%" if other["measure"] == "change_pct" else compose.printed(other)
            line += f"，{'增长' if '增' in phrase else '下降'} {shown} [{self._cite_any([figure])(other)}]"
        return line


def _listed_whole(question: str, items: Sequence[Item]) -> tuple[Item, list[Item]] | None:
    """The part and the listed whole of '甲、乙、丙这一块里，乙占多少': an item named again after
    the list it stands in ('里' / '中' between), the list being the whole."""
    split = re.search(r"(?:里|中|当中|之中)[，,\s]*", question)
    if split is None or len(items) < 3:
        return None
    listed = list(dict.fromkeys(i for i in items if question.find(i.text) < split.start()))
    after = list(dict.fromkeys(i for i in items if question.rfind(i.text) >= split.end()))
    if len(listed) < 2 or len(after) != 1 or after[0] not in listed:
        return None
    return after[0], listed


_LEAD_BUDGET = re.compile(r"(?:年初|调整)预算(?:数)?[为是:：]?\s*$|预算数[为是:：]?\s*$")
_LEAD_FINAL = re.compile(r"决算(?:数)?[为是:：]?\s*$|执行数[为是:：]?\s*$")


def _budget_role(row: Row, lead: str) -> str:
    """Whether a figure is a 年初预算 ('budget') or a 决算 ('final'): by the words just before
    it in its sentence, or by its table column."""
    if row["source"] == "table":
        column = row["column_name"] or ""
        return "budget" if re.search(r"年初预算|预算数", column) else "final" if re.search(r"决算|执行", column) else ""
    return "budget" if _LEAD_BUDGET.search(lead) else "final" if _LEAD_FINAL.search(lead) else ""


def _same_statement(text: str, a: Row, b: Row) -> bool:
    """Two figures of one statement: no sentence end between them (a table row: the same row)."""
    if a["source"] == "table" or b["source"] == "table":
        return a["source"] == b["source"] and a["table_index"] == b["table_index"] and a["row"] == b["row"]
    low, high = sorted((a["start"], b["start"]))
    return not re.search(r"[。；;]", text[low:high])


def _once(figures: list[Figure]) -> list[Figure]:
    """Figures without repeats: one stored figure named twice ('几辆车 … 车') is one figure."""
    seen: set[tuple[str, int]] = set()
    kept = []
    for figure in figures:
        key = (figure.row["doc_id"], figure.row["start"])
        if key not in seen:
            seen.add(key)
            kept.append(figure)
    return kept


def replace_measure(row: Row) -> Row:
    """A stated change read as a figure, so `choose` can choose among changes."""
    return {**row, "measure": "value"}


def _parent_item(figure: Figure) -> Item | None:
    """The whole a figure is part of, by its parent's name ('“三公”经费' of 公务接待费)."""
    parent = (figure.row["parent_label"] or "").split(" / ")[-1]
    stem = label_stem(parent)
    return Item(fold(parent), (stem,)) if stem else None
