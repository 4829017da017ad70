"""Ruled tables of a scanned page, rebuilt from its ruling lines and the recognised text boxes.

Rules are found with morphology (an opening with a long thin kernel keeps only long strokes);
the rules that touch each other make one table. Their positions cut the table into a grid, two
neighbouring grid cells are one merged cell when no rule runs between them, and each recognised
box goes into the cell holding its centre. The grid is written like a text-layer PDF's: a merged
cell's text in its top-left cell, blanks after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

import numpy as np
from PIL import Image

from ingest.load.builder import join_wrapped
from ingest.load.ocr import Word
from ingest.tables.cells import is_value

_RULE_COVERAGE = 0.6  # share of a cell border the rule must cover to separate two cells
_MERGE_TOLERANCE = 0.25  # rule positions closer than this many text heights are one rule
_MIN_RULES = 2  # horizontal and vertical rules each, for a table


@dataclass(frozen=True)
class BoxCell:
    """A table cell recognised from a scan: its text, the words in it, its rectangle (pixels)."""

    text: str
    words: tuple[Word, ...]
    box: tuple[float, float, float, float]  # x0, top, x1, bottom of the (merged) cell

    @property
    def confidence(self) -> float | None:
        return min((w.confidence for w in self.words), default=None)


@dataclass(frozen=True)
class BoxTable:
    """One ruled table of a scanned page: rows of cells, top to bottom; blank after merges."""

    bbox: tuple[float, float, float, float]
    rows: tuple[tuple[BoxCell, ...], ...]

    @property
    def words(self) -> frozenset[int]:
        """id() of every word written into a cell."""
        return frozenset(id(w) for row in self.rows for cell in row for w in cell.words)


@dataclass(frozen=True)
class _Masks:
    horizontal: np.ndarray  # uint8, 255 where a horizontal rule is
    vertical: np.ndarray


def find_box_tables(image: Image.Image, words: Sequence[Word]) -> list[BoxTable]:
    """The ruled tables of an upright page image, with the words inside them placed in cells."""
    if not words:
        return []
    text_height = median(w.height for w in words)
    masks = _rule_masks(image, text_height)
    tables = []
    for bbox in _table_regions(masks, text_height):
        rows = _grid(masks, bbox, words, text_height)
        if len(rows) >= 2 and len(rows[0]) >= 2:
            tables.append(BoxTable(bbox, rows))
    return tables


def _rule_masks(image: Image.Image, text_height: float) -> _Masks:
    import cv2

    gray = np.asarray(image.convert("L"))
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    # Longer than any character and its box: a character's strokes never survive the opening.
    long_side = max(int(text_height * 2.5), 15)
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, long_side), np.uint8))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((long_side, 1), np.uint8))
    # Blur and thin rules leave gaps of a pixel or two; close them along the rule.
    horizontal = cv2.dilate(horizontal, np.ones((3, 5), np.uint8))
    vertical = cv2.dilate(vertical, np.ones((5, 3), np.uint8))
    return _Masks(horizontal, vertical)


def _table_regions(masks: _Masks, text_height: float) -> list[tuple[float, float, float, float]]:
    """Bounding boxes of the groups of touching rules holding enough rules of both directions."""
    import cv2

    both = cv2.bitwise_or(masks.horizontal, masks.vertical)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(both, connectivity=8)
    regions = []
    for label in range(1, count):
        x, y, w, h, _ = stats[label]
        if w < 4 * text_height or h < 2 * text_height:
            continue
        inside = labels[y : y + h, x : x + w] == label
        rows = _rule_positions(
            masks.horizontal[y : y + h, x : x + w] & inside, axis=1, text_height=text_height
        )
        cols = _rule_positions(
            masks.vertical[y : y + h, x : x + w] & inside, axis=0, text_height=text_height
        )
        if len(rows) >= _MIN_RULES and len(cols) >= _MIN_RULES:
            regions.append((float(x), float(y), float(x + w), float(y + h)))
    return sorted(regions, key=lambda r: r[1])


def _rule_positions(mask: np.ndarray, *, axis: int, text_height: float) -> list[float]:
    """Positions (pixels from the mask's start) of the rules in `mask`: rows (axis=1) or columns
    (axis=0) where at least a text height of rule runs; neighbours closer than a quarter text
    height are one (doubled and thick rules)."""
    run = (mask > 0).sum(axis=axis)
    hits = np.flatnonzero(run >= text_height)
    positions: list[list[int]] = []
    for hit in hits:
        if positions and hit - positions[-1][-1] <= max(2.0, _MERGE_TOLERANCE * text_height):
            positions[-1].append(int(hit))
        else:
            positions.append([int(hit)])
    return [(group[0] + group[-1]) / 2 for group in positions]


def _grid(
    masks: _Masks,
    bbox: tuple[float, float, float, float],
    words: Sequence[Word],
    text_height: float,
) -> tuple[tuple[BoxCell, ...], ...]:
    x0, y0, x1, y1 = (int(v) for v in bbox)
    ys = [
        y0 + p
        for p in _rule_positions(masks.horizontal[y0:y1, x0:x1], axis=1, text_height=text_height)
    ]
    xs = [
        x0 + p
        for p in _rule_positions(masks.vertical[y0:y1, x0:x1], axis=0, text_height=text_height)
    ]
    ys, xs = _with_edges(ys, y0, y1, text_height), _with_edges(xs, x0, x1, text_height)
    merged = _merged_cells(masks, xs, ys)
    inside = [w for w in words if x0 <= w.centre_x <= x1 and y0 <= w.centre_y <= y1]
    placed = _placed(inside, merged, xs, ys)
    rows = []
    for r in range(len(ys) - 1):
        row = []
        for c in range(len(xs) - 1):
            anchor = merged[r][c]
            own = placed.get((r, c), []) if anchor == (r, c) or (r, c) in placed else []
            box = _cell_box(merged, anchor, xs, ys)
            row.append(BoxCell(cell_text(own), tuple(own), box))
        rows.append(tuple(row))
    return _without_empty(rows)


def _placed(
    words: Sequence[Word], merged: list[list[tuple[int, int]]], xs: list[float], ys: list[float]
) -> dict[tuple[int, int], list[Word]]:
    """Words by the (top-left cell of the) merged cell holding their centre. A merged cell never
    holds two figures: figures in different grid cells of one are kept apart, since the rule
    between them is there but broken (a faint or damaged scan)."""
    cells: dict[tuple[int, int], tuple[int, int]] = {}
    for word in words:
        r, c = _band(ys, word.centre_y), _band(xs, word.centre_x)
        if r is not None and c is not None:
            cells[id(word)] = (r, c)
    by_anchor: dict[tuple[int, int], list[Word]] = {}
    for word in words:
        if id(word) in cells:
            r, c = cells[id(word)]
            by_anchor.setdefault(merged[r][c], []).append(word)
    placed: dict[tuple[int, int], list[Word]] = {}
    for anchor, group in by_anchor.items():
        figures = {cells[id(w)] for w in group if is_value(w.text)}
        if len(figures) > 1:
            for word in group:
                placed.setdefault(cells[id(word)], []).append(word)
        else:
            placed.setdefault(anchor, []).extend(group)
    return placed


def _with_edges(positions: list[float], low: int, high: int, text_height: float) -> list[float]:
    """Rule positions with the region's edges added where no rule lies (a table cut at a page
    break has no closing rule)."""
    out = sorted(positions)
    if not out or out[0] - low > text_height / 2:
        out.insert(0, float(low))
    if high - out[-1] > text_height / 2:
        out.append(float(high))
    return out


def _band(bounds: list[float], value: float) -> int | None:
    for index in range(len(bounds) - 1):
        if bounds[index] <= value < bounds[index + 1]:
            return index
    return None


def _covered(mask: np.ndarray, fixed: int, start: float, end: float, *, vertical: bool) -> bool:
    """Whether a rule covers most of the border from start to end at `fixed` (±2 px)."""
    lo, hi = int(start) + 2, int(end) - 2
    if hi <= lo:
        return True
    band = (
        mask[lo:hi, max(fixed - 2, 0) : fixed + 3]
        if vertical
        else mask[max(fixed - 2, 0) : fixed + 3, lo:hi]
    )
    hit = (band > 0).any(axis=1 if vertical else 0)
    return bool(hit.mean() >= _RULE_COVERAGE)


def _merged_cells(masks: _Masks, xs: list[float], ys: list[float]) -> list[list[tuple[int, int]]]:
    """For each grid cell, the top-left grid cell of the merged cell it belongs to."""
    rows, cols = len(ys) - 1, len(xs) - 1
    parent = {(r, c): (r, c) for r in range(rows) for c in range(cols)}

    def root(cell: tuple[int, int]) -> tuple[int, int]:
        while parent[cell] != cell:
            cell = parent[cell]
        return cell

    def join(a: tuple[int, int], b: tuple[int, int]) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for r in range(rows):
        for c in range(cols):
            if c + 1 < cols and not _covered(
                masks.vertical, int(xs[c + 1]), ys[r], ys[r + 1], vertical=True
            ):
                join((r, c), (r, c + 1))
            if r + 1 < rows and not _covered(
                masks.horizontal, int(ys[r + 1]), xs[c], xs[c + 1], vertical=False
            ):
                join((r, c), (r + 1, c))
    return [[root((r, c)) for c in range(cols)] for r in range(rows)]


def _cell_box(
    merged: list[list[tuple[int, int]]], anchor: tuple[int, int], xs: list[float], ys: list[float]
) -> tuple[float, float, float, float]:
    members = [(r, c) for r, row in enumerate(merged) for c, a in enumerate(row) if a == anchor]
    return (
        xs[min(c for _, c in members)],
        ys[min(r for r, _ in members)],
        xs[max(c for _, c in members) + 1],
        ys[max(r for r, _ in members) + 1],
    )


def cell_text(words: Sequence[Word]) -> str:
    """Words of one cell: lines top to bottom, words left to right, wrapped lines joined."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: w.centre_y):
        if lines and abs(word.centre_y - lines[-1][0].centre_y) < word.height / 2:
            lines[-1].append(word)
        else:
            lines.append([word])
    texts = [join_wrapped([w.text for w in sorted(line, key=lambda w: w.x0)]) for line in lines]
    return join_wrapped(texts)


def _without_empty(rows: list[tuple[BoxCell, ...]]) -> tuple[tuple[BoxCell, ...], ...]:
    """Rows and columns with no text dropped (spacers between doubled rules, blank margins)."""
    kept_rows = [row for row in rows if any(cell.text for cell in row)]
    if not kept_rows:
        return ()
    keep = [c for c in range(len(kept_rows[0])) if any(row[c].text for row in kept_rows)]
    return tuple(tuple(row[c] for c in keep) for row in kept_rows)
