"""Stated relations in prose: a change and its rate, a completion rate, a share.

'支出 6432.89 万元，与上年相比增加 450 万元，增长 7.52%': the rate must be 450 / (6432.89 − 450).
'2022年当年预算执行数为1.48万元，2023年预算安排2.63万元，比2022年预算执行数增加77.70%': the base is
written out (`explicit_base`), and the rate must be (2.63 − 1.48) / 1.48.
'年初预算数为500.87万元，支出决算数为846.77万元，完成年初预算的169.06%': 846.77 / 500.87.
'基本支出 17123.19 万元，占 59.35%' of the sentence's total before '其中'; '占“三公”经费的26.86%' of
the 三公经费 stated last before it. Only figures of one sentence are related, never guessed ones.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.audit.context import Sentences, in_span
from assistant.audit.findings import Figure, Finding, check, of_fact
from assistant.audit.load import AuditDoc
from gongkai.types import Fact
from ingest.vocab import match_metric

_WHOLE_AFTER = re.compile(r"占\s*(?:其)?([^，,。；;：:\d]{0,20}?)(?:的)?\s*(?:比重|比例)?(?:为|达)?\s*$")
_LEADS_PARTS = re.compile(r"其中|主要用于|包括|全部为|分别为|[:：]")
_BASE_WORDS = re.compile(r"预算")
_ACTUAL_WORDS = re.compile(r"决算|执行|实际|完成|支出")
_SHARE_WINDOW = 1500  # characters back to look for a named whole
# '比2022年预算执行数增加' / '与上年相比减少': the comparison, the year compared with, and its verb.
COMPARED = re.compile(
    r"(?:比|较|与)\s*(?:(?P<year>(?:19|20)\d{2})\s*年度?|(?P<last>上年度?|去年|上一年度?))"
    r"[^，,。；;\d]{0,12}?\s*(?:相比|相较)?\s*[，,]?\s*(?P<verb>增加|减少|增长|下降|降低|上升|持平)了?\s*")


@dataclass(frozen=True)
class ExplicitBase:
    """A comparison whose two figures the sentence states: the base year's and the current one."""

    base: Fact
    current: Fact
    verb: str
    verb_start: int
    verb_end: int


def check_stated(doc: AuditDoc) -> list[Finding]:
    prose = [f for f in doc.facts if f.source == "prose"]
    sentences = Sentences(doc.text)
    findings: list[Finding] = []
    for fact in prose:
        start, end = sentences.bounds(sentences.index(fact.start))
        around = in_span(prose, start, end)
        if fact.measure == "change_pct":
            findings += _change(doc, fact, around, _before_sentence(sentences, start, prose))
        elif fact.measure == "completion":
            findings += _completion(doc, fact, around)
        elif fact.measure == "share":
            findings += _share(doc, fact, around, prose, start)
        if fact.measure in ("change", "change_pct"):
            findings += _explicit_base(doc, fact, around, start)
    return [f for f in findings if f]


def explicit_base(doc: AuditDoc, compared: re.Match[str], around: Sequence[Fact]) -> ExplicitBase | None:
    """The two figures a comparison ('比2022年预算执行数增加') relates, when its sentence states both:
    the last two money figures before it, one of the year compared with and one of another."""
    if compared.group("year"):
        year = int(compared.group("year"))
    elif doc.year:
        year = doc.year - 1
    else:
        return None
    before = [f for f in around if f.end <= compared.start() and f.measure == "value" and f.unit != "%"
              and f.value_yuan is not None][-2:]
    if len(before) != 2 or before[0].unit != before[1].unit:
        return None
    base = [f for f in before if f.year == year]
    current = [f for f in before if f.year != year]
    if len(base) != 1 or len(current) != 1:
        return None
    return ExplicitBase(base[0], current[0], compared.group("verb"), compared.start("verb"),
                        compared.end("verb"))


def _explicit_base(doc: AuditDoc, change: Fact, around: Sequence[Fact], start: int) -> list[Finding]:
    compared = next((m for m in COMPARED.finditer(doc.text, start, change.start)
                     if m.end() == change.start), None)
    if compared is None:
        return []
    pair = explicit_base(doc, compared, around)
    if pair is None or pair.base.value == 0:  # from nothing: a rate of 100% is a convention
        return []
    base, current = of_fact(pair.base), of_fact(pair.current)
    stated = Figure(change.metric_raw or change.metric, change.text, abs(change.value), change.start,
                    change.end, unit=change.unit)
    if change.measure == "change_pct":
        relation, unit = (lambda c, b: 100 * abs(c - b) / b), "%"
        detail = f"所述变动率应等于(本年数−比较数)÷比较数：({current.text}−{base.text})÷{base.text}"
    elif change.unit == pair.base.unit:
        relation, unit = (lambda c, b: abs(c - b)), change.unit
        detail = f"所述变动额应等于本年数−比较数：{current.text}−{base.text}"
    else:
        return []
    found = check("explicit_base", doc.id, stated, [current, base], relation, unit=unit, detail=detail)
    return [found] if found else []


def _before(fact: Fact, around: Sequence[Fact]) -> list[Fact]:
    """Facts of the sentence before `fact`, nearest first."""
    return sorted((f for f in around if f.end <= fact.start), key=lambda f: -f.start)


def _comparable(a: Fact, b: Fact) -> bool:
    return a.unit == b.unit and a.unit != "%"


def _before_sentence(sentences: Sentences, start: int, prose: Sequence[Fact]) -> list[Fact]:
    """The previous sentence's facts, when this one only compares ('与上年决算数相比减少…')."""
    if start == 0 or sentences.text[start - 1] == "\n":  # a new paragraph continues nothing
        return []
    if not re.match(r"\s*(?:与|比|较|同比|相比)", sentences.text[start:start + 8]):
        return []
    first, _ = sentences.bounds(sentences.index(start - 1))
    return in_span(prose, first, start)


def _change(doc: AuditDoc, rate: Fact, around: Sequence[Fact], previous: Sequence[Fact]) -> list[Finding]:
    before = _before(rate, around)
    if not before or before[0].measure != "change" or before[0].unit == "%":
        return []
    change = before[0]
    if re.search(r"原因|[。；;]", doc.text[change.end:rate.start]) or rate.start - change.end > 16:
        return []  # the rate belongs to another clause ('主要原因是…压减10%')
    value = next((f for f in before[1:] if f.measure == "value"), None)
    if value is None and change.metric and not before[1:]:  # the figure is the previous sentence's
        value = next((f for f in reversed(previous) if f.measure == "value" and f.metric == change.metric), None)
    between = [f for f in before[1:] if value and f.start > value.start]
    if value is None or between or not _comparable(value, change):
        return []
    if abs(value.value - change.value) < 1e-9:  # from nothing: a rate of 100% is a convention
        return []
    # rates are compared unsigned: sources print '减少 5.95%' and '下降 -5.95%' alike
    stated = Figure(rate.metric_raw or rate.metric, rate.text, abs(rate.value), rate.start, rate.end,
                    unit=rate.unit)
    found = check("stated_change", doc.id, stated, [of_fact(value), of_fact(change)],
                  lambda v, c: 100 * abs(c) / (v - c), unit="%",
                  detail=f"所述变动率应等于变动额÷上年数：{change.text}÷({value.text}"
                         f"{'−' if change.value >= 0 else '+'}{change.text})")
    return [found] if found else []


def _completion(doc: AuditDoc, rate: Fact, around: Sequence[Fact]) -> list[Finding]:
    values = [f for f in _before(rate, around) if f.measure == "value" and f.unit != "%"][:2]
    if len(values) != 2 or not _comparable(*values):
        return []
    second, first = values  # nearest first
    sentence_start = min(f.start for f in around)
    first_words = doc.text[sentence_start:first.start]
    second_words = doc.text[first.end:second.start]
    if _ACTUAL_WORDS.search(first_words) and _BASE_WORDS.search(second_words) and "决算" not in second_words:
        base, actual = second, first
    else:
        base, actual = first, second
    found = check("completion", doc.id, of_fact(rate), [of_fact(actual), of_fact(base)],
                  lambda a, b: 100 * a / b, unit="%",
                  detail=f"所述完成率应等于决算数÷预算数：{actual.text}÷{base.text}")
    return [found] if found else []


def _part_of(share: Fact, around: Sequence[Fact], text: str) -> Fact | None:
    """The figure a share is of: the nearest before it, not inside a bracket closed before 占."""
    for fact in _before(share, around):
        if fact.measure == "share" or fact.unit == "%":
            return None  # another share's figure: this one has no figure of its own
        gap = text[fact.end:share.start]
        if gap.count("）") + gap.count(")") > gap.count("（") + gap.count("("):
            continue
        return fact if fact.measure == "value" else None
    return None


def _share(doc: AuditDoc, share: Fact, around: Sequence[Fact], prose: Sequence[Fact],
           sentence_start: int) -> list[Finding]:
    part = _part_of(share, around, doc.text)
    if part is None:
        return []
    named = _WHOLE_AFTER.search(doc.text[part.end:share.start])
    words = named.group(1).strip() if named else ""
    if words:
        key = match_metric(words)
        if not key:
            return []
        whole = next((f for f in sorted(prose, key=lambda f: -f.start)
                      if f.end <= part.start and part.start - f.start <= _SHARE_WINDOW
                      and f.measure == "value" and f.metric == key and _comparable(f, part)), None)
    else:
        first = next((f for f in around if f.measure == "value" and f.unit == part.unit), None)
        whole = first if first is not None and first.start < part.start and _LEADS_PARTS.search(
            doc.text[first.end:part.start]) else None
    if whole is None or whole.value == 0:
        return []
    found = check("share", doc.id, of_fact(share), [of_fact(part), of_fact(whole)],
                  lambda p, w: 100 * p / w, unit="%",
                  detail=f"所述占比应等于分项÷总数：{part.text}÷{whole.text}")
    return [found] if found else []
