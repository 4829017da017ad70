"""Checks inside one table: 合计/小计/总计 rows, parent 科目编码 rows (类/款) and total columns.

A table split over pages is checked as one when the continuation repeats its columns. A blank
cell among the parts counts as zero (disclosures leave zeros blank); a blank total is not checked,
nor a total none of whose parts is printed. Parts running to the last row read may go on where
the reading stopped (a row printed past the page's rules): a last block falling short of its
parent, and a total above its rows in a table so cut, are not claimed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from assistant.audit.findings import Figure, Finding, check, total_of
from assistant.audit.load import AuditDoc
from gongkai.types import Cell, Table

_TOTAL_LABEL = re.compile(r"^(?:合\s*计|总\s*计|小\s*计)\s*[:：]?$")
_TOTAL_SEGMENT = re.compile(r"(?:合计|小计|总计)$")
_NOT_ADDITIVE = re.compile(r"上年|增减|增长|变动|比上年|比较|年初|%|百分|率|占")
_KEY_COLUMN = re.compile(r"编码|代码|序号|行次|编号|行号|(?:^|/ )[类款项]$")
_SUB_ITEM = re.compile(r"^\s*(?:其中|含|包括)")


@dataclass(frozen=True)
class _Row:
    label: str
    code: str | None
    cells: dict[int, Cell]


@dataclass(frozen=True)
class _Grid:
    table: Table  # the first part, for title and unit
    columns: tuple[str, ...]
    rows: tuple[_Row, ...]  # body rows of every part, in order
    width: int  # columns past this are not checked (a continuation that laid them out otherwise)


def check_tables(doc: AuditDoc) -> list[Finding]:
    findings: list[Finding] = []
    for grid in _grids(doc.tables):
        if _two_panel(grid.columns):
            continue
        unit = grid.table.unit or ""
        findings += _row_totals(doc.id, grid, unit)
        findings += _code_rollups(doc.id, grid, unit)
        findings += _column_totals(doc.id, grid, unit)
    return findings


def _grids(tables: Sequence[Table]) -> Iterator[_Grid]:
    """Tables with their page continuations joined (same columns, same or no title)."""
    current: _Grid | None = None
    for table in tables:
        body = tuple(_body_rows(table))
        if current and _continues(table, current):
            width = current.width if table.columns == current.columns else _aligned(current, body)
            current = _Grid(current.table, current.columns, current.rows + body, width)
            continue
        if current:
            yield current
        current = _Grid(table, table.columns, body, len(table.columns))
    if current:
        yield current


def _continues(table: Table, grid: _Grid) -> bool:
    """A page's table continues the previous one: same columns, or it starts with body rows
    under the same title, or with a 科目编码 row after a coded table."""
    if table.columns == grid.columns and table.title in ("", grid.table.title):
        return True
    first = table.rows[0] if table.rows else None
    if first is None or first.is_header:
        return False
    same_title = table.title in ("", grid.table.title)
    coded = bool(first.code) and any(r.code for r in grid.rows)
    return (same_title or coded) and len(table.columns) <= len(grid.columns)


def _aligned(grid: _Grid, body: Sequence[_Row]) -> int:
    """How many leading columns a continuation with other columns fills as the table does."""
    before = {c for r in grid.rows for c in r.cells}
    after = {c for r in body for c in r.cells}
    misplaced = [c for c in after if c not in before] + [c for c in before if c not in after]
    return min([grid.width, *misplaced])


def _two_panel(columns: Sequence[str]) -> bool:
    """Two tables side by side (科目名称 … 科目名称): rows pair unrelated items."""
    names = [c for c in columns if c]
    return len(names) != len(set(names))


def _two_sided(grid: _Grid, rows: Sequence[_Row]) -> bool:
    """收/支 side by side: more than one column holds row names."""
    label_cols = set()
    for row in grid.table.rows:
        if row.is_header:
            continue
        for cell in row.cells:
            if cell.value is None and re.search(r"[一-龥]{2}", cell.text):
                label_cols.add(cell.col)
    return len(label_cols) > 1 and not any(r.code for r in rows)


def _hidden_subtotals(rows: Sequence[_Row]) -> bool:
    """Some row equals the sum of the rows right after it: the table nests without saying so."""
    for col in {c for r in rows for c in r.cells}:
        values = [r.cells[col].value if col in r.cells else 0.0 for r in rows]
        for i, head in enumerate(values):
            if not head:
                continue
            run = 0.0
            for j in range(i + 1, len(values)):
                run += values[j] or 0.0
                if j > i + 1 and abs(run - head) < 0.006 * max(1.0, abs(head)) / 100 + 0.006:
                    return True
                if run > head + 0.01:
                    break
    return False


def _body_rows(table: Table) -> Iterator[_Row]:
    keys = {i for i, name in enumerate(table.columns) if _KEY_COLUMN.search(name)}
    for row in table.rows:
        if row.is_header:
            continue
        cells = {c.col: c for c in row.cells if c.col not in keys and c.value is not None
                 and not (row.code and c.text.strip() == row.code)}
        yield _Row(row.label.strip(), row.code, cells)


def _figure(row: _Row, col: int, columns: Sequence[str], unit: str) -> Figure:
    cell = row.cells[col]
    name = columns[col] if col < len(columns) else ""
    label = f"{row.label}（{name}）" if name else row.label
    return Figure(label, cell.text, cell.value or 0.0, cell.start, cell.end, unit=unit)


def _sum_check(rule: str, doc_id: str, grid: _Grid, total: _Row, parts: Sequence[_Row], unit: str,
               detail: str, *, open_end: bool) -> list[Finding]:
    findings = []
    for col in sorted(c for c in total.cells if c < grid.width):
        present = [p for p in parts if col in p.cells]
        if not present:
            continue
        inputs = [_figure(p, col, grid.columns, unit) for p in present]
        stated = _figure(total, col, grid.columns, unit)
        if open_end and stated.value > sum(f.value for f in inputs):
            continue
        found = check(rule, doc_id, stated, inputs, total_of, unit=unit, detail=detail)
        if found:
            findings.append(found)
    return findings


def _last_numeric(grid: _Grid) -> _Row | None:
    return next((r for r in reversed(grid.rows) if r.cells), None)


def _row_totals(doc_id: str, grid: _Grid, unit: str) -> list[Finding]:
    numeric = [r for r in grid.rows if r.cells]
    totals = [r for r in numeric if _TOTAL_LABEL.match(r.label)]
    if len(totals) != 1:
        return []
    total = totals[0]
    others = [r for r in numeric if r is not total]
    codes = [r.code for r in others if r.code]
    if codes:
        if len(codes) != len(others):  # rows without a code beside coded ones: their level is unknown
            return []
        top = min(len(c) for c in codes)
        parts = [r for r in others if r.code and len(r.code) == top]
    else:
        if (numeric.index(total) not in (0, len(numeric) - 1) or any(_SUB_ITEM.match(r.label) for r in others)
                or _two_sided(grid, numeric) or _hidden_subtotals(others)):
            return []
        parts = others
    if not parts:
        return []
    title = grid.table.title or "表格"
    last = _last_numeric(grid)
    return _sum_check("row_total", doc_id, grid, total, parts, unit,
                      f"{title}：“{total.label}”行应等于各行之和",
                      open_end=last is not total and _cut_at_end(grid))


def _blocks(grid: _Grid) -> Iterator[tuple[_Row, list[_Row], list[_Row]]]:
    """(parent, its whole block, its children one level down) for every coded parent row."""
    rows = [r for r in grid.rows if r.cells and r.code]
    for i, parent in enumerate(rows):
        block = []
        for row in rows[i + 1:]:
            if not row.code.startswith(parent.code) or row.code == parent.code:
                break
            block.append(row)
        if block:
            level = min(len(r.code) for r in block)
            yield parent, block, [r for r in block if len(r.code) == level]


def _short(parent: _Row, children: Sequence[_Row]) -> bool:
    """The children add up to less than the parent in some column."""
    for col, cell in parent.cells.items():
        parts = [c.cells[col] for c in children if col in c.cells]
        if parts and (cell.value or 0) - sum(p.value or 0 for p in parts) > 0.5 * len(parts) + 0.5:
            return True
    return False


def _cut_at_end(grid: _Grid) -> bool:
    """The last block read falls short of its parent: the table went on past what was read."""
    last = _last_numeric(grid)
    return any(block[-1] is last and _short(parent, children) for parent, block, children in _blocks(grid))


def _code_rollups(doc_id: str, grid: _Grid, unit: str) -> list[Finding]:
    findings = []
    last = _last_numeric(grid)
    title = grid.table.title or "表格"
    for parent, block, children in _blocks(grid):
        findings += _sum_check("code_rollup", doc_id, grid, parent, children, unit,
                               f"{title}：科目 {parent.code} {parent.label} 应等于其下级科目之和",
                               open_end=block[-1] is last)
    return findings


def _segments(path: str) -> tuple[str, ...]:
    return tuple(re.sub(r"\s+", "", s) for s in path.split(" / "))


def column_groups(columns: Sequence[str]) -> list[tuple[int, list[int]]]:
    """(total column, part columns) pairs read from header paths.

    A column 'X / 合计' totals its siblings 'X / …'; a column 'P' with columns 'P / …' beneath it
    totals them. A sibling that is itself a group counts by its own 合计/小计 column.

    >>> column_groups(["科目", "合计", "合计 / 基本支出", "合计 / 项目支出"])
    [(1, [2, 3])]
    >>> column_groups(["年 / 小计", "年 / 基本支出", "年 / 项目支出"])
    [(0, [1, 2])]
    """
    paths = [_segments(c) for c in columns]
    index = {p: i for i, p in enumerate(paths)}
    groups = []
    for i, path in enumerate(paths):
        if not path or not path[-1]:
            continue
        if _TOTAL_SEGMENT.search(path[-1]) and len(path) > 1 and path[-1] in ("合计", "小计", "总计"):
            parent = path[:-1]
        elif any(p[:len(path)] == path and len(p) > len(path) for p in paths):
            parent = path
        else:
            continue
        parts = _parts_under(parent, paths, index, exclude=i)
        if parts and len(parts) >= 2:
            groups.append((i, parts))
    return groups


def _parts_under(parent: tuple[str, ...], paths: Sequence[tuple[str, ...]], index: dict,
                 exclude: int) -> list[int] | None:
    names = []
    for j, p in enumerate(paths):
        if j != exclude and len(p) > len(parent) and p[:len(parent)] == parent:
            name = p[len(parent)]
            if name not in names and name not in ("合计", "小计", "总计"):
                names.append(name)
    parts = []
    for name in names:
        if not name or _NOT_ADDITIVE.search(name):
            return None
        own = next((index[parent + (name, *tail)] for tail in ((), ("合计",), ("小计",))
                    if parent + (name, *tail) in index), None)
        if own is None:
            return None
        parts.append(own)
    return parts


def _column_totals(doc_id: str, grid: _Grid, unit: str) -> list[Finding]:
    findings = []
    for total_col, part_cols in column_groups(grid.columns):
        if max(total_col, *part_cols) >= grid.width:
            continue
        name = grid.columns[total_col]
        for row in grid.rows:
            if total_col not in row.cells or not any(c in row.cells for c in part_cols):
                continue
            stated = _figure(row, total_col, grid.columns, unit)
            inputs = [_figure(row, c, grid.columns, unit) for c in part_cols if c in row.cells]
            detail = f"{grid.table.title or '表格'}：“{row.label}”行的“{name}”应等于各分列之和"
            found = check("column_total", doc_id, stated, inputs, total_of, unit=unit, detail=detail)
            if found:
                findings.append(found)
    return findings
