"""Figures found in a document's tables by what names them: the table's kind, the row's words (or
科目编码) and the column's header — so rules can relate one table's figure to another's.

A cell's label is the nearest words to its left on its row (tables printed as two panels side by
side, 收入 | 支出, give each panel's cells their own), its code the 科目编码 digits printed before
that label. A spot found in several cells of differing values is ambiguous and not found.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from assistant.audit.findings import Figure
from assistant.audit.kinds import kind_of
from assistant.audit.load import AuditDoc
from gongkai.types import Cell, Table
from ingest.numbers import to_yuan

MONEY = ("元", "千元", "万元", "亿元")
_WORDS = re.compile(r"[一-龥]")
_CODE_PART = re.compile(r"^\d{1,7}$")
_CODE_COLUMN = re.compile(r"编码|代码|(?:^|/ )[类款项]$")


@dataclass(frozen=True)
class Spot:
    """Where a figure is printed: a table kind, and a row label, code and column header to match."""

    kind: str  # a kinds.Kind id
    label: str = ""  # regex on the cell's row label, without spaces
    column: str = ""  # regex on the column's header path
    code: str = ""  # the 科目编码, exactly
    not_column: str = ""  # regex the column's header must not match


@dataclass(frozen=True)
class LabelledCell:
    table: Table
    cell: Cell
    label: str
    code: str
    column: str
    unit: str


def document_unit(tables: Sequence[Table]) -> str | None:
    """The one money unit the document's tables state, if they state only one."""
    units = {t.unit for t in tables if t.unit in MONEY}
    return units.pop() if len(units) == 1 else None


def tables_of(doc: AuditDoc, kind: str) -> list[Table]:
    """The document's tables of a kind, page continuations included."""
    return [t for t in doc.tables if (k := kind_of(t.title)) is not None and k.id == kind]


def kind_cells(doc: AuditDoc, kind: str) -> Iterator[LabelledCell]:
    """The labelled figures of every table of a kind; a continuation under the same title
    without column names of its own is read with the columns of the part before it."""
    unit = document_unit(doc.tables)
    previous: Table | None = None
    for table in tables_of(doc, kind):
        columns = list(table.columns)
        if previous is not None and previous.title == table.title:
            columns = [name or (previous.columns[i] if i < len(previous.columns) else "")
                       for i, name in enumerate(columns)]
        else:
            previous = table
        yield from labelled_cells(table, unit, columns)


def labelled_cells(table: Table, fallback_unit: str | None,
                   columns: Sequence[str] = ()) -> Iterator[LabelledCell]:
    """The table's figures with their labels; `columns` names the columns of a page continuation
    printed without its header."""
    unit = table.unit if table.unit in MONEY else fallback_unit
    if unit is None:
        return
    columns = columns or table.columns
    codes = {i for i, name in enumerate(columns) if _CODE_COLUMN.search(name)}
    for row in table.rows:
        if row.is_header:
            continue
        cells = sorted(row.cells, key=lambda c: c.col)
        for i, cell in enumerate(cells):
            if cell.value is None or cell.col in codes:
                continue
            label, code = _label_left_of(cells, i, codes)
            if not label:
                label, code = row.label, row.code or ""
            column = re.sub(r"\s+", "", columns[cell.col]) if cell.col < len(columns) else ""
            yield LabelledCell(table, cell, re.sub(r"\s+", "", label), code, column, unit)


def _label_left_of(cells: Sequence[Cell], i: int, codes: set[int]) -> tuple[str, str]:
    """The nearest words left of cell i, and the 科目编码 digits printed just before them."""
    for j in range(i - 1, -1, -1):
        if cells[j].value is not None or not _WORDS.search(cells[j].text):
            continue
        parts = []
        for k in range(j - 1, -1, -1):
            text = cells[k].text.strip()
            if cells[k].col not in codes or not _CODE_PART.match(text):
                break
            parts.insert(0, text)
        return cells[j].text.strip(), "".join(parts)
    return "", ""


def find(doc: AuditDoc, spot: Spot) -> Figure | None:
    """The figure printed at `spot`, or None when no cell (or cells of differing values) is there."""
    found = [cell for cell in kind_cells(doc, spot.kind) if _at(cell, spot)]
    if not found or len({(c.cell.value, c.unit) for c in found}) > 1:
        return None
    first = found[0]
    name = f"{first.label}（{first.column}）" if first.column and first.column != first.label else first.label
    return Figure(f"{first.table.title}：{name}", first.cell.text, first.cell.value, first.cell.start,
                  first.cell.end, unit=first.unit)


def _at(cell: LabelledCell, spot: Spot) -> bool:
    return ((not spot.code or cell.code == spot.code)
            and (not spot.label or re.search(spot.label, cell.label) is not None)
            and (not spot.column or re.search(spot.column, cell.column) is not None)
            and not (spot.not_column and re.search(spot.not_column, cell.column)))


def scaled(figure: Figure, unit: str) -> Figure:
    """The figure with its amount in `unit` (a 万元 figure checked in 元 …)."""
    scale = (to_yuan(1.0, figure.unit) or 1.0) / (to_yuan(1.0, unit) or 1.0)
    return Figure(figure.label, figure.text, figure.value, figure.start, figure.end, scale, figure.unit)
