"""Follow-ups that compute from what the conversation already found: "两者差多少", "哪个多".

The figures are the last two the conversation's answers stated from the tables (each answer
keeps its figures as result rows); the difference is computed from them, both cited again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from assistant import compose
from assistant.catalog import Catalog, StoredUnit
from assistant.figure_answers import cite_figure
from assistant.figures import Figure, UnitYear
from assistant.types import Answer, Item

_BETWEEN_THE_TWO = re.compile(
    r"^(?:那|那么)?(?:两者|二者|两个|两家|这两[个家项年]?|它们|他们|前后)?(?:之间)?"
    r"(?:差了?多少|相差多少|差距多大|差多少|多多少|少多少|哪个多|哪个少|谁多|谁少|是.{0,3}几倍|几倍)"
)


def asks_between_the_two(question: str) -> bool:
    return bool(_BETWEEN_THE_TWO.match(re.sub(r"[\s?？!！。,，呢啊]", "", question)))


def _figures_of(answer: Answer) -> list[dict[str, Any]]:
    rows = [dict(zip(answer.columns, r)) for r in answer.rows]
    return [r for r in rows if r.get("measure", "value") == "value" and r.get("unit_id")]


def answer_difference(question: str, history: Sequence[Answer], engine: Any,
                      catalog: Catalog) -> Answer | None:
    """The difference of the conversation's last two figures, or None when the question is not
    about them or fewer than two were found."""
    if not asks_between_the_two(question):
        return None
    found: list[dict[str, Any]] = []
    for answer in reversed(history):
        rows = _figures_of(answer)
        found = rows[:2 - len(found)] + found if rows else found
        if len(found) >= 2:
            break
    if len(found) < 2:
        return None
    figures = [_figure(row, catalog) for row in found[-2:]]
    citations: list[Any] = []
    markers: dict[tuple[str, int], int] = {}

    def add(row: dict[str, Any]) -> int:
        key = (row["doc_id"], row["start"])
        if key not in markers:
            citations.append(cite_figure(engine, row))
            markers[key] = len(citations)
        return markers[key]

    lines = compose.difference_lines(*figures, add, ratio="倍" in question)
    return Answer("\n".join(lines), "sql", "由上文的两个数字计算", tuple(citations),
                  columns=history[-1].columns, rows=tuple(tuple(r.get(c) for c in history[-1].columns)
                                                          for r in found[-2:]),
                  slots=next((a.slots for a in reversed(history) if a.slots), None))


def _figure(row: dict[str, Any], catalog: Catalog) -> Figure:
    unit = catalog.unit(row["unit_id"]) or StoredUnit(row["unit_id"], row.get("unit_name") or "", "", "", ())
    return Figure(row, Item(row.get("metric") or ""), UnitYear(unit, row["year"], True, catalog.display(unit)))
