"""Units after a number, and the scope and year words around a figure.

Hand-written: the units and scope words are a closed fiscal vocabulary, and every decision must
keep exact offsets into the document text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gongkai.types import DocumentMeta
from ingest.vocab import unit_kind

# Longest first so 万元 wins over 元 and 人次 over 人.
_UNITS = (
    "个工作日",
    "工作日",
    "平方米",
    "万人次",
    "人次",
    "批次",
    "场次",
    "台套",
    "万元",
    "亿元",
    "千元",
    "万件",
    "万条",
    "万人",
    "平米",
    "元",
    "㎡",
    "人",
    "名",
    "位",
    "个",
    "家",
    "件",
    "项",
    "辆",
    "台",
    "套",
    "批",
    "次",
    "场",
    "条",
    "篇",
    "本",
    "期",
    "户",
    "处",
    "间",
    "座",
    "部",
    "册",
    "份",
    "张",
    "笔",
    "所",
    "分",
)
# A unit character followed by these is the start of a word, not a unit ('部门', '分钟', '项目').
_NOT_UNIT_BEFORE = {
    "分": "钟之别类配管局",
    "部": "门分署",
    "所": "属有在以",
    "期": "间限",
    "处": "理置室",
    "间": "隔",
    "条": "件例款",
    "本": "级部年单",
    "名": "称单额",
    "户": "籍",
    "位": "于",
    "张": "贴",
    "份": "额",
    "次": "数要",
    "批": "准复",
    "项": "目",
    "台": "账",
    "人": "民员",
    "个": "人体别",
    "件": "事",
    "家": "庭",
    "场": "所地",
    "座": "谈",
    "元": "旦",
}
_UNIT_AT = re.compile(
    r"[ \t]*\n?[ \t]*(?P<mult>万|亿)?(?P<approx>余|多)?[ \t]*\n?[ \t]*(?P<unit>"
    + "|".join(re.escape(unit) for unit in _UNITS)
    + r")(?P<per>/[一-龥]{1,2}|每[一-龥])?"
)
_THRESHOLD_AFTER = re.compile(r"\s*([（(]含[）)])?\s*(以上|以下|以内|及以上|及以下|之内|之间|起)")
_SUFFIXED_UNITS = frozenset({"万件", "万人次", "万条", "万人", "万元", "亿元"})


@dataclass(frozen=True)
class UnitRead:
    unit: str  # '万元', '人', '%', '元/件' …
    end: int  # offset just after the unit as printed
    is_threshold: bool  # '20 万元以上': a bound, not a figure


def read_unit(text: str, position: int) -> UnitRead | None:
    """The unit printed at `position` (right after a number), or None when none is there."""
    match = _UNIT_AT.match(text, position)
    if not match:
        return None
    unit = (match["mult"] or "") + match["unit"]
    if match["mult"] and unit not in _SUFFIXED_UNITS:
        return None
    following = text[match.end("unit") : match.end("unit") + 1]
    if following and following in _NOT_UNIT_BEFORE.get(match["unit"], ""):
        return None
    if match["unit"] == "个工作日":
        unit = "工作日"
    end = match.end()
    if match["per"]:
        unit += "/" + match["per"].lstrip("/每")
    threshold = bool(_THRESHOLD_AFTER.match(text, end))
    return UnitRead(unit, end, threshold)


def is_money(unit: str) -> bool:
    return unit_kind(unit) == "money"


# Scope words; funding-source names that contain 预算 are removed first (一般公共预算 is no scope).
_SOURCE_NAMES = re.compile(
    r"一般公共预算|政府性基金预算|国有资本经营预算|社会保险基金预算|预算单位|预算绩效|"
    r"部门预算|预算管理|预算编码"
)
_SCOPE_WORDS = (
    ("决算", "决算"),
    ("预算", "预算"),
    ("指标值", "目标"),
    ("目标值", "目标"),
    ("年度目标", "目标"),
    ("实际完成", "实际"),
    ("完成值", "实际"),
    ("实际支出", "实际"),
    ("实际到位", "实际"),
    ("执行数", "实际"),
    ("计划安排", "预算"),
)


def scope_in(phrase: str) -> str:
    """The scope a phrase states: the scope word written last in it, '' when it states none."""
    cleaned = _SOURCE_NAMES.sub("", phrase)
    best, best_at = "", -1
    for word, scope in _SCOPE_WORDS:
        at = cleaned.rfind(word)
        if at > best_at:
            best, best_at = scope, at
    return best


def scope_of_document(meta: DocumentMeta | None) -> str:
    """The scope a document's money figures have by default: 预算 for budgets, 决算 for final accounts."""
    doc_type = (meta.doc_type or "") if meta else ""
    if "决算" in doc_type:
        return "决算"
    if "预算" in doc_type or "项目文本" in doc_type:
        return "预算"
    return ""


# Years: '2023 年', '2018年度'; not a comparison base ('比2017年'), a range or a document number.
_YEAR = re.compile(r"(?<![\d〔\[])((?:19|20)\d{2})\s*年(?!\s*[-—~至起以开前后])")
_COMPARED_YEAR = re.compile(r"(比|较|与|同|对比|相比|超过|低于)\s*$")
_PRIOR_YEAR_SUBJECT = re.compile(r"^(上年|去年|上年度)(?!结转|结余)")


def year_of_figure(before: str, default: int | None) -> int | None:
    """The year a figure is for: the last year written before it in its sentence, else `default`.

    Years that are comparison bases (比2017年增加 …) do not count: such changes are the current
    year's. A subject that opens with 上年 (not 上年结转) is the year before `default`.
    """
    year = default
    for match in _YEAR.finditer(before):
        if _COMPARED_YEAR.search(before, 0, match.start()):
            continue
        year = int(match.group(1))
    return year


def is_prior_year_subject(subject: str) -> bool:
    return bool(_PRIOR_YEAR_SUBJECT.match(subject))
