"""Prose sentences outside tables, each with the item heading it sits under.

Sentences end at 。！？；; and at paragraph breaks. A single line break inside a paragraph is soft:
PDF text wraps lines mid-phrase ('与上年相比\\n增加 1,003.69 万元'), so a line break only ends a
sentence after closing punctuation, before a list marker, or around a heading line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from gongkai.types import Table

ENUMERATOR = re.compile(
    r"^[\s\-•·*]*(?:[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[）)]|[一二三四五六七八九十]{1,3}\s*[、.．]|"
    r"\d{1,2}\s*[、.．](?!\d)|第[一二三四五六七八九十]+部分|[（(]?[a-zA-Z][）)、.])\s*"
)
_SENTENCE_END = re.compile(r"[。！？；;!?]")
_CLOSING = "。！？；;!?：:"
_HEADING_MAX = 60
_PROSE_CELL_MIN = 20
# Headings that name a section, not a fundable item ('资金安排情况', '项目实施计划').
_SECTION_WORDS = re.compile(
    r"(情况|说明|概况|依据|计划|成效|内容|目标|解释|职责|设置|构成|名称|单位|分析|"
    r"评价|结论|建议|问题|部分|附件|目录|附表|表)$"
)
_ITEM_WORDS = re.compile(r"(费|经费|资金|费用|项目|工程|建设|购置|维护|补助|补贴|支出)$")
_CLASSIFICATION_CHAIN = re.compile(r"[（(](类|款|项)[）)]")
_ITEM_CHAIN = re.compile(r"^[“\"]?([^，,。；;“”\"\d]+[（(](?:款|项)[）)])")


@dataclass(frozen=True)
class Sentence:
    start: int  # [start, end) in Document.text
    end: int
    heading: str  # the fundable item heading above it ('' when none), without its list marker


def prose_spans(text: str, tables: Sequence[Table]) -> list[tuple[int, int]]:
    """The stretches of `text` that no table covers."""
    spans, cursor = [], 0
    for start, end in sorted((table.start, table.end) for table in tables):
        if start > cursor:
            spans.append((cursor, start))
        cursor = max(cursor, end)
    if cursor < len(text):
        spans.append((cursor, len(text)))
    return spans


def split_sentences(text: str, tables: Sequence[Table]) -> list[Sentence]:
    """Every prose sentence of the document in order, table regions left out."""
    sentences: list[Sentence] = []
    line_heading = ""
    for span_start, span_end in prose_spans(text, tables):
        for start, end, is_heading in _paragraphs(text, span_start, span_end):
            if is_heading:
                line_heading = _item_heading(text[start:end])
            heading = line_heading  # an item named inside a paragraph holds to its end
            for sentence_start, sentence_end in _split_paragraph(text, start, end):
                sentences.append(Sentence(sentence_start, sentence_end, heading))
                heading = _inline_item(text[sentence_start:sentence_end]) or heading
    return sentences


def cell_sentences(text: str, tables: Sequence[Table]) -> list[Sentence]:
    """Sentences inside table cells that hold prose (自评 narratives, 指标 explanations)."""
    sentences = []
    for table in tables:
        for row in table.rows:
            for cell in row.cells:
                if _is_prose_cell(cell.text):
                    sentences.extend(
                        Sentence(start, end, "")
                        for start, end in _split_paragraph(text, cell.start, cell.end)
                    )
    return sentences


def _is_prose_cell(text: str) -> bool:
    return (
        len(text) >= _PROSE_CELL_MIN
        and bool(re.search(r"\d", text))
        and bool(re.search(r"[，,。；;]", text))
    )


def _lines(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    cursor = start
    while cursor < end:
        newline = text.find("\n", cursor, end)
        line_end = end if newline < 0 else newline
        yield cursor, line_end
        cursor = line_end + 1


def is_heading_line(line: str) -> bool:
    """A short line without sentence punctuation: a section or item title."""
    stripped = line.strip()
    if not stripped or len(stripped) > _HEADING_MAX or "|" in stripped or "\t" in stripped:
        return False
    body = ENUMERATOR.sub("", stripped)
    if (
        re.search(r"[，,。；;]", body[:-1])
        or body[-1:] in "，,"
        or len(re.findall(r"[一-龥]", body)) < 2
    ):
        return False
    if ENUMERATOR.match(stripped):
        return True
    return len(body) <= 20 and body[-1:] not in "。；;" and not body[:1].isdigit()


def _paragraphs(text: str, start: int, end: int) -> Iterator[tuple[int, int, bool]]:
    """(start, end, is_heading) per paragraph: blank lines, closing punctuation and headings split."""
    paragraph_start = paragraph_end = None
    previous = ""
    for line_start, line_end in _lines(text, start, end):
        line = text[line_start:line_end]
        if not line.strip():
            if paragraph_start is not None:
                yield paragraph_start, paragraph_end, False
            paragraph_start, previous = None, ""
            continue
        heading = is_heading_line(line)
        breaks = (
            heading or previous.rstrip()[-1:] in tuple(_CLOSING) or bool(ENUMERATOR.match(line))
        )
        if paragraph_start is not None and (breaks or is_heading_line(previous)):
            yield paragraph_start, paragraph_end, False
            paragraph_start = None
        if heading:
            yield line_start, line_end, True
            previous = line
            continue
        if paragraph_start is None:
            paragraph_start = line_start
        paragraph_end, previous = line_end, line
    if paragraph_start is not None:
        yield paragraph_start, paragraph_end, False


def _split_paragraph(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    cursor = start
    for match in _SENTENCE_END.finditer(text, start, end):
        if match.start() > cursor:
            yield cursor, match.start()
        cursor = match.end()
    if cursor < end:
        yield cursor, end


def _inline_item(sentence: str) -> str:
    """The 类/款/项 item an enumerated sentence is about ('1. “…（款）统计管理（项）”2.63万元…'), or ''."""
    stripped = sentence.strip()
    if not ENUMERATOR.match(stripped):
        return ""
    match = _ITEM_CHAIN.search(ENUMERATOR.sub("", stripped))
    return match.group(1) if match and len(match.group(1)) <= _HEADING_MAX else ""


def _item_heading(line: str) -> str:
    """The heading's text when it names a fundable item ('（一）…专线费'), else ''."""
    title = ENUMERATOR.sub("", line.strip()).strip().rstrip("。：:；;．.")
    if not title or _SECTION_WORDS.search(title) or re.search(r"[：:]", title):
        return ""  # '（八）机关运行经费：指…' defines a term; it heads no item
    return title if _ITEM_WORDS.search(title) or _CLASSIFICATION_CHAIN.search(title) else ""


def sentence_pieces(text: str) -> Iterator[tuple[int, int]]:
    """The sentences and heading lines of a stretch of text, in order, each with its closing
    mark: a single line break inside a paragraph is soft, so a sentence a PDF wrapped
    ('…比上年预算减少\\n30.8 万元，主要原因是…') is one piece. Lines of a table (cells
    separated by tabs) are pieces of their own."""
    cursor = 0
    for match in re.finditer(r"[^\n]*\t[^\n]*", text):  # table lines break the prose around them
        yield from _prose_pieces(text, cursor, match.start())
        yield match.start(), match.end()
        cursor = match.end()
    yield from _prose_pieces(text, cursor, len(text))


def _prose_pieces(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    for paragraph_start, paragraph_end, is_heading in _paragraphs(text, start, end):
        if is_heading:
            yield paragraph_start, paragraph_end
            continue
        for piece_start, piece_end in _split_paragraph(text, paragraph_start, paragraph_end):
            if piece_end < paragraph_end and _SENTENCE_END.match(text, piece_end):
                piece_end += 1  # the closing mark belongs to its sentence
            yield piece_start, piece_end
