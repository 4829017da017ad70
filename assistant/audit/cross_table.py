"""One figure printed in two tables: the tables must agree.

The 一般公共预算支出表's 合计 is the 一般公共预算 spending of the 财政拨款收支总表; its 基本支出
column's 合计 is the 一般公共预算基本支出表's 合计 (or that table's 人员经费合计 + 公用经费合计);
the 财政拨款基本支出表's 合计 is the 总表's 基本支出. The "三公" table covers basic and project
spending alike, so each of its items is at least the 基本支出表's row of the same 经济分类 code
(30212 因公出国（境）费用, 30217 公务接待费, 30231 公务用车运行维护费, 31013 公务用车购置).
A relation is checked only where both tables print the figure, each once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from assistant.audit.findings import Figure, Finding, check, total_of
from assistant.audit.load import AuditDoc
from assistant.audit.locate import Spot, find, scaled

TOTAL = r"^(?:合计|总计)[:：]?$"
TOTAL_COLUMN = r"合计|金额|预算数|决算数|小计"
PARTS_OF_BASIC = r"人员|公用"


@dataclass(frozen=True)
class Relation:
    detail: str
    stated: Spot
    against: tuple[tuple[Spot, ...], ...]  # alternatives, each a sum of spots; the first found counts
    at_least: bool = False  # the stated figure covers the others and more (the "三公" table)


RELATIONS: tuple[Relation, ...] = (
    Relation("一般公共预算支出表的合计应等于财政拨款收支总表中一般公共预算的本年支出",
             Spot("general", TOTAL, TOTAL_COLUMN, not_column="基本支出|项目支出"),
             ((Spot("appropriation_total", r"(?:本年|当年)?支出(?:合计|总计|小计)$", "一般公共预算"),),)),
    Relation("一般公共预算支出表中基本支出的合计应等于一般公共预算基本支出表的合计",
             Spot("general", TOTAL, "基本支出"),
             ((Spot("general_basic", TOTAL, not_column=PARTS_OF_BASIC),),
              (Spot("general_basic", "^人员经费合计$"), Spot("general_basic", "^公用经费合计$")))),
    Relation("财政拨款基本支出表的合计应等于财政拨款收支总表中的基本支出",
             Spot("appropriation_basic", TOTAL, not_column=PARTS_OF_BASIC),
             ((Spot("appropriation_total", r"^(?:[一二三四五六七八九十]+、)?基本支出$"),),)),
    Relation("部门支出总表中基本支出的合计应等于部门收支总表中的基本支出",
             Spot("expense", r"^(?:合计|总计)?[:：]?$", "基本支出$"),
             ((Spot("total", r"^(?:[一二三四五六七八九十]+、)?基本支出$"),),)),
    *(Relation(f"“三公”经费表的{item}不应少于基本支出表中经济分类 {code} {name}的数额",
               Spot("three_public", column=column), ((Spot("general_basic", code=code),),
                                                      (Spot("appropriation_basic", code=code),)),
               at_least=True)
      for item, column, code, name in (
          ("因公出国（境）费", r"因公出国", "30212", "因公出国（境）费用"),
          ("公务接待费", r"公务接待", "30217", "公务接待费"),
          ("公务用车运行维护费", r"公务用车运行(?:维护)?费|/运行(?:维护)?费", "30231", "公务用车运行维护费"),
          ("公务用车购置费", r"公务用车购置费|/购置费", "31013", "公务用车购置"))),
)


def check_cross_table(doc: AuditDoc) -> list[Finding]:
    findings = []
    for relation in RELATIONS:
        stated = find(doc, _in_scope(relation.stated, doc))
        if stated is None or stated.value is None:
            continue
        inputs = _first_found(doc, relation.against)
        if inputs is None:
            continue
        found = check("cross_table", doc.id, stated, [scaled(f, stated.unit) for f in inputs], total_of,
                      unit=stated.unit, detail=relation.detail)
        if found and not (relation.at_least and stated.amount > found.expected):
            findings.append(found)
    return findings


def _in_scope(spot: Spot, doc: AuditDoc) -> Spot:
    """A table printing 预算数 and 决算数 side by side is read in the document's own scope."""
    other = "预算数" if doc.doc_type and "决算" in doc.doc_type else "决算"
    return replace(spot, not_column="|".join(p for p in (spot.not_column, other) if p))


def _first_found(doc: AuditDoc, alternatives: Sequence[Sequence[Spot]]) -> list[Figure] | None:
    for spots in alternatives:
        figures = [find(doc, _in_scope(s, doc)) for s in spots]
        if all(f is not None and f.value is not None for f in figures):
            return figures
    return None
