"""Figures in tables: each numeric body cell read with its row label and column header.

The label of a cell is the nearest text cell to its left in the same row (so side-by-side
收入 | 支出 tables and key-value rows read right). The metric comes from the row when the column
only holds values (预算数, 合计, 指标值 …), from the column when the column names a breakdown
(基本支出, 公务接待费 …) and the row is a total or an organisation; a classified row crossed with a
breakdown column (行政运行 × 基本支出) keeps metric '' rather than claim the breakdown's total.
Totals follow the table: a 合计 of a title listing several metrics is none of them, a grand total
in a 财政拨款 table is that source's total, and rows of a 政府采购 table are what is bought.

`is_rollup` is True for rows that roll others up and for cells of a 合计/小计 column in a row that
also has breakdown cells, so summing facts never counts a figure twice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from gongkai.types import Cell, Document, Fact, Row, Table
from ingest.catalog import is_specific, label_stem
from ingest.facts.cells import (
    Reading,
    is_inline_header,
    label_left_of,
    read_cell,
    row_unit_of,
    split_decimals,
)
from ingest.facts.clauses import squeeze
from ingest.facts.units import is_money, scope_in, scope_of_document, year_of_figure
from ingest.numbers import fold_width, to_yuan
from ingest.vocab import (
    TIER_SOURCE,
    TIER_TOTAL,
    is_generic_head,
    match_metric,
    metric_by_key,
    metric_for_code,
    unit_kind,
)

_TOTAL_WORDS = ("合计", "小计", "总计", "汇总")
_AGGREGATE_LABEL = re.compile(r"(合计|总计|小计|汇总|本级|机关)[:：]?$")
_ORGANISATION_HEADER = re.compile(r"机构名称|单位名称|部门名称|^单位$")
_SKIP_COLUMN = re.compile(r"权重|分值|序号|编码|代码|电话|凭证|邮编|编号|时间|日期")
# The 类 / 款 / 项 digits of a 科目编码, split over columns of their own.
_CODE_COLUMN = re.compile(r"(^|/)\s*[类款项]\s*$")
_HEADER_WORD = re.compile(r"支出用途|功能分类|经济分类|项目名称")
_MONEY_HEAD = re.compile(r"(收入|支出|经费|资金|拨款|资产|费)$")
_HEADER_ONLY = frozenset({"项目", "科目", "金额", "其中", "其中:"})
_SKIP_LABEL = re.compile(r"时间$|日期|电话$|联系方式|邮编|编码|代码|编号|序号|年份|期限|起止|凭证")
_INDICATOR_TABLE = re.compile(r"绩效指标|三级指标|指标值|绩效目标|指标名称")
_PROJECT_TABLE = re.compile(r"项目(基本概况|支出明细|绩效|资金)")
# '项目名称' also heads the item column of 收支预算总表: only a 项目名称 title or a named project counts.
_PROJECT_TITLE = re.compile(r"项目名称")
_UNIT_IN_LABEL = re.compile(
    r"[（(]\s*(万元|元|亿元|千元|%|人|个|件|项|平方米)\s*[）)]|单位[:：]\s*(万元|元|亿元)"
)
_CHANGE_COLUMN = re.compile(r"增减|增长|增加|减少|变动|比上年")
_COMPLETION_COLUMN = re.compile(r"执行率|完成率|预算完成")
_MONEY_TITLE = re.compile(r"收支|收入|支出|经费|资金|预算表|决算表|采购|拨款")


def extract_table_facts(doc: Document, tables: Sequence[Table]) -> list[Fact]:
    """Every figure in the tables' body cells."""
    money_unit = _document_money_unit(tables)
    facts: list[Fact] = []
    for table in tables:
        facts.extend(_TableReader(doc, table, money_unit).read())
    return facts


def _document_money_unit(tables: Sequence[Table]) -> str | None:
    """The money unit every table stating one agrees on: the unit of unlabelled money tables."""
    units = {table.unit for table in tables if table.unit and is_money(table.unit)}
    return units.pop() if len(units) == 1 else None


class _TableReader:
    def __init__(self, doc: Document, table: Table, money_unit: str | None) -> None:
        self.doc, self.table, self.money_unit = doc, table, money_unit
        texts = [table.title, *table.columns] + [
            cell.text for row in table.rows for cell in row.cells
        ]
        everything = squeeze(" ".join(texts))
        self.indicator = bool(_INDICATOR_TABLE.search(everything))
        self.title_metric = title_metric(table.title)
        self.year = year_of_figure(table.title, doc.meta.year if doc.meta else None)
        self.project_name = self._project_name()
        self.project = bool(
            self.project_name
            or _PROJECT_TABLE.search(everything)
            or _PROJECT_TITLE.search(squeeze(table.title))
        )
        self.procurement = self.title_metric.startswith("政府采购") or any(
            "采购" in column for column in table.columns
        )
        self.money_table = not self.indicator and bool(_MONEY_TITLE.search(squeeze(table.title)))
        self.code_labels = {row.code: row.label for row in table.rows if row.code and not row.is_header}

    def read(self) -> list[Fact]:
        facts: list[Fact] = []
        inline_header: dict[int, str] = {}
        for row in self.table.rows:
            if row.is_header:
                continue
            if is_inline_header(row):
                inline_header = {
                    cell.col: squeeze(cell.text) for cell in row.cells if cell.text.strip()
                }
                continue
            facts.extend(self._row_facts(row, inline_header))
        return facts

    def _row_facts(self, row: Row, inline_header: dict[int, str]) -> list[Fact]:
        readings = {
            id(cell): reading
            for cell in row.cells
            if squeeze(cell.text) != row.code and (reading := read_cell(self.doc.text, cell))
        }
        split = split_decimals(row, readings, self.table.columns)
        row_unit = row_unit_of(row, readings)
        facts = []
        for cell in row.cells:
            reading = readings.get(id(cell))
            if reading is None or id(cell) in split:
                continue
            column = self._column(cell.col, inline_header)
            if _SKIP_COLUMN.search(column) or _CODE_COLUMN.search(column):
                continue
            fact = self._fact(row, cell, reading, column, row_unit, readings)
            if fact is not None:
                facts.append(fact)
        return facts

    def _column(self, col: int, inline_header: dict[int, str]) -> str:
        if col in inline_header:
            return inline_header[col]
        return self.table.columns[col] if col < len(self.table.columns) else ""

    def _fact(
        self,
        row: Row,
        cell: Cell,
        reading: Reading,
        column: str,
        row_unit: str,
        readings: dict[int, Reading],
    ) -> Fact | None:
        label = label_left_of(row, cell, readings)
        if _SKIP_LABEL.search(squeeze(label)):
            return None
        levels = [level.strip() for level in column.split(" / ") if level.strip()]
        item, parent = self._item(row, label, levels)
        if reading.words:
            label = f"{label} / {reading.words}" if label else reading.words
        metric = self._metric(row, label, levels, reading.unit or row_unit)
        unit = self._unit(reading, row_unit, label, column, metric)
        if not unit:
            return None
        if metric and not _fits(metric, unit):
            metric = ""
        measure = _measure(column, unit)
        raw = self._raw(label, levels, metric, self._aggregate_row(row, label))
        if not raw:
            return None
        scope = self._scope(column, label, reading, unit)
        column_year = year_of_figure(column, None)
        money = is_money(unit)
        return Fact(
            doc_id=self.doc.id,
            metric_raw=raw,
            metric=metric,
            value=reading.value,
            text=self.doc.text[reading.start : reading.end],
            unit=unit,
            start=reading.start,
            end=reading.end,
            source="table",
            measure=measure,
            scope=scope,
            year=column_year or self.year,
            value_yuan=to_yuan(reading.value, unit) if money else None,
            subject_code=row.code,
            is_rollup=self._is_rollup(row, levels, readings),
            table_index=self.table.index,
            row=row.index,
            col=cell.col,
            label=item,
            parent=parent,
            column=column,
            row_texts=_texts_before(row, cell, readings),
        )

    def _item(self, row: Row, label: str, levels: list[str]) -> tuple[str, str]:
        """The item a cell is a figure of, and what it is part of: a row named by its label rolls
        into the row of its code's parent; a row of totals ('合计', one organisation) is named by
        its column ('“三公”经费 / 公务接待费' → 公务接待费, part of “三公”经费)."""
        if is_specific(label_stem(label)) and not self._aggregate_row(row, label):
            return squeeze(label), self._parent_label(row.code)
        named = [level for level in levels
                 if is_specific(label_stem(level)) and not _names_nothing([level])]
        if named:
            return squeeze(named[-1]), " / ".join(squeeze(level) for level in named[:-1])
        return squeeze(label), ""

    def _parent_label(self, code: str | None) -> str:
        """The label of the row whose code is the longest prefix of `code` ('22102' for 2210201)."""
        for length in range(len(code or "") - 1, 2, -1):
            if parent := self.code_labels.get(code[:length]):
                return squeeze(parent)
        return ""

    def _metric(self, row: Row, label: str, levels: list[str], unit: str) -> str:
        """Row metric for value columns, column metric for totals and organisations, else ''."""
        unit_filter = unit or None
        row_metric = (metric_for_code(row.code) or match_metric(_metric_words(label), unit_filter)
                      or self._procurement_category(label, unit_filter))
        last = squeeze(levels[-1]) if levels else ""
        column_metric, part = (
            ("", False) if last in _TOTAL_WORDS else self._column_metric(levels, unit_filter)
        )
        aggregate = self._aggregate_row(row, label)
        if column_metric:
            keep = aggregate and not part and self._within_title(column_metric)
            metric = column_metric if keep else ""
        elif aggregate and last in _TOTAL_WORDS:
            parent = squeeze(levels[-2]) if len(levels) > 1 else ""
            metric = match_metric(parent, unit_filter) or row_metric or self.title_metric
        elif _names_money_part(last):
            metric = ""  # '行政运行' × '经营收入': a part of the row no metric names
        else:
            # Only a column of plain values ('金额', '预算数') states the title's figure itself.
            # '合计'/'总计' rows total the table; a '小计' totals the group named left of it.
            total_row = not label or squeeze(label).rstrip(":：") in ("合计", "总计")
            of_title = aggregate and total_row and _names_nothing(levels) and not self.project
            metric = row_metric or (self.title_metric if of_title else "")
        entry = metric_by_key(metric)
        title = metric_by_key(self.title_metric)
        if entry is not None and entry.tier == TIER_TOTAL and title and title.tier == TIER_SOURCE:
            metric = _source_total(metric, title.key)  # 财政拨款收支总表's 本年收入合计
            entry = metric_by_key(metric)
        if self.procurement and not aggregate and entry is not None and "政府采购" not in metric:
            return ""  # '会议费' in a procurement table is what is bought, not the unit's 会议费
        if self.project and entry is not None and entry.tier == TIER_TOTAL:
            return "项目经费"  # a project table's 支出合计 is the project's money, not the unit's
        if entry is not None and entry.kind == "count" and re.search(r"培训|调出|新增|购置", label):
            return ""
        return metric

    def _procurement_category(self, label: str, unit_filter: str | None) -> str:
        """A 政府采购 table's category row ('服务C', '货物类') is that category of the unit's
        政府采购 (政府采购服务); never the table's whole."""
        if not self.procurement:
            return ""
        metric = match_metric("政府采购" + label_stem(label), unit_filter)
        return metric if metric.startswith("政府采购") and metric not in ("政府采购", self.title_metric) else ""

    def _column_metric(self, levels: list[str], unit_filter: str | None) -> tuple[str, bool]:
        """The breakdown a column names, and whether the column is only a part of it.

        OCR may split a name's words over header levels; '公务用车购置及运行费 / 运行费' names a
        part of its parent's metric, not the metric itself.
        """
        last = squeeze(levels[-1]) if levels else ""
        metric = match_metric(last, unit_filter)
        if metric:
            return metric, False
        # Header words of their own ('项目', '科目') are left out: 项目 + 支出功能分类 is no 项目支出.
        words = [squeeze(level) for level in levels if squeeze(level) not in _HEADER_ONLY]
        joined = match_metric("".join(words), unit_filter)
        entry = metric_by_key(joined)
        if entry is None or entry.tier == TIER_TOTAL:
            return "", False
        parents = match_metric("".join(words[:-1]), unit_filter) if len(words) > 1 else ""
        return joined, parents == joined and _names_money_part(last)

    def _within_title(self, column_metric: str) -> bool:
        """A funding-source column of a 政府采购 or 三公经费 table is no figure of that source's."""
        title, column = metric_by_key(self.title_metric), metric_by_key(column_metric)
        return title is None or column is None or column.tier >= title.tier

    def _aggregate_row(self, row: Row, label: str) -> bool:
        """A row of totals or of one organisation: its cells are the columns' own metrics."""
        if not label.strip():
            return True
        if row.code:
            return False
        label_header = self.table.columns[0] if self.table.columns else ""
        if _ORGANISATION_HEADER.search(squeeze(label_header)):
            return True
        return bool(_AGGREGATE_LABEL.search(squeeze(label))) and not match_metric(
            _metric_words(label)
        )

    def _unit(self, reading: Reading, row_unit: str, label: str, column: str, metric: str) -> str:
        if reading.unit:
            return reading.unit
        if row_unit:
            return row_unit
        for text in (label, column, self.table.title):
            if match := _UNIT_IN_LABEL.search(fold_width(text)):
                return match.group(1) or match.group(2)
        entry = metric_by_key(metric)
        if self.table.unit and (entry is None or entry.kind == "money") and not self.indicator:
            return self.table.unit
        if entry is not None and entry.kind == "money" or entry is None and self.money_table:
            return self.table.unit or self.money_unit or ""
        if entry is not None and entry.kind in ("count", "score", "area"):
            return entry.unit
        return ""

    def _raw(self, label: str, levels: list[str], metric: str, aggregate: bool) -> str:
        """Row label, with the column's header when the column says what the figure is."""
        parts = [label] if label else []
        says = aggregate or any(_says_something(level) for level in levels)
        column_words = (
            [level for level in levels if squeeze(level) not in ("其中", "其中:")] if says else []
        )
        if column_words:
            parts.append("/".join(squeeze(level) for level in column_words))
        if not label and not column_words:
            parts.append(self.table.title or metric)
        elif not label:
            parts.insert(0, self.table.title)
        raw = " / ".join(squeeze(part) for part in parts if part)
        if self.project_name and self.project_name not in raw:
            raw = f"{self.project_name} / {raw}"
        return raw

    def _scope(self, column: str, label: str, reading: Reading, unit: str) -> str:
        plain = re.sub(r"[（()）\s]", "", column)
        scope = (
            scope_in(plain) or ("实际" if "完成情况" in plain else "") or scope_in(squeeze(label))
        )
        if scope:
            return scope
        if reading.comparator:
            return "目标"
        if self.indicator and not is_money(unit):
            return "目标" if not re.search(r"自评|完成", squeeze(self.table.title)) else ""
        title_scope = scope_in(squeeze(self.table.title))
        if title_scope:
            return title_scope
        return scope_of_document(self.doc.meta) if is_money(unit) else ""

    def _is_rollup(self, row: Row, levels: list[str], readings: dict[int, Reading]) -> bool:
        if row.is_rollup:
            return True
        last = squeeze(levels[-1]) if levels else ""
        return last in _TOTAL_WORDS and len(readings) > 1

    def _project_name(self) -> str:
        """The project a project table is about: the text right of a 项目名称 cell."""
        for row in self.table.rows:
            cells = [cell for cell in row.cells if cell.text.strip()]
            for position, cell in enumerate(cells[:-1]):
                name = squeeze(cells[position + 1].text)
                if squeeze(cell.text) == "项目名称" and not _is_header_word(name):
                    return name
        return ""


def _texts_before(row: Row, cell: Cell, readings: dict[int, Reading]) -> tuple[str, ...]:
    """The row's text cells left of `cell` back to the previous figure: all that names the row
    for this figure (a 政府采购 row: 品目大类, 专项名称, 物品名称 …; one half of a 收入 | 支出 row)."""
    texts: list[str] = []
    for other in sorted(row.cells, key=lambda c: -c.col):
        if other.col >= cell.col:
            continue
        if id(other) in readings:
            break
        word = squeeze(other.text)
        if word and not re.fullmatch(r"[\d.,%\s]+", word):
            texts.append(word)
    return tuple(reversed(texts))


def title_metric(title: str) -> str:
    """The metric a table's title names; '' when it lists several ('“三公”经费、会议费、培训费支出预算表').

    A 合计 of such a table is the sum of all the listed metrics, never one of its parts.
    """
    parts = [part for part in re.split(r"[、，,]", squeeze(title)) if part]
    if len({match_metric(part) for part in parts} - {""}) > 1:
        return ""
    return match_metric(title)


def _names_nothing(levels: list[str]) -> bool:
    """A column header of plain values ('金额', '2018年预算数', '合计'), naming no subject of its own."""
    return all(is_generic_head(squeeze(level)) for level in levels)


def _source_total(total: str, source: str) -> str:
    """A grand total inside a table of one funding source is that source's total."""
    stem = re.sub(r"(收支总计|收入|支出)$", "", source)
    side = {"收入合计": "收入", "支出合计": "支出"}.get(total, "收支总计")
    return stem + side if metric_by_key(stem + side) else source


def _is_header_word(word: str) -> bool:
    """'金额', '支出用途', '功能分类': a column's header, not a project's name."""
    return is_generic_head(word) or bool(_HEADER_WORD.fullmatch(word))


def _names_money_part(word: str) -> bool:
    """'运行费', '经营收入', '单位预留机动经费': a column naming money of its own, not plain values."""
    return bool(_MONEY_HEAD.search(word)) and not is_generic_head(word)


def _metric_words(label: str) -> str:
    return _UNIT_IN_LABEL.sub("", label)


def _says_something(level: str) -> bool:
    """A header level worth keeping in metric_raw: a metric, a scope or a year, not 项目/金额."""
    word = squeeze(level)
    if not word or word in ("项目", "金额", "数额", "其中:", "其中") or word in _TOTAL_WORDS:
        return False
    return bool(
        match_metric(word)
        or scope_in(word)
        or re.search(r"(19|20)\d{2}", word)
        or re.search(r"完成|实际|目标|指标|得分|执行", word)
    )


def _fits(metric: str, unit: str) -> bool:
    entry = metric_by_key(metric)
    if entry is None:
        return True
    return unit_kind(unit) == entry.kind and (not entry.units or unit in entry.units)


def _measure(column: str, unit: str) -> str:
    word = squeeze(column)
    if _CHANGE_COLUMN.search(word):
        return "change_pct" if unit == "%" else "change"
    if unit == "%" and _COMPLETION_COLUMN.search(word):
        return "completion"
    return "value"
