"""A stored document as the checks read it: text, tables (rebuilt from their cells) and facts.

Nothing is parsed again: tables and facts are the rows ingestion stored.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from gongkai import db
from gongkai.types import Cell, Fact, Row, Table


@dataclass(frozen=True)
class AuditDoc:
    id: str
    title: str
    locality: str | None
    year: int | None
    doc_type: str | None  # 预算 / 决算 / 项目文本 …
    visibility: str
    text: str
    tables: tuple[Table, ...]
    facts: tuple[Fact, ...]


def load_doc(engine: Engine, doc_id: str) -> AuditDoc:
    d, t, c, f = db.documents.c, db.doc_tables.c, db.table_cells.c, db.facts.c
    with engine.connect() as conn:
        doc = conn.execute(select(d.id, d.title, d.locality, d.year, d.doc_type, d.visibility, d.text)
                           .where(d.id == doc_id, d.status == "complete")).one()
        table_rows = conn.execute(select(db.doc_tables).where(t.doc_id == doc_id)
                                  .order_by(t.table_index)).mappings().all()
        cell_rows = conn.execute(select(db.table_cells).where(c.doc_id == doc_id)
                                 .order_by(c.table_index, c.row, c.col)).mappings().all()
        fact_rows = conn.execute(select(db.facts).where(f.doc_id == doc_id)
                                 .order_by(f.start)).mappings().all()
    cells: dict[int, list] = defaultdict(list)
    for cell in cell_rows:
        cells[cell["table_index"]].append(cell)
    tables = tuple(_table(row, cells[row["table_index"]]) for row in table_rows)
    facts = tuple(_fact(row) for row in fact_rows)
    return AuditDoc(doc.id, doc.title, doc.locality, doc.year, doc.doc_type, doc.visibility, doc.text,
                    tables, facts)


def _table(meta: Any, cells: list[Any]) -> Table:
    by_row: dict[int, list] = defaultdict(list)
    for cell in cells:
        by_row[cell["row"]].append(cell)
    rows = []
    for index in sorted(by_row):
        first = by_row[index][0]
        rows.append(Row(
            index=index,
            cells=tuple(Cell(x["row"], x["col"], x["text"], x["start"], x["end"], x["value"],
                             confidence=x["ocr_confidence"], suspect=bool(x["ocr_suspect"]))
                        for x in by_row[index]),
            is_header=bool(first["is_header"]), label=first["row_label"], code=first["row_code"],
            is_rollup=bool(first["is_rollup"]),
        ))
    return Table(meta["doc_id"], meta["table_index"], meta["title"], meta["unit"], meta["kind"],
                 meta["start"], meta["end"], meta["page"], tuple(json.loads(meta["columns"])),
                 tuple(rows))


def _fact(row: Any) -> Fact:
    return Fact(
        doc_id=row["doc_id"], metric_raw=row["metric_raw"], metric=row["metric"], value=row["value"],
        text=row["text"], unit=row["unit"], start=row["start"], end=row["end"], source=row["source"],
        measure=row["measure"], scope=row["scope"], year=row["year"], value_yuan=row["value_yuan"],
        subject_code=row["subject_code"], is_rollup=bool(row["is_rollup"]),
        table_index=row["table_index"], row=row["row"], col=row["col"],
    )
