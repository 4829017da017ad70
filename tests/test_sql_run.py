"""run_sql: read-only execution with a time limit and a row cap; failures come back as values."""

from __future__ import annotations

import time

import pytest
from conftest_sql_helpers import build_fiscal_db, database_checksum, folder_listing, leaks
from sqlalchemy import create_engine, insert

from assistant import sql_run
from assistant.sql_run import SqlResult, run_sql
from gongkai import db

EIGHT_WAY_JOIN = "SELECT count(*) FROM " + ", ".join(f"facts t{i}" for i in range(8))


@pytest.fixture
def fiscal_db(tmp_path):
    path = tmp_path / "gongkai.db"
    engine = build_fiscal_db(path)
    writer = engine.connect()  # the app's engine stays connected, so the WAL files exist
    yield engine, path
    writer.close()
    engine.dispose()


def test_rows_columns_and_truncation(fiscal_db):
    engine, _ = fiscal_db
    everything = run_sql("SELECT metric, value FROM facts ORDER BY value", engine)
    assert everything.ok and not everything.truncated
    assert everything.columns == ("metric", "value")
    assert len(everything.rows) == 9  # three visible documents, three figures each
    capped = run_sql("SELECT metric, value FROM facts ORDER BY value", engine, max_rows=4)
    assert capped.ok and capped.truncated
    assert capped.rows == everything.rows[:4]
    exact = run_sql("SELECT metric FROM facts ORDER BY value LIMIT 4", engine, max_rows=4)
    assert exact.ok and not exact.truncated and len(exact.rows) == 4


def test_rejected_sql_is_a_value_with_a_chinese_reason(fiscal_db):
    engine, path = fiscal_db
    before = database_checksum(path)
    result = run_sql("DELETE FROM facts", engine)
    assert result == SqlResult(ok=False, sql="DELETE FROM facts", reason=result.reason,
                               detail=result.detail)  # fmt: skip
    assert "只允许查询" in result.reason
    assert database_checksum(path) == before


def test_a_cartesian_explosion_is_stopped_by_the_time_limit(fiscal_db):
    engine, _ = fiscal_db
    started = time.monotonic()
    result = run_sql(EIGHT_WAY_JOIN, engine, timeout_s=0.3)
    elapsed = time.monotonic() - started
    assert not result.ok and "超时" in result.reason
    assert elapsed < 1.5, elapsed


def test_a_string_bomb_is_stopped_by_the_length_limit(fiscal_db):
    engine, _ = fiscal_db
    bomb = "'aaaaaaaaaa'"
    for _ in range(9):  # each level multiplies the length by ten: 10**10 characters
        bomb = f"replace({bomb}, 'a', 'aaaaaaaaaa')"
    result = run_sql(f"SELECT length({bomb})", engine, timeout_s=5)
    assert not result.ok and result.reason


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM facts",
        "UPDATE documents SET visibility = 'public'",
        (
            "INSERT INTO facts (doc_id, metric_raw, metric, measure, value, text, unit, scope,"
            ' source, is_rollup, start, "end")'
            " VALUES ('x', 'm', 'm', 'value', 1, '1', '元', '', 'table', 0, 0, 1)"
        ),
        "DROP TABLE facts",
        "CREATE TABLE evil (a)",
        "ATTACH DATABASE 'evil.db' AS evil",
        "VACUUM INTO 'copy.db'",
        "PRAGMA query_only = OFF",
        "SELECT text FROM documents",
        "SELECT path FROM documents",
        "SELECT * FROM pages",
        "SELECT * FROM sqlite_master",
        "SELECT load_extension('evil')",
        "SELECT randomblob(10)",
        "SELECT 1; DROP TABLE facts",
    ],
)
def test_the_engine_refuses_what_a_faulty_guard_let_through(sql, fiscal_db, monkeypatch):
    """Defence in depth: with the guard switched off, the read-only connection still refuses."""
    engine, path = fiscal_db
    monkeypatch.setattr(sql_run, "check_sql", lambda sql, **_: sql)
    before, files = database_checksum(path), folder_listing(path)
    result = run_sql(sql, engine)
    assert not result.ok and result.reason
    assert database_checksum(path) == before
    assert folder_listing(path) == files
    assert not leaks(result.rows)


def test_reads_do_not_see_uncommitted_writes(fiscal_db):
    engine, _ = fiscal_db
    with engine.connect() as writer:
        writer.execute(
            insert(db.pages), [{"doc_id": "doc_tn2023", "number": 2, "start": 0, "end": 1}]
        )
        writer.exec_driver_sql("UPDATE facts SET value = 0 WHERE doc_id = 'doc_tn2023'")
        result = run_sql("SELECT MIN(value) FROM facts", engine)  # while the write is pending
        writer.rollback()
    assert result.ok and result.rows == ((1.1,),)


def test_no_database_file_is_a_value_not_a_crash(tmp_path):
    missing = tmp_path / "missing.db"
    result = run_sql("SELECT metric FROM facts", create_engine(f"sqlite:///{missing}"))
    assert not result.ok and result.reason
    assert not missing.exists()
    in_memory = run_sql("SELECT metric FROM facts", create_engine("sqlite://"))
    assert not in_memory.ok and in_memory.reason


@pytest.mark.parametrize("sql", [None, 42, b"SELECT 1", "", "\x00"])
def test_non_sql_input_is_a_value(sql, fiscal_db):
    engine, _ = fiscal_db
    result = run_sql(sql, engine)
    assert not result.ok and result.reason
