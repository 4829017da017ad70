"""The assistant's SQL on PostgreSQL: the same guarded queries give the same rows as on SQLite,
and the read-only role, the READ ONLY transaction and the statement timeout hold on their own."""

from __future__ import annotations

import pytest
from conftest_sql_helpers import build_fiscal_db, fill_fiscal_db, leaks
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from test_sql_guard import GOOD_SQL, VISIBILITY_ATTACKS, normalised

from assistant import sql_run
from assistant.sql_run import run_sql
from gongkai import db


@pytest.fixture(scope="module")
def engines(servers, tmp_path_factory):
    """(PostgreSQL engine, SQLite engine), both holding the fiscal rows of conftest_sql_helpers."""
    postgres, _ = servers
    pg_engine = fill_fiscal_db(db.get_engine(postgres.new_database("fiscal")))
    sqlite_engine = build_fiscal_db(tmp_path_factory.mktemp("fiscal") / "gongkai.db")
    yield pg_engine, sqlite_engine
    pg_engine.dispose()
    sqlite_engine.dispose()


def _comparable(result, sql: str) -> list[tuple]:
    rows = normalised(result.rows)
    if "group_concat" in sql.lower():  # the order inside an aggregate is unspecified in SQL
        rows = [tuple(_parts(v) if isinstance(v, str) else v for v in row) for row in rows]
    return rows if " order by " in sql.lower() else sorted(rows, key=repr)


def _parts(joined: str) -> tuple[float | str, ...]:
    """'12.5;14.0' and '14;12.5' alike: SQLite prints a whole double with '.0', PostgreSQL not."""
    values = [float(p) if p.replace(".", "", 1).isdigit() else p for p in joined.split(";")]
    return tuple(sorted(values, key=repr))


@pytest.mark.parametrize("sql", GOOD_SQL)
def test_good_sql_gives_the_same_rows_on_postgres_as_on_sqlite(sql, engines):
    pg_engine, sqlite_engine = engines
    on_sqlite, on_postgres = run_sql(sql, sqlite_engine), run_sql(sql, pg_engine)
    assert on_sqlite.ok, on_sqlite.detail
    assert on_postgres.ok, (on_postgres.detail, on_postgres.sql)
    assert _comparable(on_postgres, sql) == _comparable(on_sqlite, sql)


@pytest.mark.parametrize("sql", VISIBILITY_ATTACKS)
def test_hidden_documents_never_reach_a_public_user_on_postgres(sql, engines):
    result = run_sql(sql, engines[0])
    assert result.ok, result.detail
    assert not leaks(result.rows)


def _row_counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in db.DOCUMENT_TABLES}


@pytest.mark.parametrize(
    ("sql", "refusal"),
    [
        ("DELETE FROM facts", "read-only transaction"),
        ("UPDATE documents SET visibility = 'public'", "read-only transaction"),
        ("SELECT text FROM documents", "permission denied"),
        ("SELECT path FROM documents", "permission denied"),
        ("SELECT * FROM pages", "permission denied"),
        ("SELECT * FROM chunks", "permission denied"),
        ("CREATE TABLE evil (a int)", "read-only transaction"),
        ("SET ROLE NONE", "produce records"),  # and rolled back with the transaction
        ("SET ROLE NONE; SELECT text FROM documents", "multiple commands"),
        ("SELECT 1; DELETE FROM facts", "multiple commands"),
        ("SELECT pg_read_file('/etc/passwd')", "permission denied"),
    ],
)
def test_the_reader_role_refuses_what_a_faulty_guard_let_through(sql, refusal, engines, monkeypatch):
    """Defence in depth: with the guard switched off, the role and the transaction still refuse."""
    pg_engine, _ = engines
    monkeypatch.setattr(sql_run, "check_sql", lambda sql, **_: sql)
    before = _row_counts(pg_engine)
    result = run_sql(sql, pg_engine)
    assert not result.ok and result.reason
    assert refusal in result.detail
    assert _row_counts(pg_engine) == before
    with pytest.raises(DBAPIError, match="permission denied"):  # a SET ROLE did not outlive its run
        sql_run._run_postgres("SELECT text FROM documents", pg_engine, 1, 1.0)


def test_a_cartesian_explosion_is_stopped_by_the_statement_timeout(engines):
    sql = "SELECT count(*) FROM " + ", ".join(f"facts t{i}" for i in range(8))
    result = run_sql(sql, engines[0], timeout_s=0.3)
    assert not result.ok and "超时" in result.reason


def test_the_reader_may_read_exactly_the_whitelisted_columns(engines):
    from assistant.sql_guard import QUERYABLE

    assert QUERYABLE == db.READER_COLUMNS  # the guard and the role agree on what is readable
    with engines[0].connect() as conn:
        granted = conn.exec_driver_sql(
            "SELECT table_name, column_name FROM information_schema.column_privileges"
            f" WHERE grantee = '{db.READER_ROLE}' AND privilege_type = 'SELECT'"
        ).all()
    by_table: dict[str, set[str]] = {}
    for table, column in granted:
        by_table.setdefault(table, set()).add(column)
    assert by_table == {table: set(columns) for table, columns in db.READER_COLUMNS.items()}
