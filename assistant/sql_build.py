"""SQL over the facts table, built from `Slots` with sqlglot's expression builders (never pasted).

One query shape serves every figure question: the facts that match, one per document, metric,
year and scope (a window keeps the first statement, prose before tables), ordered for the asked
operation. Sums, averages and shares are computed from these rows so each one can be cited.
"""

from __future__ import annotations

from sqlglot import exp, select

from assistant.types import Slots

FACT_COLUMNS = (
    "locality", "locality_name", "year", "metric", "scope", "measure", "value", "text", "unit",
    "value_yuan", "doc_id", "start", "end", "source", "metric_raw", "doc_type",
)
MONEY_ORDER = "COALESCE(value_yuan, value)"


def _f(name: str) -> exp.Column:
    return exp.column(name, table="f")


def build_fact_sql(slots: Slots, *, measures: tuple[str, ...] = ("value",), limit: int = 200) -> str:
    """The SQL answering a figure question described by `slots`."""
    conditions: list[exp.Expression] = [
        _f("metric").isin(*slots.metrics),
        _f("measure").isin(*measures),
    ]
    if slots.years:
        conditions.append(_f("year").isin(*slots.years))
    if slots.localities:
        conditions.append(_f("locality").isin(*slots.localities))
    if slots.doc_types:
        conditions.append(_f("doc_type").isin(*slots.doc_types))
    if slots.scope:
        conditions.append(_f("scope").isin(slots.scope, ""))
    # Without an asked scope, a document's own kind wins: a 决算 document's 决算 figure, not the
    # 预算 figure it compares against.
    partition = [_f("doc_id"), _f("metric"), _f("measure"), _f("year")]
    if slots.scope:
        partition.append(_f("scope"))
    first_statement = exp.Window(
        this=exp.RowNumber(),
        partition_by=partition,
        order=exp.Order(expressions=[
            exp.Ordered(this=exp.EQ(this=_f("scope"), expression=_f("doc_type")), desc=True),
            exp.Ordered(this=exp.EQ(this=_f("source"), expression=exp.Literal.string("prose")),
                        desc=True),
            exp.Ordered(this=_f("start")),
        ]),
    )
    candidates = (
        select(*(_f(c) for c in FACT_COLUMNS), exp.alias_(first_statement, "rn"))
        .from_(exp.alias_(exp.to_table("facts"), "f"))
        .where(exp.and_(*conditions))
    )
    query = select(*FACT_COLUMNS).from_("candidates").where("rn = 1").with_("candidates", candidates)
    if slots.operation == "rank" and len(slots.metrics) == 1:
        query = query.order_by(f"{MONEY_ORDER} {'ASC' if slots.order == 'asc' else 'DESC'}")
    else:
        query = query.order_by("metric", "locality", "year", "scope")
    return query.limit(limit).sql(dialect="sqlite")
