"""Offline question understanding: localities, years, metrics, scope and operation as `Slots`.

Deterministic and dictionary-driven: metric words come from the fiscal vocabulary of ingestion
(`ingest.vocab`) plus the shorter words people use when asking; localities come from the stored
documents, and unknown places are recognised with the same gazetteer ingestion uses.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from assistant.catalog import Catalog
from assistant.types import Slots
from ingest.describe.locality import place_chains
from ingest.describe.unit import find_units as unit_mentions
from ingest.vocab import METRICS, metric_by_key

# Words people ask with that disclosures rarely print; value = canonical metric key.
ASKED_WORDS: dict[str, str] = {
    "三公": "三公经费", "接待费": "公务接待费", "公务接待": "公务接待费", "出国费": "因公出国(境)费",
    "出国经费": "因公出国(境)费", "公车": "公务用车购置及运行费", "车辆购置": "公务用车购置费",
    "车辆运行": "公务用车运行维护费", "窗口": "窗口数量", "窗口数": "窗口数量", "编制": "人员编制",
    "编制数": "人员编制", "实有人员": "实有人数", "在职": "在职人数", "退休": "退休人数", "劳务派遣": "劳务派遣人数",
    "总支出": "支出合计", "支出总额": "支出合计", "总收入": "收入合计", "收入总额": "收入合计",
    "预算总额": "支出合计", "总预算": "支出合计", "面积": "大厅面积", "进驻单位": "进驻部门", "入驻部门": "进驻部门",
    "事项": "政务服务事项", "办件": "办件量", "业务量": "办件量", "满意度": "满意率", "得分": "绩效得分",
    "评分": "绩效得分", "自评得分": "绩效得分", "运行经费": "机关运行经费", "采购": "政府采购",
    "人员经费": "人员经费", "公用经费": "公用经费", "项目经费": "项目经费", "项目资金": "项目经费",
    "工作人员": "工作人员", "人员": "实有人数", "实有": "实有人数", "批次": "公务接待批次",
    "人次": "公务接待人次",
}
# A metric word inside a longer name of money ('窗口服务经费') names a project's funds, not the count.
_FUNDS_AFTER = re.compile(r"^[^占和与及的比较、，,\s\d]{0,4}?(?:经费|资金)")

_OPERATIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("change", re.compile(r"增加|减少|变化|增长|下降|增幅|降幅|涨|比上年|较上年|同比|变动")),
    ("share", re.compile(r"占比|比例|占.{0,12}(?:多少|百分之|比重|几成)|百分之几|比重")),
    ("rank", re.compile(r"最高|最多|最大|最低|最少|最小|排名|排序|排行|前[一二三四五六七八九十\d]+|从高到低|从低到高|哪个.{0,10}最")),
    ("total", re.compile(r"合计|总共|一共|加起来|总和|累计|共计")),
    ("average", re.compile(r"平均")),
    ("compare", re.compile(r"对比|比较|分别|各地|各个|各区县|哪些地方|每个")),
)
_ASCENDING = re.compile(r"最低|最少|最小|从低到高|升序")
_TOP = re.compile(r"前\s*([一二三四五六七八九十\d]+)")
_WHY = re.compile(r"为什么|为何|原因|怎么回事|哪些措施|做了什么|做了哪些|主要用于|用途|用于|用来|介绍|职责|"
                  r"内容|是什么|干什么|如何|怎样|哪些工作|目标是|依据")
_ALL_PLACES = re.compile(r"各地|哪个地方|哪个地区|哪里|哪个区县|哪个单位|所有地区|全部地区|各区县|哪些地方|每个地方")
_YEAR = re.compile(r"(20\d{2}|19\d{2})\s*年?")
_YEAR_RANGE = re.compile(r"(20\d{2})\s*(?:年)?\s*(?:-|—|–|~|～|至|到)\s*(20\d{2})")
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


@lru_cache(maxsize=1)
def metric_lexicon() -> tuple[tuple[str, str], ...]:
    """(word, metric key) pairs, longest word first."""
    pairs: dict[str, str] = {}
    for metric in METRICS:
        for synonym in (metric.key, *metric.synonyms):
            word = synonym.lstrip("=")
            if len(word) >= 2 and word not in ("收入", "支出"):
                pairs.setdefault(_fold(word), metric.key)
    for word, key in ASKED_WORDS.items():
        pairs.setdefault(_fold(word), key)
    return tuple(sorted(pairs.items(), key=lambda p: len(p[0]), reverse=True))


def _is_count(key: str) -> bool:
    metric = metric_by_key(key)
    return metric is not None and metric.kind != "money"


def metric_words(keys: tuple[str, ...]) -> tuple[str, ...]:
    """Every word of the lexicon naming one of `keys`."""
    return tuple(word for word, key in metric_lexicon() if key in keys)


def _fold(text: str) -> str:
    """Quotes and brackets as people type them vary: fold them away for matching."""
    return re.sub(r"[“”\"'‘’「」《》\s]", "", text).replace("（", "(").replace("）", ")")


def find_metrics(question: str) -> tuple[str, ...]:
    """Metric keys named in the question, in order, longest words first and without overlaps."""
    text = _fold(question)
    taken = [False] * len(text)
    found: list[tuple[int, str]] = []
    for word, key in metric_lexicon():
        for match in re.finditer(re.escape(word), text):
            if any(taken[match.start():match.end()]):
                continue
            taken[match.start():match.end()] = [True] * len(word)
            if _is_count(key) and (funds := _FUNDS_AFTER.match(text[match.end():])):
                taken[match.end():match.end() + funds.end()] = [True] * funds.end()
                key = "项目经费"
            found.append((match.start(), key))
    ordered: list[str] = []
    for _, key in sorted(found):
        if key not in ordered:
            ordered.append(key)
    return tuple(ordered)


def find_localities(question: str, catalog: Catalog) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Stored localities named in the question, and named places no document covers."""
    found: list[tuple[int, str]] = []
    spans: list[tuple[int, int]] = []
    forms = sorted(((form, loc.full) for loc in catalog.localities for form in loc.forms()),
                   key=lambda pair: len(pair[0]), reverse=True)
    for form, full in forms:
        for match in re.finditer(re.escape(form), question):
            if any(s < match.end() and match.start() < e for s, e in spans):
                continue
            spans.append((match.start(), match.end()))
            found.append((match.start(), full))
    unknown = []
    for chain in place_chains(question):
        start, end = chain[0].start, chain[-1].end
        if not any(s < end and start < e for s, e in spans):
            unknown.append(question[start:end])
    stored = tuple(dict.fromkeys(full for _, full in sorted(found)))
    return stored, tuple(unknown)


def find_units(
    question: str, catalog: Catalog, localities: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Stored issuing units the question names — by name, or by kind within a named place
    ('汨罗市政务服务中心' for 汨罗市人民政府政务服务中心) — and units no document is from, named in
    a stored place of several units ('江苏省财政厅' where only other 江苏省 units are stored)."""
    stored: list[str] = []
    unknown: list[str] = []
    for mention in unit_mentions(question):
        if not mention.has_place:
            continue
        named = [unit for _, unit, _ in catalog.units
                 if unit.endswith(mention.name) or mention.name.endswith(unit)]
        if not named and mention.kind:
            named = [unit for place, unit, kind in catalog.units
                     if kind == mention.kind and place in localities]
        if named:
            stored += named
        elif mention.kind and any(len(catalog.units_in(place)) > 1 for place in localities):
            # only where a place has several units is a name a choice among them; elsewhere it may
            # be a renamed unit or part of a project's name ('…政务服务中心运行保障维护专项经费')
            unknown.append(mention.name)
    return tuple(dict.fromkeys(stored)), tuple(dict.fromkeys(unknown))


def find_years(question: str, catalog: Catalog, context_year: int | None = None) -> tuple[int, ...]:
    """Years named in the question; 去年/上年/今年 are read against the context or the newest year."""
    if match := _YEAR_RANGE.search(question):
        first, last = sorted((int(match.group(1)), int(match.group(2))))
        return tuple(range(first, last + 1))
    years = [int(m.group(1)) for m in _YEAR.finditer(question)]
    anchor = context_year or (max(catalog.years) if catalog.years else None)
    if anchor and re.search(r"(?<![比较与同])(?:去年|上年|上一年)", question) and not years:
        years.append(anchor - 1)
    if anchor and re.search(r"今年|本年|当年", question) and not years:
        years.append(anchor)
    return tuple(dict.fromkeys(years))


def _operation(question: str, n_localities: int, n_metrics: int) -> str:
    for name, pattern in _OPERATIONS:
        if pattern.search(question):
            if name == "share" and n_metrics < 1:
                continue
            return name
    if n_localities > 1:
        return "compare"
    return "lookup"


def _top(question: str) -> int | None:
    match = _TOP.search(question)
    if not match:
        return 1 if re.search(r"最高|最多|最大|最低|最少|最小|哪个", question) else None
    value = match.group(1)
    return int(value) if value.isdigit() else _CN_DIGITS.get(value, 3)


def understand(question: str, catalog: Catalog, previous: Slots | None = None) -> Slots:
    """Slots of a question; a follow-up ("那柞水县呢?", "2022年呢?", "为什么?") reuses `previous`."""
    localities, unknown = find_localities(question, catalog)
    context_year = previous.years[-1] if previous and previous.years else None
    years = find_years(question, catalog, context_year)
    metrics = find_metrics(question)
    units, unknown_units = find_units(question, catalog, localities)
    scope = "决算" if "决算" in question else "预算" if "预算" in question else ""
    all_localities = bool(_ALL_PLACES.search(question))
    operation = _operation(question, len(localities), len(metrics))
    if operation == "share" and len(metrics) == 1:
        metrics = (*metrics, "支出合计") if metrics[0] != "支出合计" else metrics
    slots = Slots(
        localities=localities, years=years, metrics=metrics, scope=scope, operation=operation,
        order="asc" if _ASCENDING.search(question) else "desc", top=_top(question),
        why=bool(_WHY.search(question)) and operation in ("lookup", "change"),
        unknown_places=unknown, all_localities=all_localities, units=units,
        unknown_units=unknown_units,
    )
    if previous is not None and _is_follow_up(question, slots):
        slots = _carry_over(slots, previous, question)
    return slots


def _is_follow_up(question: str, slots: Slots) -> bool:
    short = len(re.sub(r"[\s?？!！。,，]", "", question)) <= 12
    return short or not slots.metrics or bool(re.match(r"^(那|那么|再|还有|换成|改成)", question.strip()))


def _carry_over(slots: Slots, previous: Slots, question: str) -> Slots:
    """Fill what a follow-up leaves out from the previous question."""
    reorder = bool(re.search(r"排|从高到低|从低到高", question))
    return replace(
        slots,
        localities=slots.localities or (() if slots.all_localities else previous.localities),
        units=slots.units or (() if slots.localities or slots.all_localities else previous.units),
        years=slots.years or previous.years,
        metrics=slots.metrics or previous.metrics,
        scope=slots.scope or previous.scope,
        operation=slots.operation if slots.operation != "lookup" or reorder else (
            previous.operation if not slots.localities else "lookup"),
        all_localities=slots.all_localities or (previous.all_localities and not slots.localities),
        why=slots.why or bool(re.search(r"为什么|原因|为何", question)),
        top=slots.top if reorder or slots.operation == "rank" else previous.top,
    )
