"""The grand totals the prose states against the 总表 that prints them, however far apart.

'收入支出总计2995.39万元' is the last 总计 row of the 收支总表; '财政拨款收入支出总计…' that of the
财政拨款收支总表. Unlike a figure of a breakdown (`prose_table` claims only what lies within 1 %),
a document has one grand total of each kind per year: a prose total that is a fraction of the
table's is the error, not another quantity of the same name.
"""

from __future__ import annotations

from assistant.audit.context import is_money
from assistant.audit.findings import Finding, check, of_fact
from assistant.audit.load import AuditDoc
from assistant.audit.locate import Spot, find, scaled

# The grand-total row of a 总表, in its total column (not a fund's or a use's column).
GRAND_ROW = r"总计$|^(?:收入|支出|收支)合计$"
NOT_TOTAL_COLUMN = r"基本支出|项目支出|人员|公用|一般公共预算|政府性基金|国有资本"
TOTALS = {
    "收支总计": Spot("total", GRAND_ROW, not_column=NOT_TOTAL_COLUMN),
    "财政拨款收支总计": Spot("appropriation_total", GRAND_ROW, not_column=NOT_TOTAL_COLUMN),
}
NAMES = {"收支总计": "收支总表", "财政拨款收支总计": "财政拨款收支总表"}


def check_prose_total(doc: AuditDoc) -> list[Finding]:
    findings = []
    for fact in doc.facts:
        spot = TOTALS.get(fact.metric)
        if (spot is None or fact.source != "prose" or fact.measure != "value" or not is_money(fact)
                or (doc.year and fact.year and fact.year != doc.year)):
            continue
        table = find(doc, spot)
        if table is None or table.value is None:
            continue
        stated = of_fact(fact)
        detail = f"正文所述{stated.label}应等于{NAMES[fact.metric]}的总计"
        found = check("prose_total", doc.id, stated, [scaled(table, fact.unit)], lambda x: x,
                      unit=fact.unit, detail=detail)
        if found:
            findings.append(found)
    return findings
