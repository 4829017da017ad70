"""The SQL guard: every query, ours or an LLM's, is parsed, checked and rewritten before it runs.

Validation is by parsing (sqlglot), never by pattern matching: one statement, a query, built only
from an allow-list of expression types and functions, over whitelisted tables and columns. The
rewritten SQL reads every table through a subquery that keeps only rows of complete documents the
user may see, and carries a LIMIT.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.journal import revert
from sqlglot.optimizer.pushdown_projections import pushdown_projections
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import MappingSchema, ensure_schema

from assistant.sql_dialect import for_postgres
from assistant.types import CorpusFilters
from gongkai import db
from gongkai.errors import UserFacingError

log = logging.getLogger(__name__)
EVERYTHING = CorpusFilters()  # no corpus filter

HIDDEN_COLUMNS = db.HIDDEN_COLUMNS  # full text is served by retrieval; paths are ours
QUERYABLE: dict[str, tuple[str, ...]] = {
    table.name: tuple(
        c.name for c in table.columns if c.name not in HIDDEN_COLUMNS.get(table.name, ())
    )
    for table in (db.facts, db.documents, db.doc_tables, db.table_cells)
}
SQL_TYPES = {"Integer": "INT", "Float": "DOUBLE", "Boolean": "BOOLEAN"}  # else TEXT
QUALIFY_SCHEMA = {
    name: {
        c.name: SQL_TYPES.get(type(c.type).__name__, "TEXT")
        for c in db.metadata.tables[name].columns
        if c.name in columns
    }
    for name, columns in QUERYABLE.items()
}
# Built once per dialect: qualify() would otherwise rebuild the schema from the dict on every call.
SCHEMAS: dict[str, MappingSchema] = {
    read: ensure_schema(QUALIFY_SCHEMA, dialect=read) for read in ("sqlite", "postgres")
}
# Names a CTE may not take: any stored table, and the engines' own catalogues.
RESERVED_TABLE_NAMES = frozenset(db.metadata.tables) | {"information_schema"}
RESERVED_PREFIXES = ("sqlite_", "pg_")
MAX_SQL_CHARS = 20_000
READ_DIALECTS = OUTPUT_DIALECTS = ("sqlite", "postgres")

# Expression types a read-only query over our tables needs; anything else (DML, DDL, commands,
# pragmas, INTO, locks, table functions, VALUES, parameters, blobs …) is refused.
ALLOWED_NODES: frozenset[type[exp.Expression]] = frozenset({
    exp.Select, exp.Union, exp.Intersect, exp.Except, exp.Subquery, exp.With, exp.CTE,
    exp.TableAlias, exp.From, exp.Join, exp.Where, exp.Group, exp.Having, exp.Order, exp.Ordered,
    exp.Limit, exp.Offset, exp.Distinct, exp.Window, exp.WindowSpec, exp.Filter, exp.Table,
    exp.Identifier, exp.Column, exp.Star, exp.Alias, exp.Literal, exp.Null, exp.Boolean, exp.Paren,
    exp.Tuple, exp.Case, exp.If, exp.Cast, exp.DataType, exp.DataTypeParam, exp.Neg, exp.Not,
    exp.And, exp.Or, exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Is, exp.In,
    exp.Between, exp.Like, exp.Glob, exp.Escape, exp.NullSafeEQ, exp.NullSafeNEQ, exp.Exists,
    exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.DPipe,
})  # fmt: skip
# Harmless SQL functions: aggregates, arithmetic, text, window functions.
ALLOWED_FUNCTIONS: frozenset[type[exp.Func]] = frozenset({
    exp.Count, exp.Sum, exp.Avg, exp.Min, exp.Max, exp.Greatest, exp.Least, exp.GroupConcat,
    exp.Round, exp.Abs, exp.Coalesce, exp.Nullif, exp.Lower, exp.Upper, exp.Substring,
    exp.Length, exp.StrPosition, exp.Replace, exp.Trim, exp.RowNumber, exp.Rank, exp.DenseRank,
    exp.PercentRank, exp.CumeDist, exp.Ntile, exp.Lag, exp.Lead, exp.FirstValue, exp.LastValue,
    exp.NthValue,
})  # fmt: skip
ALLOWED_ANONYMOUS_FUNCTIONS = frozenset({"total"})  # SQLite's float SUM; sqlglot has no class


class SqlRejected(UserFacingError):
    """A query the guard refuses; `message` says why in Chinese, `detail` in English."""

    code = "sql_rejected"


def check_sql(
    sql: str,
    *,
    dialect: str = "sqlite",
    max_limit: int = 1000,
    visibility: Collection[str] = ("public",),
    read: str = "sqlite",
    params: Collection[str] = (),
    filters: CorpusFilters | None = None,
) -> str:
    """The safe form of `sql` in `dialect`, or SqlRejected with a Chinese reason.

    `read` is the dialect `sql` is written in ('sqlite' or 'postgres'). The result reads only
    whitelisted columns of complete documents whose visibility is in `visibility` (and, with
    `filters`, of the places, years and types chosen), and returns at most `max_limit` rows. `params` names the placeholders (`:name`) the caller binds values
    to; any other placeholder is refused. A bound value is data and cannot change the query, so
    one check serves every value (our own builder's queries; model-written SQL has no params).
    """
    if read not in READ_DIALECTS or dialect not in OUTPUT_DIALECTS:
        raise ValueError(f"unsupported dialect: {read} -> {dialect}")
    if isinstance(params, str) or not all(isinstance(p, str) for p in params):
        raise TypeError("params must be a collection of names")
    return _checked(
        sql, dialect, max_limit, tuple(sorted(_checked_visibility(visibility))), read,
        tuple(sorted(set(params))), filters or EVERYTHING,
    )


@lru_cache(maxsize=2048)
def _checked(
    sql: str,
    dialect: str,
    max_limit: int,
    visibility: tuple[str, ...],
    read: str,
    params: tuple[str, ...] = (),
    filters: CorpusFilters = EVERYTHING,
) -> str:
    """check_sql's work: a pure function of its arguments, so a repeated query is checked once
    (a rejection raises, and exceptions are never cached)."""
    try:
        tree = _parse_single_query(sql, read)
        _check_nodes(tree, frozenset(params))
        cte_names = _check_ctes(tree)
        _check_tables(tree, cte_names)
        tree = _qualified(tree, read)
        _check_stars(tree)
        _enforce_limit(tree, max_limit)
        _restrict_to_visible(tree, cte_names, visibility, filters)
        _prune(tree)
        if dialect == "postgres":  # SQLite's loose types said in PostgreSQL's strict ones
            tree = for_postgres(tree, QUALIFY_SCHEMA)
        # identify=True quotes every identifier; the tree is not used again, so no copy
        safe_sql = tree.sql(dialect=dialect, identify=True, comments=False, copy=False)
    except SqlRejected:
        raise
    except Exception as err:
        # sqlglot may fail in many ways on hostile input (even assertions): fail closed.
        log.info("SQL not understood: %r", sql, exc_info=True)
        raise SqlRejected("无法解析该 SQL 语句", detail=f"{type(err).__name__}: {err}") from err
    _recheck_output(safe_sql, dialect)
    return safe_sql


def _checked_visibility(visibility: Collection[str]) -> tuple[str, ...]:
    if isinstance(visibility, str) or not all(isinstance(v, str) for v in visibility):
        raise TypeError("visibility must be a collection of strings")
    return tuple(sorted(set(visibility)))


def _parse_single_query(sql: str, read: str) -> exp.Query:
    """Exactly one statement, and a query (SELECT / set operation / WITH … SELECT)."""
    if not isinstance(sql, str) or not sql.strip():
        raise SqlRejected("SQL 为空", detail="empty SQL")
    if len(sql) > MAX_SQL_CHARS:
        raise SqlRejected("SQL 过长", detail=f"{len(sql)} characters > {MAX_SQL_CHARS}")
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in sql):
        raise SqlRejected("SQL 含有控制字符", detail="control character in SQL")
    try:
        statements = [s for s in sqlglot.parse(sql, read=read) if s is not None]
    except Exception as err:  # ParseError, TokenError, RecursionError on deep nesting …
        raise SqlRejected("无法解析该 SQL 语句", detail=str(err)[:300]) from err
    if len(statements) != 1:
        raise SqlRejected("只允许一条查询语句", detail=f"{len(statements)} statements")
    tree = statements[0]
    while isinstance(tree, exp.Subquery) and _set_args(tree) == {"this"}:
        tree = tree.this  # a query wrapped in parentheses
    if not isinstance(tree, exp.Query) or isinstance(tree, exp.Subquery):
        raise SqlRejected("只允许查询（SELECT）语句", detail=f"statement is {type(tree).__name__}")
    return tree


def _set_args(node: exp.Expression) -> set[str]:
    return {key for key, value in node.args.items() if value not in (None, False, [], "")}


def _check_nodes(tree: exp.Expression, params: frozenset[str] = frozenset()) -> None:
    """Every node of the tree, including CTEs and subqueries, is of an allowed type; a
    placeholder only if it is named in `params`."""
    for node in tree.walk():
        bound = type(node) is exp.Placeholder and _placeholder_name(node) in params
        if type(node) in ALLOWED_NODES or bound:
            pass
        elif isinstance(node, exp.Func):
            _check_function(node)
        else:
            raise SqlRejected(
                f"SQL 中含有不允许的成分：{_node_label(node)}",
                detail=f"node type {type(node).__name__} is not allowed",
            )
        if isinstance(node, exp.Select) and not node.expressions:
            raise SqlRejected("SELECT 后缺少要查询的列", detail="empty projection")
        if isinstance(node, exp.In) and (node.args.get("field") or node.args.get("unnest")):
            # SQLite reads `x IN name` as a whole table: only lists and subqueries may follow IN.
            raise SqlRejected("IN 后只能是值列表或子查询", detail="IN <name> is not allowed")


def _placeholder_name(node: exp.Placeholder) -> str | None:
    name = node.this
    if isinstance(name, exp.Identifier) and not name.quoted:
        name = name.this
    return name if isinstance(name, str) and name.isidentifier() else None


def _check_function(node: exp.Func) -> None:
    if type(node) in ALLOWED_FUNCTIONS:
        return
    if isinstance(node, exp.Anonymous) and node.name.lower() in ALLOWED_ANONYMOUS_FUNCTIONS:
        return
    name = node.name if isinstance(node, exp.Anonymous) else node.sql_name()
    raise SqlRejected(f"不允许使用函数 {name}", detail=f"function {name} is not allowed")


def _node_label(node: exp.Expression) -> str:
    key = getattr(node, "key", "") or type(node).__name__
    return key.upper()


def _check_ctes(tree: exp.Expression) -> set[str]:
    """CTE names; refuses recursion and names that could shadow a stored table."""
    names: set[str] = set()
    for with_ in tree.find_all(exp.With):
        if with_.args.get("recursive"):
            raise SqlRejected("不允许递归查询（WITH RECURSIVE）", detail="recursive CTE")
    for cte in tree.find_all(exp.CTE):
        name = cte.alias_or_name.lower()
        if name in RESERVED_TABLE_NAMES or name.startswith(RESERVED_PREFIXES):
            raise SqlRejected(
                f"临时结果名不能与数据表同名：{name}", detail=f"CTE {name} shadows a table"
            )
        if any(t.name.lower() == name for t in cte.this.find_all(exp.Table)):
            # SQLite treats a CTE that names itself as recursive, even without RECURSIVE.
            raise SqlRejected("不允许递归查询", detail=f"CTE {name} refers to itself")
        names.add(name)
    return names


def _check_tables(tree: exp.Expression, cte_names: set[str]) -> None:
    """Every table read is a whitelisted table (or a CTE), plainly named."""
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            raise SqlRejected("不允许使用表函数", detail=f"table source {table.this.sql()!r}")
        if table.args.get("db") or table.args.get("catalog"):
            raise SqlRejected(
                f"不允许指定数据库或模式名：{table.sql()}", detail="schema-qualified table"
            )
        extras = _set_args(table) - {"this", "alias"}
        if extras:
            raise SqlRejected("表名后含有不允许的修饰", detail=f"table modifiers {sorted(extras)}")
        name = table.name.lower()
        if name in cte_names:
            continue
        if name not in QUERYABLE:
            raise SqlRejected(
                f"不允许查询表 {table.name}", detail=f"table {table.name} not allowed"
            )
        alias = table.args.get("alias")
        if alias is not None and alias.args.get("columns"):
            raise SqlRejected("数据表别名不能带列名", detail="column list in table alias")


def _qualified(tree: exp.Query, read: str) -> exp.Query:
    """Columns resolved against the whitelist (unknown or hidden columns refused), stars expanded."""
    try:
        return qualify(
            tree,
            schema=SCHEMAS[read],
            dialect=read,
            validate_qualify_columns=True,
            quote_identifiers=False,  # the output is generated with identify=True: all quoted
        )
    except SqlglotError as err:
        raise SqlRejected(
            "SQL 引用了不存在或不允许访问的列（列名有歧义时请写明表名）", detail=str(err)[:300]
        ) from err


def _check_stars(tree: exp.Expression) -> None:
    for star in tree.find_all(exp.Star):
        if not isinstance(star.parent, exp.Count):
            raise SqlRejected("无法确定 * 代表的列，请写明列名", detail="unexpanded star")


def _enforce_limit(tree: exp.Query, max_limit: int) -> None:
    """A literal LIMIT of at most `max_limit` on the outer query; OFFSET must be a literal too."""
    limit = tree.args.get("limit")
    wanted = _literal_int(limit.expression) if isinstance(limit, exp.Limit) else None
    if wanted is None or not 0 <= wanted <= max_limit:
        tree.set("limit", exp.Limit(expression=exp.Literal.number(max_limit)))
    offset = tree.args.get("offset")
    if offset is not None and _literal_int(offset.expression) is None:
        raise SqlRejected("OFFSET 必须是整数", detail="non-literal OFFSET")


def _literal_int(node: exp.Expression | None) -> int | None:
    if isinstance(node, exp.Literal) and not node.is_string and node.this.isdigit():
        return int(node.this)
    return None


def _restrict_to_visible(
    tree: exp.Expression, cte_names: set[str], visibility: tuple[str, ...],
    filters: CorpusFilters = EVERYTHING,
) -> None:
    """Replace every stored-table read with a subquery over visible, complete documents only
    (and only those `filters` keep)."""
    for table in list(tree.find_all(exp.Table)):  # listed first: the subqueries add tables
        name = table.name.lower()
        if name in cte_names:
            continue
        alias = table.args.get("alias")
        alias_name = (
            alias.this.copy() if alias is not None else exp.to_identifier(name, quoted=True)
        )
        table.replace(visible_rows(name, visibility, filters).subquery(alias_name))


def visible_rows(
    table: str, visibility: Iterable[str], filters: CorpusFilters = EVERYTHING
) -> exp.Select:
    """SELECT the whitelisted columns of `table`, keeping rows of visible, complete documents.

    >>> visible_rows("documents", ["public"]).sql().split(" WHERE ")[-1]
    "_gk_src.visibility IN ('public') AND _gk_src.status = 'complete'"
    """
    src = "_gk_src"
    columns = [exp.column(column, table=src) for column in QUERYABLE[table]]
    query = exp.select(*columns).from_(exp.to_table(table).as_(src))
    if table == "documents":
        return query.where(_visible_document(src, visibility, filters))
    visible_ids = (
        exp.select(exp.column("id", table="_gk_doc"))
        .from_(exp.to_table("documents").as_("_gk_doc"))
        .where(_visible_document("_gk_doc", visibility, filters))
    )
    doc_id: exp.Expression = exp.column("doc_id", table=src)
    if filters == EVERYTHING:
        # every document kept, the doc_id test narrows nothing: written so SQLite plans by the
        # query's own conditions (unit, year, metric indexes), not by scanning each document's rows
        doc_id = exp.DPipe(this=doc_id, expression=exp.Literal.string(""))
    return query.where(doc_id.isin(query=visible_ids))


def _visible_document(
    alias: str, visibility: Iterable[str], filters: CorpusFilters = EVERYTHING
) -> exp.Expression:
    values = [exp.Literal.string(v) for v in visibility]
    shown = exp.column("visibility", table=alias).isin(*values) if values else exp.false()
    complete = exp.column("status", table=alias).eq(exp.Literal.string("complete"))
    chosen = [  # the user's corpus filters: only documents of these places, units, years, types
        exp.column(column, table=alias).isin(*(literal(v) for v in values))
        for column, values, literal in (
            ("locality", filters.localities, exp.Literal.string),
            ("unit_id", filters.units, exp.Literal.string),
            ("year", filters.years, exp.Literal.number),
            ("doc_type", filters.doc_types, exp.Literal.string),
        ) if values
    ]
    return exp.and_(shown, complete, *chosen)


def _prune(tree: exp.Expression) -> None:
    """Subqueries select only the columns the query uses, so the shown SQL stays readable."""
    journal: list = []
    try:
        pushdown_projections(tree, journal=journal)
    except Exception:  # sqlglot's optimizer can trip on odd but valid trees
        log.debug("projection pruning failed", exc_info=True)
        # pruning is cosmetic: undo any part done and keep the full, equally safe query
        revert(journal)


def _recheck_output(safe_sql: str, dialect: str) -> None:
    """The generated SQL parses back to one query: a last check on the generator's output."""
    try:
        statements = [s for s in sqlglot.parse(safe_sql, read=dialect) if s is not None]
    except Exception as err:
        raise SqlRejected("无法生成安全的 SQL", detail=f"output does not parse: {err}") from err
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        raise SqlRejected("无法生成安全的 SQL", detail="output is not a single query")
