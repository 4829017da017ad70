"""Writing one document to both stores, all or nothing; deleting, listing and checking them.

Order of writes: a 'pending' documents row (the intent), then the vectors (upserts with
content-derived ids, so a retry adds nothing), then every SQL row in one transaction that marks
the document 'complete' and the versions it replaces 'deleting'; last, the replaced versions'
vectors and rows go. SQL is the record of what exists and readers see 'complete' documents only.
A failure removes what it wrote; a killed process leaves 'pending' or 'deleting' rows, which
`finish_interrupted` (run at the start of every ingestion) clears with their vectors.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select

from gongkai import db
from gongkai.types import Chunk, Document, Fact, Table
from ingest.catalog import is_specific, item_label, label_stem
from ingest.chunks import embedding_view
from ingest.units import UnitRecord, unit_record
from vectorstore import chroma_store
from vectorstore.embedding_cache import EmbeddingCache
from vectorstore.embeddings import passage_text

log = logging.getLogger(__name__)


@dataclass
class Stores:
    engine: Engine
    collection: Any  # chromadb Collection
    embedder: Any  # vectorstore.embeddings.Embedder


# The vector reads a text chunk's lead: its title, then its first characters (the heading and
# opening sentence say what a passage is about); keyword search reads the whole chunk. Measured by
# `python -m bench.embedding_recipes`: recall@5 held against embedding whole chunks while the
# model read about half the tokens.
LEAD_CHARS = 120


def embedding_texts(chunks: Sequence[Chunk], title: str, lead_chars: int = LEAD_CHARS) -> list[str]:
    r"""What is embedded for each chunk: the document title (it tells near-identical documents
    apart), then the chunk's lead, table borders collapsed (`embedding_view`). Chroma stores
    the exact text; BM25 indexes all of it.

    A table is embedded by its caption (title and unit): every part of a long table shares one
    vector, embedded once. Its labels and figures are found by BM25 and SQL; digits cost the model
    many tokens each and mean nothing to a vector.

    >>> from gongkai.types import Chunk
    >>> text = Chunk("d", 0, "三公经费6万元，较上年减少1万元。", 0, 16, None, "")
    >>> table = Chunk("d", 1, "三公经费表（单位：万元）\n合计：预算数=6", 0, 0, None, "", "table")
    >>> embedding_texts([text, table], "某县2021年部门预算", lead_chars=8)
    ['某县2021年部门预算\n三公经费6万元，', '某县2021年部门预算\n三公经费表（单位：万元）']
    """
    return [
        passage_text(embedding_view(c.text)[:lead_chars] if c.kind == "text" else table_caption(c.text),
                     title)
        for c in chunks
    ]


def embed_chunks(cache: EmbeddingCache, chunks: Sequence[Chunk], title: str) -> list[list[float]]:
    """Every chunk's vector, each distinct text embedded once (and only if not cached): the one
    recipe both ingestion and `check`'s repair use."""
    return cache.encode(embedding_texts(chunks, title)).tolist()


def table_caption(linearised: str) -> str:
    """The caption line of a linearised table part (see `ingest.chunks.linearise_table`)."""
    return linearised.split("\n", 1)[0]


def find_by_sha(engine: Engine, sha256: str) -> str | None:
    d = db.documents.c
    with engine.connect() as conn:
        return conn.execute(
            select(d.id).where(d.sha256 == sha256, d.status == "complete")
        ).scalar_one_or_none()


def find_by_path(engine: Engine, path: str) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(db.documents.c.id).where(db.documents.c.path == path)).scalars())


def save_document(
    stores: Stores,
    doc: Document,
    tables: Sequence[Table],
    facts: Sequence[Fact],
    chunks: Sequence[Chunk],
    embeddings: Sequence[Sequence[float]],
    *,
    visibility: str,
    replaces: Sequence[str] = (),
) -> None:
    """Store a fully prepared document, replacing the documents `replaces` names."""
    doc_fields = _vector_fields(doc, visibility)
    replaced = [old_id for old_id in replaces if old_id != doc.id]
    _mark_pending(stores.engine, doc)
    try:
        chroma_store.add_chunks(stores.collection, chunks, embeddings, doc_fields)
        with stores.engine.begin() as conn:
            for old_id in replaced:
                _retire(conn, old_id)
            _delete_rows(conn, doc.id)
            _insert_rows(conn, doc, tables, facts, chunks, visibility, stores.embedder.name)
    except BaseException:
        _forget(stores, doc.id, only_unfinished=True)
        raise
    for old_id in replaced:
        _forget(stores, old_id)


def finish_interrupted(stores: Stores) -> list[str]:
    """Clear what killed runs left: documents still 'pending' or 'deleting', rows and vectors.

    Only while no other process ingests into the same stores (`ingest.lock.exclusive_run`).
    """
    d = db.documents.c
    with stores.engine.connect() as conn:
        ids = list(conn.execute(select(d.id).where(d.status.in_(("pending", "deleting")))).scalars())
    for doc_id in ids:
        _forget(stores, doc_id)
    return ids


def _mark_pending(engine: Engine, doc: Document) -> None:
    """The intent to store `doc`, committed before its first vector (unless it is stored)."""
    with engine.begin() as conn:
        if conn.execute(select(db.documents.c.id).where(db.documents.c.id == doc.id)).first():
            return  # stored (re-ingested with overrides), or left by a killed run
        conn.execute(insert(db.documents).values(
            id=doc.id, path=doc.path, filename=Path(doc.path).name, sha256=doc.sha256,
            file_type=doc.file_type, title=Path(doc.path).stem, status="pending", chars=0,
            pages=0, ingested_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), text="",
        ))


def _retire(conn: Any, doc_id: str) -> None:
    """A replaced version: its rows go now, its documents row stays as 'deleting' until its
    vectors are gone."""
    for table in db.DOCUMENT_TABLES:
        if table is not db.documents:
            conn.execute(delete(table).where(table.c.doc_id == doc_id))
    conn.execute(db.documents.update().where(db.documents.c.id == doc_id).values(status="deleting"))


def _forget(stores: Stores, doc_id: str, only_unfinished: bool = False) -> None:
    """Vectors first, then rows: a kill in between leaves a row that says what is left to do."""
    if only_unfinished:
        with stores.engine.connect() as conn:
            status = conn.execute(
                select(db.documents.c.status).where(db.documents.c.id == doc_id)
            ).scalar_one_or_none()
        if status == "complete":  # a failed re-ingest of a stored document: keep it whole
            return
    chroma_store.delete_document(stores.collection, doc_id)
    with stores.engine.begin() as conn:
        _delete_rows(conn, doc_id)


def delete_document(stores: Stores, doc_id: str) -> bool:
    """Remove a document's rows and vectors; False when no such document is stored."""
    with stores.engine.begin() as conn:
        found = conn.execute(select(db.documents.c.id).where(db.documents.c.id == doc_id)).first()
        _delete_rows(conn, doc_id)
    chroma_store.delete_document(stores.collection, doc_id)
    return found is not None


def list_documents(engine: Engine) -> list[dict[str, Any]]:
    columns = [c for c in db.documents.c if c.name != "text"]
    with engine.connect() as conn:
        rows = conn.execute(select(*columns).order_by(db.documents.c.locality, db.documents.c.year))
        return [dict(r._mapping) for r in rows]


def check(stores: Stores, repair: bool = False) -> dict[str, list[str]]:
    """Find documents the two stores disagree on; with `repair`, make them agree.

    Vectors without SQL rows are deleted; SQL documents missing vectors are re-embedded from the
    chunk texts kept in SQL.
    """
    with stores.engine.connect() as conn:
        sql_ids = set(conn.execute(select(db.documents.c.id).where(
            db.documents.c.chunks > 0, db.documents.c.status == "complete")).scalars())
    vector_ids = chroma_store.document_ids(stores.collection)
    report = {
        "vectors_without_rows": sorted(vector_ids - sql_ids),
        "rows_without_vectors": sorted(sql_ids - vector_ids),
    }
    if repair:
        finish_interrupted(stores)
        for doc_id in report["vectors_without_rows"]:
            chroma_store.delete_document(stores.collection, doc_id)
        for doc_id in report["rows_without_vectors"]:
            _reembed(stores, doc_id)
    return report


def _reembed(stores: Stores, doc_id: str) -> None:
    with stores.engine.connect() as conn:
        doc_row = conn.execute(select(db.documents).where(db.documents.c.id == doc_id)).one()
        rows = conn.execute(
            select(db.chunks).where(db.chunks.c.doc_id == doc_id).order_by(db.chunks.c.chunk_index)
        ).all()
    chunks = [
        Chunk(r.doc_id, r.chunk_index, r.text, r.start, r.end, r.page, r.heading, r.kind, r.table_index)
        for r in rows
    ]
    embeddings = embed_chunks(EmbeddingCache(stores.engine, stores.embedder), chunks, doc_row.title)
    fields = {
        "locality": doc_row.locality, "locality_name": doc_row.locality_name, "year": doc_row.year,
        "doc_type": doc_row.doc_type, "visibility": doc_row.visibility, "title": doc_row.title,
    }
    chroma_store.add_chunks(stores.collection, chunks, embeddings, {k: v for k, v in fields.items() if v})


def count_rows(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in db.DOCUMENT_TABLES
        }


def _delete_rows(conn: Any, doc_id: str) -> None:
    for table in db.DOCUMENT_TABLES:
        key = table.c.id if table is db.documents else table.c.doc_id
        conn.execute(delete(table).where(key == doc_id))


def _vector_fields(doc: Document, visibility: str) -> dict[str, Any]:
    meta = doc.meta
    locality = meta.locality if meta else None
    fields = {
        "locality": locality.full if locality else None,
        "locality_name": locality.name if locality else None,
        "year": meta.year if meta else None,
        "doc_type": meta.doc_type if meta else None,
        "visibility": visibility,
        "title": meta.title if meta else None,
    }
    return {k: v for k, v in fields.items() if v is not None}


def _insert_rows(
    conn: Any,
    doc: Document,
    tables: Sequence[Table],
    facts: Sequence[Fact],
    chunks: Sequence[Chunk],
    visibility: str,
    model_name: str,
) -> None:
    meta = doc.meta
    locality = meta.locality if meta else None
    unit = unit_record(meta.unit_name, locality) if meta and meta.unit_name else None
    if unit is not None:
        _save_unit(conn, unit, meta.unit_name)
    conn.execute(insert(db.documents).values(
        id=doc.id, path=doc.path, filename=Path(doc.path).name, sha256=doc.sha256,
        file_type=doc.file_type, title=meta.title if meta else Path(doc.path).stem,
        locality=locality.full if locality else None,
        locality_name=locality.name if locality else None,
        locality_bare=locality.bare if locality else None,
        locality_level=locality.level if locality else None,
        province=locality.province if locality else None,
        city=locality.city if locality else None,
        unit_name=meta.unit_name if meta else None, unit_kind=meta.unit_kind if meta else None,
        unit_id=unit.id if unit else None, scope=meta.scope if meta else "",
        part=document_part(doc, tables),
        year=meta.year if meta else None, doc_type=meta.doc_type if meta else None,
        published=meta.published if meta else None, visibility=visibility, status="complete",
        chars=len(doc.text), pages=len(doc.pages), chunks=len(chunks), tables=len(tables),
        facts=len(facts), embedding_model=model_name,
        ingested_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), text=doc.text,
    ))
    if doc.pages:
        conn.execute(insert(db.pages), [
            {"doc_id": doc.id, "number": p.number, "start": p.start, "end": p.end,
             "scanned": p.scanned, "rotation": p.rotation}
            for p in doc.pages
        ])
    if doc.ocr_spans:
        conn.execute(insert(db.ocr_spans), [
            {"doc_id": doc.id, "start": s.start, "end": s.end, "page": s.box.page, "x0": s.box.x0,
             "top": s.box.top, "x1": s.box.x1, "bottom": s.box.bottom, "confidence": s.confidence}
            for s in doc.ocr_spans
        ])
    if tables:
        conn.execute(insert(db.doc_tables), [_table_row(t) for t in tables])
        cells = [cell for t in tables for cell in _cell_rows(t)]
        if cells:
            conn.execute(insert(db.table_cells), cells)
    if facts:
        titles = {t.index: t.title for t in tables}
        conn.execute(insert(db.facts), [_fact_row(f, doc, unit, titles) for f in facts])
    if chunks:
        conn.execute(insert(db.chunks), [
            {"doc_id": c.doc_id, "chunk_index": c.index, "kind": c.kind, "start": c.start,
             "end": c.end, "page": c.page, "heading": c.heading, "table_index": c.table_index,
             "text": c.text}
            for c in chunks
        ])


def _table_row(table: Table) -> dict[str, Any]:
    return {
        "doc_id": table.doc_id, "table_index": table.index, "title": table.title,
        "unit": table.unit, "kind": table.kind, "page": table.page, "start": table.start,
        "end": table.end, "n_rows": len(table.rows), "n_cols": len(table.columns),
        "columns": json.dumps(list(table.columns), ensure_ascii=False),
    }


def _cell_rows(table: Table) -> list[dict[str, Any]]:
    rows = []
    for row in table.rows:
        for cell in row.cells:
            rows.append({
                "doc_id": table.doc_id, "table_index": table.index, "row": cell.row,
                "col": cell.col, "text": cell.text, "value": cell.value,
                "column_name": table.columns[cell.col] if cell.col < len(table.columns) else "",
                "row_label": row.label, "row_code": row.code, "is_header": row.is_header,
                "is_rollup": row.is_rollup, "start": cell.start, "end": cell.end,
                "ocr_confidence": cell.confidence, "ocr_suspect": cell.suspect if cell.box else None,
            })
    return rows


def _fact_row(fact: Fact, doc: Document, unit: UnitRecord | None,
              titles: dict[int, str]) -> dict[str, Any]:
    meta = doc.meta
    locality = meta.locality if meta else None
    label, parents = (fact.label, fact.parent) if fact.label else _prose_item(fact.metric_raw)
    return {
        "doc_id": fact.doc_id, "locality": locality.full if locality else None,
        "locality_name": locality.name if locality else None,
        "unit_name": meta.unit_name if meta else None, "unit_id": unit.id if unit else None,
        "year": fact.year,
        "label": label, "label_stem": label_stem(label) if label else "", "parent_label": parents,
        "column_name": fact.column, "row_stems": row_stems(fact.row_texts),
        "table_title": titles.get(fact.table_index) if fact.table_index is not None else None,
        "doc_type": meta.doc_type if meta else None, "metric_raw": fact.metric_raw,
        "metric": fact.metric, "measure": fact.measure, "value": fact.value, "text": fact.text,
        "unit": fact.unit, "value_yuan": fact.value_yuan, "scope": fact.scope,
        "source": fact.source, "subject_code": fact.subject_code, "is_rollup": fact.is_rollup,
        "table_index": fact.table_index, "row": fact.row, "col": fact.col,
        "start": fact.start, "end": fact.end,
    }


def row_stems(texts: Sequence[str]) -> str:
    """'|服务|信息化建设|': the specific stems of a row's text cells, each between bars so a
    query can look one up whole (LIKE '%|stem|%')."""
    stems = [stem for text in texts if is_specific(stem := label_stem(text))]
    return f"|{'|'.join(dict.fromkeys(stems))}|" if stems else ""


def _prose_item(metric_raw: str) -> tuple[str, str]:
    label, parents = item_label(metric_raw)
    return label, " / ".join(parents)


def _save_unit(conn: Any, unit: UnitRecord, written: str) -> None:
    """The unit row (its name: the one its documents write most often) and any new alias."""
    u, d = db.units.c, db.documents.c
    names = [*conn.execute(select(d.unit_name).where(d.unit_id == unit.id, d.status == "complete"))
             .scalars(), written]
    name = max(set(names), key=lambda n: (names.count(n), len(n)))
    if conn.execute(select(u.id).where(u.id == unit.id)).first() is None:
        conn.execute(insert(db.units).values(id=unit.id, name=name, locality=unit.locality,
                                             key=unit.key, kind=unit.kind, level=unit.level))
    else:
        conn.execute(db.units.update().where(u.id == unit.id).values(name=name))
    a = db.unit_aliases.c
    known = set(conn.execute(select(a.alias).where(a.unit_id == unit.id)).scalars())
    new = sorted(unit.aliases - known)
    if new:
        conn.execute(insert(db.unit_aliases),
                     [{"alias": alias, "unit_id": unit.id, "source": "rule"} for alias in new])


# A document whose text lies almost all inside its tables is the tables part of a disclosure
# published as two files (说明 + 公开表); one without tables is the text part.
TABLES_PART_SHARE = 0.85


def document_part(doc: Document, tables: Sequence[Table]) -> str:
    """'text', 'tables' or 'both': what of a disclosure this document holds."""
    if not tables:
        return "text"
    covered = sum(t.end - t.start for t in tables)
    return "tables" if covered >= TABLES_PART_SHARE * len(doc.text.strip()) else "both"
