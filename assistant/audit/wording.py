"""Words against figures: '决算数大于预算数' where the 决算 is the smaller, '持平' where the figures
differ, '增加' where they fell, '增加 X 万元，下降 Y%' in one breath.

Three readings, each relating a direction word to figures its own sentence (or the sentence just
before) states: a 预算 and a 决算 figure and the comparison after them; the two figures of a
comparison whose base the sentence writes out ('…执行数为A万元，…预算安排B万元，比…执行数增加');
a change and its rate. Figures that agree within their printed rounding settle no direction,
and '基本持平' (roughly level) is never claimed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from assistant.audit.context import Sentences, in_span
from assistant.audit.findings import Figure, Finding, about_words, of_fact, word
from assistant.audit.load import AuditDoc
from assistant.audit.stated import COMPARED, explicit_base
from gongkai.types import Fact

# '决算数小于预算数' / '决算数大于年初预算数' / '决算数与预算数持平'
_VERSUS_BUDGET = re.compile(
    r"决算数?\s*(?P<word>大于|多于|高于|超过|小于|少于|低于|等于|与(?:年初)?预算数?\s*(?P<roughly>基本)?\s*"
    r"(?:持平|相等|一致))")
_RATE_AFTER = re.compile(
    r"^\s*(?:千元|万元|亿元|元)?\s*[，,、]?\s*(?:同比)?\s*(?P<verb>增长|增加|上升|增幅|下降|减少|降低|降幅|减幅)"
    r"(?:了|为)?\s*$")
_VERB_BEFORE = re.compile(r"(?P<verb>增加|增长|上升|减少|下降|降低|节约|超支)了?\s*$")
GREATER, LESS, LEVEL = "大于", "小于", "持平"
_SAYS = {"大于": GREATER, "多于": GREATER, "高于": GREATER, "超过": GREATER, "小于": LESS, "少于": LESS,
         "低于": LESS, "等于": LEVEL}
_RISES = ("增加", "增长", "上升", "增幅", "超支")


def check_wording(doc: AuditDoc) -> list[Finding]:
    prose = [f for f in doc.facts if f.source == "prose"]
    sentences = Sentences(doc.text)
    return (_versus_budget(doc, prose, sentences) + _explicit_direction(doc, prose, sentences)
            + _change_and_rate(doc, prose))


def _direction(larger: Figure, smaller: Figure) -> str | None:
    """GREATER, LESS or LEVEL for `larger` against `smaller`; None when rounding cannot tell."""
    gap = larger.amount - smaller.amount
    slack = larger.tolerance + smaller.tolerance
    if abs(gap) <= 1e-9:
        return LEVEL
    if gap > slack + 1e-9:
        return GREATER
    if gap < -slack - 1e-9:
        return LESS
    return None


def _window(sentences: Sentences, prose: Sequence[Fact], position: int) -> list[Fact]:
    """The money figures of the sentence holding `position` and of the sentence before, up to it."""
    index = sentences.index(position)
    start = sentences.bounds(max(index - 1, 0))[0]
    return [f for f in in_span(prose, start, position) if f.measure == "value" and f.value_yuan is not None
            and f.unit != "%"]


def _versus_budget(doc: AuditDoc, prose: Sequence[Fact], sentences: Sentences) -> list[Finding]:
    findings = []
    for said in _VERSUS_BUDGET.finditer(doc.text):
        if said.group("roughly"):
            continue
        figures = _window(sentences, prose, said.start())[-2:]
        if len(figures) != 2 or [f.scope for f in figures] != ["预算", "决算"]:
            continue
        if figures[0].unit != figures[1].unit:
            continue
        budget, actual = (of_fact(f) for f in figures)
        claimed = _SAYS.get(said.group("word"), LEVEL)
        actually = _direction(actual, budget)
        if actually is None or actually == claimed:
            continue
        stated = word("决算数与预算数的比较", said.group("word"), said.start("word"), said.end("word"))
        findings.append(about_words(
            "wording", doc.id, stated, [actual, budget], should_be=actually,
            detail=f"决算数 {actual.text}{actual.unit}、预算数 {budget.text}{budget.unit}：决算数{actually}预算数，"
                   f"文字却说“{said.group(0)}”"))
    return findings


def _explicit_direction(doc: AuditDoc, prose: Sequence[Fact], sentences: Sentences) -> list[Finding]:
    findings = []
    for compared in COMPARED.finditer(doc.text):
        start, end = sentences.bounds(sentences.index(compared.start()))
        pair = explicit_base(doc, compared, in_span(prose, start, end))
        if pair is None:
            continue
        current, base = of_fact(pair.current), of_fact(pair.base)
        actually = _direction(current, base)
        verb = pair.verb
        claimed = LEVEL if verb == "持平" else GREATER if verb in _RISES else LESS
        if actually is None or actually == claimed:
            continue
        should_be = {GREATER: "增加", LESS: "减少", LEVEL: "持平"}[actually]
        stated = word("所述增减方向", verb, pair.verb_start, pair.verb_end)
        findings.append(about_words(
            "wording", doc.id, stated, [current, base], should_be=should_be,
            detail=f"本年数 {current.text}{current.unit}、比较数 {base.text}{base.unit}：应为{should_be}，"
                   f"文字却说“{verb}”"))
    return findings


def _change_and_rate(doc: AuditDoc, prose: Sequence[Fact]) -> list[Finding]:
    """'增加 X 万元，下降 Y%': a change and the rate right after it point opposite ways."""
    findings = []
    ordered = sorted(prose, key=lambda f: f.start)
    for change, rate in pairwise(ordered):
        if change.measure != "change" or rate.measure != "change_pct":
            continue
        between = _RATE_AFTER.match(doc.text[change.end:rate.start])
        before = _VERB_BEFORE.search(doc.text[max(0, change.start - 8):change.start])
        if between is None or before is None:
            continue
        rises, rate_rises = before.group("verb") in _RISES, between.group("verb") in _RISES
        if rises == rate_rises:
            continue
        offset = max(0, change.start - 8)
        changed = word("所述变动额的方向", before.group("verb"), offset + before.start("verb"),
                       offset + before.end("verb"))
        stated = word("所述变动率的方向", between.group("verb"), change.end + between.start("verb"),
                      change.end + between.end("verb"))
        findings.append(about_words(
            "wording", doc.id, stated, [changed], should_be="增长" if rises else "下降",
            detail=f"同一句中变动额说“{changed.text}”，变动率却说“{stated.text}”"))
    return findings
