"""SQL over the facts table, built from `Slots` with sqlglot's expression builders (never pasted).

One query shape serves every figure question: the facts that match, one per document, metric,
year and scope (a window keeps the first statement, prose before tables), ordered for the asked
operation. Sums, averages and shares are computed from these rows so each one can be cited.

The asked values (metrics, years, places, scope) are named parameters, so questions of one shape
share one SQL text: it is built and checked by the guard once, and the values are bound when it
runs (`run_sql(sql, params=…)`). `common_slots()` lists the shapes questions usually take, so
the app can build and check them at start-up (`assistant.ask.warm_sql`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import product
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


def measures_for(slots: Slots) -> tuple[str, ...]:
    """The measures a question asks first: a change as stated, else the values."""
    return ("change", "change_pct") if slots.operation == "change" else ("value",)


def fact_query(
    slots: Slots, *, measures: tuple[str, ...] = ("value",), limit: int = 200, pad: bool = True
) -> FactQuery:
    """The query answering a figure question described by `slots`.

    With `pad`, lists are bound padded to 1, 2, 4, 8 … values, so few shapes cover all questions.
    """
    lists = (slots.metrics, measures, slots.years, slots.localities, slots.units, slots.doc_types)
    if pad:
        lists = tuple(_padded(vs) for vs in lists)
    values = dict(zip(("metric", "measure", "year", "locality", "unit", "doc_type"), lists))
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
    return fact_query(slots, measures=measures, limit=limit, pad=False).inlined()


# A list is padded to a power of two by repeating its last value (an IN list with repeats is the
# same set) rather than bound as one array parameter (SQLite json_each / PostgreSQL ANY): the guard
# keeps refusing table functions and arrays, and one SQL text still serves both dialects.
def _padded(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """`values` padded to 1, 2, 4, 8 … items with its last value; () stays ().

    >>> _padded(("a", "b", "c"))
    ('a', 'b', 'c', 'c')
    """
    if not values:
        return ()
    size = 1 << (len(values) - 1).bit_length()
    return (*values, *(values[-1],) * (size - len(values)))


# What the warm-up covers (the eval's and bench's questions fall in it but for rare extremes):
# 1–2 metrics (a share adds 支出合计; sums of 3–4 too), 0–4 places, 0–2 years (counts as padded),
# a scope or not, and an issuing unit only in one named place (a unit is named with its place).
PLACES_UNITS = ((0, 0), (1, 0), (1, 1), (2, 0), (4, 0))
COMMON_YEARS = (0, 1, 2)
# (operation, order, metrics) triples giving different SQL: a change asks two measures first, a
# rank of one metric orders by value; total, average, compare, share and list build a lookup's.
COMMON_OPERATIONS = (
    ("lookup", "desc", 1), ("lookup", "desc", 2), ("lookup", "desc", 4), ("change", "desc", 1),
    ("change", "desc", 2), ("rank", "desc", 1), ("rank", "asc", 1),
)


def common_slots() -> Iterator[Slots]:
    """Slots of every common question shape, with placeholder values (the SQL binds them)."""
    for (operation, order, metrics), (places, units), years, scope in product(
        COMMON_OPERATIONS, PLACES_UNITS, COMMON_YEARS, ("", "预算")
    ):
        yield Slots(
            metrics=tuple(f"m{i}" for i in range(metrics)),
            localities=tuple(f"p{i}" for i in range(places)),
            years=tuple(range(2000, 2000 + years)),
            units=tuple(f"u{i}" for i in range(units)),
            scope=scope, operation=operation, order=order,
        )  # fmt: skip


def _slots_in(name: str, count: int) -> list[exp.Placeholder]:
    return [exp.Placeholder(this=f"{name}{i}") for i in range(count)]


@lru_cache(maxsize=1024)  # room for every common shape (common_slots) and more
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


# ---------------------------------------------------------------- figures of named items

ITEM_COLUMNS = (
    "doc_id", "unit_id", "unit_name", "locality", "year", "metric", "metric_raw", "label", "label_stem",
    "parent_label", "column_name", "table_title", "row_stems", "subject_code", "measure", "scope", "value", "text",
    "unit", "value_yuan", "source", "table_index", "row", "col", "is_rollup", "start", "end",
)


def common_item_shapes() -> Iterator[tuple[tuple[str, ...], tuple[int, ...], dict[str, tuple]]]:
    """(units, years, lists) of the item queries questions usually make, placeholder values."""
    for units, years, metrics, stems, codes, measures in product(
        (1, 2, 4, 8, 16), (0, 1, 2), (0, 1, 2), (1, 2, 4), (0, 1), (("value",), ("value", "change", "change_pct"))
    ):
        yield (tuple(f"u{i}" for i in range(units)), tuple(range(2000, 2000 + years)),
               {"metrics": tuple(f"m{i}" for i in range(metrics)), "stems": tuple(f"s{i}" for i in range(stems)),
                "codes": tuple(f"{i}" for i in range(codes)), "measures": measures})


def item_query(
    unit_ids: tuple[str, ...], years: tuple[int, ...], *, metrics: tuple[str, ...] = (),
    stems: tuple[str, ...] = (), codes: tuple[str, ...] = (), measures: tuple[str, ...] = ("value",),
    limit: int = 1000,
) -> FactQuery:
    """Every figure of the asked units and years that names one of the items: by vocabulary
    metric, label stem or 科目编码. The caller chooses among them by what the question says."""
    lists = {"unit": unit_ids, "year": years, "metric": metrics, "stem": stems, "code": codes,
             "measure": measures}
    lists = {name: _padded(values) for name, values in lists.items()}
    params = {f"{name}{i}": v for name, values in lists.items() for i, v in enumerate(values)}
    sql = _item_template(*(len(v) for v in lists.values()), limit)
    return FactQuery(sql, params)


@lru_cache(maxsize=512)
def _item_template(units: int, years: int, metrics: int, stems: int, codes: int, measures: int,
                   limit: int) -> str:
    named = [column.isin(*_slots_in(name, count)) for column, name, count in (
        (_f("metric"), "metric", metrics), (_f("label_stem"), "stem", stems),
        (_f("subject_code"), "code", codes)) if count]
    # a stem may name the row by another of its text cells ('信息化建设经费' of a 政府采购 row)
    named += [exp.Like(this=_f("row_stems"), expression=exp.DPipe(
        this=exp.DPipe(this=exp.Literal.string("%|"), expression=slot), expression=exp.Literal.string("|%")))
        for slot in _slots_in("stem", stems)]
    conditions: list[exp.Expression] = [exp.or_(*named) if named else exp.false()]
    conditions.append(_f("measure").isin(*_slots_in("measure", measures)))
    if units:
        conditions.append(_f("unit_id").isin(*_slots_in("unit", units)))
    if years:
        conditions.append(_f("year").isin(*_slots_in("year", years)))
    return _facts_sql(exp.and_(*conditions), limit)


def _facts_sql(condition: exp.Expression, limit: int, order: tuple[str, ...] = ("doc_id", "start")) -> str:
    """SELECT the item columns of the facts meeting `condition`, in document order."""
    query = (select(*(_f(c) for c in ITEM_COLUMNS)).from_(exp.alias_(exp.to_table("facts"), "f"))
             .where(condition).order_by(*(_f(c) for c in order)))
    return query.limit(limit).sql(dialect="sqlite")


def stated_changes_query(doc_ids: tuple[str, ...], limit: int = 1000) -> FactQuery:
    """Every change the documents state, of any item: a change computed between two years is
    cited to the later document where it states that same change ('比上年增加3205.79万元')."""
    doc_ids = _padded(doc_ids)
    params = {f"doc{i}": v for i, v in enumerate(doc_ids)}
    return FactQuery(_changes_template(len(doc_ids), limit), params)


@lru_cache(maxsize=64)
def _changes_template(docs: int, limit: int) -> str:
    return _facts_sql(exp.and_(_f("doc_id").isin(*_slots_in("doc", docs)),
                               _f("measure").eq(exp.Literal.string("change"))), limit)


def span_facts_query(doc_id: str, start: int, end: int, limit: int = 200) -> FactQuery:
    """The figures a document states between two offsets (a sentence, a table row's line)."""
    return FactQuery(_span_template(limit), {"doc": doc_id, "start": start, "end": end})


@lru_cache(maxsize=4)
def _span_template(limit: int) -> str:
    return _facts_sql(exp.and_(_f("doc_id").eq(exp.Placeholder(this="doc")),
                               _f("start") >= exp.Placeholder(this="start"),
                               _f("end") <= exp.Placeholder(this="end"),
                               _f("measure").eq(exp.Literal.string("value"))), limit, order=("start",))
