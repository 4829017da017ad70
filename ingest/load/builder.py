"""Assemble a loaded document's text with exact spans for pages, tables and cells."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from gongkai.types import OcrSpan, Page, SourceCell, SourceTable

CELL_SEPARATOR = "\t"
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
_SPACES = re.compile(r"[ \t\u3000\xa0]+")


def join_wrapped(lines: Sequence[str]) -> str:
    """Join the lines of a wrapped cell or paragraph: no space for CJK, one space between ASCII words.

    Chinese PDFs and spreadsheets wrap words inside cells; a space would split a Chinese word,
    while two ASCII words or numbers must stay apart.
    """
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if out and _ASCII_WORD.match(out[-1]) and _ASCII_WORD.match(line[0]):
            out += " "
        out += line
    return out


def clean_cell_text(text: str | None) -> str:
    """A cell's text on one line: wrapped lines joined, tabs and runs of spaces made one space."""
    if not text:
        return ""
    joined = join_wrapped(text.replace("\r", "\n").split("\n"))
    return _SPACES.sub(" ", joined).strip()


def drop_empty_rows_and_columns(
    grid: list[list[str]], droppable_columns: Collection[int] | None = None
) -> list[list[str]]:
    """Remove empty rows, and empty columns (all, or those in `droppable_columns`); pad rows."""
    rows = [row for row in grid if any(cell for cell in row)]
    if not rows:
        return []
    width = max(len(row) for row in rows)
    padded = [row + [""] * (width - len(row)) for row in rows]
    keep = [
        c
        for c in range(width)
        if any(row[c] for row in padded)
        or (droppable_columns is not None and c not in droppable_columns)
    ]
    return [[row[c] for c in keep] for row in padded]


class TextBuilder:
    """Appends lines and tables to one text while recording pages and cell spans."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self._pages: list[Page] = []
        self._tables: list[SourceTable] = []
        self._page_start: int | None = None
        self._ocr_spans: list[OcrSpan] = []

    @property
    def position(self) -> int:
        return self._length

    def _append(self, piece: str) -> None:
        self._parts.append(piece)
        self._length += len(piece)

    def add_line(self, line: str) -> None:
        """Append one line of text (a newline is added)."""
        self._append(line.replace("\n", " ") + "\n")

    def add_text(self, text: str) -> None:
        """Append text as it is (it may hold several lines)."""
        self._append(text)

    def add_table(
        self,
        grid: Sequence[Sequence[str]],
        *,
        kind: str,
        page: int | None = None,
        title: str | None = None,
    ) -> SourceTable | None:
        """Lay a table into the text, one line per row, cells separated by a tab.

        Cell texts must already be clean (see `clean_cell_text`). Empty cells get an empty span
        at their place. Returns None for a table without rows.
        """
        if not grid:
            return None
        table_start = self._length
        rows: list[tuple[SourceCell, ...]] = []
        for row in grid:
            cells: list[SourceCell] = []
            for index, text in enumerate(row):
                if index:
                    self._append(CELL_SEPARATOR)
                start = self._length
                self._append(text)
                cells.append(SourceCell(text, start, self._length))
            rows.append(tuple(cells))
            self._append("\n")
        table = SourceTable(tuple(rows), table_start, self._length, page, kind, title)
        self._tables.append(table)
        return table

    def start_page(self) -> None:
        self._page_start = self._length

    def end_page(self, number: int, *, scanned: bool = False, rotation: int = 0) -> None:
        """Close the page opened by `start_page` as page `number`."""
        start = self._page_start if self._page_start is not None else self._length
        self._pages.append(Page(number, start, self._length, scanned, rotation))
        self._page_start = None

    def add_ocr_span(self, span: OcrSpan) -> None:
        """Record where recognised characters already written into the text are printed."""
        self._ocr_spans.append(span)

    @property
    def text(self) -> str:
        return "".join(self._parts)

    @property
    def pages(self) -> tuple[Page, ...]:
        return tuple(self._pages)

    @property
    def tables(self) -> tuple[SourceTable, ...]:
        return tuple(self._tables)

    @property
    def ocr_spans(self) -> tuple[OcrSpan, ...]:
        return tuple(self._ocr_spans)
