"""Planted defects for the audit's word, year, table and template rules: copies of real dev PDFs'
text (as the PDF loader reads it) with a word, a year or a figure changed, a table dropped or a
row blanked — each naming the span a finding must cite.

A change is cited where its new text stands; a dropped table by its 目录 entry (or, when the
目录 does not list it, by the document's title line); a blanked table by its title where printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ingest.load import load_file
from tests.conftest import DEV_PDFS


@dataclass(frozen=True)
class Plant:
    rule: str  # the rule that must name it ('': part of the next defect, named by it)
    at: str  # unique text of the real document around the change
    old: str  # the text within `at` that changes
    new: str  # what it becomes
    cited: str = ""  # what the finding cites, when not `new`
    cited_in: str = ""  # unique text of the changed copy around `cited`


@dataclass(frozen=True)
class Drop:
    rule: str
    first: str  # the first line dropped, whole (its first occurrence as a line)
    last: str  # the start of the last line dropped
    cited: str
    cited_in: str


PLANTS: dict[str, tuple[Plant | Drop, ...]] = {
    "sh_putuo_caizhengju_2024_dept_final.pdf": (
        Plant("wording", "支出决算为1511.89万元。决算数小于预算数", "小于", "大于"),
        Plant("wording", "支出决算为135.25万元。决算数小于预算数", "小于", "等于"),
        Plant("years", "截至2024年12月31日", "2024", "2023"),
        Plant("years", "第二部分上海市普陀区财政局2024年度部门决算表", "2024", "2023"),
        Plant("years", "与2023年度相比，收入支出总计减少", "2023", "2022"),
        Plant("prose_total", "收入支出总计2995.39万元", "2995.39", "2959.39"),
        Plant("cross_table", "合计\t\t\t\t2,940.05\t2,336.91\t603.14", "2,336.91", "2,363.91"),
        Plant("template", "第二条上海市普陀区财政局是主管", "上海市普陀区财政", "XX"),
        Plant("completeness", "0.95" + "\t" * 10 + "0.95\t", "0.95" + "\t" * 10 + "0.95", "\t" * 10,
              cited="财政拨款“三公”经费支出决算表", cited_in="\n财政拨款“三公”经费支出决算表\n单位"),
        Drop("completeness", "国有资本经营预算财政拨款收入支出决算表", "注：上海市普陀区财政局无国有资本经营",
             cited="九、国有资本经营预算财政拨款收入支出决算表", cited_in="九、国有资本经营预算财政拨款收入支出决算表\n第三部分"),
    ),
    "sh_putuo_wanlijiedao_2023_dept_budget.pdf": (
        Plant("explicit_base", "2023年预算安排100.20万元，比2022年预算执行数增加25.41%", "25.41", "52.41"),
        Plant("explicit_base", "2023年预算安排20.00万元，比2022年预算执行数增加66.11%", "66.11", "61.16"),
        Plant("explicit_base", "2023年预算安排1837.36万元，比2022年预算执行数减少31.84%", "31.84", "38.14"),
        Plant("wording", "2023年预算安排2.63万元，比2022年预算执行数增加77.70", "增加", "减少"),
        Plant("wording", "2023年预算安排15.00万元，比2022年预算执行数持平", "15.00", "18.00"),
        Plant("years", "截止2022年12月31日", "2022", "2023"),
        Plant("years", "2. 2023年部门收入预算总表", "2023", "2022"),
        Plant("cross_table", "22.91\t0\t1.35\t21.56", "1.35", "0.35"),
        Plant("template", "主要原因是：统计管理经费增加。", "。", "。。"),
        Plant("template", "上海市普陀区人民政府万里街道办事处是普陀区政府的派出机关", "上海市普陀区人民政府万里", "某某"),
        Drop("completeness", "2023年部门政府性基金预算支出功能分类预算表", "注：本部门2023年无政府性基金",
             cited="6．2023年部门政府性基金预算支出功能分类预算表",
             cited_in="6．2023年部门政府性基金预算支出功能分类预算表\n"),
    ),
    "js_jianchayuan_2019_dept_budget.pdf": (
        Plant("prose_total", "2019 年度收入、支出预算总计24,169.74 万元", "24,169.74", "24,196.74"),
        Plant("wording", "1237.7万元，减少 13.22 %", "减少", "增长"),
        Plant("cross_table", "合计\t\t15,844.04\n301\t工资福利支出\t11,960.62\n30101", "15,844.04", "15,884.04"),
        Plant("template", "与上年相比增加2228.78 万元，增长10.15 %。主要原因是人员工资福利", "%", "",
              cited="10.15", cited_in="增长10.15 。主要原因是人员工资福利"),
        Drop("completeness", "政府性基金预算财政拨款支出预算表", "注：“科目编码”和“科目名称”为必填项",
             cited="十、政府性基金财政拨款支出预算表", cited_in="十、政府性基金财政拨款支出预算表\n"),
    ),
    "js_gaoyuan_2019_dept_budget.pdf": (
        Plant("prose_total", "收入、支出预算总计 37188.34万元", "37188.34", "37881.34"),
        Plant("", "三、支出预算总表\n四、财政拨款收支预算总表", "三、支出预算总表\n", ""),  # and from the 目录
        Drop("completeness", "支出预算总表", "37,188.34\t21,968.00", cited="江苏省高级人民法院2019 年度部门预算公开",
             cited_in="江苏省高级人民法院2019 年度部门预算公开\n"),
    ),
}


@cache
def real_text(name: str) -> str:
    """The dev PDF's text as the PDF loader reads it."""
    return load_file(DEV_PDFS / name).text


def _locate(text: str, plant: Plant | Drop) -> tuple[int, int, str]:
    """(start, end, replacement) of a plant's edit in the real text."""
    if isinstance(plant, Drop):
        lines = text.split("\n")
        first = lines.index(plant.first)
        last = next(i for i in range(first, len(lines)) if lines[i].startswith(plant.last))
        start = sum(len(line) + 1 for line in lines[:first])
        end = sum(len(line) + 1 for line in lines[:last + 1])
        return start, end, ""
    assert text.count(plant.at) == 1, (plant.at, text.count(plant.at))
    start = text.index(plant.at) + plant.at.index(plant.old)
    return start, start + len(plant.old), plant.new


def planted(name: str) -> tuple[str, list[tuple[Plant | Drop, int, int]]]:
    """The copy with every plant of a document, and the span each must be cited by."""
    text = real_text(name)
    edits = sorted((_locate(text, p), p) for p in PLANTS[name])
    pieces, at, shift, placed = [], 0, 0, []
    for (start, end, new), plant in edits:
        assert start >= at, f"overlapping plants in {name}"
        pieces += [text[at:start], new]
        placed.append((plant, start + shift, start + shift + len(new)))
        shift += len(new) - (end - start)
        at = end
    copy = "".join(pieces + [text[at:]])
    spans = []
    for plant, start, end in placed:
        if plant.cited:
            assert copy.count(plant.cited_in) == 1, (plant.cited_in, copy.count(plant.cited_in))
            start = copy.index(plant.cited_in) + plant.cited_in.index(plant.cited)
            end = start + len(plant.cited)
        spans.append((plant, start, end))
    return copy, spans
