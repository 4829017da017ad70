"""Counts the facts table missed for a unit-year, read from one line of its own documents.

A count (窗口数量 …) may stand only inside a line the tables did not turn into a fact, e.g. an
indicator named "保障入驻单位123个窗口的正常运行". Such a figure is taken only when the line names
the item right after the number and states exactly one number in the count's unit (money always
comes from the stored figures; a price per thing, '151.43元/件', is read like a count). The row carries the number as printed and its span, so it is
cited like any other.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from assistant.extract import Sentence
from assistant.sql_build import ITEM_COLUMNS
from ingest.numbers import parse_number

COUNT_UNITS = ("个", "人次", "人", "名", "件", "项", "家", "批次", "辆", "台", "平方米")
PRICE_UNIT = r"(?:万元|元)/[件个台套人次场辆张本箱包册]"  # '151.43元/件'
_NUMBER = re.compile(r"(?<![\d.])(\d[\d,]*(?:\.\d+)?)\s*(" + PRICE_UNIT + "|" + "|".join(COUNT_UNITS) + ")")
_NAME_GAP = 8  # characters at most between the unit and the item's word ('61个办事服务窗口')


def figure_row(sentence: Sentence, words: Sequence[str], units: Sequence[str], unit_id: str,
               year: int) -> dict[str, Any] | None:
    """A figure row for the one count `sentence` states in one of `units`, with a word naming the
    item right after or before it, or None."""
    numbers = [m for m in _NUMBER.finditer(sentence.text) if m.group(2) in units]
    if len(numbers) != 1:
        return None
    match = numbers[0]
    after, before = sentence.text[match.end():], sentence.text[:match.start()]
    named_after = any(0 <= after.find(word) <= _NAME_GAP for word in words if word)
    named_before = any(0 <= len(before) - before.rfind(word) - len(word) <= _NAME_GAP
                       for word in words if word and word in before)
    if not (named_after or named_before):
        return None
    value = parse_number(match.group(1))
    if value is None:
        return None
    row: dict[str, Any] = dict.fromkeys(ITEM_COLUMNS)
    row.update(
        doc_id=sentence.doc_id, unit_id=unit_id, year=year, metric="", metric_raw=sentence.text,
        label=_label(before, after, words, named_before), label_stem="", measure="value", scope="", value=value, text=match.group(1),
        unit=match.group(2), source="text", start=sentence.start + match.start(1),
        end=sentence.start + match.end(1), table_index=None, is_rollup=False,
    )
    return row


def _label(before: str, after: str, words: Sequence[str], named_before: bool) -> str:
    """The count's own name as its clause prints it ('政务服务中心共受理业务', '办事服务窗口')."""
    if named_before:
        return before.strip(" ：:，,、（(").strip()[-24:]
    word = next(w for w in words if w and 0 <= after.find(w) <= _NAME_GAP)
    return after[:after.find(word) + len(word)].strip()


_CLAUSE = re.compile(r"(?:[^，,；;。！？\n]|(?<=\d),(?=\d))+")  # a comma between digits is a number's


def figure_in_clauses(sentence: Sentence, words: Sequence[str], units: Sequence[str], unit_id: str,
                      year: int) -> dict[str, Any] | None:
    """`figure_row` of the first clause of `sentence` stating one count next to a word naming the
    item ('…面积约3,000.00平方米，进驻部门16家，设置了61个…' → 16家 for 进驻部门)."""
    previous = None
    for match in _CLAUSE.finditer(sentence.text):
        clause = Sentence(sentence.doc_id, sentence.start + match.start(), sentence.start + match.end(),
                          match.group(), sentence.score)
        if row := figure_row(clause, words, units, unit_id, year):
            return row
        if previous is not None and all(re.fullmatch(PRICE_UNIT, u) for u in units):
            # a price follows the clause naming the thing ('打印纸35件，151.43元/件')
            start = previous.start()
            pair = Sentence(sentence.doc_id, sentence.start + start, clause.end,
                            sentence.text[start:match.end()], sentence.score)
            if row := figure_row(pair, words, units, unit_id, year):
                return row
        previous = match
    return None
