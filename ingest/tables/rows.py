"""Body rows: their label, 科目编码 and whether they roll other rows up."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from gongkai.types import Cell, Row
from ingest.numbers import fold_width, parse_number
from ingest.tables.cells import clean_label, is_blank, is_rollup_label, is_value
from ingest.tables.grid import RawCell
from ingest.tables.header import Positioned

log = logging.getLogger(__name__)

# Function (201 / 20103 / 2010301) and economic (301 / 30101) classification codes.
_CODE = re.compile(r"\d{3}(?:\d{2}){0,2}")
_CODE_PREFIX = re.compile(r"^\[?(\d{3}(?:\d{2}){0,2})\]?\s*(\D.*)$")
_CODE_SUFFIX = re.compile(r"^(.*?\D)\s*[（(\[](\d{3}(?:\d{2}){0,2})[)）\]]$")
_CODE_HEADER = re.compile(r"编码|代码")
_SUBJECT_HEADER = re.compile(r"科目|功能分类|经济分类")
_PART_HEADERS = {"类": 3, "款": 2, "项": 2}  # 科目 split over 类 / 款 / 项 columns
_COMPARATOR_ONLY = re.compile(r"^[=＝<>＜＞≤≥≦≧]+$")


@dataclass(frozen=True)
class RowInfo:
    label: str
    code: str | None
    code_col: int | None  # the column the code was read from, if a cell of its own
    from_label: bool = False  # the code was written inside the label
    raw_label: str = ""  # the label as written, before a code was cut out of it


def describe_rows(rows: list[Positioned], header_rows: int, columns: list[str]) -> list[RowInfo]:
    """Label and code of every row; header rows get their first text as label."""
    part_cols = _part_columns(columns)
    code_cols = [c for c, n in enumerate(columns) if _CODE_HEADER.search(n) and c not in part_cols]
    names_subjects = any(_SUBJECT_HEADER.search(name) for name in columns)
    infos: list[RowInfo] = []
    parts_seen: dict[str, str] = {}
    for index, row in enumerate(rows):
        if index < header_rows:
            infos.append(
                RowInfo(next((c.text for _, c in row if not is_blank(c.text)), ""), None, None)
            )
            continue
        code, code_col = None, None
        if part_cols:
            code = _code_from_parts(row, part_cols, parts_seen)
        if code is None:
            code, code_col = _code_from_columns(row, code_cols)
        if code is None and not code_cols and not part_cols:
            code, code_col = _code_leading(row)
        label = _label(row, code_col)
        embedded, bare = _code_in_label(label) if code is None else (None, label)
        infos.append(
            RowInfo(
                bare if embedded else label, code or embedded, code_col, embedded is not None, label
            )
        )
    return _confirm_embedded_codes(infos, names_subjects)


def _confirm_embedded_codes(infos: list[RowInfo], names_subjects: bool) -> list[RowInfo]:
    """Codes read out of labels stand only in 科目 tables or when they nest (201 ⊃ 20103);
    otherwise '12345热线' would read as a code."""
    embedded = [info.code for info in infos if info.from_label]
    if not embedded or names_subjects or parent_codes(embedded):
        return infos
    return [
        RowInfo(info.raw_label, None, info.code_col) if info.from_label else info for info in infos
    ]


def name_code_parts(columns: list[str], rows: list[Positioned], header_rows: int) -> list[str]:
    """Columns named after the 类 / 款 / 项 labels that 决算 tables print in their first body
    row (类 | 款 | 项 | 合计 | figures), so the parts are known, also to continuation pages."""
    named = list(columns)
    for row in rows[header_rows : header_rows + 2]:
        for col, cell in row:
            part = cell.text.replace(" ", "")
            if part in _PART_HEADERS and col < len(named) and not _part_name(named[col]):
                named[col] = f"{named[col]} / {part}" if named[col] else part
    return named


def _part_name(column: str) -> str | None:
    last = column.split(" / ")[-1].replace(" ", "")
    return last if last in _PART_HEADERS else None


def _part_columns(columns: list[str]) -> dict[int, str]:
    """Columns holding the 类 / 款 / 项 parts of a code; only the first group counts when two
    tables stand side by side."""
    parts: dict[int, str] = {}
    for col, name in enumerate(columns):
        part = _part_name(name)
        if part is None:
            continue
        if part in parts.values():
            break
        parts[col] = part
    return parts if "类" in parts.values() else {}


def _code_from_columns(row: Positioned, code_cols: list[int]) -> tuple[str | None, int | None]:
    for col, cell in row:
        if col in code_cols:
            text = fold_width(cell.text).replace(" ", "")
            if _CODE.fullmatch(text):
                return text, col
    return None, None


def _code_from_parts(
    row: Positioned, part_cols: dict[int, str], seen: dict[str, str]
) -> str | None:
    """类 | 款 | 项 digits joined (201 | 03 | 01 → 2010301); blank upper parts repeat the last."""
    digits = {
        part: fold_width(cell.text).strip() for col, cell in row if (part := part_cols.get(col))
    }
    code = ""
    finer_given = False
    for part in reversed(
        _PART_HEADERS
    ):  # 项, 款, 类: a finer part makes blank coarser parts inherit
        value = digits.get(part, "")
        if value and (not value.isdigit() or len(value) != _PART_HEADERS[part]):
            return None
        if value:
            seen[part] = value
            finer_given = True
        elif finer_given:
            value = seen.get(part, "")
        code = value + code
    return code if len(code) in (3, 5, 7) else None


def _code_leading(row: Positioned) -> tuple[str | None, int | None]:
    """A code in the row's first cell, followed by a text cell naming it."""
    filled = [(col, cell) for col, cell in row if not is_blank(cell.text)]
    if len(filled) < 2 or filled[0][0] > 1:
        return None, None
    (col, first), (_, second) = filled[0], filled[1]
    text = fold_width(first.text).strip()
    if (
        _CODE.fullmatch(text)
        and text[0] in "12345"
        and len(second.text) >= 2
        and not is_value(second.text)
    ):
        return text, col
    return None, None


def _label(row: Positioned, code_col: int | None) -> str:
    """The last text cell before the first figure, else the first text cell."""
    texts: list[str] = []
    for col, cell in row:
        if col == code_col or is_blank(cell.text) or _COMPARATOR_ONLY.match(cell.text):
            continue
        if is_value(cell.text):
            if texts:
                return texts[-1]
            continue
        texts.append(cell.text)
    return texts[0] if texts else ""


def _code_in_label(label: str) -> tuple[str | None, str]:
    """'事业运行（2010350）' or '2010301 行政运行' → the code and the bare label."""
    folded = fold_width(label)
    if match := _CODE_SUFFIX.match(folded):
        return match.group(2), label[: len(match.group(1))].strip()
    if (match := _CODE_PREFIX.match(folded)) and match.group(1)[0] in "12345":
        return match.group(1), label[match.start(2) :].strip()
    return None, label


def parent_codes(codes: list[str | None]) -> set[str]:
    """Codes that are a prefix of another code in the list (201 of 20103, 20103 of 2010301)."""
    present = {c for c in codes if c}
    return {c for c in present if any(o != c and o.startswith(c) for o in present)}


def _one_cell_per_column(row: Positioned) -> list[tuple[int, RawCell]]:
    """Cells in column order; where alignment put several in one column, blanks give way."""
    by_col: dict[int, list[RawCell]] = {}
    for col, cell in sorted(row, key=lambda pair: (pair[0], pair[1].start)):
        by_col.setdefault(col, []).append(cell)
    kept: list[tuple[int, RawCell]] = []
    for col, cells in by_col.items():
        filled = [c for c in cells if c.text.strip()]
        if len(filled) > 1:  # never seen on the corpora; keep the first rather than fail the file
            log.warning("cells %s aligned to one column %d; keeping the first", filled, col)
        kept.append((col, (filled or cells)[0]))
    return kept


def build_rows(
    rows: list[Positioned], header_rows: int, infos: list[RowInfo], parents: set[str]
) -> tuple[Row, ...]:
    """Typed rows with cells renumbered; header rows first."""
    built: list[Row] = []
    for index, (row, info) in enumerate(zip(rows, infos, strict=True)):
        is_header = index < header_rows
        cells = tuple(
            Cell(
                index,
                col,
                cell.text,
                cell.start,
                cell.end,
                None if is_header or col == info.code_col else parse_number(cell.text),
            )
            for col, cell in _one_cell_per_column(row)
        )
        rollup = not is_header and (is_rollup_label(info.label) or (info.code in parents))
        built.append(
            Row(index, cells, is_header, info.label, info.code if not is_header else None, rollup)
        )
    return tuple(built)


def label_key(label: str) -> str:
    """The label as compared between tables."""
    return clean_label(label)
