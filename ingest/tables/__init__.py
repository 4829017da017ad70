"""Every table of a document: loader tables converted, text tables found, all interpreted.

Text forms found: markdown / inline pipe rows, OCR pipe fragments cut by `|||` lines, and
tab-separated lines. Each table gets a title, a unit, a header path per column, and rows whose
cells keep their exact spans in `Document.text`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from gongkai.types import Document, Table
from ingest.tables.blocks import split_at_subheaders
from ingest.tables.caption import Caption, find_caption
from ingest.tables.cells import is_blank, is_value, unit_statement
from ingest.tables.grid import Line, RawCell, RawTable, overlaps, split_lines
from ingest.tables.header import Layout, lay_out
from ingest.tables.markdown import find_pipe_tables
from ingest.tables.native import from_source_table
from ingest.tables.ocr_pipe import find_ocr_tables
from ingest.tables.rows import (
    RowInfo,
    build_rows,
    describe_rows,
    name_code_parts,
    parent_codes,
)
from ingest.tables.scanned import with_scan_marks
from ingest.tables.tsv import find_tsv_tables

__all__ = ["extract_tables"]

_CONTINUATION_GAP = 400  # characters between a table and its continuation after a page break
_SUMMARY_MAX = 40
_SHEET_NAME = ("sheet", "工作表")
_NOTE_ROW = re.compile(r"^\s*(?:注|备注|说明)\s*\d*\s*[:：、]")


@dataclass
class _Draft:
    raw: RawTable
    layout: Layout
    title: str
    unit: str | None
    columns: list[str]
    infos: list[RowInfo]
    group: int


def extract_tables(doc: Document) -> list[Table]:
    """The document's tables in text order, each cell's span exact in `doc.text`."""
    lines = split_lines(doc.text)
    starts = [line.start for line in lines]
    drafts: list[_Draft] = []
    for raw in sorted(_raw_tables(doc, lines, starts), key=lambda r: r.start):
        raw.rows = _without_trailing_notes(raw.rows)
        if not raw.has_text:
            continue
        layout = lay_out(raw)
        if layout.rows:
            drafts.append(_draft(raw, layout, lines, starts, drafts[-1] if drafts else None))
    return with_scan_marks(doc, _tables(doc, drafts))


def _raw_tables(doc: Document, lines: list[Line], starts: list[int]) -> list[RawTable]:
    regions = [(t.start, t.end) for t in doc.source_tables]
    taken = {i for i, line in enumerate(lines) if overlaps(line.start, line.end + 1, regions)}
    raws = [from_source_table(doc.text, t) for t in doc.source_tables]
    ocr, used = find_ocr_tables(doc.text, lines, taken)
    taken |= used
    pipes = find_pipe_tables(doc.text, lines, taken)
    for raw in pipes:
        taken.update(range(_line_of(starts, raw.start), _line_of(starts, raw.end) + 1))
    tsv, _ = find_tsv_tables(doc.text, lines, taken)
    found = [piece for raw in raws + pipes for piece in split_at_subheaders(raw)] + ocr + tsv
    return [raw for raw in found if raw.has_text]


def _without_trailing_notes(rows: list[list[RawCell]]) -> list[list[RawCell]]:
    """Rows without the '注：…' lines some tables end with; those are text, not data."""
    end = len(rows)
    while end > 0:
        texts = [c.text for c in rows[end - 1] if not is_blank(c.text)]
        if texts and not (len(texts) == 1 and _NOTE_ROW.match(texts[0])):
            break
        end -= 1
    return rows[:end]


def _line_of(starts: list[int], offset: int) -> int:
    return bisect.bisect_right(starts, offset) - 1


def _draft(
    raw: RawTable, layout: Layout, lines: list[Line], starts: list[int], prev: _Draft | None
) -> _Draft:
    first_line = _line_of(starts, raw.start)
    floor = _line_of(starts, prev.raw.end) if prev else -1
    caption = find_caption(lines, first_line, floor) if raw.caption_search else Caption(None, None)
    continued = prev is not None and _continues(raw, layout, caption, prev)
    sibling = prev if raw.continues_block else None
    inherited = prev.title if prev and continued else None
    if sibling is not None:  # a later part of one block: its section, else the part before
        inherited = raw.section or sibling.title
    title = (
        layout.title
        or _structural_title(raw)
        or caption.title
        or inherited
        or _summary(layout)
        or ""
    )
    columns = name_code_parts(layout.columns, layout.rows, layout.header_rows)
    if continued and prev and layout.header_rows == 0:
        columns = _carried_columns(prev.columns, layout)
    unit = (
        caption.unit
        or layout.unit
        or unit_statement(title)
        or _column_unit(columns)
        or (prev.unit if prev and (continued or (sibling and raw.title is None)) else None)
    )
    infos = describe_rows(layout.rows, layout.header_rows, columns)
    group = prev.group if continued and prev else (prev.group + 1 if prev else 0)
    return _Draft(raw, layout, title, unit, columns, infos, group)


def _carried_columns(previous: list[str], layout: Layout) -> list[str]:
    """Column names for a continuation printed without its header.

    Same width: the previous part's names. Otherwise loaders dropped some empty columns, so
    only the leading label and code columns (before any figure) are known to line up.
    """
    if len(previous) == len(layout.columns):
        return previous
    first_value = min(
        (col for row in layout.rows for col, cell in row if _is_figure(cell.text)),
        default=len(layout.columns),
    )
    known = [previous[c] if c < min(first_value, len(previous)) else "" for c in range(first_value)]
    return known + [""] * (len(layout.columns) - len(known))


def _is_figure(text: str) -> bool:
    """A value that cannot be a code part (201 | 06 | 01): decimals, grouped or signed."""
    digits = text.strip()
    return is_value(text) and not (digits.isdigit() and 2 <= len(digits) <= 7)


def _structural_title(raw: RawTable) -> str | None:
    if raw.title and raw.title.strip().lower().startswith(_SHEET_NAME):
        return None
    return raw.title


def _continues(raw: RawTable, layout: Layout, caption: Caption, prev: _Draft) -> bool:
    """A table carried over a page break: no caption of its own, right after a table of its kind,
    starting with figures or repeating the previous table's header."""
    if (
        caption.title
        or raw.title
        or layout.title
        or raw.continues_block
        or raw.kind != prev.raw.kind
    ):
        return False
    if raw.start - prev.raw.end > _CONTINUATION_GAP:
        return False
    if layout.header_rows == 0:
        return True
    return _header_texts(layout) == _header_texts(prev.layout)


def _header_texts(layout: Layout) -> list[list[str]]:
    return [[c.text for _, c in row] for row in layout.rows[: layout.header_rows]]


def _column_unit(columns: list[str]) -> str | None:
    units = {unit for name in columns if (unit := unit_statement(name))}
    return units.pop() if len(units) == 1 else None


def _summary(layout: Layout) -> str | None:
    """A title made of the first row for tables with no caption (项目名称 | 某项目)."""
    texts = [c.text for _, c in layout.rows[0] if not is_blank(c.text)]
    summary = " ".join(texts)
    return summary if len(texts) <= 3 and len(summary) <= _SUMMARY_MAX else None


def _tables(doc: Document, drafts: list[_Draft]) -> list[Table]:
    codes_by_group: dict[int, list[str | None]] = {}
    for draft in drafts:
        codes_by_group.setdefault(draft.group, []).extend(info.code for info in draft.infos)
    parents = {group: parent_codes(codes) for group, codes in codes_by_group.items()}
    tables: list[Table] = []
    for index, draft in enumerate(drafts):
        rows = build_rows(
            draft.layout.rows, draft.layout.header_rows, draft.infos, parents[draft.group]
        )
        width = max([len(draft.columns)] + [cell.col + 1 for row in rows for cell in row.cells])
        columns = tuple(draft.columns) + ("",) * (width - len(draft.columns))
        start, end = draft.raw.start, draft.raw.end
        page = draft.raw.page if draft.raw.page is not None else doc.page_at(start)
        tables.append(
            Table(
                doc.id,
                index,
                draft.title,
                draft.unit,
                draft.raw.kind,
                start,
                end,
                page,
                columns,
                rows,
            )
        )
    return tables
