"""Stated relations in prose: a change and its rate, a completion rate, a share.

'支出 6432.89 万元，与上年相比增加 450 万元，增长 7.52%': the rate must be 450 / (6432.89 − 450).
'年初预算数为500.87万元，支出决算数为846.77万元，完成年初预算的169.06%': 846.77 / 500.87.
'基本支出 17123.19 万元，占 59.35%' of the sentence's total before '其中'; '占“三公”经费的26.86%' of
the 三公经费 stated last before it. Only figures of one sentence are related, never guessed ones.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.audit.context import Sentences, in_span
from assistant.audit.findings import Figure, Finding, check
from assistant.audit.load import AuditDoc
from gongkai.types import Fact
from ingest.vocab import match_metric

_WHOLE_AFTER = re.compile(r"占\s*(?:其)?([^，,。；;：:\d]{0,20}?)(?:的)?\s*(?:比重|比例)?(?:为|达)?\s*$")
_LEADS_PARTS = re.compile(r"其中|主要用于|包括|全部为|分别为|[:：]")
_BASE_WORDS = re.compile(r"预算")
_ACTUAL_WORDS = re.compile(r"决算|执行|实际|完成|支出")
_SHARE_WINDOW = 1500  # characters back to look for a named whole


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
    return [f for f in findings if f]


def _figure(fact: Fact, scale: float = 1.0) -> Figure:
    return Figure(fact.metric_raw or fact.metric, fact.text, fact.value, fact.start, fact.end, scale,
                  fact.unit)


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
    found = check("stated_change", doc.id, stated, [_figure(value), _figure(change)],
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
    found = check("completion", doc.id, _figure(rate), [_figure(actual), _figure(base)],
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
    found = check("share", doc.id, _figure(share), [_figure(part), _figure(whole)],
                  lambda p, w: 100 * p / w, unit="%",
                  detail=f"所述占比应等于分项÷总数：{part.text}÷{whole.text}")
    return [found] if found else []
