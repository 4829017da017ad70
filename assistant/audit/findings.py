"""Findings: what a document states that its own figures, words or tables contradict.

Every finding carries the spans it rests on, so it proves itself: the stated figure (or word,
year, placeholder, 目录 entry), the figures it is checked against, what they imply, and for
numbers the difference. Rounding tolerance is half a unit of the last printed digit of each figure
('1,932.33' ± 0.005, '6' ± 0.5), propagated through the relation by evaluating it at the corners
of the figures' intervals. A finding about words has no number: `expected` is None and
`should_be` says what the figures imply ('小于', '2024', the missing table's name).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from assistant.types import Citation
from gongkai.types import Fact

RULES: dict[str, str] = {
    "row_total": "合计行与各行之和",
    "code_rollup": "科目编码上级与下级之和",
    "column_total": "合计列与各列之和",
    "balance": "收入总计与支出总计",
    "basic_split": "基本支出 = 人员经费 + 公用经费",
    "three_public": "三公经费 = 因公出国(境) + 公务用车购置及运行 + 公务接待",
    "stated_change": "所述增减与前后数字",
    "completion": "所述完成率与预算、决算数",
    "share": "所述占比与分项、总数",
    "prose_table": "正文与表格同一数字",
    "explicit_base": "所述增减与句中写明的比较数",
    "prose_total": "正文所述总计与总表",
    "cross_table": "不同表格中的同一数字",
    "wording": "文字所述大小、增减与数字",
    "years": "年份与文件年度",
    "completeness": "应公开的表格是否齐全",
    "template": "模板残留与录入错误",
}
SEVERITIES = ("严重", "轻微")
_DECIMALS = re.compile(r"\.(\d+)")


def half_unit(text: str) -> float:
    """Half a unit of the last printed digit: '1,932.33' → 0.005, '6' → 0.5, '47.04%' → 0.005.

    >>> half_unit("1,932.33"), half_unit("6"), half_unit("100.0 %")
    (0.005, 0.5, 0.05)
    """
    match = _DECIMALS.search(text)
    return 0.5 * 10 ** -len(match.group(1)) if match else 0.5


@dataclass(frozen=True)
class Figure:
    """One printed number taking part in a check, with the characters it was read from."""

    label: str  # what the figure is, as the document words it (row label, column, metric)
    text: str  # the number exactly as printed (or the word, for findings about words)
    value: float | None  # signed: a decrease is negative though printed without a sign; None: a word
    start: int
    end: int
    scale: float = 1.0  # multiplier into the finding's unit (万元 figures in a 元 check …)
    unit: str = ""  # the figure's own unit as the document states it

    @property
    def tolerance(self) -> float:
        return half_unit(self.text) * self.scale

    @property
    def amount(self) -> float:
        return (self.value or 0.0) * self.scale


def of_fact(fact: Fact, scale: float = 1.0) -> Figure:
    """A stored fact as a figure of a check, named as the document words it."""
    return Figure(fact.metric_raw or fact.metric, fact.text, fact.value, fact.start, fact.end, scale,
                  fact.unit)


def word(label: str, text: str, start: int, end: int) -> Figure:
    """A span of words taking part in a finding: a direction word, a year's heading, a placeholder."""
    return Figure(label, text, None, start, end)


@dataclass(frozen=True)
class Finding:
    rule: str  # key of RULES
    doc_id: str
    stated: Figure  # the figure (or words) the others contradict
    inputs: tuple[Figure, ...]  # the figures it is checked against
    expected: float | None  # what the inputs imply, in `unit`; None for a finding about words
    unit: str
    severity: str  # one of SEVERITIES
    detail: str  # one Chinese line naming the relation
    citations: tuple[Citation, ...] = field(default=())  # stated first, then inputs, exact spans
    should_be: str = ""  # for a finding about words: what the figures imply, in words

    @property
    def difference(self) -> float | None:
        if self.expected is None or self.stated.value is None:
            return None
        return round(self.stated.amount - self.expected, 6)

    @property
    def rule_name(self) -> str:
        return RULES[self.rule]


def about_words(rule: str, doc_id: str, stated: Figure, inputs: Sequence[Figure], *, should_be: str,
                detail: str, severity: str = SEVERITIES[0]) -> Finding:
    """A finding whose stated span is words, not a number to subtract from."""
    return Finding(rule, doc_id, stated, tuple(inputs), None, "", severity, detail, should_be=should_be)


def implied_range(relation: Callable[..., float], inputs: Sequence[Figure]) -> tuple[float, float]:
    """Least and greatest value `relation` takes over the inputs' rounding intervals."""
    values = []
    for signs in itertools.product((-1, 1), repeat=len(inputs)):
        try:
            values.append(relation(*(f.amount + s * f.tolerance for f, s in zip(inputs, signs))))
        except ZeroDivisionError:
            continue
    return (min(values), max(values)) if values else (float("-inf"), float("inf"))


def check(
    rule: str,
    doc_id: str,
    stated: Figure,
    inputs: Sequence[Figure],
    relation: Callable[..., float],
    *,
    unit: str,
    detail: str,
) -> Finding | None:
    """A finding when `stated` lies outside what `relation(*inputs)` can be after rounding."""
    if len(inputs) <= 4:
        low, high = implied_range(relation, inputs)
    else:  # a sum of many rows: the tolerances add up
        middle = relation(*(f.amount for f in inputs))
        spread = sum(f.tolerance for f in inputs)
        low, high = middle - spread, middle + spread
    if stated.amount + stated.tolerance >= low - 1e-9 and stated.amount - stated.tolerance <= high + 1e-9:
        return None
    try:
        expected = relation(*(f.amount for f in inputs))
    except ZeroDivisionError:
        return None
    gap = abs(stated.amount - expected)
    slack = stated.tolerance + (high - low) / 2
    minor = gap <= 2 * slack or gap <= 0.005 * abs(expected)  # within half a percent: a slip
    severity = SEVERITIES[1] if minor else SEVERITIES[0]
    return Finding(rule, doc_id, stated, tuple(inputs), round(expected, 6), unit, severity, detail)


def total_of(*values: float) -> float:
    return sum(values)
