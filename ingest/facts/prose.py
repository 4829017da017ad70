"""Figures stated in sentences: '2023 年本部门预算收入 159.89 万元，较上年增加 46.78 万元'.

Each number with a unit is read with the clause before it (back to the last comma, colon or open
bracket, never past the previous figure). The clause gives the measure (a change after 增加/减少,
a share after 占, a completion after 完成预算的), the subject (the metric words) and the scope.
A clause without its own subject ('支出决算为4.5万元', '比2017年增加…') takes the subject of the
sentence's previous figure, then a label before a colon, then the item heading above the sentence;
a sentence opening with a comparison ('与上年决算数相比减少0.45万元') continues the subject of the
sentence before it in the same paragraph.

Changes are signed: a decrease (减少/下降/降低 …) is stored negative while `text` keeps the number
as printed, so `parse_number(fact.text) == -fact.value` for decreases.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from gongkai.types import Document, Fact, Table
from ingest.facts.clauses import (
    ASIDE,
    CLOSING,
    EXPLICIT,
    OPENING,
    clean_subject,
    dated,
    inside_brackets,
    is_generic,
    measure_of,
    squeeze,
)
from ingest.facts.sentences import ENUMERATOR, Sentence, cell_sentences, split_sentences
from ingest.facts.units import (
    is_money,
    is_prior_year_subject,
    read_unit,
    scope_in,
    scope_of_document,
    year_of_figure,
)
from ingest.numbers import ParsedNumber, find_numbers, to_yuan
from ingest.vocab import (
    TIER_TOTAL,
    match_metric,
    metric_by_key,
    normalise,
    strip_fillers,
    unit_kind,
)

_CLAUSE_DELIMITERS = "，,；;：:|\t。！？"
_CODE = re.compile(r"[（(]\s*(\d{3,7})\s*[）)]\s*$")
# Conditions and scoring rules ('低于上期90%，扣3分'), rates per unit and ordinals are no figures.
_REFUSE_BEFORE = re.compile(
    r"扣|低于|高于|超过|超出|不少于|少于|不足|未达到|未到达|(每|第)[^，,、；;]{0,4}$"
)
_RANGE_END = re.compile(r"\d\s*[-~～—至到]\s*$")
_CLASSIFIERS = frozenset("个家名位项件辆台套条批次场处所座间本张份部册篇期户笔类")
_FOLLOWING_NOUN = re.compile(r"[一-龥A-Za-z]{1,10}")
_NOUN_STOP = re.compile(r"[的都均已将在并和及与等为是]")
_FLOW_VERBS = re.compile(
    r"调出|调入|新增|减少|增加|招聘|招录|评选|表彰|选派|培训|抽查|回访|退出|离开|购置|购买|采购"
)
_COMPOUND_UNITS = ("批次", "人次")
_ORGANISATION = re.compile(r"俱乐部|办公室|中心|委员会|公司|学校|医院|局|所属|下属")
_BUDGET_METRIC = "年初预算"
_WORDS = re.compile(r"[一-龥A-Za-z]")
_SECTION_LABEL = re.compile(r"(情况|说明|概况|其中|包括|如下)$")
_OPENS_WITH_COMPARISON = re.compile(r"^\s*(?:与|比|较|同比|相比)")


@dataclass(frozen=True)
class _Subject:
    raw: str  # metric words as written (spaces removed)
    metric: str
    scope: str
    code: str | None = None
    from_heading: bool = False  # the item heading above the sentence, not words of the sentence
    carried: str | None = None  # metric later clauses inherit when it differs ('…支出年初预算数')


def extract_prose_facts(doc: Document, tables: Sequence[Table]) -> list[Fact]:
    """Every figure stated in the document's sentences outside `tables`."""
    facts: list[Fact] = []
    before: tuple[int, _Subject | None] = (-1, None)  # end and last subject of the previous sentence
    for sentence in split_sentences(doc.text, tables) + cell_sentences(doc.text, tables):
        same_paragraph = 0 <= before[0] <= sentence.start and "\n" not in doc.text[before[0]:sentence.start]
        reader = _SentenceReader(doc, sentence, before[1] if same_paragraph else None)
        facts.extend(reader.read())
        before = (sentence.end, reader.main or reader.last)
    return facts


class _SentenceReader:
    """Reads one sentence's figures left to right, carrying the subject of the last value."""

    def __init__(self, doc: Document, sentence: Sentence, before: _Subject | None = None) -> None:
        self.doc = doc
        self.offset = sentence.start
        self.text = doc.text[sentence.start : sentence.end]
        # the previous sentence's subject, for a sentence that only compares it ('与上年…相比减少')
        self.before = before if _OPENS_WITH_COMPARISON.match(self.text) else None
        self.heading = sentence.heading
        self.last: _Subject | None = None  # subject of the previous value figure
        self.main: _Subject | None = None  # … of the previous one outside brackets
        self.last_in_brackets = False
        self.floor = 0  # a clause never reaches back past the previous figure

    def read(self) -> list[Fact]:
        facts = []
        for number in find_numbers(self.text):
            fact = self._figure(number)
            if fact is not None:
                facts.append(fact)
        return facts

    def _figure(self, number: ParsedNumber) -> Fact | None:
        start, printed_end, unit, unit_end = self._number_and_unit(number)
        if not unit or self._refused(start):
            return None
        clause_start, label = self._clause(start)
        phrase = ASIDE.sub("", squeeze(self.text[clause_start:start]))
        code_match = _CODE.search(phrase)
        code = code_match.group(1) if code_match else None
        phrase = phrase[: code_match.start()] if code_match else phrase
        if _REFUSE_BEFORE.search(phrase):
            return None
        measure, negative, words = measure_of(phrase, unit)
        own = clean_subject(words)
        in_brackets = inside_brackets(self.text[:start])
        explicit = bool(own) and bool(EXPLICIT.search(words))
        subject = self._subject(measure, own, label, unit, unit_end, in_brackets, explicit)
        if subject is None or not _WORDS.search(subject.raw):
            return None
        if measure == "value":
            self.last, self.last_in_brackets = subject, in_brackets
            if not in_brackets:
                self.main = subject
        self.floor = unit_end
        value = -number.value if negative else number.value
        return self._fact(subject, measure, value, start, printed_end, unit, code or subject.code)

    def _number_and_unit(self, number: ParsedNumber) -> tuple[int, int, str, int]:
        """(start, end of the printed number, unit, end of the unit); unit '' when none fits."""
        if number.is_percent:
            printed = self.text[number.start : number.end].rstrip("%％ ")
            return number.start, number.start + len(printed), "%", number.end
        read = read_unit(self.text, number.end)
        if read is None or read.is_threshold:
            return number.start, number.end, "", number.end
        return number.start, number.end, read.unit, read.end

    def _refused(self, start: int) -> bool:
        """Numbers in titles (《…28条措施》), ordinals and range ends are not figures."""
        before = self.text[:start]
        if before.count("《") > before.count("》") or before.count("〔") > before.count("〕"):
            return True
        return bool(_RANGE_END.search(before) or before.rstrip().endswith("第"))

    def _clause(self, start: int) -> tuple[int, str]:
        """Where the clause holding the number begins, and the label before it if it opens after ':'."""
        depth, cursor = 0, start - 1
        while cursor >= self.floor:
            char = self.text[cursor]
            if char in CLOSING:
                depth += 1
            elif char in OPENING:
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and char in _CLAUSE_DELIMITERS:
                break
            cursor -= 1
        clause_start = max(cursor + 1, self.floor)
        label = ""
        if cursor >= self.floor and self.text[cursor] in "：:":
            label = self._label_before(cursor)
        return clause_start, label

    def _label_before(self, colon: int) -> str:
        cursor = colon - 1
        while cursor >= self.floor and self.text[cursor] not in _CLAUSE_DELIMITERS:
            cursor -= 1
        label = ENUMERATOR.sub("", squeeze(self.text[cursor + 1 : colon]))
        return label if 0 < len(label) <= 15 and not is_generic(label) else ""

    def _subject(
        self,
        measure: str,
        own: str,
        label: str,
        unit: str,
        unit_end: int,
        in_brackets: bool,
        explicit: bool,
    ) -> _Subject | None:
        """The subject of a figure: its own words, else what the sentence has established.

        Own words that restate the year or the unit ('2023 年本部门预算收入较上年增加') open a new
        subject even when they are generic.
        """
        previous = self.main if self.last_in_brackets and not in_brackets else self.last
        fallback = previous or self._label_subject(label) or self._heading_subject() or self.before
        if measure in ("share", "completion"):
            return (
                _with(fallback, own, _carried_metric(fallback, unit, measure)) if fallback else None
            )
        following = self._following_noun(unit, unit_end)
        if following:
            # '俱乐部 8 名在职人员' counts a part of the unit, not the unit's staff.
            metric = "" if _ORGANISATION.search(own) else _metric_of(following, unit, measure, own)
            return _Subject(own + following, metric, scope_in(own))
        if is_generic(own) and not (explicit and strip_fillers(own)):
            if fallback is not None:
                inherited = _with(fallback, own, _carried_metric(fallback, unit, measure))
                return replace(inherited, scope=scope_in(own) or fallback.scope)
            if not own:
                return None
        metric = _metric_of(own, unit, measure)
        if label and _is_total(metric) and not _SECTION_LABEL.search(label):
            # '检察（款）：2018年预算支出合计…' is the total of 检察, not the unit's grand total.
            raw = f"{label} {own}"
            return _Subject(raw, _metric_of(label + own, unit, measure), scope_in(own))
        carried = None
        if metric == _BUDGET_METRIC:  # 'X年初预算数为…, 支出决算数为…': later clauses are about X
            carried = _metric_of(own.replace(_BUDGET_METRIC, ""), unit, measure)
        return _Subject(own, metric, scope_in(own), carried=carried)

    def _label_subject(self, label: str) -> _Subject | None:
        return _Subject(label, match_metric(label), scope_in(label)) if label else None

    def _heading_subject(self) -> _Subject | None:
        if not self.heading:
            return None
        return _Subject(
            squeeze(self.heading),
            heading_metric(self.heading),
            scope_in(self.heading),
            from_heading=True,
        )

    def _following_noun(self, unit: str, unit_end: int) -> str:
        """'61个办事服务窗口': the noun a classifier counts, when it follows the number."""
        if unit not in _CLASSIFIERS:
            return ""
        match = _FOLLOWING_NOUN.match(self.text, unit_end)
        if not match:
            return ""
        return _NOUN_STOP.split(match.group().removeprefix("左右").removeprefix("以上"))[0]

    def _fact(
        self,
        subject: _Subject,
        measure: str,
        value: float,
        start: int,
        end: int,
        unit: str,
        code: str | None,
    ) -> Fact:
        doc_start, doc_end = self.offset + start, self.offset + end
        meta = self.doc.meta
        year = year_of_figure(self.text[:start], meta.year if meta else None)
        if year is not None and is_prior_year_subject(subject.raw):
            year -= 1
        raw = dated(subject.raw, self.text[:start])
        fund_item = bool(self.heading) and is_money(unit)
        if not subject.metric and fund_item and not subject.from_heading:
            raw = (
                f"{squeeze(self.heading)} / {raw}"  # a project's fund item is named by its heading
            )
        money = is_money(unit) and measure in ("value", "change")
        # The document's scope covers its own fiscal figures, not every sum it mentions (收取税费).
        default_scope = scope_of_document(meta) if money and (subject.metric or fund_item) else ""
        scope = subject.scope or default_scope
        if measure in ("completion", "change_pct"):
            scope = ""
        return Fact(
            doc_id=self.doc.id,
            metric_raw=raw,
            metric=subject.metric,
            value=value,
            text=self.doc.text[doc_start:doc_end],
            unit=unit,
            start=doc_start,
            end=doc_end,
            source="prose",
            measure=measure,
            scope=scope,
            year=year,
            value_yuan=to_yuan(value, unit) if money else None,
            subject_code=code,
        )


def _with(subject: _Subject, own: str, metric: str) -> _Subject:
    raw = subject.raw if not own or own in subject.raw else f"{subject.raw} {own}"
    return _Subject(raw, metric, subject.scope, subject.code, subject.from_heading, subject.carried)


def _is_total(metric: str) -> bool:
    entry = metric_by_key(metric)
    return entry is not None and entry.tier == TIER_TOTAL


def _carried_metric(subject: _Subject, unit: str, measure: str) -> str:
    """The metric an inherited subject keeps for a figure in `unit`.

    It keeps its own metric when that is measured in the unit's kind; '93批次, 1348人次' moves
    接待 from 批次 to 人次; a metric of another kind is dropped rather than guessed.
    """
    metric = subject.metric if subject.carried is None else subject.carried
    if measure in ("share", "completion", "change_pct"):
        return metric
    entry = metric_by_key(metric)
    if (
        entry is not None
        and unit_kind(unit) == entry.kind
        and (not entry.units or unit in entry.units)
    ):
        return metric
    if unit in _COMPOUND_UNITS and not subject.from_heading:
        return match_metric(subject.raw + unit, unit)
    return ""


def _metric_of(raw: str, unit: str, measure: str, context: str = "") -> str:
    """The canonical metric of subject words read with the figure's unit (context: words before)."""
    unit_filter = unit if measure == "value" or (measure == "change" and unit != "%") else None
    if unit in _COMPOUND_UNITS and (compound := match_metric(raw + unit, unit_filter)):
        return compound
    metric = match_metric(raw, unit_filter)
    entry = metric_by_key(metric)
    if entry is not None and entry.kind == "count" and _FLOW_VERBS.search(context + raw):
        return ""  # '调出 1 名工作人员' counts a movement, not the staff
    return metric


def heading_metric(heading: str) -> str:
    """The metric an item heading names; for a 类/款/项 chain only its last level counts."""
    title = normalise(heading)
    levels = [level for level in re.split(r"\((?:类|款|项)\)", title) if level]
    return match_metric(levels[-1]) if len(levels) > 1 else ""
