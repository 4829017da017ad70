"""Metadata fields that disclosure pages and reports print above the document.

Forms seen in the genre: pipe rows ('索引号 | … | 发布机构 | 汨罗市 |'), colon pairs
('部门：江苏省人大常委会办公厅 单位：万元', '- 发布日期: 2025-04-29'),
keys spaced out ('索 引 号:').
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.describe._text import CJK, normalize

# Fields naming the unit (or only its place, e.g. 发布机构 | 汨罗市), most specific first.
UNIT_KEYS = tuple(
    "预算主管部门 主管部门 预算单位 部门名称 单位名称 部门 发文单位 发文机关 "
    "发布机构 所属机构 责任部门 编制单位 填报单位 实施单位 信息来源 来源".split()
)
# Publication dates, preferred first.
DATE_KEYS = tuple(
    "公开日期 发布日期 发文日期 生成日期 成文日期 报告日期 填报日期 公开时间 发布时间".split()
)
OTHER_KEYS = tuple(
    "索引号 文号 发文字号 主题分类 公开方式 公开范围 公开形式 公开时限 "
    "效力状态 时效性 主题词 体裁分类 分类 浏览次数 访问量 有效性".split()
)
ALL_KEYS = UNIT_KEYS + DATE_KEYS + OTHER_KEYS

_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_DATE_ONLY_LINE = re.compile(rf"^\s*{_DATE.pattern}\s*$")


@dataclass(frozen=True)
class Field:
    key: str  # canonical key, spaces and colon removed
    value: str
    line: int  # index of the source line


@lru_cache(maxsize=1)
def _colon_key_pattern() -> re.Pattern[str]:
    """A key (its characters possibly spaced out) followed by a colon, not inside a longer word."""
    keys = sorted(ALL_KEYS, key=len, reverse=True)
    spaced = "|".join(r"\s*".join(map(re.escape, key)) for key in keys)
    return re.compile(rf"(?<![{CJK}])({spaced})\s*[:：]\s*")


def _canonical_key(cell: str) -> str | None:
    """The key a table cell holds ('索 引 号:' → '索引号'), or None."""
    key = re.sub(r"\s+", "", cell).rstrip(":：")
    return key if key in ALL_KEYS else None


def _pipe_fields(line: str, index: int) -> list[Field]:
    cells = [cell.strip() for cell in line.split("|")]
    fields = []
    for i, cell in enumerate(cells[:-1]):
        key = _canonical_key(cell)
        value = cells[i + 1]
        if key and value and not _canonical_key(value):
            fields.append(Field(key, value, index))
    return fields


def _colon_fields(line: str, index: int) -> list[Field]:
    matches = list(_colon_key_pattern().finditer(line))
    ends = [match.start() for match in matches[1:]] + [len(line)]
    fields = []
    for match, end in zip(matches, ends[: len(matches)], strict=True):
        value = line[match.end() : end].strip(" -|")
        # The value stops where another 'label:' pair starts ('… 单位：万元').
        value = re.split(r"\s+[^\s:：]{1,8}\s*[:：]", value)[0].strip()
        if value:
            fields.append(Field(re.sub(r"\s+", "", match.group(1)), value, index))
    return fields


def header_fields(lines: list[str]) -> list[Field]:
    """Every metadata field found in these raw lines, in order."""
    fields: list[Field] = []
    for index, raw in enumerate(lines):
        line = normalize(raw)
        found = _pipe_fields(line, index) if "|" in line else []
        fields.extend(found or _colon_fields(line, index))
    return fields


def is_field_line(line: str) -> bool:
    """True for a line carrying metadata fields, or only a field's key (an empty '文号:')."""
    return bool(header_fields([line])) or _canonical_key(line.strip(" -*|")) is not None


def parse_date(text: str) -> str | None:
    """'2019-07-29', '2023-10-25 10:56:48', '2022年11月04日' → 'YYYY-MM-DD'; None when invalid."""
    match = _DATE.search(normalize(text))
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def is_date_line(line: str) -> bool:
    """True for a line that is only a date (a cover page's '2018 年 2 月 24 日')."""
    return bool(_DATE_ONLY_LINE.match(normalize(line)))


def published_date(fields: list[Field], cover_lines: list[str] = ()) -> str | None:
    """The publication date from date fields (公开日期 first), else a date-only cover line."""
    for key in DATE_KEYS:
        for field in fields:
            if field.key == key and (date := parse_date(field.value)):
                return date
    for line in cover_lines:
        if is_date_line(line) and (date := parse_date(line)):
            return date
    return None


def unit_field_values(fields: list[Field]) -> list[str]:
    """Values of unit-naming fields, most specific key first."""
    ordered = sorted(
        (f for f in fields if f.key in UNIT_KEYS), key=lambda f: UNIT_KEYS.index(f.key)
    )
    return [f.value for f in ordered]
