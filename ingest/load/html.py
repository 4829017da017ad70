"""HTML with BeautifulSoup + lxml: visible text, block elements on their own lines, tables laid in."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

from gongkai.errors import CorruptFileError, EmptyFileError

from .builder import TextBuilder, clean_cell_text, drop_empty_rows_and_columns
from .text import decode_bytes, has_bom, normalise_text

_HIDDEN = {
    "script",
    "style",
    "noscript",
    "template",
    "head",
    "iframe",
    "object",
    "svg",
    "select",
    "button",
}
_BLOCKS = {
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "br",
    "caption",
    "center",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "thead",
    "title",
    "ul",
    "tr",
    "td",
    "th",
}
_NON_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")
_MAX_SPAN = 1000  # colspan/rowspan beyond this is malformed markup
_FLUSH = object()  # stack marker: end of a block element


def decode_html(data: bytes) -> tuple[str, str]:
    """(text, encoding): the declared <meta> charset when it decodes, else as for text files."""
    declared = _META_CHARSET.search(data[:4096])
    if declared and not has_bom(data):
        encoding = declared.group(1).decode("ascii").lower()
        encoding = "gb18030" if encoding in {"gb2312", "gbk", "cp936", "gb18030"} else encoding
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            pass
    return decode_bytes(data)


class _LineWriter:
    """Collects inline text into lines; block elements end the current line."""

    def __init__(self, builder: TextBuilder) -> None:
        self.builder = builder
        self.pending: list[str] = []

    def text(self, piece: str) -> None:
        self.pending.append(piece)

    def flush(self) -> None:
        line = _WHITESPACE.sub(" ", "".join(self.pending)).strip()
        self.pending = []
        if line:
            self.builder.add_line(line)


def _span(cell: Tag, attribute: str) -> int:
    try:
        return max(1, min(int(str(cell.get(attribute, "1")).strip() or 1), _MAX_SPAN))
    except ValueError:
        return 1


def _own_rows(table: Tag) -> Iterator[Tag]:
    """<tr> elements of this table, not of tables nested in its cells."""
    for row in table.find_all("tr"):
        if row.find_parent("table") is table:
            yield row


def table_grid(table: Tag) -> list[list[str]]:
    """Cell texts laid on the table's grid; spanned places are empty cells."""
    grid: list[list[str]] = []
    carried: dict[tuple[int, int], bool] = {}  # places taken by a rowspan from above
    for r, row in enumerate(_own_rows(table)):
        cells: list[str] = []
        column = 0
        for cell in row.find_all(["td", "th"], recursive=False):
            while carried.get((r, column)):
                cells.append("")
                column += 1
            cells.append(clean_cell_text(_cell_text(cell)))
            colspan, rowspan = _span(cell, "colspan"), _span(cell, "rowspan")
            cells.extend([""] * (colspan - 1))
            for below in range(1, rowspan):
                for c in range(column, column + colspan):
                    carried[(r + below, c)] = True
            column += colspan
        grid.append(cells)
    return drop_empty_rows_and_columns(grid)


def _cell_text(cell: Tag) -> str:
    """Visible text of a cell, its block children on separate lines (joined later)."""
    parts: list[str] = []
    for node in cell.descendants:
        if isinstance(node, NavigableString) and not isinstance(node, _NON_TEXT):
            if not any(p.name in _HIDDEN for p in node.parents if isinstance(p, Tag)):
                parts.append(str(node))
        elif isinstance(node, Tag) and node.name in _BLOCKS:
            parts.append("\n")
    return "\n".join(_WHITESPACE.sub(" ", line) for line in "".join(parts).split("\n"))


def _walk(root: Tag, writer: _LineWriter) -> None:
    """Depth-first walk with an explicit stack, so deep nesting cannot overflow Python's stack."""
    stack: list[object] = [root]
    while stack:
        node = stack.pop()
        if node is _FLUSH:
            writer.flush()
        elif isinstance(node, NavigableString):
            if not isinstance(node, _NON_TEXT):
                writer.text(str(node))
        elif isinstance(node, Tag) and node.name not in _HIDDEN:
            if node.name == "table" and node.find("table") is None:
                _write_table(node, writer)
                continue
            # a table holding tables is page layout: its cells are read as blocks
            block = node.name in _BLOCKS
            if block:
                writer.flush()
                stack.append(_FLUSH)
            stack.extend(reversed(node.contents))


def _write_table(table: Tag, writer: _LineWriter) -> None:
    writer.flush()
    caption_tag = table.find("caption")
    caption = clean_cell_text(caption_tag.get_text(" ")) if caption_tag else ""
    if caption:
        writer.builder.add_line(caption)
    writer.builder.add_table(table_grid(table), kind="html", title=caption or None)


def load_html(data: bytes, name: str) -> tuple[TextBuilder, str]:
    """A one-page builder with the page's visible text and its tables (kind 'html')."""
    text, encoding = decode_html(data)
    text = normalise_text(text, name)
    try:
        soup = BeautifulSoup(text, "lxml")
    except RecursionError as exc:
        raise CorruptFileError(f"网页嵌套层级过深，无法解析：{name}") from exc
    builder = TextBuilder()
    builder.start_page()
    writer = _LineWriter(builder)
    title = soup.find("title")
    if title and title.get_text(strip=True):
        builder.add_line(_WHITESPACE.sub(" ", title.get_text()).strip())
    try:
        _walk(soup.body or soup, writer)
    except RecursionError as exc:
        raise CorruptFileError(f"网页嵌套层级过深，无法解析：{name}") from exc
    writer.flush()
    builder.end_page(1)
    if not builder.text.strip():
        raise EmptyFileError(f"网页没有可见文字：{name}")
    return builder, encoding
