"""Header rows: which rows are headers, and the header path of every column.

Grid headers (markdown, PDF) write a spanning label once and leave the rest of its span blank;
ragged headers (OCR, Word text) collapse merged cells, so upper rows are shorter than the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.tables.cells import is_blank, is_long, is_unit_line, is_value, unit_statement
from ingest.tables.grid import RawCell, RawTable

Positioned = list[tuple[int, RawCell]]  # (column, cell) pairs of one row
_QIZHONG = re.compile(r"^其中\s*[:：]?$")
_TITLE_ROW = re.compile(r"表\s*(?:[（(][^）)]*[)）])?$")
_COLUMN_NUMBERING_LABELS = frozenset({"栏次", "行次", "项目", "栏 次", "行 次"})


@dataclass
class Layout:
    """Rows placed in columns: header rows first, then body rows."""

    rows: list[Positioned]
    header_rows: int
    columns: list[str]
    title: str | None  # a title row inside the header ('…预算表')
    unit: str | None  # a '单位：万元' row inside the header


def lay_out(raw: RawTable) -> Layout:
    """Header rows, columns and every cell's column for a raw table."""
    rows = [row for row in raw.rows if any(not is_blank(c.text) for c in row)]
    if raw.layout == "grid":
        rows = _drop_empty_columns(rows)
    count = header_count(rows)
    notes = [i for i in range(count) if _is_note_row(rows[i], first=i == 0)]
    title_row = next((i for i in notes if _TITLE_ROW.search(_only_text(rows[i]))), None)
    if title_row is not None:  # a title wrapped over several single-cell rows at the top
        while title_row > 0 and title_row - 1 not in notes and _single_text(rows[title_row - 1]):
            title_row -= 1
            notes.append(title_row)
    title = _joined_title(rows, notes, title_row)
    unit = next(
        (unit_statement(c.text) for i in notes for c in rows[i] if is_unit_line(c.text)), None
    )
    header = [rows[i] for i in range(count) if i not in notes]
    body = rows[count:]
    if raw.layout == "grid":
        placed, columns = _grid(rows, count, notes, header, body, raw.span_policy)
    else:
        placed, columns = _ragged(rows, count, header, body)
    return Layout(placed, count, columns, title, unit)


def header_count(rows: list[list[RawCell]]) -> int:
    """Leading rows without figures or body text, less trailing group rows, plus a 栏次 row."""
    evidence = next((i for i, row in enumerate(rows) if _is_body_evidence(row)), None)
    if evidence is None:  # no figures anywhere: the first row names the columns (two if it spans)
        return min(len(rows), 2 if _has_span_gaps(rows) else 1)
    count = evidence
    width = max((len(row) for row in rows), default=0)
    # Group rows (产出指标 | | …) above the first figures are body rows when the body has more.
    if any(_is_category_row(row, width) for row in rows[evidence + 1 :]):
        while count > 0 and _is_category_row(rows[count - 1], width):
            count -= 1
    if count == evidence and 0 < count < len(rows) and _is_column_numbering(rows[count]):
        count += 1
    return count


def _has_span_gaps(rows: list[list[RawCell]]) -> bool:
    """A first row whose labels span blanks that the second row names: two header rows."""
    if len(rows) < 2:
        return False
    top, below = rows[0], rows[1]
    filled = [i for i, c in enumerate(top) if not is_blank(c.text)]
    return bool(filled) and any(
        is_blank(top[c].text) and not is_blank(below[c].text)
        for c in range(filled[0] + 1, min(len(top), len(below)))
    )


def _is_body_evidence(row: list[RawCell]) -> bool:
    return any(is_value(c.text) or is_long(c.text) for c in row)


def _is_category_row(row: list[RawCell], width: int) -> bool:
    """A full-width row naming a group at its left, blank to the right (产出指标 | | | 空 …)."""
    if width < 4 or len(row) < width:
        return False
    filled = [i for i, c in enumerate(row) if not is_blank(c.text)]
    return 0 < len(filled) <= 2 and max(filled) < width / 2


def _is_column_numbering(row: list[RawCell]) -> bool:
    """A row numbering the columns: 栏次 | 1 | 2 | 3."""
    numbers = [
        c.text for c in row if c.text and c.text.replace(" ", "") not in _COLUMN_NUMBERING_LABELS
    ]
    if len(numbers) < 2 or not all(n.isdigit() for n in numbers):
        return False
    return [int(n) for n in numbers] == list(range(int(numbers[0]), int(numbers[0]) + len(numbers)))


def _is_note_row(row: list[RawCell], first: bool) -> bool:
    """A header row that is the table's title or unit, not a level of column names.

    A first row whose only text sits in the last of several columns is where tables print
    their unit, even when OCR garbled the words.
    """
    filled = [i for i, c in enumerate(row) if not is_blank(c.text)]
    if len(filled) == 2 and any(is_unit_line(row[i].text) for i in filled):
        return True  # '部门名称：某单位 | 单位：万元' above the column names
    if len(filled) != 1:
        return False
    text = row[filled[0]].text
    unit_corner = first and len(row) >= 3 and filled[0] == len(row) - 1
    return bool(_TITLE_ROW.search(text)) or is_unit_line(text) or unit_corner


def _single_text(row: list[RawCell]) -> bool:
    texts = [c.text for c in row if not is_blank(c.text)]
    return len(texts) == 1 and not is_value(texts[0])


def _joined_title(rows: list[list[RawCell]], notes: list[int], first: int | None) -> str | None:
    if first is None:
        return None
    parts: list[str] = []
    for i in range(first, len(rows)):
        if i not in notes or is_unit_line(_only_text(rows[i])):
            break
        parts.append(_only_text(rows[i]))
        if _TITLE_ROW.search(parts[-1]):
            break
    return "".join(parts)


def _only_text(row: list[RawCell]) -> str:
    return next(c.text for c in row if not is_blank(c.text))


def _drop_empty_columns(rows: list[list[RawCell]]) -> list[list[RawCell]]:
    width = max((len(row) for row in rows), default=0)
    keep = [
        c for c in range(width) if any(c < len(row) and not is_blank(row[c].text) for row in rows)
    ]
    return [[row[c] for c in keep if c < len(row)] for row in rows]


# Grid layout ---------------------------------------------------------------------------------


def _grid(
    rows: list[list[RawCell]],
    count: int,
    notes: list[int],
    header: list[list[RawCell]],
    body: list[list[RawCell]],
    policy: str,
) -> tuple[list[Positioned], list[str]]:
    width = max((len(row) for row in rows), default=0)
    texts = [
        [row[c].text if c < len(row) and not is_blank(row[c].text) else "" for c in range(width)]
        for row in header
    ]
    numeric = _numeric_columns(body, width)
    filled: list[list[str]] = []
    for r in range(len(texts) - 1):
        filled.append(_fill_spans(texts, r, numeric, policy, filled[-1] if filled else None))
    filled += texts[-1:]
    columns = [_path(level[c] for level in filled) for c in range(width)]
    placed = [list(enumerate(row)) for row in rows]
    _realign_orphans(placed[count:], texts, columns)
    return _compact(placed, columns)


def _numeric_columns(body: list[list[RawCell]], width: int) -> list[bool]:
    result = []
    for c in range(width):
        cells = [row[c].text for row in body if c < len(row) and not is_blank(row[c].text)]
        result.append(bool(cells) and sum(is_value(t) for t in cells) * 2 >= len(cells))
    return result


def _fill_spans(
    texts: list[list[str]], r: int, numeric: list[bool], policy: str, above: list[str] | None
) -> list[str]:
    """Row r with each blank cell given the spanning label it sits under.

    A label spans only within the label above it: a blank under another upper label is that
    label's cell merged downwards (科目名称 spanning rows), not part of the span to its left.
    """
    row, below, bottom = texts[r], texts[r + 1], texts[-1]
    labels = [c for c, t in enumerate(row) if t]
    filled = list(row)
    for c, text in enumerate(row):
        if text:
            continue
        left = max((p for p in labels if p < c), default=None)
        right = min((p for p in labels if p > c), default=None)
        if above is not None:
            left = left if left is not None and above[left] == above[c] else None
            right = right if right is not None and above[right] == above[c] else None
        if policy == "left":
            filled[c] = row[left] if left is not None else ""
            continue
        # A label spans further only when it has sub-labels below it.
        left = (
            left
            if left is not None and below[left] and not _starts_group(bottom, left, c)
            else None
        )
        right = right if right is not None and below[right] else None
        chosen = _nearer(c, left, right, numeric)
        filled[c] = row[chosen] if chosen is not None else ""
    return filled


def _starts_group(bottom: list[str], left: int, c: int) -> bool:
    """Column c repeats a bottom label seen since `left` (收入: 项目 预算数 | 支出: 项目 …)."""
    return bool(bottom[c]) and bottom[c] in bottom[left:c]


def _nearer(c: int, left: int | None, right: int | None, numeric: list[bool]) -> int | None:
    if left is None or right is None:
        return left if right is None else right
    if c - left != right - c:
        return left if c - left < right - c else right
    if numeric[left] != numeric[right]:
        return left if numeric[left] == numeric[c] else right
    return left


def _path(levels) -> str:
    parts: list[str] = []
    for level in levels:
        if level and not _QIZHONG.match(level) and (not parts or parts[-1] != level):
            parts.append(level)
    return " / ".join(parts)


def _realign_orphans(body: list[Positioned], texts: list[list[str]], columns: list[str]) -> None:
    """Move figures printed one column right of their header into that header's column.

    PDF-to-text tools shift cells: a figure lands in a column with no header of its own while
    the cell to its left, under a header, is empty in that row.
    """
    if not texts:
        return
    width = len(columns)
    orphan_columns = {
        c for c in range(1, width) if not any(level[c] for level in texts) and texts[-1][c - 1]
    }
    for row in body:
        taken = {col for col, cell in row if not is_blank(cell.text)}
        moved = {
            col - 1
            for col, cell in row
            if col in orphan_columns and col - 1 not in taken and is_value(cell.text)
        }
        row[:] = [
            (col - 1, cell)
            if col - 1 in moved and col in orphan_columns and not is_blank(cell.text)
            else (col, cell)
            for col, cell in row
            if not (col in moved and is_blank(cell.text))  # the blank the figure belonged in
        ]


def _compact(placed: list[Positioned], columns: list[str]) -> tuple[list[Positioned], list[str]]:
    """Columns left without any text (after realigning) removed, the rest renumbered."""
    used = sorted({col for row in placed for col, cell in row if not is_blank(cell.text)})
    renumber = {old: new for new, old in enumerate(used)}
    kept = [[(renumber[col], cell) for col, cell in row if col in renumber] for row in placed]
    return kept, [columns[c] for c in used if c < len(columns)]


# Ragged layout -------------------------------------------------------------------------------


def _ragged(
    rows: list[list[RawCell]],
    count: int,
    header: list[list[RawCell]],
    body: list[list[RawCell]],
) -> tuple[list[Positioned], list[str]]:
    width = max((len(row) for row in body), default=0)
    slots: list[list[RawCell]] = [[c] for c in header[0]] if header else []
    for row in header[1:]:
        slots = _expand(slots, row, width)
    width = max(width, len(slots))
    slots += [[] for _ in range(width - len(slots))]
    columns = [_path(c.text for c in slot if not is_blank(c.text)) for slot in slots]
    first_slot = {}
    for index, slot in enumerate(slots):
        for cell in slot:
            first_slot.setdefault(id(cell), index)
    placed: list[Positioned] = []
    for i, row in enumerate(rows):
        if i < count:
            placed.append([(first_slot.get(id(cell), 0), cell) for cell in row])
        else:
            offset = width - len(row) if _values_at_right(row) else 0
            placed.append([(offset + j, cell) for j, cell in enumerate(row)])
    return placed, columns


def _expand(slots: list[list[RawCell]], row: list[RawCell], width: int) -> list[list[RawCell]]:
    """Slots (column paths) after one more header row splits some of them."""
    spanners = [i for i, slot in enumerate(slots) if _QIZHONG.match(slot[-1].text.strip())]
    if (
        len(spanners) == 1
    ):  # 其中: spans the row below; its columns are parts of the label before it
        i = spanners[0]
        parent = (slots[i - 1] if i > 0 else []) + slots[i][-1:]  # _path skips the 其中 itself
        return slots[:i] + [parent + [c] for c in row] + slots[i + 1 :]
    groups = _blank_groups(row)
    if any(is_blank(c.text) for c in row) and len(groups) == len(slots):
        # Blanks continue the label above (merged down); runs of labels sit under one label.
        return [
            new
            for slot, group in zip(slots, groups, strict=True)
            for new in ([slot] if group is None else [slot + [c] for c in group])
        ]
    if len(row) == len(slots):
        pairs = zip(slots, row, strict=True)
        return [slot + [c] if not is_blank(c.text) else slot for slot, c in pairs]
    if slots and len(slots) - 1 + len(row) == width:
        i = _spanning_slot(slots, row)
        return slots[:i] + [slots[i] + [c] for c in row] + slots[i + 1 :]
    return [(slots[i] if i < len(slots) else []) + [c] for i, c in enumerate(row)] + slots[
        len(row) :
    ]


def _spanning_slot(slots: list[list[RawCell]], row: list[RawCell]) -> int:
    """The slot the row's labels belong under: the one sharing the longest prefix with one of
    them (公务用车费 over 公务用车运行维护费), else the last."""

    def shared(a: str, b: str) -> int:
        a, b = a.replace(" ", ""), b.replace(" ", "")
        n = 0
        while n < min(len(a), len(b)) and a[n] == b[n]:
            n += 1
        return n

    scores = [
        max((shared(slot[-1].text, c.text) for c in row), default=0) if slot else 0
        for slot in slots
    ]
    best = max(scores, default=0)
    return scores.index(best) if best >= 2 else len(slots) - 1


def _blank_groups(row: list[RawCell]) -> list[list[RawCell] | None]:
    groups: list[list[RawCell] | None] = []
    run: list[RawCell] = []
    for cell in row:
        if is_blank(cell.text):
            if run:
                groups.append(run)
                run = []
            groups.append(None)
        else:
            run.append(cell)
    if run:
        groups.append(run)
    return groups


def _values_at_right(row: list[RawCell]) -> bool:
    """Whether a short body row's figures sit at the right (its leading cells were merged away)."""
    filled = [c for c in row if not is_blank(c.text)]
    return bool(filled) and is_value(filled[-1].text)
