"""Offline question understanding: what a question names and asks, as `Slots`.

The question is read against the catalog of what is stored: years ('19年', '二〇一九年',
'2017到2019年'), places, issuing units by any alias, and items (科目编码, vocabulary metrics,
stored row labels). Every source proposes spans; the longest span wins wherever two overlap
('其他政协事务支出' is an item, not the unit 政协; '江苏省高院' a unit, not the place 江苏省). What is
left is read for typos, for unit names no stored unit answers to, and for places no document is
of. The operation, scope and ranking order come from the question's wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise

from assistant.catalog import Catalog
from assistant.linking import EXCLUDED, Term, leftover_runs, link
from assistant.types import Item, Slots
from assistant.units import find_units
from ingest.catalog import label_stem
from ingest.describe.locality import place_chains
from ingest.vocab import METRICS, match_metric, metric_by_key

# Words people ask with that disclosures rarely print; value = canonical metric key.
ASKED_WORDS: dict[str, str] = {
    "三公": "三公经费", "接待费": "公务接待费", "公务接待": "公务接待费", "出国费": "因公出国(境)费",
    "出国经费": "因公出国(境)费", "出国": "因公出国(境)费", "公车": "公务用车购置及运行费",
    "车辆购置": "公务用车购置费", "车辆运行": "公务用车运行维护费", "窗口": "窗口数量", "窗口数": "窗口数量",
    "编制": "人员编制", "编制数": "人员编制", "实有人员": "实有人数", "在职": "在职人数", "退休": "退休人数",
    "劳务派遣": "劳务派遣人数", "总支出": "支出合计", "支出总额": "支出合计", "总收入": "收入合计",
    "收入总额": "收入合计", "全部支出": "支出合计", "一般公共预算": "一般公共预算拨款",
    "所有支出": "支出合计", "全部收入": "收入合计", "预算总额": "支出合计", "总预算": "支出合计", "面积": "大厅面积",
    "进驻单位": "进驻部门", "入驻部门": "进驻部门", "事项": "政务服务事项", "办件": "办件量", "业务量": "办件量",
    "满意度": "满意率", "得分": "绩效得分", "评分": "绩效得分", "自评得分": "绩效得分",
    "打分": "绩效得分", "打了几分": "绩效得分", "打几分": "绩效得分", "得了几分": "绩效得分", "多少分": "绩效得分", "运行经费": "机关运行经费",
    "采购": "政府采购", "人员经费": "人员经费", "公用经费": "公用经费", "项目经费": "项目经费",
    "项目资金": "项目经费", "工作人员": "工作人员", "人员": "实有人数", "实有": "实有人数",
    "批次": "公务接待批次", "人次": "公务接待人次", "开会": "会议费", "会议": "会议费", "出差": "差旅费",
    "培训": "培训费", "招待": "公务接待费", "几辆车": "公务用车数量", "车": "公务用车数量",
}
# A metric word inside a longer name of money ('窗口服务经费') names a project's funds, not the count.
_FUNDS_AFTER = re.compile(r"^[^占和与及的比较、，,\s\d]{0,4}?(?:经费|资金)")

_OPERATIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("share", re.compile(r"占比|比例|占.{0,12}(?:多少|百分之|比重|几成|几|%)|百分之几|比重|几成")),
    ("compare", re.compile(r"哪个多|哪个少|哪个高|谁多|谁少|谁高|谁的.{0,8}(?:多|高|少)|哪家.{0,6}(?:多|高)|"
                           r"(?<![增减])多多少|(?<![减缺])少多少|(?<![增减])多几|(?<![减缺])少几|高多少|差多少|差了多少|相差|差距|几倍|多少倍|是.{1,12}的几")),
    ("change", re.compile(r"增加|减少|变化|增长|下降|增幅|降幅|涨|降|比上年|较上年|同比|变动|多了|少了|"
                          r"比\s*(?:19|20)?\d{2}\s*年|比年初|比预算|"
                          r"(?:跟|和|与|同)\s*(?:上年|去年|上一年|(?:19|20)?\d{2}\s*年度?)\s*(?:预算数?|决算数?|执行数)?\s*"
                          r"(?:相比|比较|对比|比)")),
    ("rank", re.compile(r"最高|最多|最大|最低|最少|最小|排名|排序|排行|排一下|排个序|排个名|前[一二三四五六七八九十\d]+|"
                        r"从高到低|从低到高|从多到少|从少到多|哪个.{0,10}最|谁.{0,6}最")),
    ("total", re.compile(r"合计|总共|一共|加起来|总和|累计|共计|加在一起")),
    ("average", re.compile(r"平均")),
    ("compare", re.compile(r"对比|比较|分别|各地|各个|各区县|哪些地方|每个|每家")),
)
_RANKING = re.compile(r"最高|最多|最大|最低|最少|最小")
_ASCENDING = re.compile(r"最低|最少|最小|从低到高|从少到多|升序")
_TOP = re.compile(r"前\s*([一二三四五六七八九十\d]+)")
_WHY = re.compile(r"为什么|为何|原因|怎么回事|为啥|咋|怎么.{0,4}(?:涨|降|多|少|增|减|安排|用|花)|哪些措施|做了什么|做了哪些|"
                  r"主要用于|用途|用于|用来|干嘛|干什么|做什么|花在哪|用在哪|花哪|介绍|职责|内容|是什么|如何|怎样|哪些工作|目标是|依据")
_ALL_PLACES = re.compile(r"各地|哪个地方|哪个地区|哪里|哪个区县|哪个单位|哪个部门|哪家|所有地区|全部地区|各区县|"
                         r"哪些地方|每个地方|这几家|这几个|几家单位|各单位|各部门|五家|三家|两家|几个单位")
_FINAL = re.compile(r"决算|实际(?:花|支出|用|完成)|执行数|花了多少")
_BUDGET = re.compile(r"预算|年初|安排|计划")
_UNIT_SCOPE = re.compile(r"单位预算|单位决算|本级")
_LEVEL_WORD = re.compile(r"([省市区县])(?:里|级|直|内)|全([省市区县])")
_UNIT_COUNT = re.compile(r"([两二三四五六七八九十\d]+)\s*(?:家|个单位|个部门)")
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_CN_YEAR_DIGITS = {"〇": "0", "零": "0", "○": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5",
                   "六": "6", "七": "7", "八": "8", "九": "9"}
_YEAR_TOKEN = r"(?:(?:19|20)\d{2}|\d{2})"
# A year is no digit run's tail: not after a digit, a decimal point or a thousands comma ('1,2019'),
# but after a comma of the sentence ('培训费,2019年…': clean_question makes '，' a ',').
_YEAR = re.compile(rf"(?<![\d.])(?<!\d,)({_YEAR_TOKEN})\s*(?:年度|年)")
_YEAR_RUN = re.compile(
    rf"(?<![\d.])(?<!\d,)({_YEAR_TOKEN})\s*年?\s*(?:[、，,和与及跟]\s*{_YEAR_TOKEN}\s*年?\s*)+[两三四五六七八九十]?\s*年")
_YEAR_RANGE = re.compile(rf"(?<![\d.])(?<!\d,)({_YEAR_TOKEN})\s*(?:年)?\s*(?:-|—|–|~|～|至|到)\s*({_YEAR_TOKEN})\s*年")
_BARE_YEAR = re.compile(r"(?<![\d.])(?<!\d,)((?:19|20)\d{2})(?![\d.,%])")
_CN_YEAR = re.compile(r"([〇零○一二三四五六七八九]{4})\s*年")
# Metrics that name a column of another item's figures ('年初预算是多少' after '住房公积金呢').
COLUMN_METRICS = ("年初预算",)
_BASE_YEAR = re.compile(rf"(?:比|较|跟|和|与)\s*{_YEAR_TOKEN}\s*年")
_RELATIVE_PREVIOUS = re.compile(r"(?<![比较与同跟和])(?:去年|上年|上一年)")


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    kind: str  # year | place | unit | item | excluded



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
    for word, key in list(pairs.items()):  # '项目钱' is how people say 项目经费 / 项目资金
        if (stem := re.sub(r"(?:经费|资金)$", "", word)) != word and len(stem) >= 2:
            pairs.setdefault(stem + "钱", key)
    return tuple(sorted(pairs.items(), key=lambda p: len(p[0]), reverse=True))


def metric_words(keys: tuple[str, ...]) -> tuple[str, ...]:
    """Every word of the lexicon naming one of `keys`."""
    return tuple(word for word, key in metric_lexicon() if key in keys)


def _fold(text: str) -> str:
    """Quotes and brackets as people type them vary: fold them away for matching."""
    return re.sub(r"[“”\"'‘’「」《》\s]", "", text).replace("（", "(").replace("）", ")")


def year_of(token: str) -> int:
    """'2019' → 2019; '19' → 2019; '98' → 1998."""
    value = int(token)
    if len(token) == 4:
        return value
    return 2000 + value if value <= 49 else 1900 + value


def find_years(question: str, catalog: Catalog, context_year: int | None = None
               ) -> tuple[tuple[int, ...], list[tuple[int, int]]]:
    """Years named in the question and their spans; 去年/上年/今年 are read against the context
    or the newest year."""
    text = _CN_YEAR.sub(lambda m: "".join(_CN_YEAR_DIGITS[c] for c in m.group(1)) + "年", question)
    years: list[int] = []
    spans: list[tuple[int, int]] = []
    for match in _YEAR_RANGE.finditer(text):
        first, last = sorted((year_of(match.group(1)), year_of(match.group(2))))
        if last - first <= 20:
            years += range(first, last + 1)
            spans.append(match.span())
    for match in _YEAR_RUN.finditer(text):
        if not _overlaps(match.span(), spans):
            years += [year_of(t) for t in re.findall(_YEAR_TOKEN, match.group())]
            spans.append(match.span())
    for pattern in (_YEAR, _BARE_YEAR):
        for match in pattern.finditer(text):
            if not _overlaps(match.span(), spans) and 1990 <= year_of(match.group(1)) <= 2049:
                years.append(year_of(match.group(1)))
                spans.append(match.span())
    anchor = context_year or (max(catalog.years) if catalog.years else None)
    if anchor and _RELATIVE_PREVIOUS.search(text) and not years:
        years.append(anchor - 1)
    if anchor and re.search(r"今年|本年|当年", text) and not years:
        years.append(anchor)
    return tuple(dict.fromkeys(years)), spans


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(s < span[1] and span[0] < e for s, e in spans)


def _place_spans(question: str, catalog: Catalog) -> list[tuple[int, int, str]]:
    """(start, end, full name) of every stored locality's written form in the question."""
    found = []
    for loc in catalog.localities:
        for form in loc.forms():
            for match in re.finditer(re.escape(form), question):
                found.append((match.start(), match.end(), loc.full))
    return found


def _unknown_places(question: str, stored: list[tuple[int, int, str]]
                    ) -> tuple[tuple[str, ...], list[tuple[int, int, str]]]:
    """Places named that no document is of — a chain of place names whose deepest name is not
    stored ('上海市浦东新区' where only 上海市 is) — and the stored places' spans not inside one."""
    unknown = []
    kept = list(stored)
    for chain in place_chains(question):
        start, end = chain[0].start, chain[-1].end
        inside = [m for m in stored if start <= m[0] and m[1] <= end]
        if max((m[1] for m in inside), default=-1) < end:
            unknown.append(question[start:end])
            kept = [m for m in kept if m not in inside]
    return tuple(unknown), kept


_CHANGE_RATE = re.compile(r"(?:增长|增加|减少|下降|涨|降|变化)了?(?:百分之几|多少个?百分点|几个百分点|百分之多少|多少%)")


def _operation(question: str, n_places: int, n_items: int) -> str:
    if _CHANGE_RATE.search(question) and "占" not in question:  # '增长了百分之几' is a change, not a share
        return "change"
    for name, pattern in _OPERATIONS:
        if match := pattern.search(question):
            if name == "share" and n_items < 1:
                continue
            if name == "total" and "其中" in question[match.end():]:
                continue  # '一共有几辆车？其中执法执勤用车几辆': the total and a part of it, no sum
            if name == "compare" and _RANKING.search(question):
                return "rank"  # '最多的是哪家？比最少的那家多多少': a ranking and the gap of its ends
            return name
    if n_places > 1:
        return "compare"
    return "lookup"


def _level(question: str) -> str:
    match = _LEVEL_WORD.search(question)
    return (match.group(1) or match.group(2)) if match else ""


def _unit_count(question: str) -> int | None:
    match = _UNIT_COUNT.search(question)
    if not match:
        return None
    value = match.group(1)
    return int(value) if value.isdigit() else _CN_DIGITS.get(value)


def _top(question: str) -> int | None:
    match = _TOP.search(question)
    if not match:
        return 1 if re.search(r"最高|最多|最大|最低|最少|最小|哪个|谁", question) else None
    value = match.group(1)
    return int(value) if value.isdigit() else _CN_DIGITS.get(value, 3)


def _scope(question: str) -> str:
    final, budget = _FINAL.search(question), _BUDGET.search(question)
    if final and not (budget and budget.start() < final.start() and "决算" not in question):
        return "决算"
    return "预算" if budget else ""


def _items(terms: tuple[Term, ...], catalog: Catalog) -> tuple[Item, ...]:
    """The items the terms name; a stem printed with one 科目编码 carries it, so the rows printed
    under another name of that code ('国内差旅费' for 差旅费) are the item's too."""
    return tuple(Item(t.text, tuple(sorted(t.stems)), t.metric,
                      t.code or (catalog.code_of(next(iter(t.stems))) if len(t.stems) == 1 and t.how in ("exact", "typo", "contraction") else ""),
                      t.how) for t in terms)


_INSIDE = re.compile(r"^(?:里的?|中的?|当中的?|之中的?|里面的?|的其中|其中的?)")


def _contained(question: str, items: tuple[Item, ...], terms: tuple[Term, ...]
               ) -> tuple[tuple[Item, ...], tuple[Item, ...]]:
    """'三公经费里公务接待费', '政府采购中的服务类': the item after 里/中 is asked, the one before
    it is what holds it (kept apart as `within`)."""
    containers = [i for i, (a, b) in enumerate(pairwise(terms))
                  if _INSIDE.match(question[a.end:b.start].strip())]
    if not containers:
        return items, ()
    return (tuple(item for i, item in enumerate(items) if i not in containers),
            tuple(items[i] for i in containers))


_JOINED = re.compile(r"^\s*(?:和|与|及|以及|跟|同|、|，|,|加上?|\+|还有)?\s*$")


def _enumerated(question: str, terms: tuple[Term, ...]) -> bool:
    """Whether the items are listed ('三公经费、会议费和培训费'), not one word standing beside another."""
    return all(_JOINED.match(question[a.end:b.start]) for a, b in pairwise(terms))


_VEHICLES_COUNTED = re.compile(r"几辆|多少辆|辆")


def _counted_metric(question: str, term: Term) -> Term:
    """A count metric's word inside a name of money ('窗口服务经费') names a project's funds;
    '公车' asked in 辆 is the vehicles, not their money."""
    entry = metric_by_key(term.metric)
    if entry is not None and entry.kind != "money" and _FUNDS_AFTER.match(question[term.end:]):
        return replace(term, metric="项目经费")
    if term.metric.startswith("公务用车") and _VEHICLES_COUNTED.search(question):
        return replace(term, metric="公务用车数量", stems=term.stems | {"公务用车数量"})
    return term


def understand(question: str, catalog: Catalog, previous: Slots | None = None) -> Slots:
    """Slots of a question; a follow-up ("那检察院呢?", "2018年呢?", "为什么?") reuses `previous`."""
    context_year = previous.years[-1] if previous and previous.years else None
    years, year_spans = find_years(question, catalog, context_year)
    place_matches = _place_spans(question, catalog)
    unknown_places, place_matches = _unknown_places(question, place_matches)
    chains = [(c[0].start, c[-1].end) for c in place_chains(question)]
    unknown_spans = [span for span in chains if question[span[0]:span[1]] in unknown_places]
    item_spans = [(t.start, t.end) for t in link(question, catalog, year_spans, metric_lexicon(),
                                                similar=False).terms]
    asked_units = find_units(question, catalog, [m[2] for m in place_matches], taken=year_spans,
                             places=[(s, e) for s, e, _ in place_matches] + chains,
                             unknown_places=unknown_spans, items=item_spans)
    spans = [_Span(s, e, "year") for s, e in year_spans]
    spans += [_Span(s, e, "unit") for s, e in asked_units.spans]
    # places inside a unit's alias are the unit's; elsewhere the longest form wins
    for start, end, _ in sorted(place_matches, key=lambda m: m[0] - m[1]):
        if not _overlaps((start, end), [(s.start, s.end) for s in spans]):
            spans.append(_Span(start, end, "place"))
    spans += [_Span(m.start(), m.end(), "excluded") for m in EXCLUDED.finditer(question)]
    linked = link(question, catalog, [(s.start, s.end) for s in spans], metric_lexicon())
    terms = tuple(_counted_metric(question, t) for t in linked.terms)
    localities = tuple(dict.fromkeys(
        full for start, end, full in sorted(place_matches)
        if any(s.kind == "place" and (s.start, s.end) == (start, end) for s in spans)))
    unknown_places = tuple(p for p in unknown_places
                           if not any(p in question[t.start:t.end] for t in terms))
    unknown_units = tuple(u for u in asked_units.unknown
                          if not any(u in question[t.start:t.end] for t in terms))
    units = _with_places_own_unit(asked_units.units, localities, catalog)
    items, within = _contained(question, _items(terms, catalog), terms)
    operation = _operation(question, len(units) or len(localities), len(items))
    if _FINAL.search(question) and len(items) > 1 and any(i.metric in COLUMN_METRICS for i in items) and (
            operation in ("compare", "change")):  # '行政运行年初预算和决算差了多少': one item's two columns
        items, operation = tuple(i for i in items if i.metric not in COLUMN_METRICS), "change"
    if operation == "total" and len(items) > 1 and len(years) <= 1 and not _enumerated(question, terms):
        operation = "lookup"  # '房屋一共多大面积': a total of one thing, not a sum of the words named
    both_ends = bool(re.search(r"最高|最多|最大", question) and re.search(r"最低|最少|最小", question))
    slots = Slots(
        localities=localities, years=years, metrics=tuple(dict.fromkeys(t.metric for t in terms if t.metric)),
        scope=_scope(question), operation=operation,
        order="asc" if _ASCENDING.search(question) and not both_ends else "desc",
        top=-1 if both_ends else _top(question),
        why=bool(_WHY.search(question)), unknown_places=unknown_places,
        all_localities=bool(_ALL_PLACES.search(question)), units=units,
        unknown_units=unknown_units, items=items, ambiguous_units=asked_units.ambiguous,
        missing_codes=linked.missing_codes, unit_scope="单位" if _UNIT_SCOPE.search(question) else "",
        within=within, level=_level(question), unit_count=_unit_count(question),
        unlinked=linked.leftover, closest=linked.closest,
    )
    if previous is not None and _is_follow_up(question, slots):
        # '其中食堂补助多少' names a part no stored row is called: not the whole asked before
        names_unstored = bool(re.match(r"^\s*其中", question) and not items and leftover_runs(question, catalog))
        slots = _carry_over(slots, previous, question, carry_items=not names_unstored)
    elif previous is not None:
        slots = _same_subject(slots, previous)
    return slots


def _with_places_own_unit(units: tuple[str, ...], localities: tuple[str, ...], catalog: Catalog) -> tuple[str, ...]:
    """'潼南政务中心比澄江政务大厅多几个': a place named beside a unit of another place, with one
    stored unit, stands for that unit."""
    if not units:
        return units
    held = {catalog.unit(u).locality for u in units if catalog.unit(u)}
    extra = []
    for place in localities:
        own = catalog.units_in(place)
        if len(own) == 1 and not any(h.startswith(place) for h in held):
            extra.append(own[0].id)
    return tuple(dict.fromkeys((*units, *extra)))


def _same_subject(slots: Slots, previous: Slots) -> Slots:
    """A new question of a conversation naming no unit, place or year asks of the previous ones."""
    if slots.units or slots.localities or slots.all_localities or slots.unknown_units or slots.unknown_places:
        return slots
    carried = ("unit",) if previous.units or previous.localities else ()
    carried += ("year",) if not slots.years and previous.years else ()
    return replace(slots, units=previous.units, localities=previous.localities,
                   years=slots.years or previous.years, carried=carried)


def _is_follow_up(question: str, slots: Slots) -> bool:
    short = len(re.sub(r"[\s?？!！。,，]", "", question)) <= 12
    return short or not slots.items or bool(re.match(r"^(那|那么|再|还有|换成|改成|其中|跟|和|与)", question.strip()))


def _parts_of(items: tuple[Item, ...], before: tuple[Item, ...]) -> tuple[tuple[Item, ...], tuple[Item, ...]]:
    """'政府采购预算多少 → 工程的有多少': a word the vocabulary names as a part of the item asked
    before (政府采购 + 工程 = 政府采购工程) is that part; returns the items and the wholes they are parts of."""
    found, wholes = [], []
    for item in items:
        whole = next((b for b in before if b.metric and item.how != "metric"), None)
        part = match_metric(whole.metric + label_stem(item.text)) if whole else ""
        if whole and part and part != whole.metric and part.startswith(whole.metric):
            item = Item(item.text, tuple(sorted({*item.stems, label_stem(part)})), part, item.code, "metric")
            wholes.append(whole)
        found.append(item)
    return tuple(found), tuple(dict.fromkeys(wholes))


def _carry_over(slots: Slots, previous: Slots, question: str, carry_items: bool = True) -> Slots:
    """Fill what a follow-up leaves out from the previous question; say what was carried."""
    reorder = bool(re.search(r"排|从高到低|从低到高", question))
    named_place = bool(slots.localities or slots.units or slots.all_localities)
    carried = []
    if not named_place and (previous.units or previous.localities):
        carried.append("unit")
    if not slots.years and previous.years:
        carried.append("year")
    column_only = bool(slots.items) and all(i.metric in COLUMN_METRICS for i in slots.items)
    carry_items = carry_items and (not slots.items or column_only) and bool(previous.items)
    if carry_items:
        carried.append("item")
    operation = slots.operation
    if operation == "lookup" and not reorder:
        operation = previous.operation if not named_place and previous.operation != "rank" else "lookup"
        if previous.operation == "rank" and not named_place:
            operation = "rank"
    if carry_items and _OPERATIONS[0][1].search(question):  # '占总数几成' of the part asked before
        operation = "share"
    items, wholes = (previous.items, previous.within if operation == "share" else ()) if carry_items else (
        _parts_of(slots.items, previous.items))
    years = slots.years or previous.years
    if slots.operation == "change" and len(slots.years) == 1 and len(previous.years) == 1 and _BASE_YEAR.search(question):
        years = tuple(sorted({*slots.years, *previous.years}))  # '比17年多了多少' of the 2018 figure asked before
        carried.append("year")
    return replace(
        slots,
        localities=slots.localities or (() if slots.units or slots.all_localities else previous.localities),
        units=slots.units or (() if slots.localities or slots.all_localities else previous.units),
        years=years,
        items=items,
        metrics=slots.metrics or (previous.metrics if not slots.items else ()),
        scope=slots.scope or previous.scope,
        operation=operation,
        all_localities=slots.all_localities or (previous.all_localities and not named_place),
        why=slots.why or bool(re.search(r"为什么|原因|为何|为啥", question)),
        top=slots.top if reorder or slots.operation == "rank" else previous.top,
        level=slots.level or (previous.level if not named_place else ""),
        unit_count=slots.unit_count or (previous.unit_count if not named_place else None),
        carried=tuple(carried),
        within=slots.within or wholes or (previous.items if re.match(r"^\s*其中", question) else ()),
    )
