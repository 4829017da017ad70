"""Splitting one detected block of rows (OCR pipes, tab lines) into its logical tables.

Such blocks come from forms laid out as one long grid: title rows of a single cell introduce
each part, and a new header row (several short labels, no figures) after figures starts the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.tables.cells import is_blank, is_long, is_section_heading, is_value
from ingest.tables.grid import RawCell, RawTable

_TITLE_MAX = 60
_SUBHEADER_CELL_MAX = 15


@dataclass
class _Part:
    rows: list[list[RawCell]] = field(default_factory=list)
    title: str | None = None
    section: str | None = None
    body_width: int = 0


def split_block(rows: list[list[RawCell]], kind: str) -> list[RawTable]:
    """The tables in a block of ragged rows, each titled from the single-cell row above it."""
    parts: list[_Part] = []
    current: _Part | None = None
    pending_title: str | None = None
    section: str | None = None
    for row in rows:
        filled = [c for c in row if not is_blank(c.text)]
        if not filled:
            continue
        if _is_title_row(row):
            current = None
            text = row[0].text
            section = text if is_section_heading(text) else section
            pending_title = _joined(pending_title, text)
            continue
        if current is not None and _starts_new_part(current, row, filled):
            current = None
        if current is None:
            if len(row) == 1 and is_long(row[0].text):
                continue  # a paragraph between parts belongs to no table
            current = _Part(title=pending_title, section=section)
            pending_title = None
            parts.append(current)
        current.rows.append(row)
        if _is_body_row(row):
            current.body_width = max(current.body_width, len(row))
    return [_to_table(part, kind, first=i == 0) for i, part in enumerate(parts)]


def _joined(pending: str | None, text: str) -> str:
    """A title, or a title continued by a parenthesised line such as '（2021年度）'."""
    if pending and "表" in pending and text.startswith(("(", "（")):
        return f"{pending}{text}"
    return text


def _is_title_row(row: list[RawCell]) -> bool:
    text = row[0].text
    return len(row) == 1 and bool(text) and not is_value(text) and len(text) <= _TITLE_MAX


def _is_body_row(row: list[RawCell]) -> bool:
    return any(is_value(c.text) or is_long(c.text) for c in row)


def _starts_new_part(part: _Part, row: list[RawCell], filled: list[RawCell]) -> bool:
    """A header-like row (3+ short labels, no figures) after figures, of another width."""
    if not part.body_width or len(row) == part.body_width or len(filled) < 3:
        return False
    return not any(is_value(c.text) or is_long(c.text) for c in filled)


def _to_table(part: _Part, kind: str, first: bool) -> RawTable:
    return RawTable(
        kind,
        part.rows,
        layout="ragged",
        title=part.title,
        section=part.section,
        caption_search=first and part.title is None,
        continues_block=not first,
    )


def split_at_subheaders(raw: RawTable) -> list[RawTable]:
    """A grid table cut where a row of column names follows figures and precedes more figures:
    forms that carry an indicator table under their key-value rows."""
    cuts = [i for i in range(1, len(raw.rows) - 1) if _is_subheader(raw.rows, i)]
    if not cuts:
        return [raw]
    pieces = [raw.rows[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw.rows)], strict=True)]
    return (
        [raw]
        if any(not piece for piece in pieces)
        else [_piece(raw, rows, first=i == 0) for i, rows in enumerate(pieces)]
    )


def _is_subheader(rows: list[list[RawCell]], i: int) -> bool:
    filled = [c for c in rows[i] if not is_blank(c.text)]
    if len(filled) < 3 or any(
        is_value(c.text) or len(c.text) > _SUBHEADER_CELL_MAX for c in filled
    ):
        return False
    return any(_is_body_row(row) for row in rows[:i]) and any(is_value(c.text) for c in rows[i + 1])


def _piece(raw: RawTable, rows: list[list[RawCell]], first: bool) -> RawTable:
    if first:
        return RawTable(
            raw.kind,
            rows,
            raw.layout,
            raw.span_policy,
            raw.title,
            raw.section,
            raw.unit,
            raw.caption_search,
            raw.continues_block,
            raw.page,
        )
    return RawTable(
        raw.kind,
        rows,
        raw.layout,
        raw.span_policy,
        section=raw.section,
        caption_search=False,
        continues_block=True,
        page=raw.page,
    )
