"""SQL over the facts table, built from `Slots` with sqlglot's expression builders (never pasted).

One query shape serves every figure question: the facts that match, one per document, metric,
year and scope (a window keeps the first statement, prose before tables), ordered for the asked
operation. Sums, averages and shares are computed from these rows so each one can be cited.

The asked values (metrics, years, places, scope) are named parameters, so questions of one shape
share one SQL text: it is built and checked by the guard once, and the values are bound when it
runs (`run_sql(sql, params=…)`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlglot import exp, select

from assistant.types import Slots

FACT_COLUMNS = (
    "locality", "locality_name", "unit_name", "year", "metric", "scope", "measure", "value", "text", "unit",
    "value_yuan", "doc_id", "start", "end", "source", "metric_raw", "doc_type",
)
MONEY_ORDER = "COALESCE(value_yuan, value)"


@dataclass(frozen=True)
class FactQuery:
    """SQL with named placeholders (`:metric0` …) and the values to bind to them."""

    sql: str
    params: dict[str, Any]

    def inlined(self) -> str:
        """The same query with the values written in, e.g. for few-shot examples."""
        return exp.replace_placeholders(
            exp.maybe_parse(self.sql, dialect="sqlite"), **self.params
        ).sql(dialect="sqlite")


def _f(name: str) -> exp.Column:
    return exp.column(name, table="f")


def fact_query(
    slots: Slots, *, measures: tuple[str, ...] = ("value",), limit: int = 200
) -> FactQuery:
    """The query answering a figure question described by `slots`."""
    values = {"metric": slots.metrics, "measure": measures, "year": slots.years,
              "locality": slots.localities, "unit": slots.units, "doc_type": slots.doc_types}  # fmt: skip
    params = {f"{name}{i}": v for name, vs in values.items() for i, v in enumerate(vs)}
    if slots.scope:
        params["scope"] = slots.scope
    order = slots.order if slots.operation == "rank" and len(slots.metrics) == 1 else ""
    sql = _template(*(len(vs) for vs in values.values()), bool(slots.scope), order, limit)
    return FactQuery(sql, params)


def build_fact_sql(
    slots: Slots, *, measures: tuple[str, ...] = ("value",), limit: int = 200
) -> str:
    """The SQL answering a figure question described by `slots`, values written in."""
    return fact_query(slots, measures=measures, limit=limit).inlined()


def _slots_in(name: str, count: int) -> list[exp.Placeholder]:
    return [exp.Placeholder(this=f"{name}{i}") for i in range(count)]


@lru_cache(maxsize=256)
def _template(
    metrics: int, measures: int, years: int, localities: int, units: int, doc_types: int,
    scoped: bool, order: str, limit: int,
) -> str:
    """The query's SQL for a shape: how many values of each kind, a scope or not, rank order."""
    conditions: list[exp.Expression] = [
        _f("metric").isin(*_slots_in("metric", metrics)),
        _f("measure").isin(*_slots_in("measure", measures)),
    ]
    if years:
        conditions.append(_f("year").isin(*_slots_in("year", years)))
    if localities:
        conditions.append(_f("locality").isin(*_slots_in("locality", localities)))
    if units:
        conditions.append(_f("unit_name").isin(*_slots_in("unit", units)))
    if doc_types:
        conditions.append(_f("doc_type").isin(*_slots_in("doc_type", doc_types)))
    if scoped:
        conditions.append(_f("scope").isin(exp.Placeholder(this="scope"), exp.Literal.string("")))
    # Without an asked scope, a document's own kind wins: a 决算 document's 决算 figure, not the
    # 预算 figure it compares against.
    partition = [_f("doc_id"), _f("metric"), _f("measure"), _f("year")]
    if scoped:
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
    if order:
        query = query.order_by(f"{MONEY_ORDER} {'ASC' if order == 'asc' else 'DESC'}")
    else:
        query = query.order_by("metric", "locality", "year", "scope")
    return query.limit(limit).sql(dialect="sqlite")
