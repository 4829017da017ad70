"""Small text helpers shared by the describe modules."""

from __future__ import annotations

import re
import unicodedata

CJK = r"\u4e00-\u9fff"
HEAD_CHARS = 2000  # title, headers and the first statements live here
SCAN_CHARS = 20000  # recurring unit names and year phrases are counted over this much

_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{CJK}])[ \t\u3000]+(?=[{CJK}])")
_SPACE_RUNS = re.compile(r"[ \t\u3000]+")
# Page furniture a PDF puts on its own line: '1', '- 2 -', '— 3 —', '第 4 页'.
_PAGE_NUMBER = re.compile(r"^[-—–\s]*(第\s*)?\d{1,4}(\s*页)?[-—–\s]*$")


def normalize(text: str) -> str:
    """NFKC (full-width digits and colons become ASCII) so patterns match; lengths may change."""
    return unicodedata.normalize("NFKC", text)


def squeeze_cjk(text: str) -> str:
    """Drop spaces between two Chinese characters ('部门综合 预算' → '部门综合预算')."""
    return _SPACE_BETWEEN_CJK.sub("", text)


def collapse_spaces(text: str) -> str:
    """Runs of spaces become one space; ends are stripped."""
    return _SPACE_RUNS.sub(" ", text).strip()


def is_page_number(line: str) -> bool:
    """True for a line that is only a page number."""
    return bool(_PAGE_NUMBER.match(line))


def clean_line(line: str) -> str:
    """A line without table pipes and list bullets at its ends, spaces collapsed."""
    line = line.strip().strip("|").strip()
    line = re.sub(r"^[-*•·]\s+", "", line)
    return collapse_spaces(line.replace("|", " "))


def lines_of(text: str, limit_chars: int = HEAD_CHARS) -> list[str]:
    """The non-empty cleaned lines of the text's first `limit_chars` characters."""
    return [c for c in (clean_line(raw) for raw in text[:limit_chars].splitlines()) if c]
