"""OCR'd tables written one cell per line (`text |`), rows cut by lines of pipes (`|||||`).

Detection: a run of fragment / pipe-row / cut lines holding at least one cut line. A row is
every cell between two cut lines; a pipe row inside the run adds all of its cells.
"""

from __future__ import annotations

from ingest.tables.blocks import split_block
from ingest.tables.grid import Line, RawCell, RawTable, make_cell
from ingest.tables.markdown import is_cut_line, is_fragment_line, is_pipe_row, row_cells


def find_ocr_tables(
    text: str, lines: list[Line], taken: set[int]
) -> tuple[list[RawTable], set[int]]:
    """Tables in OCR pipe blocks, and the numbers of the lines those blocks use."""
    tables: list[RawTable] = []
    used: set[int] = set()
    for first, last in _blocks(lines, taken):
        rows = _rows(text, lines[first:last])
        if len(rows) >= 2:
            tables.extend(split_block(rows, "ocr_pipe"))
            used.update(range(first, last))
    return tables, used


def _blocks(lines: list[Line], taken: set[int]) -> list[tuple[int, int]]:
    """[first, last) line ranges: starting at a fragment or cut line, holding a cut line."""
    blocks: list[tuple[int, int]] = []
    number = 0
    while number < len(lines):
        if number in taken or not _opens_block(lines[number].text):
            number += 1
            continue
        end = number
        while end < len(lines) and end not in taken and _in_block(lines[end].text):
            end += 1
        if any(is_cut_line(line.text) for line in lines[number:end]):
            blocks.append((number, end))
        number = max(end, number + 1)
    return blocks


def _opens_block(line: str) -> bool:
    return is_fragment_line(line) or is_cut_line(line)


def _in_block(line: str) -> bool:
    return is_fragment_line(line) or is_cut_line(line) or is_pipe_row(line)


def _rows(text: str, lines: list[Line]) -> list[list[RawCell]]:
    rows: list[list[RawCell]] = []
    row: list[RawCell] = []
    for line in lines:
        if is_cut_line(line.text):
            if row:
                rows.append(row)
            row = []
        elif is_fragment_line(line.text):
            bar = line.start + line.text.rindex("|")
            row.append(make_cell(text, line.start, bar))
        else:
            row.extend(row_cells(text, line))
    if row:
        rows.append(row)
    return rows
