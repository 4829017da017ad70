"""The same figure in prose and in a table: '基本支出 494.83 万元' against the table's 基本支出 row.

A prose figure is checked against the tables' figures of its metric, year and scope. When it
agrees with none, it is reported against the nearest, if that one is within 1 % (the same figure
printed otherwise); a farther figure may be another quantity of the same name (a fund's share),
and nothing is claimed. Figures are compared in 元, each within its printed rounding.
"""

from __future__ import annotations

from collections import defaultdict

from assistant.audit.context import is_money
from assistant.audit.findings import Figure, Finding, check
from assistant.audit.load import AuditDoc
from gongkai.types import Fact
from ingest.numbers import to_yuan

# Metrics a document states once per year and scope; a row of a breakdown is not one of them.
CHECKED = frozenset((
    "收入合计", "支出合计", "基本支出", "项目支出", "人员经费", "公用经费", "三公经费", "因公出国(境)费",
    "公务用车购置及运行费", "公务用车购置费", "公务用车运行维护费", "公务接待费", "机关运行经费",
))
NEAR = 0.01


def check_crosscheck(doc: AuditDoc) -> list[Finding]:
    tables: dict[tuple, list[Fact]] = defaultdict(list)
    for fact in doc.facts:
        if fact.source == "table" and _eligible(fact):
            tables[(fact.metric, fact.year)].append(fact)
    findings = []
    for fact in doc.facts:
        if fact.source != "prose" or not _eligible(fact):
            continue
        stated = [t for t in tables.get((fact.metric, fact.year), [])
                  if not (fact.scope and t.scope and fact.scope != t.scope)]
        if not stated or any(_agrees(fact, t) for t in stated):
            continue
        mine = _figure(fact).amount
        table = min(stated, key=lambda t: abs(_figure(t).amount - mine))
        if abs(_figure(table).amount - mine) > NEAR * abs(_figure(table).amount):
            continue
        found = check("prose_table", doc.id, _figure(fact, fact.unit), [_figure(table, fact.unit)],
                      lambda x: x, unit=fact.unit,
                      detail=f"正文所述{fact.metric}与表格不一致")
        findings += [found] if found else []
    return findings


def _eligible(fact: Fact) -> bool:
    return fact.measure == "value" and fact.metric in CHECKED and is_money(fact)


def _figure(fact: Fact, unit: str = "元") -> Figure:
    """The figure with its amount in `unit` (a table in 元 against prose in 万元)."""
    scale = (to_yuan(1.0, fact.unit) or 1.0) / (to_yuan(1.0, unit) or 1.0)
    return Figure(fact.metric_raw or fact.metric, fact.text, fact.value, fact.start, fact.end, scale,
                  fact.unit)


def _agrees(a: Fact, b: Fact) -> bool:
    fa, fb = _figure(a), _figure(b)
    return abs(fa.amount - fb.amount) <= fa.tolerance + fb.tolerance + 1e-9
