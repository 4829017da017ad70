"""The SQL schema (SQLAlchemy Core) shared by ingestion (writes) and the assistant (reads).

A document's rows are written in one transaction; `documents.status` is 'complete' only once its
vectors are stored too, and readers see complete documents only.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
)

metadata = MetaData()

documents = Table(
    "documents",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("path", Text, nullable=False),
    Column("filename", Text, nullable=False),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("file_type", String(8), nullable=False),
    Column("title", Text, nullable=False),
    Column("locality", Text),  # full name, e.g. 重庆市潼南区
    Column("locality_name", Text),  # e.g. 潼南区
    Column("locality_bare", Text),  # e.g. 潼南
    Column("locality_level", String(16)),
    Column("province", Text),
    Column("city", Text),
    Column("unit_name", Text),
    Column("unit_kind", Text),
    Column("year", Integer),
    Column("doc_type", String(16)),
    Column("published", String(10)),
    Column("visibility", String(8), nullable=False, default="public"),
    Column("status", String(10), nullable=False, default="pending"),
    Column("chars", Integer, nullable=False),
    Column("pages", Integer, nullable=False),
    Column("chunks", Integer, nullable=False, default=0),
    Column("tables", Integer, nullable=False, default=0),
    Column("facts", Integer, nullable=False, default=0),
    Column("embedding_model", String(64)),
    Column("ingested_at", String(32), nullable=False),
    Column("text", Text, nullable=False),
)

pages = Table(
    "pages",
    metadata,
    Column("doc_id", String(32), ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
)

doc_tables = Table(
    "doc_tables",
    metadata,
    Column("doc_id", String(32), ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("table_index", Integer, primary_key=True),
    Column("title", Text, nullable=False),
    Column("unit", String(16)),
    Column("kind", String(16), nullable=False),
    Column("page", Integer),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("n_rows", Integer, nullable=False),
    Column("n_cols", Integer, nullable=False),
    Column("columns", Text, nullable=False),  # JSON list of header paths
)

table_cells = Table(
    "table_cells",
    metadata,
    Column("doc_id", String(32), ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("table_index", Integer, primary_key=True),
    Column("row", Integer, primary_key=True),
    Column("col", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    Column("value", Float),
    Column("column_name", Text, nullable=False),  # header path of the column
    Column("row_label", Text, nullable=False),
    Column("row_code", String(16)),
    Column("is_header", Boolean, nullable=False),
    Column("is_rollup", Boolean, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
)

facts = Table(
    "facts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("doc_id", String(32), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("locality", Text),
    Column("locality_name", Text),
    Column("unit_name", Text),
    Column("year", Integer),  # the year the figure is for
    Column("doc_type", String(16)),
    Column("metric_raw", Text, nullable=False),
    Column("metric", Text, nullable=False),  # canonical key from ingest.vocab, '' when none
    Column("measure", String(12), nullable=False),
    Column("value", Float, nullable=False),
    Column("text", Text, nullable=False),  # the number as printed
    Column("unit", String(16), nullable=False),
    Column("value_yuan", Float),
    Column("scope", String(8), nullable=False),
    Column("source", String(8), nullable=False),
    Column("subject_code", String(16)),
    Column("is_rollup", Boolean, nullable=False),
    Column("table_index", Integer),
    Column("row", Integer),
    Column("col", Integer),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Index("ix_facts_metric_year", "metric", "year"),
    Index("ix_facts_doc", "doc_id"),
)

chunks = Table(
    "chunks",
    metadata,
    Column("doc_id", String(32), ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("chunk_index", Integer, primary_key=True),
    Column("kind", String(8), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("page", Integer),
    Column("heading", Text, nullable=False),
    Column("table_index", Integer),
    Column("text", Text, nullable=False),
)

# Passage vectors by model and text hash (`vectorstore.embedding_cache`): shared by every document,
# so text repeated across documents, versions and runs is embedded once.
embedding_cache = Table(
    "embedding_cache",
    metadata,
    Column("model", String(64), primary_key=True),
    Column("sha256", String(64), primary_key=True),
    Column("vector", LargeBinary, nullable=False),  # float32, little-endian
)

# Tables a document owns, children first so deletes need no cascade support.
DOCUMENT_TABLES = (facts, table_cells, doc_tables, chunks, pages, documents)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API objects
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers keep reading while ingestion writes
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """One engine per URL, with the schema created on first use."""
    if url.startswith("sqlite:///"):
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    metadata.create_all(engine)
    return engine
