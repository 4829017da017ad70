"""Tables loaders read structurally (PDF, DOCX, XLSX, HTML), converted without re-finding them."""

from __future__ import annotations

from gongkai.types import SourceCell, SourceTable
from ingest.tables.grid import RawCell, RawTable, make_cell


def from_source_table(text: str, table: SourceTable) -> RawTable:
    """A SourceTable as a raw grid; merged cells arrive blank after their first cell."""
    rows = [[_cell(text, cell) for cell in row] for row in table.rows]
    return RawTable(
        table.kind,
        rows,
        layout="grid",
        span_policy="left",
        title=table.title or None,
        page=table.page,
    )


def _cell(text: str, cell: SourceCell) -> RawCell:
    """The cell with its span trimmed; a span not holding the cell's text is searched near by."""
    if text[cell.start : cell.end] == cell.text:
        return make_cell(text, cell.start, cell.end)
    wanted = cell.text.strip()
    if wanted:
        found = text.find(wanted, max(0, cell.start - 200), cell.end + 200 + len(wanted))
        if found >= 0:
            return RawCell(wanted, found, found + len(wanted))
    return RawCell("", cell.start, cell.start)
