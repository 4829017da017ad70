"""The SQL schema (SQLAlchemy Core) shared by ingestion (writes) and the assistant (reads).

A document's rows are written in one transaction; `documents.status` is 'complete' only once its
vectors are stored too, and readers see complete documents only.

SQLite (the default) or PostgreSQL, by URL. On PostgreSQL the schema is created on first use
under an advisory lock (several processes may start at once), with a read-only role
(`READER_ROLE`) that may SELECT only the columns untrusted queries may read; the assistant runs
its SQL as that role.
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
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from gongkai.errors import StoreError

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
    Column("unit_id", String(32)),  # units.id: one unit however its documents write its name
    Column("scope", String(4)),  # 部门 (the department with its units) / 单位 (one unit) / ''
    Column("part", String(8)),  # text / tables / both: a disclosure split in two files has two parts
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
    # Every guarded query lists the visible, complete documents' ids: read from this index, not
    # from the rows, which carry the full text.
    Index("ix_documents_visible", "status", "visibility", "id"),
    Index("ix_documents_ingested", "ingested_at"),  # the newest document, for the assistant's cache
)

# Issuing units: one row per unit of a place, known by a key its names share ('高院' for
# 江苏省高级人民法院 written any way); `unit_aliases` holds every name a question may use.
units = Table(
    "units",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", Text, nullable=False),  # as its documents write it most often
    Column("locality", Text),
    Column("key", Text, nullable=False),
    Column("kind", String(16)),
    Column("level", String(16)),  # the locality's level
    Column("parent_id", String(32)),  # the unit it belongs to, where a document states it
)

unit_aliases = Table(
    "unit_aliases",
    metadata,
    Column("alias", Text, primary_key=True),
    Column("unit_id", String(32), ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
    Column("source", String(8), nullable=False),  # 'rule' (generated) | 'official' (added by hand)
)

pages = Table(
    "pages",
    metadata,
    Column("doc_id", String(32), ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("scanned", Boolean),  # its text was recognised from the page image (OCR)
    Column("rotation", Integer),  # degrees the scan was turned counter-clockwise to read it
)

# Where the characters recognised from a scanned page are printed: text[start:end] on `page`,
# the box in fractions of the upright page (see gongkai.types.OcrSpan).
ocr_spans = Table(
    "ocr_spans",
    metadata,
    Column("doc_id", String(32), ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("start", Integer, primary_key=True),
    Column("end", Integer, nullable=False),
    Column("page", Integer, nullable=False),
    Column("x0", Float, nullable=False),
    Column("top", Float, nullable=False),
    Column("x1", Float, nullable=False),
    Column("bottom", Float, nullable=False),
    Column("confidence", Float, nullable=False),
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
    # Cells recognised from a scan: the lowest confidence of their characters, and whether a sum
    # check of their table failed through them (both empty for other documents).
    Column("ocr_confidence", Float),
    Column("ocr_suspect", Boolean),
)

facts = Table(
    "facts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("doc_id", String(32), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("locality", Text),
    Column("locality_name", Text),
    Column("unit_name", Text),
    Column("unit_id", String(32)),
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
    # What the figure is of, as the catalog matches questions (`ingest.catalog`): the item's name,
    # its stem, what it is part of, and for a table figure its column and table.
    Column("label", Text),
    Column("label_stem", Text),
    Column("parent_label", Text),
    Column("column_name", Text),
    Column("table_title", Text),
    Column("row_stems", Text),  # '|服务|信息化建设|': stems of the row's text cells before the figure
    Index("ix_facts_metric_year", "metric", "year"),
    Index("ix_facts_doc", "doc_id"),
    Index("ix_facts_unit_year", "unit_id", "year"),
    Index("ix_facts_stem", "label_stem"),
    Index("ix_facts_code", "subject_code"),
)
# A question's candidate figures (`assistant.sql_build.item_query`: the asked unit-years' rows
# naming an item by metric, stem or a row cell) read from this index alone, not row by row from
# the table. SQLite only: a PostgreSQL btree entry is capped at ~2.7 kB, a row's stems are not.
Index("ix_facts_unit_year_names", facts.c.unit_id, facts.c.year, facts.c.measure, facts.c.metric,
      facts.c.label_stem, facts.c.row_stems).ddl_if(dialect="sqlite")

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
DOCUMENT_TABLES = (facts, table_cells, doc_tables, chunks, ocr_spans, pages, documents)

# What an untrusted query (ours or an LLM's) may read: the full text is served by retrieval and
# paths are ours. `assistant.sql_guard` whitelists the same columns.
HIDDEN_COLUMNS = {
    "documents": ("text", "path"),
    "table_cells": ("ocr_confidence", "ocr_suspect"),  # read by the answer composer, not by SQL
}
READER_COLUMNS: dict[str, tuple[str, ...]] = {
    table.name: tuple(
        c.name for c in table.columns if c.name not in HIDDEN_COLUMNS.get(table.name, ())
    )
    for table in (facts, documents, doc_tables, table_cells)
}
READER_ROLE = "gongkai_reader"
SCHEMA_LOCK = 0x6E676B6169  # pg_advisory_xact_lock key: 'ngkai'


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers keep reading while ingestion writes
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _postgres_numeric_as_float(dbapi_connection, _record) -> None:
    """NUMERIC results (SUM of integers, ROUND) as floats, as SQLite gives them: a Decimal would
    not add to the floats of the facts."""
    from psycopg.types.numeric import FloatLoader

    dbapi_connection.adapters.register_loader("numeric", FloatLoader)


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """One engine per URL, with the schema created on first use."""
    if url.startswith("sqlite:///"):
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("postgresql"):
        # pre-ping: a restarted server's dead connections are replaced, not handed out
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
        event.listen(engine, "connect", _postgres_numeric_as_float)
        try:
            create_postgres_schema(engine)
        except OperationalError as error:  # not cached: the next call tries again
            engine.dispose()
            raise StoreError(
                f"无法连接数据库服务器 {engine.url.render_as_string(hide_password=True)}，"
                "请检查它是否在运行。",
                detail=str(error.orig),
            ) from error
        return engine
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    metadata.create_all(engine)
    with engine.begin() as conn:
        add_missing_columns(conn)
    for table in metadata.sorted_tables:  # indexes added since an existing database was made
        for index in table.indexes:
            index.create(engine, checkfirst=True)
    return engine


def add_missing_columns(conn: Connection) -> list[str]:
    """Columns added to the schema since an existing database was made, added to it (empty;
    `python -m ingest PATH --force` fills them). Returns 'table.column' of each one added."""
    from sqlalchemy import inspect

    inspector = inspect(conn)
    present = set(inspector.get_table_names())
    added = []
    for table in metadata.sorted_tables:
        if table.name not in present:
            continue
        have = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in have and column.nullable:
                kind = column.type.compile(dialect=conn.dialect)
                conn.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}'))
                added.append(f"{table.name}.{column.name}")
    return added


def create_postgres_schema(engine: Engine) -> None:
    """Tables, indexes and the read-only role, created once however many processes start."""
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
        metadata.create_all(conn)
        add_missing_columns(conn)
        for table in metadata.sorted_tables:  # indexes added since the database was made
            for index in table.indexes:
                index.create(conn, checkfirst=True)
        _grant_reader(conn)


def _grant_reader(conn: Connection) -> None:
    """The reader role may SELECT the whitelisted columns and nothing else; we may become it.

    Roles are cluster-wide, so another database may create it at the same moment: a duplicate
    is fine. Without the right to create roles, an administrator creates it (see the README).
    """
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": READER_ROLE})
    if exists.first() is None:
        conn.execute(text(
            f"DO $$ BEGIN CREATE ROLE {READER_ROLE} NOLOGIN; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        ))
    for table, columns in READER_COLUMNS.items():
        granted = conn.execute(text(
            "SELECT bool_and(has_column_privilege(:r, :t, c, 'SELECT'))"
            " FROM unnest(CAST(:cs AS text[])) c"
        ), {"r": READER_ROLE, "t": table, "cs": list(columns)}).scalar_one()
        if not granted:  # only the tables' owner may grant: ask only when something is missing
            quoted = ", ".join(f'"{c}"' for c in columns)
            conn.execute(text(f'GRANT SELECT ({quoted}) ON "{table}" TO {READER_ROLE}'))
    member = conn.execute(
        text("SELECT pg_has_role(current_user, :r, 'MEMBER')"), {"r": READER_ROLE}
    ).scalar_one()
    if not member:
        conn.execute(text(f"GRANT {READER_ROLE} TO current_user"))
