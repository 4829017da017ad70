"""A numeric faithfulness check on every answer, before it is shown.

Each number an answer states is either in one of its cited spans (as printed, or the same money
in another unit) or computed, on the same line, from figures cited on that line (or computed
before it on the line) by an operation the line names (合计, 平均, 相差/多, 占, 增加/减少/增长/下降, 倍). Besides, a share above 100%
is impossible, a sum may not add one cited figure twice, and a line naming one unit may not
cite another unit's document. A line that fails is not shown: it is replaced by a note saying a
figure could not be checked against the source, and the outcome is logged and kept on the
answer (`Answer.check`), so `bench.eval` counts it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from assistant.catalog import Catalog
from assistant.types import Answer, Citation

log = logging.getLogger(__name__)

_MONEY = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10000), "亿元": Decimal(100000000)}
_UNITS = "亿元|千元|万元|元|%|人次|万人次|批次|平方米|工作日|小时|辆|台|套|人|名|位|个|件|万件|家|项|次|场|分|倍|处|所|条|户"
_NUMBER = re.compile(rf"(?<![\d.])(?<!\d,)(\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*({_UNITS})?(?![\d.])")
_MARKER = re.compile(r"\[(\d+)\]")
_QUOTED = re.compile(r"“[^”]*”")
_NOT_FIGURE_AFTER = re.compile(r"^\s*(?:年|月|日|号|个数字|项数字|倍数)")
_OPERATION = re.compile(r"合计|平均|相差|多|少|占|增加|减少|增长|下降|倍|由")
_SUM_LINE = re.compile(r"^(?:合计|平均)为")
NOTE = "（此处有数字未能与所引原文核对一致，已略去。）"


def _value(number: str) -> Decimal | None:
    try:
        return Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None


def stated(line: str) -> list[tuple[Decimal, str]]:
    """(value, unit) of the figures a line states outside quotations and markers."""
    text = _QUOTED.sub(lambda m: " " * len(m.group()), _MARKER.sub(lambda m: " " * len(m.group()), line))
    found = []
    for match in _NUMBER.finditer(text):
        number, unit = match.group(1), match.group(2) or ""
        if _NOT_FIGURE_AFTER.match(text[match.end(1):]) or (not unit and "." not in number and "," not in number):
            continue
        value = _value(number)
        if value is not None:
            found.append((value, unit))
    return found


def _base(value: Decimal, unit: str) -> Decimal:
    return value * _MONEY.get(unit, Decimal(1))


def _quoted_values(citations: Sequence[Citation]) -> set[Decimal]:
    return {v for c in citations for m in _NUMBER.finditer(c.quote) if (v := _value(m.group(1))) is not None}


def _in_quotes(value: Decimal, unit: str, quoted: set[Decimal]) -> bool:
    if value in quoted:
        return True
    return unit in _MONEY and any(_base(value, unit) / factor in quoted for factor in _MONEY.values())


def _computed(value: Decimal, unit: str, operands: Sequence[tuple[Decimal, str]]) -> bool:
    """`value` is a sum, average, difference, share, ratio or growth rate of the operands."""
    values = [_base(v, u) for v, u in operands]
    target = _base(value, unit)
    step = Decimal(1).scaleb(min(0, value.as_tuple().exponent))
    tolerance = _base(step, unit)
    candidates = [sum(values, Decimal(0))] + ([sum(values, Decimal(0)) / len(values)] if values else [])
    for i, a in enumerate(values):
        for j, b in enumerate(values):
            if i != j:
                candidates += [a - b, a + b]
                if b:
                    candidates += [a / b * 100, a / b, (a - b) / b * 100]
    return any(abs(abs(target) - abs(c)) <= tolerance for c in candidates)


def line_problems(line: str, citations: Sequence[Citation], catalog: Catalog | None) -> list[str]:
    """Why a line of an answer may not be shown as it is ([] when it may)."""
    markers = [int(n) for n in _MARKER.findall(line)]
    cited = [citations[n - 1] for n in markers if 1 <= n <= len(citations)]
    quoted = _quoted_values(cited if markers else citations)
    figures = stated(line)
    problems = []
    on_line = [(v, u) for v, u in figures if _in_quotes(v, u, quoted)]
    for value, unit in figures:
        if _in_quotes(value, unit, quoted):
            continue
        if _OPERATION.search(line) and _computed(value, unit, on_line):
            on_line.append((value, unit))  # a computed figure is an operand of what follows it
            continue
        problems.append(f"{value}{unit} 不在所引原文中，也不是由所引数字算出的")
    if "占" in line and any(u == "%" and v > 100 for v, u in figures if not _in_quotes(v, u, quoted)):
        problems.append("占比超过 100%")
    if _SUM_LINE.match(line) and len(markers) != len(set(markers)):
        problems.append("合计中同一个数字计入了两次")
    if catalog is not None:
        problems += _other_unit(line, cited, catalog)
    return problems


def _other_unit(line: str, cited: Sequence[Citation], catalog: Catalog) -> list[str]:
    """A line naming exactly one unit that cites another unit's document."""
    named = {u.id for u in catalog.units if u.name in line or catalog.display(u) in line}
    if len(named) != 1:
        return []
    problems = []
    for citation in cited:
        doc = catalog.docs.get(citation.doc_id)
        if doc is not None and doc.unit_id and doc.unit_id not in named:
            problems.append(f"引用了另一单位的文件（{citation.title}）")
    return problems


def checked(answer: Answer, catalog: Catalog | None = None) -> Answer:
    """`answer` with every line that fails the check replaced by a note, and the outcome kept."""
    kept, dropped = [], []
    for line in answer.answer.splitlines():
        problems = line_problems(line, answer.citations, catalog)
        if problems:
            dropped += problems
            if not kept or kept[-1] != NOTE:
                kept.append(NOTE)
        else:
            kept.append(line)
    if not dropped:
        return replace(answer, check="ok")
    log.warning("faithfulness check dropped %d figure(s): %s", len(dropped), "; ".join(dropped))
    return replace(answer, answer="\n".join(kept), check="dropped: " + "; ".join(dropped))
