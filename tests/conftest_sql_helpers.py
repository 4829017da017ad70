"""A small real fiscal database for the SQL guard tests, and checks that a query did no harm.

Rows of the official document and of the pending (incomplete) document carry markers — the word
OFFICIAL or PENDING in every text column, and figures of at least 7e9 — so a result that leaks any
of them can be recognised whatever the query looks like.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, insert

from gongkai import db

LEAK_MARKERS = ("OFFICIAL", "PENDING", "TEXT_MARKER", "PATH_MARKER", "CHUNK_MARKER")
LEAK_FIGURE = 7e9  # every official / pending figure is at least this; public ones are far smaller

# (id, locality, locality_name, year, doc_type, visibility, status, figures by metric)
DOCUMENTS = (
    ("doc_tn2023", "重庆市潼南区", "潼南区", 2023, "预算", "public", "complete",
     {"三公经费": 12.5, "公务接待费": 3.2, "一般公共预算支出": 1520.36}),
    ("doc_zs2023", "陕西省柞水县", "柞水县", 2023, "预算", "public", "complete",
     {"三公经费": 8.75, "公务接待费": 1.1, "一般公共预算支出": 980.4}),
    ("doc_tn2022", "重庆市潼南区", "潼南区", 2022, "决算", "public", "complete",
     {"三公经费": 14.0, "公务接待费": 4.05, "一般公共预算支出": 1433.9}),
    ("doc_OFFICIAL_1", "重庆市潼南区", "潼南区", 2023, "预算", "official", "complete",
     {"三公经费": 7000000001.5, "公务接待费": 7000000002.5, "一般公共预算支出": 7000000003.5}),
    ("doc_PENDING_1", "陕西省柞水县", "柞水县", 2023, "预算", "public", "pending",
     {"三公经费": 7100000001.5, "公务接待费": 7100000002.5, "一般公共预算支出": 7100000003.5}),
)  # fmt: skip
VISIBLE_DOC_IDS = ("doc_tn2022", "doc_tn2023", "doc_zs2023")


def _marker(doc_id: str) -> str:
    """The text marker a hidden document's rows carry ('' for visible documents)."""
    return "OFFICIAL" if "OFFICIAL" in doc_id else "PENDING" if "PENDING" in doc_id else ""


def _unit(doc: tuple) -> Any:
    """The unit record ingestion would make of the document's issuing unit."""
    from ingest.describe.locality import parse_locality
    from ingest.units import unit_record

    doc_id, locality, name, *_ = doc
    return unit_record(f"{name}政务服务中心{_marker(doc_id)}", parse_locality(locality))


def _document_row(doc: tuple) -> dict[str, Any]:
    doc_id, locality, name, year, doc_type, visibility, status, _ = doc
    mark = _marker(doc_id)
    return {"unit_id": _unit(doc).id, "scope": "部门", "part": "both",
        "id": doc_id, "path": f"/srv/PATH_MARKER/{doc_id}.pdf", "filename": f"{doc_id}{mark}.pdf",
        "sha256": hashlib.sha256(doc_id.encode()).hexdigest(), "file_type": "pdf",
        "title": f"{name}政务服务中心{year}年部门{doc_type}{mark}", "locality": locality,
        "locality_name": name, "locality_bare": name[:-1], "locality_level": "district",
        "province": locality[:3], "city": None, "unit_name": f"{name}政务服务中心{mark}",
        "unit_kind": "政务服务中心", "year": year, "doc_type": doc_type, "published": None,
        "visibility": visibility, "status": status, "chars": 100, "pages": 1, "chunks": 1,
        "tables": 1, "facts": 3, "embedding_model": "test", "ingested_at": "2024-01-01T00:00:00",
        "text": f"TEXT_MARKER {mark} 全文",
    }  # fmt: skip


def _fact_rows(doc: tuple) -> list[dict[str, Any]]:
    doc_id, locality, name, year, doc_type, _, _, figures = doc
    mark = _marker(doc_id)
    rows = []
    for row, (metric, value) in enumerate(figures.items()):
        rows.append({
            "unit_id": _unit(doc).id, "label": f"{metric}{mark}", "label_stem": metric,
            "doc_id": doc_id, "locality": locality, "locality_name": name,
            "unit_name": f"{name}政务服务中心{mark}", "year": year, "doc_type": doc_type,
            "metric_raw": f"{metric}{mark}", "metric": metric, "measure": "value", "value": value,
            "text": f"{value}{mark}", "unit": "万元", "value_yuan": value * 10000,
            "scope": doc_type, "source": "table" if row else "prose", "subject_code": None,
            "is_rollup": False, "table_index": 0, "row": row, "col": 1,
            "start": 10 * row, "end": 10 * row + 5,
        })  # fmt: skip
    return rows


def _table_rows(doc: tuple) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    doc_id, _, name, year, _, _, _, figures = doc
    mark = _marker(doc_id)
    table = {
        "doc_id": doc_id, "table_index": 0, "title": f"{name}{year}年收支总表{mark}", "unit": "万元",
        "kind": "pdf", "page": 1, "start": 0, "end": 90, "n_rows": len(figures), "n_cols": 2,
        "columns": '["项目", "金额"]',
    }  # fmt: skip
    cells = []
    for row, (metric, value) in enumerate(figures.items()):
        for col, (text, number) in enumerate(
            ((f"{metric}{mark}", None), (f"{value}{mark}", value))
        ):
            cells.append({
                "doc_id": doc_id, "table_index": 0, "row": row, "col": col, "text": text,
                "value": number, "column_name": "金额" if col else "项目",
                "row_label": f"{metric}{mark}", "row_code": None, "is_header": False,
                "is_rollup": False, "start": 10 * row + 5 * col, "end": 10 * row + 5 * col + 4,
            })  # fmt: skip
    return table, cells


def build_fiscal_db(path: Path, *, visible_only: bool = False) -> Engine:
    """A SQLite database with our schema and the rows above (only visible ones if asked)."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")  # as gongkai.db sets it
    db.metadata.create_all(engine)
    return fill_fiscal_db(engine, visible_only=visible_only)


def fill_fiscal_db(engine: Engine, *, visible_only: bool = False) -> Engine:
    """Insert the rows above into a database that has our schema (any backend)."""
    docs = [d for d in DOCUMENTS if not visible_only or d[0] in VISIBLE_DOC_IDS]
    with engine.begin() as conn:
        units = {unit.id: unit for unit in map(_unit, docs)}
        conn.execute(insert(db.units), [
            {"id": u.id, "name": u.written, "locality": u.locality, "key": u.key, "kind": u.kind,
             "level": u.level} for u in units.values()])
        conn.execute(insert(db.unit_aliases), [
            {"alias": alias, "unit_id": u.id, "source": "rule"} for u in units.values() for alias in u.aliases])
        for doc in docs:
            table, cells = _table_rows(doc)
            conn.execute(insert(db.documents), [_document_row(doc)])
            conn.execute(insert(db.facts), _fact_rows(doc))
            conn.execute(insert(db.doc_tables), [table])
            conn.execute(insert(db.table_cells), cells)
            conn.execute(
                insert(db.pages), [{"doc_id": doc[0], "number": 1, "start": 0, "end": 100}]
            )
            conn.execute(insert(db.chunks), [{
                "doc_id": doc[0], "chunk_index": 0, "kind": "text", "start": 0, "end": 50,
                "page": 1, "heading": "", "table_index": None, "text": "CHUNK_MARKER 正文",
            }])  # fmt: skip
    return engine


def database_checksum(path: Path) -> dict[str, str]:
    """A digest of the schema and of every table's rows, read without changing anything."""
    conn = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
    try:
        schema = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        sums = {"__schema__": hashlib.sha256(repr(schema).encode()).hexdigest()}
        for kind, name, _sql in schema:
            if kind == "table":
                rows = sorted(repr(r) for r in conn.execute(f'SELECT * FROM "{name}"'))
                sums[name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        return sums
    finally:
        conn.close()


def folder_listing(path: Path) -> set[str]:
    return {p.name for p in Path(path).parent.iterdir()}


def leaks(rows: tuple[tuple[Any, ...], ...] | list) -> list[Any]:
    """Values in a result that could only come from hidden rows or hidden columns."""
    found = []
    for row in rows:
        for value in row:
            hidden_text = isinstance(value, str) and any(m in value for m in LEAK_MARKERS)
            hidden_figure = isinstance(value, (int, float)) and LEAK_FIGURE <= abs(value) < 1e15
            if hidden_text or hidden_figure:
                found.append(value)
    return found
