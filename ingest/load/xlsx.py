"""XLSX with openpyxl: each sheet a page holding its name and one table."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from decimal import ROUND_HALF_UP, Decimal

import openpyxl

from gongkai.errors import CorruptFileError, EmptyFileError

from .builder import TextBuilder, clean_cell_text, drop_empty_rows_and_columns

_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')
_MAX_GENERAL_DIGITS = 12  # Excel's General format shows about this many significant digits


def _format_general(value: float) -> str:
    """A number as Excel's General format shows it: no binary noise, no trailing '.0'."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.{_MAX_GENERAL_DIGITS}g}"
    return text if "e" not in text else repr(value)


def _format_number(value: float, number_format: str) -> str:
    """The number as the cell's format displays it, when the format fixes decimals or thousands."""
    section = _QUOTED.sub("", (number_format or "General").split(";")[0])
    if (
        not math.isfinite(value)
        or not re.search(r"[0#]", section)
        or re.search(r"[yYmMdDhHsSeE]", section)
    ):
        return _format_general(value)
    percent = "%" in section
    exact = Decimal(repr(value)) * (100 if percent else 1)
    decimals = len(re.search(r"\.([0#]*)", section).group(1)) if "." in section else 0
    grouping = "," if re.search(r"[0#],[0#]", section) else ""
    # Excel rounds the decimal it shows half up (2.675 -> 2.68); binary floats would not.
    shown = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{shown:{grouping}.{decimals}f}" + ("%" if percent else "")


def format_cell(value: object, number_format: str = "General") -> str:
    """A cell value as text, numbers written as the cell displays them as far as feasible."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return _format_number(value, number_format)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return clean_cell_text(str(value))


def _sheet_grid(sheet) -> list[list[str]]:
    grid = []
    for row in sheet.iter_rows():
        grid.append(
            [format_cell(cell.value, getattr(cell, "number_format", "General")) for cell in row]
        )
    return drop_empty_rows_and_columns(grid)


def load_xlsx(data: bytes, name: str) -> TextBuilder:
    """A builder with one Page per sheet: the sheet name as a line, then its table (kind 'xlsx')."""
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types on broken packages
        raise CorruptFileError(f"Excel 文件已损坏，无法打开：{name}", detail=repr(exc)) from exc
    builder = TextBuilder()
    try:
        for index, sheet in enumerate(workbook.worksheets):
            builder.start_page()
            builder.add_line(sheet.title)
            builder.add_table(_sheet_grid(sheet), kind="xlsx", page=index + 1, title=sheet.title)
            builder.end_page(index + 1)
    except Exception as exc:
        raise CorruptFileError(f"Excel 文件内容无法读取：{name}", detail=repr(exc)) from exc
    finally:
        workbook.close()
    if not builder.tables:
        raise EmptyFileError(f"Excel 文件没有数据：{name}")
    return builder
