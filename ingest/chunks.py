"""Chinese-aware chunking on sentence and section boundaries, with exact character offsets.

Hand-written because chunks must keep exact offsets and heading paths: LangChain's splitters
recover offsets with `str.find`, which misplaces passages that repeat (boilerplate often does).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from gongkai.types import Chunk, Document, Table

_CN_NUM = "一二三四五六七八九十百零〇"
# Heading markers by level: 第一部分 / 一、 / （一） / 1. 1、 / （1）
_HEADING_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (0, re.compile(rf"^第[{_CN_NUM}\d]+部分")),
    (1, re.compile(rf"^[{_CN_NUM}]+\s*[、.．]")),
    (2, re.compile(rf"^[（(]\s*[{_CN_NUM}]+\s*[)）]")),
    (3, re.compile(r"^\d{1,2}\s*[、.．](?!\d)")),
    (4, re.compile(r"^[（(]\s*\d{1,2}\s*[)）]")),
)
_HEADING_MAX_CHARS = 40
_SENTENCE_END = re.compile(r"[。！？；!?;]+[”’」』)）]*|\n")
_CLAUSE_END = re.compile(r"[，,、：:]")
_BREAK = -1  # a table region: no chunk runs across it
# Left between tables: cell borders and the caption and unit lines that the table chunk carries.
_TABLE_DEBRIS = re.compile(r"[|｜\s\-—:：]+")
# Any unit ('单位：人' too); `ingest.tables.cells.is_unit_line` reads only money units, for tables.
_UNIT_LINE = re.compile(r"^\s*[(（]?\s*(?:金额)?单位\s*[:：]\s*\S{1,4}[)）]?\s*$")
_CJK_OR_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
MIN_PROSE_CHARS = 6


@dataclass(frozen=True)
class _Piece:
    start: int
    end: int
    heading_level: int | None  # set when the piece is a heading line; _BREAK for a table


def heading_level(line: str) -> int | None:
    """The level of a heading line (0 = 第X部分 … 4 = （1）), or None for body text.

    A long line that opens with a section marker (levels 0–2) is a heading followed by its text;
    numbered items (levels 3–4) count only as short lines of their own.

    >>> heading_level("一、部门主要职责"), heading_level("（二）单位构成"), heading_level("2023 年收入 1 万元。")
    (1, 2, None)
    """
    stripped = line.strip().lstrip("-* ")
    if not stripped:
        return None
    short = len(stripped) <= _HEADING_MAX_CHARS and not stripped.endswith(("。", "；", ";"))
    for level, pattern in _HEADING_PATTERNS:
        if pattern.match(stripped) and (short or level <= 2):
            return level
    return None


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans in text[start:end], trimmed of surrounding whitespace."""
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _SENTENCE_END.finditer(text, start, end):
        spans.append((cursor, match.end()))
        cursor = match.end()
    spans.append((cursor, end))
    trimmed = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            trimmed.append((s, e))
    return trimmed


def _split_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut a sentence longer than max_chars at clause marks, else hard at max_chars."""
    pieces: list[tuple[int, int]] = []
    while end - start > max_chars:
        window_end = start + max_chars
        cut = max((m.end() for m in _CLAUSE_END.finditer(text, start + max_chars // 2, window_end)),
                  default=window_end)
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def _pieces(text: str, regions: Sequence[tuple[int, int]], max_chars: int) -> list[_Piece]:
    """Headings and sentences of the text outside `regions` (tables), in order."""
    pieces: list[_Piece] = []
    cursor = 0
    bounds = sorted(regions) + [(len(text), len(text))]
    for region_start, region_end in bounds:
        segment_end = max(cursor, region_start)
        line_start = cursor
        for line in text[cursor:segment_end].splitlines(keepends=True):
            line_end = line_start + len(line)
            level = heading_level(line)
            for i, (s, e) in enumerate(_sentences(text, line_start, line_end)):
                if i == 0 and level is not None:
                    pieces.append(_Piece(s, min(e, s + _HEADING_MAX_CHARS), level))
                    s = min(e, s + _HEADING_MAX_CHARS)
                pieces.extend(_Piece(a, b, None) for a, b in _split_long(text, s, e, max_chars) if b > a)
            line_start = line_end
        if region_end > region_start:
            pieces.append(_Piece(region_start, region_end, _BREAK))
        cursor = max(cursor, region_end)
    return pieces


def _overlap_start(text: str, prev_start: int, prev_end: int, overlap: int) -> int:
    """Where the next chunk starts so it repeats a little of the previous one, at a clause mark."""
    if overlap <= 0:
        return prev_end
    floor = max(prev_start, prev_end - overlap)
    marks = [m.end() for m in re.finditer(r"[。！？；!?;，,、]", text[floor:prev_end])]
    return floor + marks[0] if marks and floor + marks[0] < prev_end else floor


def chunk_text(
    text: str,
    regions: Sequence[tuple[int, int]] = (),
    *,
    min_chars: int = 200,
    max_chars: int = 500,
    overlap: int = 50,
) -> list[tuple[int, int, str]]:
    """Chunk spans (start, end, heading path) over the text outside `regions`.

    A chunk closes at a section heading (levels 0–2) once it holds text, or before it would pass
    `max_chars`; a chunk smaller than `min_chars` is carried on into the next sentence when the
    section goes on. Each chunk after the first in a section repeats about `overlap` characters.
    """
    headings: dict[int, str] = {}
    chunks: list[tuple[int, int, str]] = []
    current: tuple[int, int] | None = None
    current_heading = ""
    only_headings = False

    def path() -> str:
        return " > ".join(headings[level] for level in sorted(headings))

    def close() -> None:
        nonlocal current
        if current is not None:
            chunks.append((current[0], current[1], current_heading))
            current = None

    for piece in _pieces(text, regions, max_chars):
        if piece.heading_level == _BREAK:
            close()
            continue
        if piece.heading_level is not None:
            # a short section (a title line, a one-line item) runs on into the next one: a chunk
            # of its own would cost a vector for a few words
            if piece.heading_level <= 2 and current is not None and (
                current[1] - current[0] >= min_chars // 2
            ):
                close()
            for level in [lvl for lvl in headings if lvl >= piece.heading_level]:
                del headings[level]
            headings[piece.heading_level] = re.sub(r"\s+", " ", text[piece.start:piece.end])
        if current is None:
            current = (piece.start, piece.end)
            current_heading = path()
            only_headings = piece.heading_level is not None
            continue
        if only_headings:  # name a chunk by the headings over its first body sentence
            current_heading = path()
            only_headings = piece.heading_level is not None
        if piece.end - current[0] > max_chars and current[1] - current[0] >= min_chars // 2:
            prev = current
            close()
            start = _overlap_start(text, prev[0], prev[1], overlap)
            current = (min(start, piece.start), piece.end)
            current_heading = path()
        else:
            current = (current[0], piece.end)
    close()
    return chunks


def linearise_table(table: Table, max_chars: int) -> list[str]:
    """A table as retrieval text: title and unit, then one 'label：header=value；…' line per row.

    Long tables are cut into several texts, each repeating the title so every part stands alone.
    """
    head = table.title + (f"（单位：{table.unit}）" if table.unit else "")
    lines: list[str] = []
    for row in table.rows:
        if row.is_header:
            continue
        parts = []
        for cell in row.cells:
            if not cell.text or cell.text in (row.label, row.code):
                continue
            column = table.columns[cell.col] if cell.col < len(table.columns) else ""
            parts.append(f"{column}={cell.text}" if column and cell.value is not None else cell.text)
        label = f"{row.code} {row.label}".strip() if row.code else row.label
        if parts or label:
            lines.append(f"{label}：{'；'.join(parts)}" if parts else label)
    texts: list[str] = []
    body = ""
    for line in lines:
        if body and len(head) + len(body) + len(line) + 1 > max_chars:
            texts.append(f"{head}\n{body}".strip())
            body = ""
        body = f"{body}\n{line}" if body else line
    if body or not texts:
        texts.append(f"{head}\n{body}".strip())
    return texts


def _squeeze(text: str) -> str:
    return _TABLE_DEBRIS.sub("", text)


def has_prose(text: str, captions: Collection[str] = frozenset()) -> bool:
    r"""Whether a text chunk says anything beyond table debris: cell borders, and the caption and
    unit lines of a table (its own chunk carries them). Debris-only chunks cost an embedding
    and crowd out real passages in search results.

    >>> has_prose("|\n\n某局部门收入总表\n\n单位：万元\n\n| |", {"某局部门收入总表"})
    False
    >>> has_prose("附件 10"), has_prose("编制 7 人，实有 6 人")
    (False, True)
    """
    kept = [_squeeze(line) for line in text.splitlines() if not _UNIT_LINE.match(line)]
    words = "".join(line for line in kept if line not in captions)
    return len(_CJK_OR_WORD.findall(words)) >= MIN_PROSE_CHARS


def embedding_view(text: str) -> str:
    r"""A text chunk as the embedding model should read it: runs of table borders and blank lines
    collapsed, since each `|` costs the model a token and means nothing.

    >>> embedding_view("一、部门基本概况 |\n||||||\n\n本部门…")
    '一、部门基本概况\n本部门…'
    """
    return re.sub(r"\s*(?:[|｜][|｜\s]*)?\n[|｜\s]*", "\n", text).strip(" |｜\n")


def chunk_document(
    doc: Document,
    tables: Sequence[Table] = (),
    *,
    min_chars: int = 200,
    max_chars: int = 500,
    overlap: int = 50,
) -> list[Chunk]:
    """The document's text chunks (outside tables), then one or more chunks per table."""
    regions = [(t.start, t.end) for t in tables]
    captions = {_squeeze(t.title) for t in tables if t.title}
    chunks = [
        Chunk(doc.id, 0, doc.text[s:e], s, e, doc.page_at(s), heading)
        for s, e, heading in chunk_text(
            doc.text, regions, min_chars=min_chars, max_chars=max_chars, overlap=overlap
        )
        if has_prose(doc.text[s:e], captions)
    ]
    for table in tables:
        for text in linearise_table(table, max_chars):
            chunks.append(
                Chunk(doc.id, 0, text, table.start, table.end, table.page, table.title,
                      kind="table", table_index=table.index)
            )
    chunks.sort(key=lambda c: (c.start, c.kind != "text"))
    return [
        Chunk(c.doc_id, i, c.text, c.start, c.end, c.page, c.heading, c.kind, c.table_index)
        for i, c in enumerate(chunks)
    ]
