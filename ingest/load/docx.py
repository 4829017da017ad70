"""DOCX with python-docx: paragraphs and tables in document order."""

from __future__ import annotations

import io

import docx
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

from gongkai.errors import CorruptFileError, EmptyFileError

from .builder import TextBuilder, clean_cell_text, drop_empty_rows_and_columns


def _table_grid(table: DocxTable) -> list[list[str]]:
    """Cell texts row by row; a merged cell's text is written once, its other grid places empty."""
    grid: list[list[str]] = []
    above: list[object] = []
    for row in table.rows:
        texts: list[str] = []
        elements: list[object] = []
        for column, cell in enumerate(row.cells):
            element = cell._tc  # the same <w:tc> repeats across a merge
            repeated = (elements and elements[-1] is element) or (
                column < len(above) and above[column] is element
            )
            texts.append("" if repeated else clean_cell_text(cell.text))
            elements.append(element)
        grid.append(texts)
        above = elements
    return drop_empty_rows_and_columns(grid)


def _paragraph_text(paragraph: Paragraph) -> str:
    return paragraph.text.replace("\r", "\n").replace("\x00", "")


def load_docx(data: bytes, name: str) -> TextBuilder:
    """A one-page builder: each paragraph a line, each table laid in as rows (kind 'docx')."""
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several types on broken packages
        raise CorruptFileError(f"Word 文档已损坏，无法打开：{name}", detail=repr(exc)) from exc
    builder = TextBuilder()
    builder.start_page()
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            for line in _paragraph_text(block).split("\n"):
                builder.add_line(line)
        else:
            builder.add_table(_table_grid(block), kind="docx")
    builder.end_page(1)
    if not builder.text.strip():
        raise EmptyFileError(f"Word 文档没有文字内容：{name}")
    return builder
