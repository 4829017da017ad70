"""The document's title: the best early line (or short run of lines) that names a document.

PDF covers break titles over lines ('2018 年度江苏省高级' / '人民法院预算公开') or print the year on
its own line ('江苏省人民检察院' / '年部门预算' / '2017'), so a title may join up to three lines.
Metadata fields, page numbers, 目录 and numbered headings are never titles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.describe._text import CJK, collapse_spaces, is_page_number
from ingest.describe.headers import is_field_line
from ingest.describe.locality import place_chains
from ingest.describe.unit import UNIT_KINDS

# Words a document title carries (a table caption carries them too, but ranks lower).
DOCUMENT_WORDS = ("预算", "决算", "项目", "绩效", "自评", "报告", "说明", "三公", "文本")
_SEARCH_LINES = 40
_MAX_LINE_CHARS = 60
_MAX_TITLE_LINES = 3
_NUMBERED = re.compile(
    r"^(第[一二三四五六七八九十\d]+部分|[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]"
    r"|\d+\s*[.、．]\D|[①-⑳]|附件|附表|(公开)?表\s*[一二三四五六七八九十\d]+|公开\s*\d+\s*表)"
)
_CONTENTS = re.compile(r"^目\s*录$")
_SENTENCE_PUNCT = re.compile(r"[，,。；;！？]")
_YEAR = re.compile(r"(?:19|20)\d{2}")
_YEAR_ONLY = re.compile(r"^[(（]?\s*(?:19|20)\d{2}\s*(年度?)?\s*[)）]?$")


@dataclass(frozen=True)
class TitleFound:
    text: str
    first_line: int  # indices into the lines searched
    last_line: int


def _can_be_title_part(line: str) -> bool:
    return not (
        is_field_line(line)
        or is_page_number(line)
        or _CONTENTS.match(line)
        or _NUMBERED.match(line)
        or _SENTENCE_PUNCT.search(line)
        or len(line) > _MAX_LINE_CHARS
    )


def _has_document_word(text: str) -> bool:
    return any(word in text for word in DOCUMENT_WORDS)


def join_title_lines(parts: list[str]) -> str:
    """Join broken title lines: no space between two Chinese characters, one space otherwise."""
    joined = parts[0]
    for part in parts[1:]:
        glue = "" if re.match(f"[{CJK}]", joined[-1:]) and re.match(f"[{CJK}]", part) else " "
        joined += glue + part
    return collapse_spaces(joined)


def _block_from(lines: list[str], first: int) -> TitleFound | None:
    """The title block starting at `first`: lines joined until a document word appears."""
    parts, last = [lines[first]], first
    while not _has_document_word("".join(parts)) and len(parts) < _MAX_TITLE_LINES:
        if last + 1 >= len(lines) or not _can_be_title_part(lines[last + 1]):
            return None
        last += 1
        parts.append(lines[last])
    if not _has_document_word("".join(parts)):
        return None
    if last + 1 < len(lines) and _YEAR_ONLY.match(lines[last + 1]):
        last += 1
        parts.append(lines[last])
    return TitleFound(join_title_lines(parts), first, last)


def _score(title: str) -> int:
    """A title naming a year and a place or unit beats a bare caption like 收支预算总表."""
    names_unit = bool(place_chains(title)) or any(kind in title for kind in UNIT_KINDS)
    return 1 + 2 * bool(_YEAR.search(title)) + 2 * names_unit


def is_caption(title: str) -> bool:
    """True for a bare table caption ('收支预算总表'): no year, no place, no unit."""
    return _score(title) == 1 and title.endswith("表")


def find_title(lines: list[str]) -> TitleFound | None:
    """The best-scoring title block among the first lines (earliest on a tie)."""
    best: TitleFound | None = None
    best_score = 0
    for index, line in enumerate(lines[:_SEARCH_LINES]):
        if not _can_be_title_part(line):
            continue
        block = _block_from(lines, index)
        if block and (score := _score(block.text)) > best_score:
            best, best_score = block, score
    return best
