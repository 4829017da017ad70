"""Unruled tables of a scanned page: runs of lines whose words stand in aligned columns.

A line is a table row when its words are set apart by gaps into three or more runs; three such
lines make a table, lines of two runs among and below them belong to it. Its columns come from the geometry of the boxes: the
horizontal extents of all its words, overlapping extents merged, give the column bands, and
each word goes into the band it overlaps most.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

from ingest.load.ocr import Word
from ingest.tables.from_boxes import BoxCell, BoxTable, cell_text

_COLUMN_GAP = 0.6  # a gap this many text heights wide separates two cells of a row
_MIN_CELLS = 3
_MIN_ROWS = 3


@dataclass(frozen=True)
class AlignedTable:
    """A table found among the lines: the first and last (exclusive) line it took."""

    first: int
    last: int
    table: BoxTable


def find_aligned_tables(lines: Sequence[Sequence[Word]]) -> list[AlignedTable]:
    """Tables among visual lines (each a line's words, left to right), top to bottom. A table
    starts at a line of three cells or more; lines of two cells go on with it (a 合计 row, a
    row with blanks), but never start it: the title and unit lines above stay text."""
    if not lines:
        return []
    height = median(w.height for line in lines for w in line)
    cells = [len(_runs(line, height)) for line in lines]
    found: list[AlignedTable] = []
    start = 0
    while start < len(lines):
        if cells[start] < _MIN_CELLS:
            start += 1
            continue
        end = start
        while end < len(lines) and cells[end] >= 2:
            end += 1
        if sum(1 for n in cells[start:end] if n >= _MIN_CELLS) >= _MIN_ROWS:
            found.append(AlignedTable(start, end, _table(lines[start:end], height)))
        start = end
    return found


def _runs(line: Sequence[Word], height: float) -> list[list[Word]]:
    """The line's words in runs split at wide gaps: the cells of a row."""
    runs: list[list[Word]] = []
    for word in line:
        if runs and word.x0 - runs[-1][-1].x1 <= _COLUMN_GAP * height:
            runs[-1].append(word)
        else:
            runs.append([word])
    return runs


def _bands(rows: Sequence[list[list[Word]]]) -> list[tuple[float, float]]:
    """Column bands: the horizontal extents of all cells, overlapping ones merged."""
    extents = sorted((run[0].x0, run[-1].x1) for row in rows for run in row)
    bands: list[list[float]] = []
    for x0, x1 in extents:
        if bands and x0 < bands[-1][1]:
            bands[-1][1] = max(bands[-1][1], x1)
        else:
            bands.append([x0, x1])
    return [(x0, x1) for x0, x1 in bands]


def _table(lines: Sequence[Sequence[Word]], height: float) -> BoxTable:
    rows = [_runs(line, height) for line in lines]
    bands = _bands(rows)
    grid: list[tuple[BoxCell, ...]] = []
    for row, line in zip(rows, lines, strict=True):
        top, bottom = min(w.top for w in line), max(w.bottom for w in line)
        placed: dict[int, list[Word]] = {}
        for run in row:
            column = max(range(len(bands)), key=lambda b: _overlap(run, bands[b]))
            placed.setdefault(column, []).extend(run)
        grid.append(
            tuple(
                BoxCell(
                    cell_text(placed.get(b, [])), tuple(placed.get(b, [])), (x0, top, x1, bottom)
                )
                for b, (x0, x1) in enumerate(bands)
            )
        )
    words = [w for line in lines for w in line]
    bbox = (
        min(w.x0 for w in words),
        min(w.top for w in words),
        max(w.x1 for w in words),
        max(w.bottom for w in words),
    )
    return BoxTable(bbox, tuple(grid))


def _overlap(run: Sequence[Word], band: tuple[float, float]) -> float:
    return min(run[-1].x1, band[1]) - max(run[0].x0, band[0])
