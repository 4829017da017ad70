"""Table cells: the one number a cell prints, its unit, its label, and rows that are headers.

Hand-written: cells of OCR'd fiscal tables mix comparators, units, labels and split decimals
('1932 | 33'), and every reading must keep the number's exact span in the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from gongkai.types import Cell, Row
from ingest.facts.clauses import squeeze
from ingest.facts.units import read_unit
from ingest.numbers import find_numbers
from ingest.vocab import unit_kind

_INLINE_HEADER_WORDS = re.compile(
    r"指标名称|指标权重|计量单位|度量单位|指标性质|指标值|一级指标|三级指标|"
    r"年度指标值|实际完成值|分值|得分"
)

UNIT_WORDS = {
    "百分率": "%",
    "百分比": "%",
    "%": "%",
    "％": "%",
    "万元": "万元",
    "元": "元",
    "亿元": "亿元",
}

_COMPARATOR_ONLY = re.compile(r"^[=＝<>＜＞≤≥≦≧\\()（）u/]+$")

_LABEL_NOISE = re.compile(
    r"^(指标\s*[:：]?\s*\d*\s*[:：]|[一二三四五六七八九十]+[、.．]|\d+[、.．](?!\d))\s*"
)

_RATE_SUFFIX = re.compile(r"^/(年|月|人|件|次|场)$")


@dataclass(frozen=True)
class Reading:
    """A number read from one cell: its span in the document and the unit printed with it."""

    value: float
    start: int
    end: int
    unit: str  # '' when the cell prints none
    words: str  # words printed before the number in the same cell ('满意度' in '满意度≧90%')
    comparator: str


def read_cell(text: str, cell: Cell) -> Reading | None:
    """The one number a cell prints, with its unit and any words before it; None otherwise."""
    numbers = find_numbers(cell.text)
    if len(numbers) != 1:
        return None
    number = numbers[0]
    printed = cell.text[number.start : number.end]
    end = number.start + len(printed.rstrip("%％ "))
    unit, rest = _unit_after(cell.text, number.end, number.is_percent)
    if unit is None:
        return None
    before = cell.text[: number.start]
    words = squeeze(before).rstrip("=＝<>＜＞≤≥≦≧:：")
    if words and not re.fullmatch(r"[一-龥A-Za-z“”\"]{1,12}", words):
        return None  # a sentence, not a labelled figure: prose reads such cells
    return Reading(
        number.value,
        cell.start + number.start,
        cell.start + end,
        unit + rest,
        words,
        number.comparator,
    )


def _unit_after(text: str, position: int, is_percent: bool) -> tuple[str | None, str]:
    """(unit, per-suffix) printed after a number in a cell; (None, '') when other text follows."""
    if is_percent:
        return ("%", "") if not text[position:].strip() else (None, "")
    rest = text[position:].strip()
    if not rest:
        return "", ""
    if rest == "万":
        return "万元", ""  # '150万' in a money cell
    read = read_unit(text, position)
    if read is None or read.is_threshold:
        return None, ""
    suffix = text[read.end :].strip()
    if not suffix:
        return read.unit, ""
    if _RATE_SUFFIX.match(suffix):
        return read.unit, suffix
    return None, ""


def split_decimals(row: Row, readings: dict[int, Reading], columns: tuple[str, ...]) -> set[int]:
    """Cells of a decimal split across two cells by OCR ('1932 | 33'): both are left out."""
    split: set[int] = set()
    cells = [cell for cell in row.cells if id(cell) in readings]
    for left, right in pairwise(cells):
        if right.col != left.col + 1 or readings[id(left)].unit or readings[id(right)].unit:
            continue
        header = columns[left.col] if left.col < len(columns) else ""
        if (
            re.fullmatch(r"\d+\.?", left.text.strip())
            and re.fullmatch(r"\d{1,2}", right.text.strip())
            and not header.strip()
        ):
            split.update((id(left), id(right)))
    return split


def row_unit_of(row: Row, readings: dict[int, Reading]) -> str:
    """A unit the row states in a cell of its own (计量单位 column): '个', '百分率' …

    '类 | 款 | 项' cells head the digits of a 科目编码: they are no units.
    """
    words = {squeeze(cell.text) for cell in row.cells}
    if words & {"类", "款"}:
        return ""
    for cell in row.cells:
        if id(cell) in readings:
            continue
        word = squeeze(cell.text)
        if word in UNIT_WORDS:
            return UNIT_WORDS[word]
        if word and unit_kind(word) in ("count", "duration", "area") and len(word) <= 3:
            return word
    return ""


def label_left_of(row: Row, cell: Cell, readings: dict[int, Reading]) -> str:
    """The nearest text cell left of `cell` that names something (not a unit or a comparator)."""
    for other in sorted(row.cells, key=lambda c: -c.col):
        if other.col >= cell.col or id(other) in readings:
            continue
        word = squeeze(other.text)
        if not word or _COMPARATOR_ONLY.match(word) or word in UNIT_WORDS or unit_kind(word):
            continue
        if re.fullmatch(r"[\d.,%]+", word):
            continue
        return _LABEL_NOISE.sub("", word).rstrip("；;。，,:：")
    return ""


def is_inline_header(row: Row) -> bool:
    """A body row that is really a header ('指标名称 | 指标权重 | 计量单位 | 指标值')."""
    texts = [squeeze(cell.text) for cell in row.cells if cell.text.strip()]
    if any(find_numbers(text) for text in texts):
        return False
    return sum(bool(_INLINE_HEADER_WORDS.search(text)) for text in texts) >= 2
