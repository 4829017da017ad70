"""The catalog of what the stores hold: read once per corpus version, never stale."""

from __future__ import annotations

from conftest_sql_helpers import build_fiscal_db
from sqlalchemy import delete, insert, select, update

from assistant.catalog import load_catalog
from gongkai import db


def test_catalog_follows_documents_added_removed_and_shown(tmp_path):
    engine = build_fiscal_db(tmp_path / "gongkai.db")
    first = load_catalog(engine)
    assert first.documents == 3 and {loc.name for loc in first.localities} == {"潼南区", "柞水县"}
    assert load_catalog(engine) is first  # unchanged corpus: the cached catalog
    (zhashui,) = first.aliases["柞水县政务服务中心"]
    assert first.unit(zhashui).years == (2023,) and first.unit(zhashui).name == "柞水县政务服务中心"
    assert load_catalog(engine, ("public", "official")).documents == 4

    with engine.begin() as conn:
        conn.execute(delete(db.facts).where(db.facts.c.doc_id == "doc_zs2023"))
        conn.execute(delete(db.documents).where(db.documents.c.id == "doc_zs2023"))
    assert {loc.name for loc in load_catalog(engine).localities} == {"潼南区"}

    with engine.begin() as conn:  # a new document, ingested later
        row = conn.execute(select(db.documents).where(db.documents.c.id == "doc_tn2022")).one()
        new = dict(row._mapping, id="doc_cj2024", sha256="x" * 64, locality="澄江市",
                   locality_name="澄江市", year=2024, ingested_at="2025-01-01T00:00:00")
        conn.execute(insert(db.documents), [new])
    assert 2024 in load_catalog(engine).years

    with engine.begin() as conn:  # a pending document completes
        conn.execute(update(db.documents).where(db.documents.c.id == "doc_PENDING_1")
                     .values(status="complete"))
    assert "柞水县" in {loc.name for loc in load_catalog(engine).localities}
    engine.dispose()


def test_an_existing_database_gets_the_new_indexes_on_open(tmp_path):
    import sqlite3

    from gongkai.db import get_engine

    path = tmp_path / "old.db"
    build_fiscal_db(path).dispose()
    with sqlite3.connect(path) as conn:  # as a database made before these indexes existed
        conn.execute("DROP INDEX ix_documents_visible")
        conn.execute("DROP INDEX ix_documents_ingested")
    get_engine(f"sqlite:///{path}").dispose()
    with sqlite3.connect(path) as conn:
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"ix_documents_visible", "ix_documents_ingested", "ix_facts_metric_year"} <= names
