"""Tab-separated tables in plain text, in two layouts.

Row per line: `序号\\t单位名称` lines, consecutive, each line a row. Cell per line: every line is
`\\t<cell>` and blank lines end rows (text copied out of Word tables); such blocks are forms and
are split into their parts like OCR blocks.
"""

from __future__ import annotations

from ingest.tables.blocks import split_block
from ingest.tables.grid import Line, RawCell, RawTable, make_cell

_CELL_PER_LINE_SHARE = 0.8


def find_tsv_tables(
    text: str, lines: list[Line], taken: set[int]
) -> tuple[list[RawTable], set[int]]:
    """Tables of tab lines, and the numbers of the lines they use."""
    tables: list[RawTable] = []
    used: set[int] = set()
    for first, last in _blocks(lines, taken):
        block = lines[first:last]
        if _is_cell_per_line(block):
            rows = _cell_rows(text, block)
            found = split_block(rows, "tsv") if len(rows) >= 2 else []
        else:
            rows = [_split(text, line, line.start) for line in block if "\t" in line.text]
            found = [RawTable("tsv", rows, span_policy="left")] if len(rows) >= 2 else []
        if found:
            tables.extend(found)
            used.update(range(first, last))
    return tables, used


def _blocks(lines: list[Line], taken: set[int]) -> list[tuple[int, int]]:
    """[first, last) ranges of tab lines; blank lines inside count when a tab line follows."""
    blocks: list[tuple[int, int]] = []
    number = 0
    while number < len(lines):
        if number in taken or "\t" not in lines[number].text:
            number += 1
            continue
        end = last_tab = number
        while end < len(lines) and end not in taken:
            line = lines[end].text
            if "\t" in line:
                last_tab = end
            elif line.strip():
                break
            end += 1
        blocks.append((number, last_tab + 1))
        number = last_tab + 1
    return blocks


def _is_cell_per_line(block: list[Line]) -> bool:
    tab_lines = [line.text for line in block if "\t" in line.text]
    single = sum(1 for line in tab_lines if line.startswith("\t") and line.count("\t") == 1)
    has_blank_rows = any(not line.text.strip() for line in block)
    return has_blank_rows and single >= _CELL_PER_LINE_SHARE * len(tab_lines)


def _cell_rows(text: str, block: list[Line]) -> list[list[RawCell]]:
    rows: list[list[RawCell]] = []
    row: list[RawCell] = []
    for line in block:
        if "\t" not in line.text:
            if row:
                rows.append(row)
            row = []
            continue
        first_tab = line.start + line.text.index("\t")
        row.extend(
            _split(
                text, Line(first_tab + 1, line.end, text[first_tab + 1 : line.end]), first_tab + 1
            )
        )
    if row:
        rows.append(row)
    return rows


def _split(text: str, line: Line, start: int) -> list[RawCell]:
    cells: list[RawCell] = []
    lo = start
    for part in line.text.split("\t"):
        cells.append(make_cell(text, lo, lo + len(part)))
        lo += len(part) + 1
    return cells
