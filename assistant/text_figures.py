"""Figures the facts table missed for some asked places, read from one line of their documents.

A ranking or comparison of counts (窗口数量 …) may find a place's figure only inside a line the
tables did not turn into a fact, e.g. an indicator named "保障入驻单位123个窗口的正常运行". Such a
figure joins the SQL rows only when the line names the metric right after the number, states
exactly one number in the rows' unit, and the rows are counts (money always comes from tables).
The row carries the number as printed and its span, so it is cited like any other.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from assistant.catalog import Catalog
from assistant.extract import Sentence
from assistant.sources import SourceDoc
from assistant.types import Slots
from ingest.numbers import parse_number

MAX_PLACES = 3  # places searched per question at most: each costs a retrieval
_NUMBER = re.compile(r"(?<![\d.])(\d[\d,]*(?:\.\d+)?)\s*(个|人次|人|名|件|项|家|批次|辆|台|平方米)")
_NAME_GAP = 8  # characters at most between the unit and the metric's word ('61个办事服务窗口')


def missing_places(slots: Slots, rows: Sequence[dict[str, Any]], catalog: Catalog) -> tuple[str, ...]:
    """Asked places (all stored ones for a ranking over every place) with no row, when the rows
    are counts of one metric; () when there are too many to search or nothing to fill."""
    if slots.operation not in ("rank", "compare") or len(slots.metrics) != 1 or not rows:
        return ()
    if len({r["unit"] for r in rows}) != 1 or any(r["value_yuan"] is not None for r in rows):
        return ()
    asked = slots.localities or tuple(
        loc.full for loc in catalog.localities
        if not slots.years or catalog.covers(loc.full, slots.years)
    )
    found = {r["locality"] for r in rows}
    missing = tuple(place for place in asked if place not in found)
    return missing if len(missing) <= MAX_PLACES else ()


def figure_row(
    sentence: Sentence, metric: str, words: Sequence[str], unit: str, columns: Sequence[str],
    source: SourceDoc, place_name: str,
) -> dict[str, Any] | None:
    """A row (in the SQL rows' `columns`) for the one figure `sentence` states in `unit` next to a
    word naming `metric`, or None."""
    numbers = list(_NUMBER.finditer(sentence.text))
    if len(numbers) != 1 or numbers[0].group(2) != unit:
        return None
    match = numbers[0]
    after = sentence.text[match.end():]
    if not any(0 <= after.find(word) <= _NAME_GAP for word in words):
        return None
    value = parse_number(match.group(1))
    if value is None:
        return None
    row: dict[str, Any] = dict.fromkeys(columns)
    row.update(
        locality=source.locality, locality_name=place_name, year=source.year, metric=metric, scope="", measure="value",
        value=value, text=match.group(1), unit=unit, value_yuan=None, doc_id=sentence.doc_id,
        start=sentence.start + match.start(1), end=sentence.start + match.end(2), source="text",
        metric_raw=sentence.text,
    )
    return {key: row[key] for key in columns}


def with_text_figures(
    rows: list[dict[str, Any]], slots: Slots, catalog: Catalog, columns: Sequence[str],
    read_place: Callable[[str], dict[str, Any] | None],
) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
    """`rows` with a row for each missing place whose figure `read_place` finds, re-ordered as
    the SQL orders them; and the places so filled."""
    extra = [row for place in missing_places(slots, rows, catalog) if (row := read_place(place))]
    if not extra:
        return rows, ()
    merged = rows + [{key: row.get(key) for key in columns} for row in extra]
    if slots.operation == "rank":
        merged.sort(key=lambda r: r["value"], reverse=slots.order != "asc")
    else:
        merged.sort(key=lambda r: (r["metric"], r["locality"] or "", r["year"] or 0, r["scope"]))
    return merged, tuple(row["locality"] for row in extra)
