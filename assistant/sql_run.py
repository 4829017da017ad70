"""Run a guarded query read-only, with a time limit and a row cap; failures come back as values.

SQLite queries run on their own read-only connection (`mode=ro`, `query_only`), with an
authorizer that allows reading whitelisted columns and calling allowed functions only, and a
progress handler that stops them at the deadline (datasette's approach). PostgreSQL queries run
as the read-only role `gongkai.db.READER_ROLE` (SELECT on the whitelisted columns only), in a
READ ONLY transaction with a statement timeout.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from assistant.sql_guard import QUERYABLE, SqlRejected, check_sql
from assistant.types import CorpusFilters
from gongkai import db

log = logging.getLogger(__name__)

SQLGLOT_DIALECTS = {"sqlite": "sqlite", "postgresql": "postgres"}
PROGRESS_STEPS = 1000  # SQLite VM instructions between deadline checks
SQLITE_LIMITS = {  # engine-side caps, whatever the SQL says
    sqlite3.SQLITE_LIMIT_ATTACHED: 0,
    sqlite3.SQLITE_LIMIT_LENGTH: 64_000_000,  # bounds string-building bombs (nested replace …)
    sqlite3.SQLITE_LIMIT_SQL_LENGTH: 200_000,
    sqlite3.SQLITE_LIMIT_COMPOUND_SELECT: 50,
}
# What the SQLite authorizer lets a query do, by lower-case name (SQLite reports functions so).
SQLITE_FUNCTIONS = frozenset({
    "count", "sum", "avg", "min", "max", "total", "group_concat", "round", "abs", "coalesce",
    "ifnull", "nullif", "iif", "lower", "upper", "substr", "substring", "length", "instr",
    "replace", "trim", "ltrim", "rtrim", "like", "glob", "row_number", "rank", "dense_rank",
    "percent_rank", "cume_dist", "ntile", "lag", "lead", "first_value", "last_value", "nth_value",
})  # fmt: skip
READABLE = {table: frozenset(columns) for table, columns in QUERYABLE.items()}


@dataclass(frozen=True)
class SqlResult:
    """Rows of a guarded query, or why there are none (`reason` in Chinese, `detail` in English)."""

    ok: bool
    sql: str
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[Any, ...], ...] = ()
    truncated: bool = False  # more rows matched than were returned
    reason: str = ""
    detail: str = ""


def run_sql(
    sql: str,
    engine: Engine,
    *,
    visibility: Collection[str] = ("public",),
    max_rows: int = 1000,
    timeout_s: float = 2.0,
    params: Mapping[str, str | int | float] | None = None,
    filters: CorpusFilters | None = None,
) -> SqlResult:
    """Check `sql`, run it read-only and return at most `max_rows` rows; never raises for bad SQL.

    `params` binds values to named placeholders (`:name`) of `sql`; the result's `sql` then has
    the values written in, as a person reads it. `filters` (the user's corpus filters) keep the
    rows of the chosen documents only, whatever the SQL asks.
    """
    if not isinstance(sql, str):
        return _failed("", "SQL 为空", f"not a string: {type(sql).__name__}")
    dialect = SQLGLOT_DIALECTS.get(engine.dialect.name)
    if dialect is None:
        return _failed(sql, "不支持该数据库", f"unsupported database {engine.dialect.name}")
    params = dict(params or {})
    if not all(isinstance(v, str | int | float) for v in params.values()):
        return _failed(sql, "查询参数无效", "parameter values must be str, int or float")
    try:
        safe_sql = guarded_sql(sql, engine, visibility=visibility, max_rows=max_rows, params=params,
                               filters=filters)
    except SqlRejected as err:
        return _failed(sql, err.message, err.detail or "")
    runner = _run_sqlite if dialect == "sqlite" else _run_postgres
    shown_sql = _inlined(safe_sql, params) if params else safe_sql
    try:
        columns, rows = runner(safe_sql, engine, max_rows + 1, timeout_s, params)
    except QueryTimeout:
        return _failed(shown_sql, f"查询超时（超过 {timeout_s:g} 秒），请缩小查询范围", "timeout")
    except (sqlite3.Error, SQLAlchemyError) as err:
        log.warning("SQL failed: %s\n%s", err, shown_sql)
        return _failed(shown_sql, "查询执行失败", f"{type(err).__name__}: {err}")
    except Exception as err:  # the answering side must get a value, never a crash
        log.exception("SQL run crashed:\n%s", shown_sql)
        return _failed(shown_sql, "查询执行失败", f"{type(err).__name__}: {err}")
    return SqlResult(
        ok=True,
        sql=shown_sql,
        columns=columns,
        rows=tuple(rows[:max_rows]),
        truncated=len(rows) > max_rows,
    )


def guarded_sql(
    sql: str,
    engine: Engine,
    *,
    visibility: Collection[str] = ("public",),
    max_rows: int = 1000,
    params: Collection[str] = (),
    filters: CorpusFilters | None = None,
) -> str:
    """The guard's form of `sql` that run_sql runs on `engine` (checked once, then cached), or
    SqlRejected; a warm-up calls it to check queries before anyone asks."""
    # one more row than shown tells whether the answer was cut
    return check_sql(
        sql, dialect=SQLGLOT_DIALECTS[engine.dialect.name], max_limit=max_rows + 1,
        visibility=visibility, params=params, filters=filters,
    )


class QueryTimeout(Exception):
    """The query ran past its time limit and was stopped."""


def _failed(sql: str, reason: str, detail: str) -> SqlResult:
    return SqlResult(ok=False, sql=sql, reason=reason, detail=detail)


# In the guard's output (no comments), a placeholder outside quoted strings and identifiers:
# `:name` (SQLite) or `%(name)s` (PostgreSQL, psycopg's style).
_QUOTED_OR_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|:(\w+)|%\((\w+)\)s")


def _inlined(sql: str, params: Mapping[str, str | int | float]) -> str:
    """`sql` with the bound values written in as literals (for showing, never for running)."""

    def literal(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name is None or name not in params:
            return match.group(0)
        return _literal(params[name])

    return _QUOTED_OR_PLACEHOLDER.sub(literal, sql)


def _literal(value: str | int | float) -> str:
    """A bound value as both dialects write it: sqlglot's exp.convert does the same, 50× slower
    (an item query binds hundreds of values)."""
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return repr(value)


def _run_sqlite(
    sql: str, engine: Engine, fetch: int, timeout_s: float, params: Mapping[str, Any]
) -> tuple[tuple[str, ...], list[tuple]]:
    conn = _open_read_only(engine, timeout_s)
    try:
        deadline = time.monotonic() + timeout_s
        conn.set_progress_handler(lambda: time.monotonic() > deadline, PROGRESS_STEPS)
        try:
            cursor = conn.execute(sql, params)
            rows = cursor.fetchmany(fetch)
        except sqlite3.OperationalError as err:
            if "interrupted" in str(err):
                raise QueryTimeout from err
            raise
        return tuple(d[0] for d in cursor.description or ()), rows
    finally:
        conn.close()


def _open_read_only(engine: Engine, timeout_s: float) -> sqlite3.Connection:
    """A separate read-only connection to the engine's database file, locked down."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise sqlite3.OperationalError("SQL queries need a SQLite database file")
    uri = Path(database).resolve().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=timeout_s, check_same_thread=False)
    conn.execute("PRAGMA query_only = ON")
    for limit, value in SQLITE_LIMITS.items():
        conn.setlimit(limit, value)
    conn.set_authorizer(_authorize)
    return conn


def _authorize(
    action: int, arg1: str | None, arg2: str | None, _db: str | None, _src: str | None
) -> int:
    """SQLite authorizer: SELECT, reads of whitelisted columns, allowed functions; nothing else."""
    if action == sqlite3.SQLITE_SELECT:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_READ:
        table, column = (arg1 or "").lower(), (arg2 or "").lower()
        allowed = table in READABLE and (not column or column in READABLE[table])
        return sqlite3.SQLITE_OK if allowed else sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION:
        allowed = (arg2 or "").lower() in SQLITE_FUNCTIONS
        return sqlite3.SQLITE_OK if allowed else sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_DENY


def _run_postgres(
    sql: str, engine: Engine, fetch: int, timeout_s: float, params: Mapping[str, Any] | None = None
) -> tuple[tuple[str, ...], list[tuple]]:
    """As the reader role, in a READ ONLY transaction with a statement timeout; rolled back.

    Prepared (the extended protocol), the query is one statement only: psycopg would otherwise
    send it as a simple query, which runs every statement it holds. With (empty) parameters a
    literal '%' is written '%%'.
    """
    with engine.connect() as conn:
        driver = conn.connection.dbapi_connection
        try:
            with driver.cursor() as cursor:
                cursor.execute("SET TRANSACTION READ ONLY")
                cursor.execute(f"SET LOCAL ROLE {db.READER_ROLE}")
                cursor.execute(f"SET LOCAL statement_timeout = {max(1, int(timeout_s * 1000))}")
                cursor.execute(_percent_escaped(sql), dict(params or {}), prepare=True)
                rows = [tuple(row) for row in cursor.fetchmany(fetch)]
                return tuple(d.name for d in cursor.description or ()), rows
        except engine.dialect.loaded_dbapi.Error as err:
            if getattr(err, "sqlstate", None) == "57014":  # query_canceled: statement_timeout
                raise QueryTimeout from err
            raise DBAPIError(sql, None, err) from err
        finally:
            driver.rollback()


def _percent_escaped(sql: str) -> str:
    """A literal '%' doubled for the driver; the guard's named placeholders `%(name)s` kept."""
    return re.sub(r"%(?!\(\w+\)s)", "%%", sql)
