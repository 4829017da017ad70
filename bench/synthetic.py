"""Synthetic fiscal disclosures of fictional 政务服务 units, for benchmarks and tests.

`python -m bench.synthetic OUT_DIR --n N [--seed S]` writes N documents of the genre of the real
samples: 部门预算情况说明 with markdown tables, 部门综合预算说明 prose, 部门决算 prose, 项目文本 with
a tab-separated 绩效目标表, and 整体支出绩效自评 as OCR pipe fragments. Places are two invented
syllables under a fictional province. Money is drawn in integer hundredths of 万元 and every
stated total, rollup, change and percentage is derived from those integers, so documents are
internally consistent. Every file's first line is `MARKER`. Document i depends only on
(seed, i): a larger corpus starts with the same files as a smaller one.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import zip_longest
from pathlib import Path

MARKER = "【合成样例，非真实数据】"
KINDS = ("budget", "budget_plain", "final", "project", "selfeval")
_KIND_WEIGHTS = (30, 10, 25, 20, 15)
_GBK_SHARE, _BOM_SHARE = 0.25, 0.05

# --- vocabularies (general fiscal terms; place syllables chosen to form no real place name) ----
PLACE_FIRST = "澜霁黛珩琅砚萝蘅芷翎璟岫漪樨蓼荻篁"
PLACE_SECOND = "汀渚麓岑垣陂坳湄浔峤埠甸垭畈"
UNIT_KINDS = ("政务服务管理局", "政务服务中心", "行政审批服务局", "政务服务管理办公室",
              "政务服务和大数据管理局", "人民政府政务服务中心")
FUNCTION_NAMES = {
    "201": "一般公共服务支出", "20103": "政府办公厅（室）及相关机构事务", "2010301": "行政运行",
    "2010302": "一般行政管理事务", "2010350": "事业运行",
    "2010399": "其他政府办公厅（室）及相关机构事务支出",
    "208": "社会保障和就业支出", "20805": "行政事业单位养老支出", "2080501": "行政单位离退休",
    "2080505": "机关事业单位基本养老保险缴费支出", "2080506": "机关事业单位职业年金缴费支出",
    "210": "卫生健康支出", "21011": "行政事业单位医疗", "2101101": "行政单位医疗",
    "2101102": "事业单位医疗", "2101199": "其他行政事业单位医疗支出",
    "221": "住房保障支出", "22102": "住房改革支出", "2210201": "住房公积金",
}
ECONOMIC_NAMES = {
    "301": "工资福利支出", "30101": "基本工资", "30102": "津贴补贴", "30103": "奖金",
    "30107": "绩效工资", "30108": "机关事业单位基本养老保险缴费", "30109": "职业年金缴费",
    "30110": "职工基本医疗保险缴费", "30112": "其他社会保障缴费", "30113": "住房公积金",
    "302": "商品和服务支出", "30201": "办公费", "30202": "印刷费", "30205": "水费", "30206": "电费",
    "30207": "邮电费", "30211": "差旅费", "30213": "维修（护）费", "30215": "会议费", "30216": "培训费",
    "30217": "公务接待费", "30228": "工会经费", "30229": "福利费", "30231": "公务用车运行维护费",
    "30239": "其他交通费用", "30299": "其他商品和服务支出",
    "303": "对个人和家庭的补助", "30302": "退休费", "30305": "生活补助", "30307": "医疗费补助",
    "30399": "其他对个人和家庭的补助",
}
WAGE_LINES = {"30101": (2.4, 4.2, True), "30102": (1.8, 4.8, True), "30103": (0.2, 1.2, False),
              "30107": (0.8, 2.5, False)}  # 万元 per head, always present
CONTRIBUTION_RATES = {"30108": (0.14, 0.16), "30109": (0.06, 0.08), "30110": (0.07, 0.09),
                      "30112": (0.005, 0.015), "30113": (0.10, 0.12)}  # shares of wages
GOODS_LINES = {"30201": (0.15, 0.6, 1.0), "30202": (0.02, 0.2, 0.6), "30205": (0.01, 0.1, 0.6),
               "30206": (0.1, 0.6, 0.7), "30207": (0.05, 0.3, 0.7), "30211": (0.1, 0.8, 0.9),
               "30213": (0.05, 0.4, 0.6), "30215": (0.01, 0.1, 0.5), "30216": (0.02, 0.2, 0.6),
               "30217": (0.02, 0.25, 0.8), "30229": (0.05, 0.2, 0.5), "30239": (0.3, 1.2, 0.5),
               "30299": (0.1, 1.0, 0.8)}  # 万元 per head, probability of the line
PROJECT_NAMES = ("政务服务大厅运行保障经费", "12345政务服务便民热线运行经费", "电子政务平台运行维护经费",
                 "政务服务大厅物业管理费", "一体化政务服务平台建设经费", "窗口工作人员培训经费",
                 "自助服务终端购置经费", "公共资源交易平台运行经费", "政务服务“好差评”系统维护经费",
                 "政务中心办公用房租赁费", "便民服务站点建设经费", "政务公开及网站维护经费")
SPENDING_ITEMS = ("村（社区）便民服务站接入电子政务外网专线费", "24小时自助服务区保洁服务费",
                  "政务服务大厅系统及电子设备运行维护费", "政务大厅网络专线费", "窗口工作人员礼仪培训费",
                  "办件结果物免费邮寄费", "政务大厅水电费", "政策宣传资料印制费", "大厅安保服务费",
                  "排队叫号及评价系统维护费", "办事指南编制印刷费")
PRICED_GOODS = (("国产打印机", "台", 1800, 4500), ("打印纸", "件", 120, 180), ("高拍仪", "台", 800, 2000),
                ("自助服务终端", "台", 25000, 60000), ("档案盒", "个", 5, 20))  # 元 per piece
DUTIES = ("负责推进全{area}政务服务标准化、规范化、便利化建设", "负责实体政务服务大厅及网上办事大厅的建设、运行维护和考核",
          "负责12345政务服务便民热线的运行管理和工单督办", "负责行政审批、政务服务事项的流程再造、环节优化和压缩时限",
          "负责全{area}“互联网+政务服务”相关电子政务管理", "承担公共资源交易活动的监督管理工作",
          "完成{area}委和{area}政府交办的其他任务")
UP_REASONS = ("人员经费增长", "基本工资及津贴补贴标准调整", "新增政务服务大厅运行项目", "在职人员增加",
              "一体化政务服务平台建设支出增加", "缴费基数增长")
DOWN_REASONS = ("厉行节约，压减一般性支出", "部分项目已完成，本年不再安排", "人员调出", "严格控制公用经费")
GLOSSARY = ("基本支出：指为保障机构正常运转、完成日常工作任务而发生的人员经费和公用经费。",
            "项目支出：指在基本支出之外为完成特定行政任务和事业发展目标所发生的支出。",
            "“三公”经费：指用一般公共预算财政拨款安排的因公出国（境）费、公务用车购置及运行维护费、公务接待费。",
            "机关运行经费：指各部门的公用经费，包括办公及印刷费、邮电费、差旅费、会议费、福利费、日常维修费等。")
_HALFWIDTH = str.maketrans("，（）：；", ",():;")


# --- numbers: integer hundredths of 万元 in, printed text out --------------------------------

def money(v: int, sep: bool = False, trim: bool = False) -> str:
    """Hundredths of 万元 as printed: 184677 → '1846.77', '1,846.77' with sep; trim drops .00/0."""
    whole = f"{abs(v) // 100:,}" if sep else str(abs(v) // 100)
    text = f"{'-' if v < 0 else ''}{whole}.{abs(v) % 100:02d}"
    return text.rstrip("0").rstrip(".") if trim else text


def pct(num: int, den: int) -> str:
    """num/den in percent with two decimals, rounded half up as spreadsheets do."""
    if den == 0:
        return "0.00"
    return str((Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def shares(parts: Sequence[int]) -> list[str]:
    """Percent shares of the parts' total; the last is 100 minus the others, as reports print."""
    total = sum(parts)
    first = [pct(p, total) for p in parts[:-1]]
    return [*first, str(Decimal(100) - sum((Decimal(s) for s in first), Decimal(0)))]


@dataclass(frozen=True)
class Style:
    """How one document prints numbers: spaces around them, trimmed decimals, separators."""

    sp: str = ""
    trim: bool = False
    sep: bool = False
    blank_zero: bool = True

    def w(self, v: int) -> str:
        return f"{self.sp}{money(v, trim=self.trim)}{self.sp}万元"

    def cell(self, v: int) -> str:
        return "" if v == 0 and self.blank_zero else money(v, sep=self.sep, trim=self.trim)

    def vs(self, now: int, before: int, *, rate: bool = False) -> str:
        """Change from `before` to `now`: '增加270.89万元', with rate '增加270.89万元，增加了47.04%'."""
        delta = now - before
        if delta == 0:
            return "持平"
        word = "增加" if delta > 0 else "减少"
        tail = f"，{word}了{pct(abs(delta), before)}%" if rate and before else ""
        return f"{word}{self.w(abs(delta))}{tail}"


# --- the fictional unit and its money ---------------------------------------------------------

@dataclass(frozen=True)
class Unit:
    province: str
    city: str
    county: str
    kind: str
    is_admin: bool  # 行政单位, else 事业单位: decides 行政运行 vs 事业运行
    staff: int
    retired: int
    cars: int

    @property
    def name(self) -> str:
        return f"{self.city}{self.county}{self.kind}"

    @property
    def area(self) -> str:
        return self.county[-1]


@dataclass(frozen=True)
class Project:
    name: str
    leaf: str  # 功能科目 项 code it is spent under
    amount: int
    prev: int  # last year's amount, 0 for a new project


@dataclass(frozen=True)
class Finance:
    year: int
    econ: dict[str, int]  # 基本支出 by 经济科目 leaf code
    econ_prev: dict[str, int]
    projects: tuple[Project, ...]
    is_admin: bool

    def basic(self, prev: bool = False) -> int:
        return sum((self.econ_prev if prev else self.econ).values())

    def project(self, prev: bool = False) -> int:
        return sum(p.prev if prev else p.amount for p in self.projects)

    def total(self, prev: bool = False) -> int:
        return self.basic(prev) + self.project(prev)

    def econ_class(self, code: str, prev: bool = False) -> int:
        econ = self.econ_prev if prev else self.econ
        return sum(v for c, v in econ.items() if c.startswith(code))

    def func_leaves(self, prev: bool = False) -> dict[str, tuple[int, int]]:
        """功能科目 leaf → (基本支出, 项目支出)."""
        basic = _basic_by_function(self.econ_prev if prev else self.econ, self.is_admin)
        leaves = {code: (v, 0) for code, v in basic.items()}
        for p in self.projects:
            b, pr = leaves.get(p.leaf, (0, 0))
            leaves[p.leaf] = (b, pr + (p.prev if prev else p.amount))
        return dict(sorted((c, v) for c, v in leaves.items() if v != (0, 0)))

    def three_public(self, prev: bool = False) -> dict[str, int]:
        """“三公”经费 parts; 公务接待 and 公务用车运行维护 are the 302 lines of the same name."""
        econ = self.econ_prev if prev else self.econ
        return {"因公出国（境）费": 0, "公务用车购置费": 0,
                "公务用车运行维护费": econ.get("30231", 0), "公务接待费": econ.get("30217", 0)}


def _basic_by_function(econ: dict[str, int], is_admin: bool) -> dict[str, int]:
    """Spread 基本支出 over 功能科目 leaves: contributions by their 经济科目, the rest to 运行."""
    linked = {"2080505": "30108", "2080506": "30109", "2210201": "30113", "2080501": "30302",
              "2101101" if is_admin else "2101102": "30110", "2101199": "30307"}
    out = {leaf: econ.get(code, 0) for leaf, code in linked.items()}
    out["2010301" if is_admin else "2010350"] = sum(econ.values()) - sum(out.values())
    return {c: v for c, v in out.items() if v}


def _scaled(rng: random.Random, base: int, low: float, high: float) -> int:
    return max(1, round(base * rng.uniform(low, high)))


def make_unit(rng: random.Random) -> Unit:
    """A fictional unit: city and county of two invented syllables in a fictional province."""
    def place() -> str:
        return rng.choice(PLACE_FIRST) + rng.choice(PLACE_SECOND)

    city, county = place(), place()
    while county == city:
        county = place()
    kind, staff = rng.choice(UNIT_KINDS), rng.randint(6, 60)
    return Unit(province=place() + "省", city=city + "市", county=county + rng.choice("县区市"),
                kind=kind, is_admin="中心" not in kind, staff=staff,
                retired=rng.randint(0, staff // 3), cars=rng.choice((0, 0, 1, 1, 2)))


def make_finance(rng: random.Random, unit: Unit, year: int) -> Finance:
    econ = _make_econ(rng, unit)
    econ_prev = {c: _scaled(rng, v, 0.82, 1.08) for c, v in econ.items()}
    leaf_choices = ("2010302", "2010302", "2010399") if unit.is_admin else ("2010350", "2010399")
    scale = round(unit.staff * rng.choice((0.5, 1, 2, 4, 8)) * 100)
    projects = []
    for name in rng.sample(PROJECT_NAMES, rng.randint(2, 6)):
        amount = _scaled(rng, scale, 0.3, 2.5)
        prev = 0 if rng.random() < 0.2 else _scaled(rng, amount, 0.5, 1.4)
        projects.append(Project(name, rng.choice(leaf_choices), amount, prev))
    return Finance(year, econ, econ_prev, tuple(projects), unit.is_admin)


def _make_econ(rng: random.Random, unit: Unit) -> dict[str, int]:
    """基本支出 by 经济科目: wages per head, contributions as shares of wages, 公用经费 per head."""
    econ: dict[str, int] = {}
    for code, (low, high, always) in WAGE_LINES.items():
        if always or rng.random() < 0.6:
            econ[code] = round(unit.staff * rng.uniform(low, high) * 100)
    wages = sum(econ.values())
    for code, (low, high) in CONTRIBUTION_RATES.items():
        econ[code] = round(wages * rng.uniform(low, high))
    for code, (low, high, share) in GOODS_LINES.items():
        if rng.random() < share:
            econ[code] = max(1, round(unit.staff * rng.uniform(low, high) * 100))
    econ["30228"] = round(wages * 0.02)  # 工会经费 is 2% of wages by rule
    if unit.cars:
        econ["30231"] = round(unit.cars * rng.uniform(1.5, 4.0) * 100)
    if unit.retired:
        econ["30302"] = round(unit.retired * rng.uniform(3.0, 6.0) * 100)
    for code in ("30305", "30307", "30399"):
        if rng.random() < 0.3:
            econ[code] = round(unit.staff * rng.uniform(0.05, 0.4) * 100)
    return dict(sorted((c, v) for c, v in econ.items() if v > 0))


def func_rows(leaves: dict[str, tuple[int, int]]) -> list[tuple[str, str, int, int]]:
    """(code, name, 基本, 项目) for 类/款/项 rows in code order; rollups sum their leaves."""
    rows = []
    for code in sorted({c[:n] for c in leaves for n in (3, 5, 7)}):
        parts = [v for c, v in leaves.items() if c.startswith(code)]
        basic, project = (sum(column) for column in zip(*parts, strict=True))
        rows.append((code, FUNCTION_NAMES[code], basic, project))
    return rows


def econ_rows(econ: dict[str, int]) -> list[tuple[str, str, int]]:
    """(code, name, amount) for 类 and leaf 经济科目 rows in code order."""
    codes = sorted({c[:3] for c in econ} | set(econ))
    return [(c, ECONOMIC_NAMES[c], sum(v for k, v in econ.items() if k.startswith(c)))
            for c in codes]


# --- table layouts -----------------------------------------------------------------------------

def md_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], group: Sequence[str] = ()
) -> str:
    """A markdown table; a group header goes above the separator and `header` below it, as
    PDF-to-markdown converters print two-level headers."""
    top = list(group) or list(header)
    lines = ["| " + " | ".join(top) + " |", "|" + "|".join("------" for _ in top) + "|"]
    if group:
        lines.append("| " + " | ".join(header) + " |")
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def pipe_fragments(rows: Sequence[Sequence[str]], width: int = 18) -> str:
    """OCR'd form layout: one cell per line ending ' |', each row closed by a run of pipes."""
    lines = []
    for row in rows:
        lines += [f"{cell} |" if cell else "|" for cell in row]
        lines.append("|" * max(width - len(row), 1))
    return "\n".join(lines)


def tab_table(rows: Sequence[Sequence[str]], cell_per_line: bool) -> str:
    """Tab-separated rows, or one tab-led cell per line with blank lines between rows."""
    if cell_per_line:
        return "\n\n".join("\n".join(f"\t{c}" for c in row) for row in rows)
    return "\n".join("\t".join(row) for row in rows)


# --- documents ---------------------------------------------------------------------------------

def _reason(rng: random.Random, delta: int) -> str:
    return rng.choice(UP_REASONS if delta >= 0 else DOWN_REASONS)


def _duties(rng: random.Random, unit: Unit) -> str:
    picked = sorted(rng.sample(range(len(DUTIES)), rng.randint(3, 6)))
    return "；".join(DUTIES[i].format(area=unit.area) for i in picked) + "。"


def budget_markdown(rng: random.Random, unit: Unit, f: Finance) -> str:
    """部门预算情况说明 with 收支总表, 支出预算表, 基本支出预算表 and “三公” table in markdown."""
    s = Style(sp=rng.choice(("", " ")), sep=rng.random() < 0.5, blank_zero=rng.random() < 0.7)
    y, total, basic, proj = f.year, f.total(), f.basic(), f.project()
    classes = [r for r in func_rows(f.func_leaves()) if len(r[0]) == 3]
    three, three_prev = f.three_public(), f.three_public(True)
    goods, services = (_scaled(rng, max(proj, 100), 0.02, 0.3) for _ in range(2))
    text = [
        f"{unit.name}{y}年部门预算情况说明", "一、单位基本情况", "（一）职能职责", _duties(rng, unit),
        "（二）单位构成",
        f"{unit.kind}内设{rng.randint(3, 8)}个职能科室；在职在编职工{unit.staff}人，退休{unit.retired}人；"
        f"在编公务车{unit.cars}辆。",
        "二、部门收支总体情况",
        f"（一）收入预算：{y}年年初预算数{s.w(total)}，其中：一般公共预算拨款{s.w(total)}，无政府性基金预算拨款、"
        f"国有资本经营预算收入、事业收入、其他收入等。收入较去年{s.vs(total, f.total(True))}。",
        f"（二）支出预算：{y}年年初预算数{s.w(total)}，其中："
        + "，".join(f"{name}预算{s.w(b + p)}" for _, name, b, p in classes)
        + f"。支出预算较去年{s.vs(total, f.total(True))}，主要是基本支出预算"
        f"{s.vs(basic, f.basic(True))}，项目支出预算{s.vs(proj, f.project(True))}。",
        "三、部门预算情况说明",
        f"{y}年一般公共预算财政拨款收入{s.w(total)}，一般公共预算财政拨款支出{s.w(total)}，比{y - 1}年"
        f"{s.vs(total, f.total(True))}。其中：基本支出{s.w(basic)}，比{y - 1}年"
        f"{s.vs(basic, f.basic(True))}，主要原因是{_reason(rng, basic - f.basic(True))}；项目支出"
        f"{s.w(proj)}，比{y - 1}年{s.vs(proj, f.project(True))}，项目资金主要用于"
        + "、".join(p.name for p in f.projects) + "等重点工作。",
        f"{unit.name}{y}年未使用政府性基金预算拨款安排的支出。",
        "四、“三公”经费情况说明",
        f"{y}年“三公”经费预算{s.w(sum(three.values()))}，比{y - 1}年"
        f"{s.vs(sum(three.values()), sum(three_prev.values()))}。其中："
        + "，".join(f"{k}{s.w(v)}" for k, v in three.items()) + "。",
        "五、其他重要事项的情况说明",
        f"1. 机关运行经费。{y}年一般公共预算财政拨款机关运行经费{s.w(f.econ_class('302'))}，比上年"
        f"{s.vs(f.econ_class('302'), f.econ_class('302', True))}。",
        f"2. 政府采购情况。政府采购预算总额{s.w(goods + services)}，其中政府采购货物预算{s.w(goods)}，"
        f"政府采购服务预算{s.w(services)}。",
        f"3. 绩效目标设置情况。{y}年项目支出均实行了绩效目标管理，涉及一般公共预算当年财政拨款{s.w(proj)}。",
        "六、专业性名词解释", *(f"（{'一二三四'[i]}）{g}" for i, g in enumerate(GLOSSARY)),
    ]
    return "\n\n".join(text + _budget_tables(rng, unit, f, s))


def _budget_tables(rng: random.Random, unit: Unit, f: Finance, s: Style) -> list[str]:
    """Captions, unit lines and markdown tables of a 部门预算; the 支出预算表 is always there."""
    c, y, total, basic, proj = s.cell, f.year, f.total(), f.basic(), f.project()
    rows = func_rows(f.func_leaves())
    three, three_prev = f.three_public(), f.three_public(True)
    text: list[str] = []
    if rng.random() < 0.8:
        income = [("一般公共预算拨款收入", c(total)), ("政府性基金预算拨款收入", ""), ("事业收入预算", "")]
        spending = [(name, c(b + p)) for code, name, b, p in rows if len(code) == 3]
        body = [[*i, *o] for i, o in zip_longest(income, spending, fillvalue=("", ""))]
        body += [["本年收入合计", c(total), "本年支出合计", c(total)], ["上年结转", "", "结转下年", ""],
                 ["收入总计", c(total), "支出总计", c(total)]]
        text += [f"{unit.name}部门收支总表", "单位：万元",
                 md_table(["项目", "预算数", "项目", "预算数"], body, group=["收入", "", "支出", ""])]
    body = [["", "合计", c(total), c(basic), c(proj)]]
    body += [[code, name, c(b + p), c(b), c(p)] for code, name, b, p in rows]
    text += [f"{unit.name}一般公共预算财政拨款支出预算表", "单位：万元",
             md_table(["科目编码", "科目名称", "小计", "基本支出", "项目支出"], body,
                      group=["", "功能分类科目", "", f"{y}年预算数", ""])]
    if rng.random() < 0.85:
        people = f.econ_class("301") + f.econ_class("303")
        body = [["", "合计", c(basic), c(people), c(f.econ_class("302"))]]
        for code, name, v in econ_rows(f.econ):
            public = code.startswith("302")  # 公用经费; 301 and 303 are 人员经费
            body.append([code, name, c(v), c(0 if public else v), c(v if public else 0)])
        text += [f"{unit.name}一般公共预算财政拨款基本支出预算表", "单位：万元",
                 md_table(["科目编码", "科目名称", "合计", "人员经费", "公用经费"], body,
                          group=["", "经济分类科目", "", f"{y}年基本支出", ""])]
    if rng.random() < 0.8:
        body = [[f"{yy}年预算数", c(sum(t.values())), *(c(v) for v in t.values())]
                for yy, t in ((y, three), (y - 1, three_prev))]
        text += [f"{unit.name}一般公共预算“三公”经费支出表", "单位：万元",
                 md_table(["项目", "合计", *three], body)]
    return text


def budget_plain(rng: random.Random, unit: Unit, f: Finance) -> str:
    """部门综合预算说明 in prose: 功能科目 and 经济科目 lines with codes in brackets."""
    s = Style(sp=rng.choice(("", " ", " ")))
    y, total, basic, sp = f.year, f.total(), f.basic(), s.sp
    prev_leaves = f.func_leaves(True)
    three, three_prev = f.three_public(), f.three_public(True)
    text = [f"{unit.name}{sp}{y}{sp}年度部门综合预算说明", "一、部门主要职责及机构设置", _duties(rng, unit),
            "二、部门预算单位构成", "本部门的部门预算包括部门本级预算。", f"序号\t单位名称\n1\t{unit.name}",
            "三、部门人员情况说明",
            f"截止{sp}{y - 1}{sp}年底，本部门人员编制{sp}{unit.staff + rng.randint(0, 3)}{sp}人，"
            f"实有人员{sp}{unit.staff}{sp}人。",
            f"四、{y}{sp}年部门预算收支说明", "（一）收支预算总体情况。",
            f"{y}{sp}年本部门预算收入{s.w(total)}，其中一般公共预算拨款收入{s.w(total)}，政府性基金预算拨款收入"
            f"{s.w(0)}，较上年{s.vs(total, f.total(True))}，主要原因是{_reason(rng, total - f.total(True))}。",
            f"{y}{sp}年本部门预算支出{s.w(total)}，其中一般公共预算拨款支出{s.w(total)}，较上年"
            f"{s.vs(total, f.total(True))}。",
            "（二）支出按功能科目分类的明细情况。", f"本部门{sp}{y}{sp}年一般公共预算支出{s.w(total)}，其中："]
    for i, (code, (b, p)) in enumerate(f.func_leaves().items(), 1):
        before = sum(prev_leaves.get(code, (0, 0)))
        text.append(f"（{i}）{FUNCTION_NAMES[code]}（{code}）{s.w(b + p)}，较上年{s.vs(b + p, before)}，"
                    f"原因是{_reason(rng, b + p - before)}。")
    text.append("（三）基本支出按经济科目分类的明细情况。")
    parts = [f"{ECONOMIC_NAMES[k]}（{k}）{s.w(f.econ_class(k))}，较上年"
             f"{s.vs(f.econ_class(k), f.econ_class(k, True))}" for k in ("301", "302", "303")
             if f.econ_class(k)]
    text.append(f"{y}{sp}年本部门一般公共预算基本支出{s.w(basic)}，其中：" + "；".join(parts) + "。")
    text += ["五、部门预算“三公”经费等情况",
             f"{y}{sp}年本部门一般公共预算“三公”经费预算支出{s.w(sum(three.values()))}，较上年"
             f"{s.vs(sum(three.values()), sum(three_prev.values()))}。其中："
             + "；".join(f"{k}{s.w(v)}" for k, v in three.items()) + "。",
             "六、部门预算绩效目标说明",
             f"{y}{sp}年本部门实现了绩效目标管理全覆盖，涉及一般公共预算当年拨款{s.w(f.project())}。",
             "七、机关运行经费安排情况",
             f"本部门{sp}{y}{sp}年机关运行经费预算安排{s.w(f.econ_class('302'))}，较上年"
             f"{s.vs(f.econ_class('302'), f.econ_class('302', True))}。",
             "八、专业名词解释", *GLOSSARY]
    return "\n\n".join(text)


def final_accounts(rng: random.Random, unit: Unit, f: Finance) -> str:
    """部门决算 prose: totals against last year, structure shares, 年初预算 completion per 项."""
    s = Style(trim=rng.random() < 0.4)
    y, total, basic, proj = f.year, f.total(), f.basic(), f.project()
    prev = f.total(True)
    people, goods = f.econ_class("301") + f.econ_class("303"), f.econ_class("302")
    rows = func_rows(f.func_leaves())
    class_totals = [(name, b + p) for code, name, b, p in rows if len(code) == 3]
    class_shares = shares([amount for _, amount in class_totals])
    leaves = f.func_leaves()
    planned = {code: _scaled(rng, b + p, 0.7, 1.15) for code, (b, p) in leaves.items()}
    three = f.three_public()
    three_sum = sum(three.values())
    three_plan = _scaled(rng, max(three_sum, 50), 0.9, 1.2)
    reason = _reason(rng, total - prev)
    text = [f"{y}年度{unit.name}部门决算", "第一部分 单位概况", "一、部门职责", _duties(rng, unit),
            "二、机构设置及决算单位构成", f"纳入{y}年部门决算编制范围的单位为{unit.kind}本级。",
            f"第三部分 {y}年度部门决算情况说明", "一、收入支出决算总体情况说明",
            f"我单位{y}年度决算总收入{s.w(total)}，比{y - 1}年决算总收入{s.vs(total, prev, rate=True)}，主要原因是{reason}；"
            f"本年决算总支出{s.w(total)}，比{y - 1}年{s.vs(total, prev, rate=True)}，主要原因是{reason}。",
            "二、收入决算情况说明", f"我单位{y}年度收入{s.w(total)}，全部为财政拨款收入{s.w(total)}，占100%。",
            "三、支出决算情况说明"]
    sb, sp_ = shares([basic, proj])
    text.append(f"我单位{y}年度支出{s.w(total)}，其中基本支出{s.w(basic)}（工资福利支出{s.w(f.econ_class('301'))}、"
                f"商品和服务支出{s.w(goods)}、对个人和家庭的补助{s.w(f.econ_class('303'))}），占年度总支出的{sb}%；"
                f"项目支出{s.w(proj)}，占年度总支出的{sp_}%。")
    text += ["四、一般公共预算财政拨款支出决算情况说明",
             f"（一）{y}年一般公共预算财政拨款支出{s.w(total)}，占本年支出合计的100%，与{y - 1}年相比，"
             f"财政拨款支出{s.vs(total, prev, rate=True)}。",
             f"（二）{y}年度财政拨款支出{s.w(total)}，主要用于以下方面："
             + "；".join(f"{name}{s.w(amount)}，占{share}%" for (name, amount), share
                        in zip(class_totals, class_shares, strict=True)) + "。",
             f"（三）{y}年度财政拨款支出年初预算数为{s.w(sum(planned.values()))}，支出决算数为{s.w(total)}，"
             f"完成年初预算的{pct(total, sum(planned.values()))}%，其中："]
    for i, (code, (b, p)) in enumerate(leaves.items(), 1):
        levels = ((3, "类"), (5, "款"), (7, "项"))
        path = "".join(f"{FUNCTION_NAMES[code[:n]]}（{level}）" for n, level in levels)
        text.append(f"{i}、{path}\n年初预算为{s.w(planned[code])}，支出决算为{s.w(b + p)}，完成年初预算的"
                    f"{pct(b + p, planned[code])}%。")
    sp1, sp2 = shares([people, goods])
    text += ["五、一般公共预算财政拨款基本支出决算情况说明",
             f"{unit.name}{y}年度一般公共预算财政拨款基本支出合计{s.w(basic)}，其中人员经费支出{s.w(people)}，"
             f"占基本支出的{sp1}%；日常公用经费支出{s.w(goods)}，占基本支出的{sp2}%。",
             "六、一般公共预算财政拨款“三公”经费支出决算情况说明",
             f"“三公”经费财政拨款支出预算为{s.w(three_plan)}，支出决算为{s.w(three_sum)}，完成预算的"
             f"{pct(three_sum, three_plan)}%，其中："
             + "；".join(f"{k}支出决算{s.w(v)}" for k, v in three.items())
             + f"。全年共接待{rng.randint(5, 120)}批次，{rng.randint(30, 1500)}人次；截止{y}年12月31日，"
             f"我单位开支财政拨款的公务用车保有量为{unit.cars}辆。",
             "七、政府性基金预算财政拨款收入支出决算情况", f"本单位{y}年度未发生政府性基金预算财政拨款收入支出。",
             "八、预算绩效情况说明",
             f"我单位组织对{y}年度一般公共预算项目支出全面开展绩效自评，其中一级项目{len(f.projects)}个，"
             f"共涉及资金{s.w(proj)}，自评覆盖率达到100%。",
             "九、其他重要事项", f"（一）机关运行经费支出情况。本部门{y}年度机关运行经费支出{s.w(goods)}，比上年"
             f"{s.vs(goods, f.econ_class('302', True), rate=True)}。", "第四部分 名词解释", *GLOSSARY]
    body = "\n".join(text)
    if rng.random() < 0.5:
        body += "\n第五部分 附件\n" + self_evaluation(rng, unit, f)
    return body.translate(_HALFWIDTH) if rng.random() < 0.6 else body


def self_evaluation(rng: random.Random, unit: Unit, f: Finance) -> str:
    """整体支出绩效自评 as OCR'd pipe fragments: 收入, 支出 and “三公” rows that add up."""
    s = Style(trim=True)
    m = s.cell
    total, basic, proj = f.total(), f.basic(), f.project()
    fund = _scaled(rng, proj, 0.1, 0.5) if rng.random() < 0.3 else 0
    three = f.three_public()
    head = [f"{unit.city}{unit.county}{f.year}年度部门(单位)整体支出", "绩效评价自评报告",
            f"部门(单位)名称 {unit.name}",
            f"报告日期:{f.year + 1}年0{rng.randint(3, 6)}月{rng.randint(10, 28)}日"]
    posts = str(unit.staff + rng.randint(0, 3))
    rows = [["一、部门(单位)基本概况"], ["人员编制", posts, "实有人数", str(unit.staff)],
            ["职能职责概述", _duties(rng, unit)], ["二、部门(单位)收支情况"], ["年度收入情况(万元)"],
            ["机构名称", "收入合计", "其中:"], ["上年结转", "公共财政拨款", "政府基金拨款", "其他收入"],
            ["局机关及二级机构汇总", m(total), "", m(total - fund), m(fund), ""],
            ["部门(单位)年度支出和结余情况(万元)"], ["机构名称", "支出合计", "其中:", "结余"],
            ["基本支出", "其中:", "项目支出"], ["人员支出", "公用支出"],
            ["局机关及二级机构汇总", m(total), m(basic), m(f.econ_class("301") + f.econ_class("303")),
             m(f.econ_class("302")), m(proj), ""],
            ["机构名称", "三公经费 合计", "其中:"], ["公务接待费", "公务用车运维费", "公务用车购置费", "因公出国费"],
            ["局机关及二级机构汇总", m(sum(three.values())), m(three["公务接待费"]), m(three["公务用车运行维护费"]),
             "", ""],
            ["三、部门(单位)整体支出绩效自评情况"], ["一级指标", "二级指标", "指标内容", "绩效目标值", "完成情况"]]
    for a, b, name, op, value, unit_word in _indicators(rng, proj):
        target = f"{'' if op == '=' else op}{value}{unit_word}"
        rows.append([a, b, name, target, target])
    rows += [["绩效自评综合得分", f"{rng.randint(85, 99)}分"], ["评价等次", "优秀"]]
    return "\n".join(head) + "\n" + pipe_fragments(rows)


def _indicators(rng: random.Random, cost: int) -> list[tuple[str, str, str, str, str, str]]:
    """绩效指标 rows: (一级, 二级, 三级, 指标性质, 指标值, 度量单位); the cost target is `cost`."""
    return [("产出指标", "数量指标", "年办件量", "≥", str(rng.randint(2, 300)), "万件"),
            ("产出指标", "数量指标", "进驻窗口数", "=", str(rng.randint(20, 200)), "个"),
            ("产出指标", "质量指标", "窗口服务办结率", "≥", str(rng.choice((95, 98, 100))), "%"),
            ("产出指标", "成本指标", "项目总成本", "≤", money(cost), "万元"),
            ("效益指标", "社会效益指标", "政务服务事项网上可办率", "≥", str(rng.choice((80, 90, 95))), "%"),
            ("满意度指标", "服务对象满意度指标", "办事群众满意度", "≥", str(rng.choice((90, 95))), "%")]


@dataclass(frozen=True)
class Purchase:
    """Goods bought for a project: quantity × unit price."""

    good: str
    quantity: int
    price_cents: int  # 分 per piece
    measure: str  # 台 / 件 / 个

    @property
    def cost(self) -> int:
        """Hundredths of 万元 (100 元 = 10,000 分), rounded half up as the documents print it."""
        return (self.quantity * self.price_cents + 5000) // 10000

    def phrase(self) -> str:
        return (f"{self.good}{self.quantity}{self.measure}，{money(self.price_cents)}元/{self.measure}，"
                f"费用{money(self.cost)}万元")


@dataclass(frozen=True)
class Item:
    """One line of 资金安排情况: a plain amount, or the sum of its purchases."""

    name: str
    amount: int
    purchases: tuple[Purchase, ...] = ()

    def sentence(self, year: int) -> str:
        if not self.purchases:
            return f"按{year}年工作安排和实际需求测算，{self.name.removesuffix('费')}费用{money(self.amount)}万元。"
        bought = "；".join(p.phrase() for p in self.purchases)
        count = "两" if len(self.purchases) == 2 else str(len(self.purchases))
        return f"需通过政府采购购买{bought}，{count}项合计{money(self.amount)}万元。"


def project_text(rng: random.Random, unit: Unit, f: Finance) -> str:
    """项目文本: 立项依据, 概况, 资金安排情况 whose items add up to the stated total, 绩效目标表."""
    project, y = rng.choice(f.projects), f.year
    items = _spending_items(rng, project.amount)
    amount = sum(item.amount for item in items)
    handled = rng.randint(20000, 300000)
    text = [f"{unit.name}{y}年部门预算重点领域财政项目文本", "项目1.", "一、项目名称", project.name, "立项依据",
            f"为贯彻落实《{unit.province}加快推进政务服务标准化规范化便利化实施方案》"
            f"（{unit.county[0]}政办发〔{y - 2}〕{rng.randint(1, 60)}号）等文件精神，全力保障政务服务中心正常运行。",
            "三、项目实施单位", f"{unit.name}是{unit.county}人民政府工作部门，主要职责包括：{_duties(rng, unit)}",
            "项目基本概况",
            f"截至{y - 1}年12月底，{unit.county}政务服务大厅实有面积约{rng.randint(8, 130) * 100:,}.00平方米，"
            f"进驻部门{rng.randint(10, 40)}家，设置了{rng.randint(20, 150)}个办事服务窗口。{y - 1}年1-12月受理办理业务"
            f"{handled:,}件，办结{handled:,}件，办结率100.00%。", "资金安排情况"]
    if rng.random() < 0.2:
        text.append(f"全年安排资金{money(amount)}万元。")
    else:
        for ordinal, item in zip(_CN_ORDINALS, items, strict=False):
            text += [f"（{ordinal}）{item.name}", item.sentence(y)]
        text.append(f"以上项目经费共计{money(amount)}万元，经评审通过后，纳入{unit.area}级财政预算资金安排。")
    text += ["项目实施计划",
             f"本项目{y}年1月1日开始实施，项目实施周期{rng.randint(1, 3)}年。本年度资金安排{money(amount)}万元。"]
    if rng.random() < 0.6:
        header = ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位"]
        rows = [list(row) for row in _indicators(rng, amount)]
        table = tab_table([["项目绩效目标表"], header, *rows], cell_per_line=rng.random() < 0.5)
        text += ["项目绩效目标表", table]
    return "\n\n".join(text)


_CN_ORDINALS = "一二三四五六七八九十"


def _spending_items(rng: random.Random, amount: int) -> list[Item]:
    """2–6 plain items adding up to `amount`, then maybe an equipment item of two purchases
    (added on top when the purchases alone would exceed `amount`)."""
    equipment = []
    if rng.random() < 0.5:
        purchases = tuple(Purchase(good, rng.randint(1, 40), rng.randint(low * 100, high * 100), measure)
                          for good, measure, low, high in rng.sample(PRICED_GOODS, 2))
        equipment.append(Item("办公设备购置", sum(p.cost for p in purchases), purchases))
    names = rng.sample(SPENDING_ITEMS, rng.randint(2, 6))
    rest = amount - sum(item.amount for item in equipment)
    if rest < 10 * len(names):
        rest = _scaled(rng, amount, 0.5, 1.0) + 10 * len(names)
    weights = [rng.uniform(0.3, 1.0) for _ in names]
    parts = [max(1, int(rest * w / sum(weights))) for w in weights[:-1]]
    parts.append(rest - sum(parts))
    return [*(Item(n, a) for n, a in zip(names, parts, strict=True)), *equipment]


_RENDERERS: dict[str, Callable[[random.Random, Unit, Finance], str]] = {
    "budget": budget_markdown, "budget_plain": budget_plain, "final": final_accounts,
    "project": project_text, "selfeval": self_evaluation}


def render(seed: int, index: int) -> tuple[str, str, str]:
    """(kind, text, encoding) of document `index` of the corpus for `seed`."""
    rng = random.Random(f"gongkai-synthetic:{seed}:{index}")
    kind = rng.choices(KINDS, _KIND_WEIGHTS)[0]
    unit = make_unit(rng)
    body = _RENDERERS[kind](rng, unit, make_finance(rng, unit, rng.randint(2016, 2025)))
    roll = rng.random()
    encoding = "gbk" if roll < _GBK_SHARE else "utf-8"
    if _GBK_SHARE <= roll < _GBK_SHARE + _BOM_SHARE:
        encoding = "utf-8-sig"
    return kind, f"{MARKER}\n{body.rstrip()}\n", encoding


def generate(out_dir: Path, n: int, seed: int = 0) -> list[Path]:
    """Write n synthetic documents into out_dir (created if missing); their paths in order."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(n):
        kind, text, encoding = render(seed, index)
        path = out_dir / f"syn{seed}_{index:05d}_{kind}{'.md' if kind == 'budget' else '.txt'}"
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError:  # a character outside GBK: keep the document, in UTF-8
            data = text.encode("utf-8")
        path.write_bytes(data)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write synthetic disclosures of fictional units.")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--n", type=int, default=100, help="number of documents (default 100)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    paths = generate(args.out_dir, args.n, args.seed)
    seconds = time.perf_counter() - started
    print(f"wrote {len(paths)} documents to {args.out_dir} in {seconds:.2f} s")


if __name__ == "__main__":
    main()
