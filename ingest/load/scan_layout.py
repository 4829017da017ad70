"""A recognised page laid into the document text like a text-layer PDF page, with every
recognised run's box and confidence recorded as an OcrSpan.

Words outside tables are grouped into visual lines (top to bottom, left to right) and wrapped
paragraph lines are joined with the text-layer PDF's own rule (`pdf_layout.reflow`); tables
come from `ingest.tables.from_boxes` (ruled) and `ingest.tables.aligned_boxes` (unruled). Boxes are stored as fractions of the page, upright.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from statistics import median

from gongkai.types import OcrSpan, PageBox
from ingest.tables.aligned_boxes import find_aligned_tables
from ingest.tables.from_boxes import BoxTable, find_box_tables

from .builder import TextBuilder, clean_cell_text, join_wrapped
from .ocr import RecognisedPage, Word
from .pdf_layout import Line, is_page_number, reflow

_BOX_PER_FONT = 1.4  # a detected box is about this many font sizes tall
_WORD_GAP = 1.0  # a gap wider than this many text heights between boxes is written as a space


@dataclass(frozen=True)
class ScannedLine:
    """A visual line of words, and the line `pdf_layout` reflows."""

    words: tuple[Word, ...]
    line: Line


@dataclass(frozen=True)
class Paragraph:
    """Visual lines joined into one line of text."""

    text: str
    lines: tuple[ScannedLine, ...]


@dataclass(frozen=True)
class ScannedPage:
    """One recognised page: paragraphs and tables in vertical order, and its upright size."""

    number: int
    items: tuple[Paragraph | BoxTable, ...]
    width: int
    height: int
    rotation: int
    confidence: float | None  # the mean confidence of its words; None without words


def lay_out_page(number: int, page: RecognisedPage) -> ScannedPage:
    """Paragraphs and tables of a recognised page, in reading order."""
    tables = find_box_tables(page.image, page.words)
    used = frozenset().union(*(table.words for table in tables))
    lines = visual_lines([w for w in page.words if id(w) not in used])
    if lines and is_page_number(lines[-1].line, float(page.image.height)):
        lines.pop()
    aligned = find_aligned_tables([s.words for s in lines])
    taken = {n for found in aligned for n in range(found.first, found.last)}
    lines = [line for n, line in enumerate(lines) if n not in taken]
    tables = sorted([*tables, *(found.table for found in aligned)], key=lambda t: t.bbox[1])
    items: list[Paragraph | BoxTable] = []
    position = 0
    for table in tables:
        end = position
        while end < len(lines) and lines[end].line.top < table.bbox[1]:
            end += 1
        items.extend(paragraphs(lines[position:end]))
        position = end
        items.append(table)
    items.extend(paragraphs(lines[position:]))
    scores = [w.confidence for w in page.words]
    mean = sum(scores) / len(scores) if scores else None
    return ScannedPage(
        number, tuple(items), page.image.width, page.image.height, page.rotation, mean
    )


def visual_lines(words: Sequence[Word]) -> list[ScannedLine]:
    """Words grouped into lines by their vertical centres, each line left to right."""
    groups: list[list[Word]] = []
    top = bottom = 0.0
    for word in sorted(words, key=lambda w: w.centre_y):
        if groups and top <= word.centre_y <= bottom:
            groups[-1].append(word)
            top, bottom = min(top, word.top), max(bottom, word.bottom)
        else:
            groups.append([word])
            top, bottom = word.top, word.bottom
    # One type size for the page: box heights vary with the characters (digits, punctuation),
    # not with the type, so a line's own would keep wrapped lines of one paragraph apart.
    height = median(w.height for w in words) if words else 0.0
    return [_scanned_line(sorted(group, key=lambda w: w.x0), height) for group in groups]


def _scanned_line(words: list[Word], height: float) -> ScannedLine:
    text, widest = words[0].text, 0.0
    for left, right in pairwise(words):
        gap = (right.x0 - left.x1) / max(height, 1.0)
        widest = max(widest, gap * _BOX_PER_FONT)
        text = f"{text} {right.text}" if gap > _WORD_GAP else join_wrapped([text, right.text])
    line = Line(
        text=text,
        x0=words[0].x0,
        x1=max(w.x1 for w in words),
        top=min(w.top for w in words),
        bottom=max(w.bottom for w in words),
        size=height / _BOX_PER_FONT,
        widest_gap=widest,
    )
    return ScannedLine(tuple(words), line)


def paragraphs(lines: Sequence[ScannedLine]) -> list[Paragraph]:
    """Wrapped lines joined as `reflow` joins a text-layer page's; each keeps its visual lines."""
    out: list[Paragraph] = []
    position = 0
    for merged in reflow([s.line for s in lines]):
        taken = [lines[position]]
        position += 1
        while join_wrapped([s.line.text for s in taken]) != merged.text and position < len(lines):
            taken.append(lines[position])
            position += 1
        out.append(Paragraph(merged.text, tuple(taken)))
    return out


def write_scanned_page(builder: TextBuilder, page: ScannedPage) -> None:
    """Lay the page into the text and record each recognised run's span, box and confidence."""
    builder.start_page()
    for item in page.items:
        if isinstance(item, BoxTable):
            _write_table(builder, page, item)
        else:
            start = builder.position
            builder.add_line(item.text)
            _record_words(builder, page, start, item.text, [w for s in item.lines for w in s.words])
    builder.end_page(page.number, scanned=True, rotation=page.rotation)


def _write_table(builder: TextBuilder, page: ScannedPage, table: BoxTable) -> None:
    grid = [[clean_cell_text(cell.text) for cell in row] for row in table.rows]
    written = builder.add_table(grid, kind="ocr", page=page.number)
    if written is None:
        return
    for cells, source in zip(table.rows, written.rows, strict=True):
        for cell, span in zip(cells, source, strict=True):
            if cell.words and span.end > span.start:
                box = _union(page, cell.words)
                confidence = min(w.confidence for w in cell.words)
                builder.add_ocr_span(OcrSpan(span.start, span.end, box, confidence))


def _record_words(
    builder: TextBuilder, page: ScannedPage, start: int, text: str, words: Sequence[Word]
) -> None:
    """One OcrSpan per word, found in order in the line of text written at `start`."""
    cursor = 0
    for word in words:
        found = text.find(word.text, cursor)
        if found < 0:  # joined differently (a space dropped): the word cannot be placed exactly
            continue
        cursor = found + len(word.text)
        builder.add_ocr_span(
            OcrSpan(start + found, start + cursor, _union(page, [word]), word.confidence)
        )


def _union(page: ScannedPage, words: Sequence[Word]) -> PageBox:
    return PageBox(
        page.number,
        min(w.x0 for w in words) / page.width,
        min(w.top for w in words) / page.height,
        max(w.x1 for w in words) / page.width,
        max(w.bottom for w in words) / page.height,
    )
