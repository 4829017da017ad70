"""PDF with pdfplumber: page text in reading order with ruled tables laid in as tab-separated rows."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import pdfplumber
from pdfplumber.page import Page as PdfPage
from pdfplumber.utils import dedupe_chars

from gongkai.errors import CorruptFileError, FileTooLargeError, IngestError

from .builder import TextBuilder, join_wrapped
from .pdf_layout import (
    Char,
    Line,
    build_lines,
    continues_on_next_page,
    is_page_number,
    reflow,
    text_edges,
)
from .pdf_tables import PageTable, find_page_tables
from .scan import recognise_pdf_pages
from .scan_layout import ScannedPage, write_scanned_page

log = logging.getLogger(__name__)

_MIN_CHARS_PER_PAGE = 10  # below this on average the PDF has no text layer (a scan)


def _text_lines(page: PdfPage, chars: list[Char], tables: list[PageTable]) -> list[Line]:
    """Lines of the characters no table cell took, the page number dropped."""
    used = frozenset().union(*(table.used for table in tables))
    lines = build_lines(c for c in chars if id(c) not in used)
    if lines and is_page_number(lines[-1], float(page.height)):
        lines.pop()
    return lines


def _kept_tables(tables: list[PageTable], chars: list[Char], carried: int) -> list[PageTable]:
    """Tables of two rows or more, plus a one-row table that opens the page with the width of the
    table the previous page ended with: the last row(s) of that table, carried over the break."""
    if not tables or len(tables[0].grid) > 1:
        return [t for t in tables if len(t.grid) > 1]
    first = tables[0]
    nothing_above = not any(c["bottom"] <= first.bbox[1] and c["text"].strip() for c in chars)
    rest = [t for t in tables[1:] if len(t.grid) > 1]
    return [first, *rest] if nothing_above and len(first.grid[0]) == carried else rest


def _without_overprints(chars: list[Char]) -> list[Char]:
    """Characters with "fake bold" overprints removed; pdfplumber's dedupe runs only when needed."""
    seen = {(c["text"], int(c["x0"] // 2), int(c["top"] // 2)) for c in chars}
    return chars if len(seen) == len(chars) else dedupe_chars(chars, tolerance=1)


@dataclass(frozen=True)
class _PageContent:
    """One page read: its reflowed text lines and tables in vertical order, and its margins."""

    number: int
    items: tuple[Line | PageTable, ...]
    edges: tuple[float, float] | None  # left and right margins of its text; None without text


def _read_page(page: PdfPage, carried: int) -> tuple[_PageContent, int]:
    """Text lines and tables of one page, in vertical order; `carried` is the column count of
    the table the previous page ended with (0: none). Returns the same for this page."""
    chars = _without_overprints(page.chars)
    try:
        tables = _kept_tables(find_page_tables(page, chars), chars, carried)
    except Exception as exc:  # a malformed drawing must not lose the page's text
        log.warning("table detection failed on page %s: %s", page.page_number, exc, exc_info=True)
        tables = []
    lines = _text_lines(page, chars, tables)
    items: list[Line | PageTable] = []
    position = 0
    for table in tables:
        end = position
        while end < len(lines) and lines[end].top < table.bbox[1]:
            end += 1
        items.extend(reflow(lines[position:end]))
        position = end
        items.append(table)
    items.extend(reflow(lines[position:]))
    ends_with_table = bool(tables) and not any(line.top > tables[-1].bbox[3] for line in lines)
    content = _PageContent(page.page_number, tuple(items), text_edges(lines) if lines else None)
    return content, len(tables[-1].grid[0]) if ends_with_table else 0


def _runs_on(content: _PageContent, following: _PageContent | None) -> bool:
    """Whether the last line of a page is a sentence the next page's first line finishes."""
    if following is None or not content.items or not following.items:
        return False
    last, first = content.items[-1], following.items[0]
    return (
        isinstance(last, Line) and isinstance(first, Line)
        and content.edges is not None and following.edges is not None
        and continues_on_next_page(last, content.edges, first, following.edges)
    )


def _write_pages(builder: TextBuilder, pages: list[_PageContent | ScannedPage]) -> None:
    """Lay the pages into the text. A sentence wrapped over a page break is one line of text
    whose characters still belong to the page they are printed on."""
    for index, content in enumerate(pages):
        if isinstance(content, ScannedPage):
            write_scanned_page(builder, content)
            continue
        following = pages[index + 1] if index + 1 < len(pages) else None
        runs_on = isinstance(following, _PageContent) and _runs_on(content, following)
        builder.start_page()
        for position, item in enumerate(content.items):
            if isinstance(item, PageTable):
                builder.add_table(item.grid, kind="pdf", page=content.number)
            elif runs_on and position == len(content.items) - 1:
                first = following.items[0] if following else None
                assert isinstance(first, Line)
                builder.add_text(_run_on_text(item.text, first.text))
            else:
                builder.add_line(item.text)
        builder.end_page(content.number)


def _run_on_text(line: str, next_line: str) -> str:
    """A page's last line when the next page's first line goes on with it: no line break, and a
    space only between two ASCII words (as `join_wrapped` joins them)."""
    return line if join_wrapped([line, next_line]) == line.strip() + next_line.strip() else line + " "


def _open(data: bytes, name: str) -> pdfplumber.PDF:
    try:
        return pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many types for broken files
        if "password" in repr(exc).lower() or "encrypt" in repr(exc).lower():
            raise CorruptFileError(f"PDF 已加密，无法读取：{name}", detail=repr(exc)) from exc
        raise CorruptFileError(f"PDF 文件已损坏，无法打开：{name}", detail=repr(exc)) from exc


def _without_text(content: _PageContent) -> bool:
    """A page with (almost) no characters and no table: a scanned page, or a blank one."""
    visible = sum(len(item.text.strip()) for item in content.items if isinstance(item, Line))
    has_table = any(isinstance(item, PageTable) for item in content.items)
    return visible < _MIN_CHARS_PER_PAGE and not has_table


def _with_scans(
    data: bytes, name: str, pages: list[_PageContent], max_pixels: int
) -> list[_PageContent | ScannedPage]:
    """The pages, those without a text layer replaced by their recognised text."""
    numbers = [content.number for content in pages if _without_text(content)]
    scanned = recognise_pdf_pages(data, name, numbers, max_pixels=max_pixels) if numbers else {}
    return [scanned.get(content.number, content) for content in pages]


def load_pdf(data: bytes, name: str, *, max_pages: int, max_pixels: int) -> TextBuilder:
    """A builder with one Page per PDF page and a SourceTable per ruled table; pages without
    a text layer are recognised (OCR) from their image."""
    with _open(data, name) as pdf:
        try:
            page_count = len(pdf.pages)
        except Exception as exc:
            raise CorruptFileError(
                f"PDF 文件已损坏，无法读取页面：{name}", detail=repr(exc)
            ) from exc
        if page_count == 0:
            raise CorruptFileError(f"PDF 文件没有页面：{name}")
        if page_count > max_pages:
            raise FileTooLargeError(f"PDF 页数过多（{page_count} 页，上限 {max_pages} 页）：{name}")
        pages: list[_PageContent] = []
        carried = 0
        for page in pdf.pages:
            try:
                content, carried = _read_page(page, carried)
            except Exception as exc:
                raise CorruptFileError(
                    f"PDF 第 {page.page_number} 页无法解析：{name}", detail=repr(exc)
                ) from exc
            pages.append(content)
            page.close()
    builder = TextBuilder()
    _write_pages(builder, _with_scans(data, name, pages, max_pixels))
    _refuse_textless(builder, page_count, name)
    return builder


def _refuse_textless(builder: TextBuilder, page_count: int, name: str) -> None:
    visible = sum(1 for ch in builder.text if not ch.isspace())
    if visible < _MIN_CHARS_PER_PAGE * page_count:
        raise IngestError(
            f"该 PDF 没有文字层，扫描识别（OCR）也没有读出文字（可能是空白页或图像过于模糊）：{name}",
            detail=f"visible_chars={visible} pages={page_count}",
        )
