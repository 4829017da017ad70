"""Numbers as printed in Chinese fiscal documents: cells, prose spans, units.

Hand-written because the inputs mix full-width and ASCII forms, OCR spaces, parenthesised
negatives and comparators, and every match must keep its exact span in the original text;
no parsing library does that for this genre.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

UNIT_FACTORS: dict[str, float] = {"元": 1, "万元": 1e4, "亿元": 1e8, "千元": 1e3}
_UNIT_ALIASES = {"万": "万元", "亿": "亿元", "千": "千元", "圆": "元", "万圆": "万元"}

_EMPTY_TOKENS = frozenset(
    {"", "-", "--", "---", "—", "——", "－", "/", "／", "\\", "…", "……", "–", "−"}
)
_COMPARATORS = ("≥", "≧", "≤", "≦", ">=", "<=", ">", "<", "=", "＞", "＜", "＝")
# Characters mapped beyond NFKC's width folding; each maps to exactly one character.
_EXTRA_FOLD = {"−": "-", "﹣": "-", "‐": "-", "‑": "-", "﹪": "%", "〇": "〇"}

_PLAIN = r"\d+(?:\.\d+)?"
_GROUPED = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?"
_SPACED = r"\d{1,3}(?: \d{3})+\.\d+"  # '1 932.33': only with a fraction, else two numbers
_OCR_DECIMAL = r"\d+\. \d{1,2}"  # '1932. 33': OCR put a space after the point
_CELL_NUMBER = re.compile(
    rf"(?P<open>\()?\s*(?P<sign>[-+])?\s*(?P<body>{_GROUPED}|{_SPACED}|{_OCR_DECIMAL}|{_PLAIN})"
    rf"\s*(?P<pct>%)?\s*(?P<close>\))?"
)
# In prose: a number not glued to digits, points or expression marks on either side.
_PROSE_NUMBER = re.compile(
    r"(?<![\d.*×])"
    r"(?P<open>\((?=[-+]?\d[\d,]*\.\d|\d{1,3},\d{3}))?"
    r"(?P<sign>[-+](?=\d))?"
    rf"(?P<body>{_GROUPED}(?!\d)|{_OCR_DECIMAL}(?!\d)|{_PLAIN})"
    r"(?P<pct> ?%)?"
    r"(?P<close>\))?"
    r"(?![\d*×])"
)
# A sign counts only after a boundary; after CJK text a dash is a range ('2021年-2023年').
_SIGN_CONTEXT = re.compile(r"(?:^|[\s(:：,，、;；=|为是])$")
_LINE_START = re.compile(r"(?:^|\n)[ \t\-*•]*$")
_COUNT_UNITS = (
    "个工作日|工作日|人次|户次|元|个|件|项|人|名|次|条|套|台|辆|家|户|场|批|份|篇|期|本|张|册|座|所|处"
    "|间|天|日|小时|分钟|分|平方米|㎡|米|公里|千米|吨|岗|万"
)
# '200万件', '300元/人', '3万人次/年': an optional 万/亿/千, a unit, an optional per-unit.
_QUANTITY_UNIT = re.compile(
    rf"(?:[万亿千])?(?:{_COUNT_UNITS})(?:/(?:[万亿千])?(?:{_COUNT_UNITS}|年|月|周))?"
)


@dataclass(frozen=True)
class ParsedNumber:
    """A number found in text; [start, end) is its printed form in the original text."""

    value: float
    is_percent: bool
    start: int
    end: int
    comparator: str = ""  # '≥', '>', '=' … printed just before the number, not inside the span


def fold_width(text: str) -> str:
    """Full-width digits and punctuation folded to ASCII, one character for one (spans survive)."""
    return "".join(_fold_char(ch) for ch in text)


def _fold_char(ch: str) -> str:
    if ch in _EXTRA_FOLD:
        return _EXTRA_FOLD[ch]
    # Only the width forms: NFKC elsewhere turns '①' or '²' into digits.
    if "\uff01" <= ch <= "\uff5e" or ch == "\u3000" or ch == "\xa0":
        folded = unicodedata.normalize("NFKC", ch)
        return folded if len(folded) == 1 else ch
    return ch


def parse_number(text: str) -> float | None:
    """The number a whole cell or token states, or None for blanks, dashes and non-numbers.

    >>> parse_number("１，９３２．３３"), parse_number("(12.5)"), parse_number("100.00 %")
    (1932.33, -12.5, 100.0)
    >>> parse_number("—"), parse_number("24*7"), parse_number("200万件")
    (None, None, None)
    """
    parsed = _parse_cell(text)
    return parsed[0] if parsed else None


def parse_percent(text: str) -> tuple[float, bool] | None:
    """Like parse_number, also telling whether the token is a percentage."""
    parsed = _parse_cell(text)
    return (parsed[0], parsed[1]) if parsed else None


def _parse_cell(text: str) -> tuple[float, bool] | None:
    token = fold_width(text).strip()
    if token in _EMPTY_TOKENS:
        return None
    token = _strip_comparator(token)[1]
    match = _CELL_NUMBER.fullmatch(token)
    if not match or bool(match["open"]) != bool(match["close"]):
        return None
    if match["open"] and match["sign"]:
        return None
    value = _to_float(match["body"])
    negative = match["sign"] == "-" or bool(match["open"])
    return (-value if negative else value), bool(match["pct"])


def _strip_comparator(token: str) -> tuple[str, str]:
    for comparator in _COMPARATORS:
        if token.startswith(comparator):
            return comparator, token[len(comparator) :].lstrip()
    return "", token


def _to_float(body: str) -> float:
    return float(body.replace(",", "").replace(" ", ""))


def parse_quantity(text: str) -> tuple[float, str] | None:
    """A number with a short unit after it, e.g. '200万件' → (200.0, '万件'), '≧95%' → (95.0, '%').

    A bare number gives unit ''. Used to tell value cells from label cells.
    """
    token = fold_width(text).strip()
    token = _strip_comparator(token)[1]
    match = _CELL_NUMBER.match(token)
    if not match or bool(match["open"]) != bool(match["close"]):
        return None
    rest = token[match.end() :].strip()
    if match["pct"]:
        if rest:
            return None
        unit = "%"
    elif rest and not _QUANTITY_UNIT.fullmatch(rest):
        return None
    else:
        unit = rest
    value = _to_float(match["body"])
    return (-value if match["sign"] == "-" or match["open"] else value), unit


def find_numbers(text: str) -> list[ParsedNumber]:
    """Every number in prose with its exact span; years and counts included, callers filter.

    >>> [(n.value, n.start, n.end) for n in find_numbers("2021 年年初预算数 1,932.33 万元")]
    [(2021.0, 0, 4), (1932.33, 12, 20)]
    """
    folded = fold_width(text)
    numbers: list[ParsedNumber] = []
    position = 0
    while match := _PROSE_NUMBER.search(folded, position):
        number = _prose_match(folded, match)
        numbers.append(number)
        position = max(number.end, match.start() + 1)
    return numbers


def _prose_match(folded: str, match: re.Match[str]) -> ParsedNumber:
    start, end = match.span("body")
    body = match["body"]
    if " " in body and _LINE_START.search(folded, 0, start):
        body = body.split(".", 1)[0]  # '1. 23' at a line start is a list item, not 1.23
        end = start + len(body)
        return ParsedNumber(_to_float(body), False, start, end, _comparator_before(folded, start))
    negative = False
    if match["sign"] and _SIGN_CONTEXT.search(folded, 0, match.start("sign")):
        start = match.start("sign")
        negative = match["sign"] == "-"
    if match["pct"]:
        end = match.end("pct")
    if match["open"] and match["close"] and not match["sign"]:
        start, end = match.start("open"), match.end("close")
        negative = True
    value = _to_float(body)
    comparator = _comparator_before(folded, start)
    return ParsedNumber(-value if negative else value, bool(match["pct"]), start, end, comparator)


def _comparator_before(folded: str, start: int) -> str:
    before = folded[max(0, start - 3) : start].rstrip()
    for comparator in _COMPARATORS:
        if before.endswith(comparator):
            return comparator
    return ""


def to_yuan(value: float, unit: str) -> float | None:
    """`value` in `unit` (元 / 万元 / 亿元 / 千元, also 万 / 亿) in 元; None for other units."""
    unit = fold_width(unit).strip().strip("()（）")
    unit = unit.removeprefix("单位").lstrip(":：").strip()
    unit = _UNIT_ALIASES.get(unit, unit)
    factor = UNIT_FACTORS.get(unit)
    return None if factor is None else value * factor
