"""A table's caption (title) and unit from the lines just above it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.tables.cells import is_unit_line, unit_statement
from ingest.tables.grid import Line

_LOOK_BACK_LINES = 4  # non-blank lines examined above a table
_CAPTION_MAX = 80
_WRAPPED_TAIL = 3  # a caption line this short ('表', '算表') is the end of a wrapped caption
_NOTE = re.compile(
    r"^(?:注|备注|说明|资料来源|数据来源)\s*[:：\d]|^[（(]?附(?:件|表|图表?)\s*[\d一二三四五六七八九十]*\s*[)）]?$"
    r"|^(?:公开)?表\s*[\d一二三四五六七八九十]+$"  # a bare table number: the name is the line above
)
_NOT_CAPTION_END = ("。", "；", ";", "，", ",", "：", ":", "、")
_MARKUP = re.compile(r"^[#*\s]+|[*\s|]+$")
_TRAILING_UNIT = re.compile(r"[\s（(]*(?:金额|计量)?单\s*位\s*[:：].*$")


@dataclass(frozen=True)
class Caption:
    title: str | None
    unit: str | None


def find_caption(lines: list[Line], first_line: int, floor_line: int) -> Caption:
    """The caption and unit above line `first_line`, not looking at or above `floor_line`.

    A line naming a 表 wins over a nearer plain heading; unit and note lines are passed over.
    """
    unit: str | None = None
    nearest: str | None = None
    seen = 0
    for number in range(first_line - 1, floor_line, -1):
        line = _MARKUP.sub("", lines[number].text)
        if not line:
            continue
        seen += 1
        if seen > _LOOK_BACK_LINES:
            break
        if is_unit_line(line):
            unit = unit or unit_statement(line)
            continue
        if _NOTE.search(line) or not _is_caption_like(line):
            continue
        unit = unit or unit_statement(line)
        title = _TRAILING_UNIT.sub("", line).strip() or line
        if "表" in title:
            return Caption(_joined_with_line_above(lines, number, floor_line, title), unit)
        nearest = nearest or title
    return Caption(nearest, unit)


def _joined_with_line_above(lines: list[Line], number: int, floor_line: int, title: str) -> str:
    """A caption wrapped in the source ('…支出预算' / '表') joined back into one."""
    if len(title) > _WRAPPED_TAIL:
        return title
    for above in range(number - 1, floor_line, -1):
        line = _MARKUP.sub("", lines[above].text)
        if line:
            return line + title if _is_caption_like(line) and not _NOTE.search(line) else title
    return title


def _is_caption_like(line: str) -> bool:
    if len(line) > _CAPTION_MAX or line.endswith(_NOT_CAPTION_END):
        return False
    digits = sum(ch.isdigit() for ch in line)
    return digits < len(line) / 2
