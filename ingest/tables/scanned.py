"""Tables recognised from scans: each cell's box and confidence, and a self-check.

A cell's box is the union of the recognised runs written into it and its confidence the lowest
of theirs; below LOW_CONFIDENCE it is unsure. Then the audit's sum rules (合计行, 科目编码 rollups,
合计列) run on the recognised tables: a relation that fails is far more likely a misreading than
an error of the disclosure, so every cell it rests on is marked suspect instead of reported.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import replace

from gongkai.types import Cell, Document, OcrSpan, PageBox, Row, Table

# Measured with `python -m bench.ocr_accuracy`: 1,551 table figures of two dev PDFs in 11 scans
# (100-200 dpi, blurred, turned, rules erased). The one misread figure scored 0.51; 3 right
# figures scored below 0.9, on the most degraded scans; marking those is the price of catching it.
LOW_CONFIDENCE = 0.9
SCANNED_KIND = "ocr"


def is_unsure(cell: Cell) -> bool:
    """A recognised cell to check against the original: low confidence, or a failed sum."""
    return cell.suspect or (cell.confidence is not None and cell.confidence < LOW_CONFIDENCE)


def with_scan_marks(doc: Document, tables: Sequence[Table]) -> list[Table]:
    """The tables, the recognised ones with boxes, confidences and suspect cells."""
    if not doc.ocr_spans:
        return list(tables)
    spans = sorted(doc.ocr_spans, key=lambda s: s.start)
    boxed = [_with_boxes(t, spans) if t.kind == SCANNED_KIND else t for t in tables]
    suspects = _failing_spans(doc, [t for t in boxed if t.kind == SCANNED_KIND])
    return [_with_suspects(t, suspects) if t.kind == SCANNED_KIND else t for t in boxed]


def _with_boxes(table: Table, spans: list[OcrSpan]) -> Table:
    starts = [s.start for s in spans]
    rows = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            inside = _spans_in(spans, starts, cell.start, cell.end)
            if inside:
                cell = replace(cell, box=_union([s.box for s in inside]),
                               confidence=min(s.confidence for s in inside))
            cells.append(cell)
        rows.append(replace(row, cells=tuple(cells)))
    return replace(table, rows=tuple(rows))


def _spans_in(spans: list[OcrSpan], starts: list[int], start: int, end: int) -> list[OcrSpan]:
    found = []
    for index in range(bisect.bisect_left(starts, start), len(spans)):
        span = spans[index]
        if span.start >= end:
            break
        if span.end <= end:
            found.append(span)
    return found


def _union(boxes: Sequence[PageBox]) -> PageBox:
    return PageBox(
        boxes[0].page,
        min(b.x0 for b in boxes),
        min(b.top for b in boxes),
        max(b.x1 for b in boxes),
        max(b.bottom for b in boxes),
    )


def _failing_spans(doc: Document, tables: list[Table]) -> set[tuple[int, int]]:
    """Spans of every figure in a sum relation of the recognised tables that does not hold."""
    if not tables:
        return set()
    from assistant.audit.load import AuditDoc  # the audit's own rules, on unstored tables
    from assistant.audit.tables import check_tables

    audit_doc = AuditDoc(doc.id, "", None, None, None, "public", doc.text, tuple(tables), ())
    failing: set[tuple[int, int]] = set()
    for finding in check_tables(audit_doc):
        for figure in (finding.stated, *finding.inputs):
            failing.add((figure.start, figure.end))
    return failing


def _with_suspects(table: Table, suspects: set[tuple[int, int]]) -> Table:
    if not suspects:
        return table
    rows: list[Row] = []
    for row in table.rows:
        cells = tuple(
            replace(cell, suspect=True) if (cell.start, cell.end) in suspects else cell
            for cell in row.cells
        )
        rows.append(replace(row, cells=cells))
    return replace(table, rows=tuple(rows))
