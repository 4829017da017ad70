"""Raw tables found in a document before interpretation: cells with exact spans, in rows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_WHITESPACE = " \t\r\n\u3000\xa0"


@dataclass(frozen=True)
class RawCell:
    """A cell as printed: `text` is stripped and equals doc.text[start:end]."""

    text: str
    start: int
    end: int


@dataclass
class RawTable:
    """Rows of cells found by one detector, not yet split into header and body.

    layout 'grid': a cell's column is its position in the row, spanning headers are written as
    blanks. layout 'ragged': merged cells were collapsed, so rows may be shorter than the table.
    """

    kind: str
    rows: list[list[RawCell]]
    layout: str = "grid"
    span_policy: str = (
        "nearest"  # how a blank upper header cell finds its label: 'nearest' | 'left'
    )
    title: str | None = None  # a title the structure itself states (OCR section row, sheet name)
    section: str | None = None  # the numbered section heading above, for untitled parts of a block
    unit: str | None = None
    caption_search: bool = True  # look for a caption line above the table
    continues_block: bool = False  # a later part of one detected block (OCR, TSV)
    page: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def start(self) -> int:
        return (
            min(c.start for row in self.rows for c in row if c.text)
            if self.has_text
            else self._first
        )

    @property
    def end(self) -> int:
        return (
            max(c.end for row in self.rows for c in row if c.text) if self.has_text else self._first
        )

    @property
    def has_text(self) -> bool:
        return any(c.text for row in self.rows for c in row)

    @property
    def _first(self) -> int:
        return self.rows[0][0].start if self.rows and self.rows[0] else 0


@dataclass(frozen=True)
class Line:
    """One line of the text: [start, end) excludes the line break (and a '\\r' before it)."""

    start: int
    end: int
    text: str


def split_lines(text: str) -> list[Line]:
    """The text's lines with their offsets."""
    lines: list[Line] = []
    cursor = 0
    for match in re.finditer(r"\r?\n|\r", text):
        lines.append(Line(cursor, match.start(), text[cursor : match.start()]))
        cursor = match.end()
    lines.append(Line(cursor, len(text), text[cursor:]))
    return lines


def make_cell(text: str, lo: int, hi: int) -> RawCell:
    """The cell printed in text[lo:hi], with surrounding whitespace cut from its span."""
    start, end = lo, hi
    while start < end and text[start] in _WHITESPACE:
        start += 1
    while end > start and text[end - 1] in _WHITESPACE:
        end -= 1
    if start == end:
        return RawCell("", lo, lo)
    return RawCell(text[start:end], start, end)


def overlaps(start: int, end: int, regions: list[tuple[int, int]]) -> bool:
    """Whether [start, end) touches any of `regions`."""
    return any(start < r_end and r_start < end for r_start, r_end in regions)
