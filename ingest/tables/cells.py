"""What a cell's text looks like: blank, value, label, title, unit statement."""

from __future__ import annotations

import re

from ingest.numbers import fold_width, parse_number, parse_quantity

# Written in cells that hold nothing: 空 (empty) and the dash forms.
_PLACEHOLDERS = frozenset({"", "空", "-", "--", "—", "——", "－", "/", "／", "…", "……", "–"})
# A figure inside text: a target ('≧95%'), a share ('95%'), or a count or sum with its unit.
_VALUE_HINT = re.compile(
    r"[≥≧>＞=≤≦<＜]\s*\d|\d\s*[%％]"
    r"|\d\s*[万亿千]?(?:元|件|个|项|人次|人|名|次|条|套|台|辆|家|户|场|批|份|天|小时|分钟|平方米)"
)
_PROSE_END = ("。", "；", ";")
_UNIT_STATEMENT = re.compile(r"(?:金额|计量|货币)?单\s*位\s*[:：]\s*[（(]?\s*(亿元|万元|千元|元)")
_UNIT_IN_PARENS = re.compile(r"[（(]\s*(亿元|万元|千元|元)\s*[)）]")
_SECTION_HEADING = re.compile(
    r"^(?:第[一二三四五六七八九十\d]+部分|[一二三四五六七八九十]+\s*[、.．]|[（(][一二三四五六七八九十]+[)）])"
)
_ROLLUP_SUFFIXES = ("合计", "小计", "总计", "汇总")
_LABEL_NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十]+\s*[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+\s*[、.．](?!\d))"
)
LONG_CELL = 30  # header cells are short; a longer cell is body text


def is_blank(text: str) -> bool:
    """Empty, or a placeholder saying so (空, —, /)."""
    return fold_width(text).strip() in _PLACEHOLDERS


def is_value(text: str) -> bool:
    """A number, a number with a unit ('200万件'), or a target such as '≧95%' / '满意度≧90%'."""
    if parse_number(text) is not None or parse_quantity(text) is not None:
        return True
    return bool(_VALUE_HINT.search(fold_width(text)))


def is_long(text: str) -> bool:
    """Body text rather than a header: a long cell or a sentence."""
    return len(text) > LONG_CELL or text.rstrip().endswith(_PROSE_END)


def unit_statement(text: str) -> str | None:
    """The unit a '单位：万元' statement (or '(万元)' in a title or header) gives."""
    folded = fold_width(text)
    match = _UNIT_STATEMENT.search(folded) or _UNIT_IN_PARENS.search(folded)
    return match.group(1) if match else None


def is_unit_line(text: str) -> bool:
    """A line or cell that only states the unit, e.g. '单位：万元' or '金额单位: 元'."""
    folded = fold_width(text).strip()
    match = _UNIT_STATEMENT.search(folded)
    return bool(match) and len(folded) - len(match.group(0)) <= 6


def is_section_heading(text: str) -> bool:
    """A numbered heading: 第二部分 / 二、 / （二）."""
    return bool(_SECTION_HEADING.match(text.strip()))


def clean_label(text: str) -> str:
    """A label without spaces, colons and list numbering, for comparing (合 计： → 合计)."""
    label = re.sub(r"\s+", "", fold_width(text)).strip(":：")
    return _LABEL_NUMBERING.sub("", label)


def is_rollup_label(text: str) -> bool:
    """合计 / 小计 / 总计 / 汇总, or a label ending with one (本年收入合计, 支出总计)."""
    label = clean_label(text)
    return label.endswith(_ROLLUP_SUFFIXES)
