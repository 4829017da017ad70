"""SQLite-flavoured SQL said in PostgreSQL: where sqlglot's transpiled query would fail or give
other values on PostgreSQL, rewrite it so both engines return the same rows.

Queries (ours and an LLM's) are written for SQLite, whose types are loose; PostgreSQL's are strict.
Each rule is one small rewrite of a typed tree (`annotate_types` with the guard's schema), applied
in order, as sqlglot's optimizer applies its rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types

Rule = Callable[[exp.Expression], None]

_FRACTIONAL = {exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT, exp.DataType.Type.DECIMAL}
_INTEGERS = {exp.DataType.Type.INT, exp.DataType.Type.BIGINT, exp.DataType.Type.SMALLINT}
_TEXT = {exp.DataType.Type.TEXT, exp.DataType.Type.VARCHAR, exp.DataType.Type.CHAR}


def _is(node: exp.Expression, types: set[exp.DataType.Type]) -> bool:
    return node.type is not None and node.type.this in types


def round_numeric(tree: exp.Expression) -> None:
    """ROUND(double, n) does not exist in PostgreSQL: round a NUMERIC, give back a double."""
    for node in list(tree.find_all(exp.Round)):
        if node.args.get("decimals") is not None and not _is(node.this, _INTEGERS):
            numeric = exp.cast(node.this.copy(), exp.DataType.Type.DECIMAL)
            rounded = exp.Round(this=numeric, decimals=node.args["decimals"].copy())
            node.replace(exp.cast(rounded, exp.DataType.Type.DOUBLE))


def total_as_sum(tree: exp.Expression) -> None:
    """SQLite's TOTAL(x): a float sum that is 0.0 over no rows."""
    for node in list(tree.find_all(exp.Anonymous)):
        if node.name.lower() == "total" and len(node.expressions) == 1:
            summed = exp.Sum(this=exp.cast(node.expressions[0].copy(), exp.DataType.Type.DOUBLE))
            node.replace(exp.Coalesce(this=summed, expressions=[exp.Literal.number("0.0")]))


def text_aggregates(tree: exp.Expression) -> None:
    """GROUP_CONCAT (STRING_AGG) of numbers: PostgreSQL joins text only."""
    for node in list(tree.find_all(exp.GroupConcat)):
        target = node.this
        values = target.expressions if isinstance(target, exp.Distinct) else [target]
        for value in values:
            if not _is(value, _TEXT):
                value.replace(exp.cast(value.copy(), exp.DataType.Type.TEXT))


def integer_casts_truncate(tree: exp.Expression) -> None:
    """CAST(12.5 AS INTEGER) is 12 in SQLite (truncated) but 13 in PostgreSQL (rounded)."""
    for node in list(tree.find_all(exp.Cast)):
        if node.to.this in _INTEGERS and _is(node.this, _FRACTIONAL):
            node.this.replace(exp.Trunc(this=node.this.copy()))


def boolean_literals(tree: exp.Expression) -> None:
    """`is_header = 0`: SQLite stores booleans as 0/1, PostgreSQL compares booleans only."""
    for node in list(tree.find_all(exp.EQ, exp.NEQ)):
        for column, other in ((node.this, node.expression), (node.expression, node.this)):
            literal = isinstance(other, exp.Literal) and other.this in ("0", "1")
            if _is(column, {exp.DataType.Type.BOOLEAN}) and literal and not other.is_string:
                other.replace(exp.Boolean(this=other.this == "1"))


RULES: tuple[Rule, ...] = (
    round_numeric, total_as_sum, text_aggregates, integer_casts_truncate, boolean_literals,
)


def for_postgres(tree: exp.Expression, schema: Mapping[str, Mapping[str, str]]) -> exp.Expression:
    """`tree` (qualified, SQLite semantics) rewritten to mean the same on PostgreSQL.

    >>> import sqlglot
    >>> tree = sqlglot.parse_one("SELECT ROUND(t.v, 2) FROM t WHERE t.b = 0", read="sqlite")
    >>> for_postgres(tree, {"t": {"v": "DOUBLE", "b": "BOOLEAN"}}).sql("postgres")
    'SELECT CAST(ROUND(CAST(t.v AS DECIMAL), 2) AS DOUBLE PRECISION) FROM t WHERE t.b = FALSE'
    """
    tree = annotate_types(tree.copy(), schema=dict(schema))
    for rule in RULES:
        rule(tree)
    return tree
