"""Figures read from scans that a reader should check against the original.

A stored figure rests on a recognised table cell that is suspect (a sum check of its table
failed through it) or of low confidence, or on recognised prose of low confidence. Answers built
on one say so (SCAN_NOTE); the audit reports no finding resting on one (see assistant.audit).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine, and_, or_, select

from gongkai import db
from ingest.tables.scanned import LOW_CONFIDENCE

SCAN_NOTE = "此数字由扫描件识别，请核对原件。"


def unsure_figures(engine: Engine, spans: Iterable[tuple[str, int, int]]) -> set[tuple[str, int]]:
    """(doc_id, start) of the given figure spans (doc_id, start, end) that rest on unsure reading."""
    wanted = {(doc_id, start, end) for doc_id, start, end in spans}
    if not wanted:
        return set()
    c, o = db.table_cells.c, db.ocr_spans.c
    doc_ids = {doc_id for doc_id, _, _ in wanted}
    cells = (
        select(c.doc_id, c.start, c.end)
        .where(c.doc_id.in_(doc_ids))
        .where(or_(c.ocr_suspect.is_(True), c.ocr_confidence < LOW_CONFIDENCE))
    )
    prose = select(o.doc_id, o.start, o.end).where(
        and_(o.doc_id.in_(doc_ids), o.confidence < LOW_CONFIDENCE)
    )
    with engine.connect() as conn:
        unsure = [tuple(r) for r in conn.execute(cells)] + [tuple(r) for r in conn.execute(prose)]
    return {
        (doc_id, start)
        for doc_id, start, end in wanted
        if any(d == doc_id and s < end and start < e for d, s, e in unsure)
    }
