"""The general fiscal vocabulary: canonical metrics, their synonyms as written, kinds and codes.

Each metric carries its key (a Chinese canonical name), its kind (money / count / rate / area /
score / duration), its default unit, the phrases disclosures use for it and, where the Chinese
budget classification gives one, the code prefixes of its 科目 (301 工资福利支出, 30217 公务接待费 …).
`match_metric` maps a phrase as written onto a key. Nothing here is specific to a locality or file.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

MONEY_UNITS = ("元", "千元", "万元", "亿元")
RATE_UNITS = ("%",)
AREA_UNITS = ("平方米", "㎡", "平米", "m2", "m²")
SCORE_UNITS = ("分",)
DURATION_UNITS = ("工作日", "天", "小时")
COUNT_UNITS = (
    "人",
    "名",
    "位",
    "个",
    "家",
    "件",
    "万件",
    "项",
    "辆",
    "台",
    "套",
    "批次",
    "批",
    "人次",
    "万人次",
    "次",
    "场",
    "场次",
    "条",
    "万条",
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
    "类",
    "所",
    "支",
    "台套",
    "万人",
)

# Specificity tiers: a named item beats a breakdown, which beats a funding source, which beats a
# grand total ("“三公”经费财政拨款支出" is about 三公经费, not about 财政拨款支出).
TIER_TOTAL, TIER_SOURCE, TIER_BREAKDOWN, TIER_ITEM = 0, 1, 2, 3


@dataclass(frozen=True)
class Metric:
    key: str
    kind: str  # 'money' | 'count' | 'rate' | 'area' | 'score' | 'duration'
    unit: str  # default unit
    synonyms: tuple[str, ...]  # as written; a leading '=' means "the whole phrase, exactly"
    codes: tuple[str, ...] = ()  # 科目编码 prefixes (economic 301…/501…, functional 201…)
    tier: int = TIER_ITEM
    units: tuple[str, ...] = ()  # accepted units for counts; empty accepts any of its kind


_TIERS = {
    "total": TIER_TOTAL,
    "source": TIER_SOURCE,
    "breakdown": TIER_BREAKDOWN,
    "item": TIER_ITEM,
}

# key | kind | default unit | tier | 科目编码 | accepted count units | synonyms as written
# ('=' before a synonym: the whole phrase, exactly). Indented lines carry on the synonyms.
_TABLE = """
收入合计 | money | 万元 | total |  |  | 本年收入合计 收入总计 本年收入总计 总收入 决算总收入 预算收入 收入预算 收入预算总计 收入预算合计 收入决算
    本年收入 当年收入 部门收入 =收入
支出合计 | money | 万元 | total |  |  | 本年支出合计 支出总计 本年支出总计 总支出 决算总支出 预算支出 支出预算 支出预算总计 支出预算合计 支出决算
    本年支出 当年支出 部门支出 =支出
收支总计 | money | 万元 | total |  |  | 收支总计 收、支总计 收支预算总计 收、支预算总计 收支决算总计 收入、支出总计 收入、支出预算总计
    收入、支出决算总计 收入支出总计 收入支出决算总计 收入支出预算总计 预算总盘子 总盘子 预算总规模 总预算
财政拨款收支总计 | money | 万元 | source |  |  | 财政拨款收支 财政拨款收入支出 财政拨款收入支出总计 财政拨款收、支总计 财政拨款收支预算总计 财政拨款收、支预算 财政拨款收支预算
    财政拨款收入支出决算总计
财政拨款收入 | money | 万元 | source |  |  | 财政拨款收入合计 本年财政拨款收入
财政拨款支出 | money | 万元 | source |  |  | 财政拨款支出合计 本年财政拨款支出
一般公共预算拨款 | money | 万元 | source |  |  | 一般公共预算拨款收入 一般公共预算拨款支出 一般公共预算财政拨款 一般公共预算财政拨款收入
    一般公共预算财政拨款支出 一般公共预算收入 一般公共预算支出 公共财政拨款 一般公共预算当年拨款
政府性基金预算拨款 | money | 万元 | source |  |  | 政府性基金预算拨款收入 政府性基金预算拨款支出 政府性基金拨款 政府性基金拨款收入 政府性基金拨款支出
    政府性基金预算财政拨款 政府性基金预算财政拨款收入 政府性基金预算财政拨款支出 政府性基金预算收入
    政府性基金预算支出 政府基金拨款
国有资本经营预算拨款 | money | 万元 | source |  |  | 国有资本经营预算拨款收入 国有资本经营预算财政拨款 国有资本经营预算财政拨款支出 国有资本经营预算收入 国有资本经营预算支出
事业收入 | money | 万元 | source |  |  | 事业收入预算
其他收入 | money | 万元 | source |  |  | 其他收入预算
上年结转 | money | 万元 | source |  |  | 上年结转结余 年初结转和结余 上年结转资金
年初预算 | money | 万元 | breakdown |  |  | 年初预算数 年初预算金额 年初批复预算
基本支出 | money | 万元 | breakdown |  |  | 基本支出合计 基本支出预算
项目支出 | money | 万元 | breakdown |  |  | 项目支出合计 项目支出预算
人员经费 | money | 万元 | breakdown |  |  | 人员支出 人员经费支出
公用经费 | money | 万元 | breakdown |  |  | 公用支出 日常公用经费 公用经费支出
工资福利支出 | money | 万元 | breakdown | 301 501 |  | 机关工资福利支出 人员工资福利支出
商品和服务支出 | money | 万元 | breakdown | 302 502 |  | 机关商品和服务支出
对个人和家庭的补助 | money | 万元 | breakdown | 303 509 |  | 对个人和家庭的补助支出 对个人和家庭补助
资本性支出 | money | 万元 | breakdown | 310 503 |  | 机关资本性支出
三公经费 | money | 万元 | item |  |  | 三公经费合计 三公经费支出 三公经费财政拨款支出 三公经费预算 三公经费决算
因公出国(境)费 | money | 万元 | item | 30212 |  | 因公出国(境)经费 因公出国费 因公出国(境)费用 因公出国
公务用车购置及运行费 | money | 万元 | item |  |  | 公务用车购置及运行维护费 公务用车购置费及运行维护费 公务用车购置和运行维护费 公务用车购置及运维费
    公务用车费 公务车购置及运行费 公务车购置及运行维护费
公务用车购置费 | money | 万元 | item | 31013 |  | 公务用车购置
公务用车运行维护费 | money | 万元 | item | 30231 |  | 公务用车运行费 公务用车运维费 公务用车运行维护 公务车运行费 公务车运行维护费
公务接待费 | money | 万元 | item | 30217 |  | 公务接待费用 公务接待支出
机关运行经费 | money | 万元 | item |  |  | 机关运行费 单位运行经费 财政拨款运行经费 拨款运行经费 机关（单位）运行经费
会议费 | money | 万元 | item | 30215 |  | 会议费用
培训费 | money | 万元 | item | 30216 |  | 培训费用
政府采购 | money | 万元 | item |  |  | 政府采购预算 政府采购预算总额 政府采购支出总额 政府采购总额 政府采购支出 政府采购金额
政府采购货物 | money | 万元 | item |  |  | 政府采购货物预算 政府采购货物支出 货物类 采购货物支出 货物类政府采购 货物类政府采购支出 货物类政府采购预算 货物类采购 货物采购金额 货物采购
政府采购服务 | money | 万元 | item |  |  | 政府采购服务预算 政府采购服务支出 服务类 采购服务支出 服务类政府采购 服务类政府采购支出 服务类政府采购预算 服务类采购 服务采购金额 服务采购
政府采购工程 | money | 万元 | item |  |  | 政府采购工程预算 政府采购工程支出 工程类 采购工程支出 工程类政府采购 工程类政府采购支出 工程类政府采购预算 工程类采购 工程采购金额 工程采购
项目经费 | money | 万元 | item |  |  | 项目资金 资金总额 全年安排资金 本年度资金安排 项目经费共计 安排资金 项目资金总额 年度资金总额 计划安排资金
固定资产 | money | 万元 | breakdown |  |  | 固定资产合计 固定资产总额 固定资产原值
一般公共服务支出 | money | 万元 | item | 201 |  | 一般公共服务
外交支出 | money | 万元 | item | 202 |  |
国防支出 | money | 万元 | item | 203 |  |
公共安全支出 | money | 万元 | item | 204 |  |
教育支出 | money | 万元 | item | 205 |  |
科学技术支出 | money | 万元 | item | 206 |  |
文化旅游体育与传媒支出 | money | 万元 | item | 207 |  | 文化体育与传媒支出
社会保障和就业支出 | money | 万元 | item | 208 |  | 社会保障与就业支出
卫生健康支出 | money | 万元 | item | 210 |  | 医疗卫生与计划生育支出
节能环保支出 | money | 万元 | item | 211 |  |
城乡社区支出 | money | 万元 | item | 212 |  |
农林水支出 | money | 万元 | item | 213 |  |
交通运输支出 | money | 万元 | item | 214 |  |
资源勘探工业信息等支出 | money | 万元 | item | 215 |  | 资源勘探信息等支出
商业服务业等支出 | money | 万元 | item | 216 |  |
金融支出 | money | 万元 | item | 217 |  |
自然资源海洋气象等支出 | money | 万元 | item | 220 |  | 国土海洋气象等支出
住房保障支出 | money | 万元 | item | 221 |  |
粮油物资储备支出 | money | 万元 | item | 222 |  |
灾害防治及应急管理支出 | money | 万元 | item | 224 |  |
人员编制 | count | 人 | item |  | 人 名 个 | 编制 编制人数 核定编制 编制数 人员编制数 行政编制 事业编制
实有人数 | count | 人 | item |  | 人 名 | 实有人员 实有在职人员 实有人数合计
在职人数 | count | 人 | item |  | 人 名 | 在职人员 在职在编职工 在职在编人员 在职职工 在职工作人员 在编人员
退休人数 | count | 人 | item |  | 人 名 | 退休人员 =退休 退休职工
劳务派遣人数 | count | 人 | item |  | 人 名 | 劳务派遣人员 劳务派遣
工作人员 | count | 人 | item |  | 人 名 位 | 中心工作人员 窗口工作人员 大厅工作人员
大厅面积 | area | 平方米 | item |  |  | 实有面积 建筑面积 办公面积 服务大厅面积 政务服务大厅面积 =面积
进驻部门 | count | 个 | item |  | 个 家 | 入驻部门 进驻单位 入驻单位 进驻政务服务部门 入驻政务服务部门 进驻大厅部门
窗口数量 | count | 个 | item |  | 个 | 办事窗口 服务窗口 办事服务窗口 窗口数 综合窗口 设置窗口
政务服务事项 | count | 项 | item |  | 项 个 条 | 政务服务事项数 承接政务服务事项
办件量 | count | 件 | item |  | 件 万件 笔 | 受理办理业务 年办件量 受理业务 办理业务 受理件数 办件数 受理政务服务事项数 受理政务服务事项
    受理各类政务服务事项 办件
办结量 | count | 件 | item |  | 件 万件 | 办结件数 =办结
办结率 | rate | % | item |  |  | 按时办结率 按期办结率 办结率
满意率 | rate | % | item |  |  | 满意度 群众满意率 群众满意度 回访满意率 办事群众满意率 社会公众满意度
好评率 | rate | % | item |  |  | 好评
绩效得分 | score | 分 | item |  |  | 自评综合得分 综合得分 绩效自评综合得分 综合评价得分 评价得分 自评得分 得分
公务接待批次 | count | 批次 | item |  | 批次 批 次 | 接待批次 公务接待批次
公务接待人次 | count | 人次 | item |  | 人次 | 接待人次 公务接待人次
公务用车数量 | count | 辆 | item |  | 辆 | 公务用车保有量 公务用车 公务车 车辆 一般公务用车 车辆数
"""


def _parse_table(table: str) -> tuple[Metric, ...]:
    """The metric table above as records; the key is always a synonym of itself."""
    rows: list[list[str]] = []
    for line in table.strip("\n").splitlines():
        if line.startswith(" "):
            rows[-1][-1] += " " + line.strip()
        else:
            rows.append([field.strip() for field in line.split("|")])
    return tuple(
        Metric(
            key,
            kind,
            unit,
            (key, *synonyms.split()),
            tuple(codes.split()),
            _TIERS[tier],
            tuple(units.split()),
        )
        for key, kind, unit, tier, codes, units, synonyms in rows
    )


METRICS: tuple[Metric, ...] = _parse_table(_TABLE)

_SUFFIX_OF_ORGANISATION = re.compile(
    r"(厅|局|委|中心|办公室|办|院|会|所|站|队|部|室|处|科|单位|本级|部门)$"
)
_FILLERS = re.compile(
    r"(本年度|本年|全年|年度|本部门|本单位|我单位|我局|本局|部门|单位|全部为|合计|其中|"
    r"预算数|决算数|年初|预算|决算|总计|共计|共|为|是)"
)
_QUOTES = re.compile(r"[\s“”\"'‘’「」『』《》〈〉]")


def normalise(phrase: str) -> str:
    """NFKC (full-width brackets, digits and % to ASCII), with spaces and quotes removed."""
    return _QUOTES.sub("", unicodedata.normalize("NFKC", phrase))


def strip_fillers(phrase: str) -> str:
    """A normalised phrase without years and filler words (本年, 本部门, 预算数, 为 …)."""
    return _FILLERS.sub("", re.sub(r"(19|20)\d{2}年?度?", "", normalise(phrase)))


@lru_cache(maxsize=1)
def _synonym_index() -> tuple[tuple[str, bool, Metric], ...]:
    """(normalised synonym, exact-only, metric), longest synonyms first."""
    entries = []
    for metric in METRICS:
        for synonym in metric.synonyms:
            exact = synonym.startswith("=")
            entries.append((normalise(synonym.lstrip("=")), exact, metric))
    return tuple(sorted(entries, key=lambda entry: -len(entry[0])))


def unit_kind(unit: str) -> str:
    """The kind a unit measures: money / rate / area / score / duration / count ('' if unknown)."""
    for kind, units in (
        ("money", MONEY_UNITS),
        ("rate", RATE_UNITS),
        ("area", AREA_UNITS),
        ("score", SCORE_UNITS),
        ("duration", DURATION_UNITS),
        ("count", COUNT_UNITS),
    ):
        if unit in units:
            return kind
    return ""


def _fits_unit(metric: Metric, unit: str | None) -> bool:
    if not unit:
        return True
    if unit_kind(unit) != metric.kind:
        return False
    return not metric.units or unit in metric.units


def _total_prefix_ok(prefix: str) -> bool:
    """A grand total may only be qualified by fillers or the unit's own name (not '其他资金收入')."""
    rest = strip_fillers(prefix)
    return not rest or bool(_SUFFIX_OF_ORGANISATION.search(rest))


@lru_cache(maxsize=65536)
def match_metric(phrase: str, unit: str | None = None) -> str:
    """The canonical key a phrase as written names, or '' when none fits.

    The most specific tier wins, then the synonym ending last (Chinese heads come last:
    一般公共预算财政拨款运行经费 is 运行经费), then the longest. A synonym right after 其他 does not count
    (其他工资福利支出 is not 工资福利支出). With `unit`, only metrics measured in that unit's kind count.
    """
    text = _last_classification_level(normalise(phrase))
    if not text:
        return ""
    best: tuple[int, int, int] | None = None
    best_key = ""
    for synonym, exact, metric in _synonym_index():
        if not _fits_unit(metric, unit):
            continue
        for position in _occurrences(text, synonym, exact):
            if _qualified(text, position, synonym):
                continue
            if metric.tier == TIER_TOTAL and not _total_prefix_ok(text[:position]):
                continue
            rank = (metric.tier, position + len(synonym), len(synonym))
            if best is None or rank > best:
                best, best_key = rank, metric.key
    return best_key


_SUBSET_QUALIFIERS = ("其他", "其余", "在用", "出租", "非")
# '面向中小企业预留的政府采购项目预算': a share set aside for someone, not the whole.
_SET_ASIDE = re.compile(r"(预留|面向|涉及)[^,;:。]{0,15}$")


def _qualified(text: str, position: int, synonym: str) -> bool:
    """A synonym right after 其他 / 在用 … names a subset or the rest, not the metric itself."""
    before = text[:position]
    return bool(_SET_ASIDE.search(before)) or any(
        before.endswith(qualifier) and not synonym.startswith(qualifier)
        for qualifier in _SUBSET_QUALIFIERS
    )


_CLASSIFICATION_MARK = re.compile(r"\((?:类|款|项)\)")


def _last_classification_level(text: str) -> str:
    """'政协事务(款)行政运行(项)' names 行政运行; one mark inside a name ('社会保障和就业(类)支出') is dropped.

    Words after the last of several marks are the level's head noun ('法院(款)行政运行(项)支出'
    is 行政运行's 支出): a generic head is dropped so it is never read as a grand total.
    """
    marks = list(_CLASSIFICATION_MARK.finditer(text))
    if len(marks) < 2:
        return _CLASSIFICATION_MARK.sub("", text)
    last = marks[-1]
    named = text[marks[-2].end() : last.start()]
    trailing = text[last.end() :]
    if not trailing or is_generic_head(trailing):
        return named
    return named + trailing


_GENERIC_HEADS = re.compile(r"(支出|收入|经费|资金|费用|金额|拨款|安排|情况|小计|汇总|数额?|的)")


def is_generic_head(words: str) -> bool:
    """True when words are only a generic head noun and fillers ('支出', '预算支出', '经费').

    Such a head after a specific qualifier names the qualifier's money, never the grand total.
    """
    return not _GENERIC_HEADS.sub("", strip_fillers(words))


def _occurrences(text: str, synonym: str, exact: bool) -> list[int]:
    if exact:
        return [0] if text == synonym or strip_fillers(text) == synonym else []
    positions, position = [], text.find(synonym)
    while position >= 0:
        positions.append(position)
        position = text.find(synonym, position + 1)
    return positions


@cache
def metric_by_key(key: str) -> Metric | None:
    """The vocabulary entry of a canonical key."""
    return next((metric for metric in METRICS if metric.key == key), None)


def metric_for_code(code: str | None) -> str:
    """The canonical key of a 科目编码 when the vocabulary knows exactly that code, else ''."""
    if not code:
        return ""
    for metric in METRICS:
        if code in metric.codes:
            return metric.key
    return ""
