"""The fiscal year a document is about: the title's year, else its most stated '…年度' year."""

from __future__ import annotations

import re
from collections import Counter

from ingest.describe._text import normalize

_MIN_YEAR, _MAX_YEAR = 1990, 2100
# '2023 年' but not the year of a date ('2018 年 2 月 24 日').
_YEAR_PHRASE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年(?!\s*\d{1,2}\s*月)")
_FISCAL_YEAR_PHRASE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年度")
_LONE_YEAR = re.compile(r"(?<![\d.\-/])((?:19|20)\d{2})(?![\d.\-/])")
# In a file name a year stands apart from letters too ('dept_2018_final', not a hash 'fd2019ab').
_NAME_YEAR = re.compile(r"(?<![0-9A-Za-z])((?:19|20)\d{2})(?![0-9A-Za-z])")


def _valid(year: int) -> bool:
    return _MIN_YEAR <= year <= _MAX_YEAR


def year_in_title(title: str) -> int | None:
    """The first year phrase of the title, else a lone year printed with it ('…部门决算 2024')."""
    title = normalize(title)
    for pattern in (_YEAR_PHRASE, _LONE_YEAR):
        for match in pattern.finditer(title):
            if _valid(year := int(match.group(1))):
                return year
    return None


def most_stated_year(text: str) -> int | None:
    """The most frequent '…年度' year, else the most frequent '…年' year (dates excluded)."""
    text = normalize(text)
    for pattern in (_FISCAL_YEAR_PHRASE, _YEAR_PHRASE):
        counts = Counter(int(y) for y in pattern.findall(text) if _valid(int(y)))
        if counts:
            return counts.most_common(1)[0][0]
    return None


def year_in_file_name(stem: str) -> int | None:
    """A year phrase or a free-standing year in a file name ('部门预算2022', 'dept_2018_final')."""
    stem = normalize(stem)
    for pattern in (_YEAR_PHRASE, _NAME_YEAR):
        for match in pattern.finditer(stem):
            if _valid(year := int(match.group(1))):
                return year
    return None


def fiscal_year(title: str, text: str, file_stem: str = "") -> int | None:
    """Title year, else the text's most stated year, else a year in the file name."""
    return year_in_title(title) or most_stated_year(text) or year_in_file_name(file_stem)
