"""Pipe tables written one row per line: markdown (`| a | b |`) and inline rows (`a | b |`).

Hand-written because cells must keep exact offsets and real files break the markdown rules
(missing last pipe, no separator, data in the first row); markdown parsers drop offsets.
"""

from __future__ import annotations

import re
from itertools import pairwise

from ingest.tables.grid import Line, RawCell, RawTable, make_cell

_CUT = re.compile(r"\s*\|{2,}\s*")
_SEPARATOR = re.compile(r"\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*")
_PIPE = re.compile(r"(?<!\\)\|")


def is_cut_line(line: str) -> bool:
    """A line of pipes only: OCR output uses these between table rows."""
    return bool(_CUT.fullmatch(line))


def is_separator_line(line: str) -> bool:
    """A markdown header separator such as `|---|:--:|` or `---|---`."""
    return "|" in line and bool(_SEPARATOR.fullmatch(line))


def is_fragment_line(line: str) -> bool:
    """One OCR cell on its own line: `text |` or a lone `|`."""
    stripped = line.strip()
    return stripped.endswith("|") and len(_PIPE.findall(stripped)) == 1


def is_pipe_row(line: str) -> bool:
    """A row of cells on one line, with or without the leading pipe."""
    stripped = line.strip()
    if not stripped or is_cut_line(stripped) or is_separator_line(stripped):
        return False
    pipes = len(_PIPE.findall(stripped))
    return pipes >= 2 or (stripped.startswith("|") and len(stripped) > 1)


def row_cells(text: str, line: Line) -> list[RawCell]:
    """The cells of a pipe row; text after the last pipe is a cell cut short by truncation."""
    cuts = [line.start + m.start() for m in _PIPE.finditer(line.text)]
    leading = line.text.lstrip().startswith("|")
    bounds = ([] if leading else [line.start - 1]) + cuts
    cells = [make_cell(text, lo + 1, hi) for lo, hi in pairwise(bounds)]
    tail = (
        make_cell(text, cuts[-1] + 1, line.end) if cuts else make_cell(text, line.start, line.end)
    )
    if tail.text:
        cells.append(tail)
    return cells


def _is_collapsed(rows: list[list[RawCell]], separators: int) -> bool:
    """Rows without a markdown separator whose widths differ: merged cells were dropped, not
    blanked (HTML tables flattened to text), so they are laid out like OCR rows."""
    if separators:
        return False
    widths = {len(_trim_trailing_blanks(row)) for row in rows if sum(1 for c in row if c.text) >= 2}
    return len(widths) > 1


def _trim_trailing_blanks(row: list[RawCell]) -> list[RawCell]:
    end = len(row)
    while end > 0 and not row[end - 1].text:
        end -= 1
    return row[:end]


def find_pipe_tables(text: str, lines: list[Line], taken: set[int]) -> list[RawTable]:
    """Tables of consecutive pipe-row lines (separator lines skipped), outside `taken` lines."""
    tables: list[RawTable] = []
    block: list[Line] = []
    separators = 0
    for number, line in enumerate([*lines, None]):
        if line is not None and number not in taken and is_pipe_row(line.text):
            block.append(line)
            continue
        if line is not None and number not in taken and block and is_separator_line(line.text):
            separators += 1
            continue
        if len(block) >= 2 or (block and separators):
            rows = [row_cells(text, row) for row in block]
            layout = "ragged" if _is_collapsed(rows, separators) else "grid"
            if layout == "ragged":
                rows = [_trim_trailing_blanks(row) for row in rows]
            tables.append(RawTable("markdown", rows, layout=layout))
        block, separators = [], 0
    return tables
