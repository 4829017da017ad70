"""A total and its named parts: 三公经费, 基本支出, and 收入总计 = 支出总计.

Figures are grouped where the document states them together: one table row (or column) of one
scope, or one sentence and the '其中…' sentence after it. A group with two totals, or a part
named twice, is ambiguous and left alone.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence

from assistant.audit.context import Sentences, in_span, is_money
from assistant.audit.findings import Figure, Finding, check, total_of
from assistant.audit.load import AuditDoc
from gongkai.types import Fact

THREE_PUBLIC = "三公经费"
ABROAD, CAR, CAR_BUY, CAR_RUN, RECEPTION = (
    "因公出国(境)费", "公务用车购置及运行费", "公务用车购置费", "公务用车运行维护费", "公务接待费")
_TOTALLED = re.compile(r"总计")


def check_parts(doc: AuditDoc) -> list[Finding]:
    findings = []
    money = [f for f in doc.facts if f.measure == "value" and is_money(f)]
    for group in _groups(doc, money):
        findings += _three_public(doc.id, group)
        findings += _basic_split(doc.id, group)
    findings += _balance(doc, money)
    return findings


def _groups(doc: AuditDoc, facts: Sequence[Fact]) -> Iterator[list[Fact]]:
    by_row: dict[tuple, list[Fact]] = defaultdict(list)
    by_col: dict[tuple, list[Fact]] = defaultdict(list)
    for fact in facts:
        if fact.source == "table" and fact.table_index is not None:
            by_row[(fact.table_index, fact.row, fact.scope, fact.year)].append(fact)
            by_col[(fact.table_index, fact.col, fact.scope, fact.year)].append(fact)
    yield from by_row.values()
    yield from by_col.values()
    sentences = Sentences(doc.text)
    prose = [f for f in facts if f.source == "prose"]
    for fact in prose:
        if fact.metric not in (THREE_PUBLIC, "基本支出"):
            continue
        index = sentences.index(fact.start)
        end = sentences.bounds(index)[1]
        following = sentences.sentence(index + 1)
        if re.match(r"\s*其中", following):
            end = sentences.bounds(index + 1)[1]
        yield in_span(prose, fact.start, end)


def _figure(fact: Fact) -> Figure:
    return Figure(fact.metric_raw or fact.metric, fact.text, fact.value, fact.start, fact.end,
                  unit=fact.unit)


def _single(group: Sequence[Fact], key: str) -> Fact | None | bool:
    """The one fact of `key` in the group; None when absent; False when stated twice."""
    found = [f for f in group if f.metric == key]
    if len(found) > 1 and len({f.value for f in found}) > 1:
        return False
    return found[0] if found else None


def _three_public(doc_id: str, group: Sequence[Fact]) -> list[Finding]:
    total = _single(group, THREE_PUBLIC)
    if not total:
        return []
    items = {key: _single(group, key) for key in (ABROAD, CAR, CAR_BUY, CAR_RUN, RECEPTION)}
    if any(v is False for v in items.values()):
        return []
    findings = []
    car_parts = [items[k] for k in (CAR_BUY, CAR_RUN) if items[k]]
    if items[CAR] and car_parts:
        found = check("three_public", doc_id, _figure(items[CAR]), [_figure(f) for f in car_parts],
                      total_of, unit=total.unit, detail="公务用车购置及运行费应等于购置费与运行维护费之和")
        findings += [found] if found else []
    car = [items[CAR]] if items[CAR] else car_parts
    parts = [f for f in (items[ABROAD], *car, items[RECEPTION]) if f]
    named = sum(1 for present in (items[ABROAD], car, items[RECEPTION]) if present)
    if named < 2 or any(f.unit != total.unit for f in parts):
        return findings
    found = check("three_public", doc_id, _figure(total), [_figure(f) for f in parts], total_of,
                  unit=total.unit, detail="三公经费应等于因公出国(境)费、公务用车购置及运行费、公务接待费之和")
    return findings + ([found] if found else [])


def _basic_split(doc_id: str, group: Sequence[Fact]) -> list[Finding]:
    total, staff, office = (_single(group, k) for k in ("基本支出", "人员经费", "公用经费"))
    if not (total and staff and office) or len({total.unit, staff.unit, office.unit}) > 1:
        return []
    found = check("basic_split", doc_id, _figure(total), [_figure(staff), _figure(office)], total_of,
                  unit=total.unit, detail="基本支出应等于人员经费与公用经费之和")
    return [found] if found else []


def _balance(doc: AuditDoc, facts: Sequence[Fact]) -> list[Finding]:
    """收入总计 and 支出总计 on one row of a table: a budget's two sides balance."""
    findings = []
    rows: dict[tuple, list[Fact]] = defaultdict(list)
    for fact in facts:
        if fact.source == "table" and _TOTALLED.search(fact.metric_raw.split(" / ")[0]):
            rows[(fact.table_index, fact.row)].append(fact)
    for row in rows.values():
        income = [f for f in row if "收" in f.metric_raw.split(" / ")[0] and "支" not in f.metric_raw.split(" / ")[0]]
        spend = [f for f in row if "支" in f.metric_raw.split(" / ")[0] and "收" not in f.metric_raw.split(" / ")[0]]
        if len(income) != 1 or not spend or income[0].unit != spend[0].unit:
            continue
        found = check("balance", doc.id, _figure(spend[0]), [_figure(income[0])], lambda x: x,
                      unit=income[0].unit, detail="收入总计应等于支出总计（收支平衡）")
        findings += [found] if found else []
    return findings
