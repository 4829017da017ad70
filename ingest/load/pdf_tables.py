"""Ruled tables of a PDF page with pdfplumber, as grids of clean cell texts.

Tables in this genre are ruled with lines or thin filled rectangles. Two things defeat
pdfplumber's default "lines" strategy, and are handled here:
- white, unstroked cell-background rectangles add edges of their own, splitting merged header
  cells and adding spacer rows/columns: invisible rectangles are dropped before detection;
- doubled rules make narrow spacer columns: empty columns narrower than _SPACER_WIDTH are
  dropped, wider empty columns are kept so a table continued over pages keeps its columns;
- a table continued from the previous page has no top rule (nor a bottom rule when cut at the
  page end): where several vertical rules end at one height with no horizontal rule there,
  a horizontal rule is added.
One-row tables are returned too: the loader keeps them only as the last rows of a table carried
over from the previous page, since a lone ruled row elsewhere is more often a framed line of text.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from pdfplumber.page import Page as PdfPage

from .builder import clean_cell_text, drop_empty_rows_and_columns
from .pdf_layout import Char, cell_text, centre_in

TABLE_SETTINGS: dict = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
_MIN_EDGE = 3.0  # shorter edges are the ends of thin rectangles, not rules
_TOLERANCE = 2.0
_SPACER_WIDTH = 6.0  # points; no real column is this narrow


@dataclass(frozen=True)
class PageTable:
    bbox: tuple[float, float, float, float]
    grid: list[list[str]]
    used: frozenset[int]  # id() of the characters written into cells


def _is_white(colour: object) -> bool:
    if isinstance(colour, (int, float)):
        return colour >= 0.99
    if isinstance(colour, (tuple, list)) and colour:
        if len(colour) == 4:  # CMYK
            return all(isinstance(c, (int, float)) and c <= 0.01 for c in colour)
        return all(isinstance(c, (int, float)) and c >= 0.99 for c in colour)
    return False


def _is_visible(obj: dict) -> bool:
    """False for rectangles a reader cannot see: white fill and no (or white) stroke."""
    if obj.get("object_type") != "rect":
        return True
    if obj.get("stroke") and not _is_white(obj.get("stroking_color")):
        return True
    return bool(obj.get("fill")) and not _is_white(obj.get("non_stroking_color"))


def _buckets(edges: list[dict], key: str) -> dict[int, list[dict]]:
    table: dict[int, list[dict]] = defaultdict(list)
    for edge in edges:
        table[round(edge[key])].append(edge)
    return table


def _near(buckets: dict[int, list[dict]], y: float) -> list[dict]:
    found: list[dict] = []
    for key in range(round(y - _TOLERANCE), round(y + _TOLERANCE) + 1):
        found.extend(buckets.get(key, ()))
    return found


def _closed(y: float, x: float, horizontals: dict, verticals: dict) -> bool:
    """True when a vertical rule ending at (x, y) meets a horizontal rule or continues."""
    if any(h["x0"] - _TOLERANCE <= x <= h["x1"] + _TOLERANCE for h in _near(horizontals, y)):
        return True
    return any(abs(v["x0"] - x) <= _TOLERANCE for v in _near(verticals, y))


def _closing_rules(page: PdfPage) -> list[dict]:
    """Horizontal rules closing tables whose top or bottom rule is missing (page breaks)."""
    edges = [e for e in page.edges if max(e["width"], e["height"]) >= _MIN_EDGE]
    vertical = [e for e in edges if e["orientation"] == "v"]
    horizontal = _buckets([e for e in edges if e["orientation"] == "h"], "top")
    by_top, by_bottom = _buckets(vertical, "top"), _buckets(vertical, "bottom")
    open_ends: dict[int, list[float]] = defaultdict(list)
    for edge in vertical:
        if not _closed(edge["top"], edge["x0"], horizontal, by_bottom):
            open_ends[round(edge["top"])].append(edge["x0"])
        if not _closed(edge["bottom"], edge["x0"], horizontal, by_top):
            open_ends[round(edge["bottom"])].append(edge["x0"])
    rules = []
    for y, xs in open_ends.items():
        if len({round(x) for x in xs}) >= 2:
            rules.append(
                {
                    "x0": min(xs),
                    "x1": max(xs),
                    "top": y,
                    "bottom": y,
                    "width": max(xs) - min(xs),
                    "height": 0,
                    "orientation": "h",
                    "object_type": "line",
                }
            )
    return rules


def _grid(table, chars: list[Char]) -> tuple[list[list[str]], frozenset[int]]:
    """Cell texts of a pdfplumber table row by row (merged places empty), and the chars used."""
    inside = [c for c in chars if centre_in(c, table.bbox)]
    used: set[int] = set()
    grid: list[list[str]] = []
    for row in table.rows:
        row_chars = [c for c in inside if centre_in(c, row.bbox)]
        texts = []
        for bbox in row.cells:
            cell_chars = [] if bbox is None else [c for c in row_chars if centre_in(c, bbox)]
            used.update(id(c) for c in cell_chars)
            texts.append(clean_cell_text(cell_text(cell_chars)))
        grid.append(texts)
    return drop_empty_rows_and_columns(grid, _narrow_columns(table)), frozenset(used)


def _narrow_columns(table) -> set[int]:
    """Indexes of the table's columns too narrow to be real (gaps between doubled rules)."""
    starts = sorted({cell[0] for cell in table.cells})
    ends = [*starts[1:], table.bbox[2]]
    return {
        index for index, (start, end) in enumerate(zip(starts, ends)) if end - start < _SPACER_WIDTH
    }


def find_page_tables(page: PdfPage, chars: list[Char]) -> list[PageTable]:
    """Ruled tables with at least one row and two columns of content, top to bottom."""
    visible = page.filter(_is_visible)
    settings = {**TABLE_SETTINGS, "explicit_horizontal_lines": _closing_rules(visible)}
    tables = []
    for table in visible.find_tables(settings):
        grid, used = _grid(table, chars)
        if grid and len(grid[0]) >= 2:
            tables.append(PageTable(tuple(table.bbox), grid, used))
    return sorted(tables, key=lambda t: t.bbox[1])
