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
from assistant.cell_citations import cite_figure
from assistant.figures import Figure, UnitYear
from assistant.types import Answer, Item

_THE_TWO = r"^(?:那|那么)?(?:两者|二者|两个|两家|两年|两项|这两[个家项年]?|它们|他们|前后)?(?:之间)?(?:一共|总共)?"
_BETWEEN_THE_TWO = re.compile(
    _THE_TWO + r"(?:差了?多少|相差多少|差距多大|差多少|多多少|少多少|多了?几|少了?几|差几|哪个多|哪个少|谁多|谁少|"
    r"是.{0,6}几倍|几倍)")
_BOTH_TOGETHER = re.compile(_THE_TWO + r"(?:加起来|加在一起|合计|一共|总共|共)(?:是|有)?(?:多少|几)")


_COMPARING = re.compile(r"几倍|多多少|少多少|差多少|相差|多几|少几|差几|加起来|一共多少")


def asks_between_the_two(question: str, names_items: bool = True) -> bool:
    """"两者差多少", "加起来多少"; or a comparison ('市财政局是它的几倍') naming no item of its own."""
    bare = _bare(question)
    if _BETWEEN_THE_TWO.match(bare) or _BOTH_TOGETHER.match(bare):
        return True
    return not names_items and bool(_COMPARING.search(bare))


def _bare(question: str) -> str:
    return re.sub(r"[\s?？!！。,，呢啊]", "", question)


def _figures_of(answer: Answer) -> list[dict[str, Any]]:
    rows = [dict(zip(answer.columns, r)) for r in answer.rows]
    return [r for r in rows if r.get("measure", "value") == "value" and r.get("unit_id")]


def answer_difference(question: str, history: Sequence[Answer], engine: Any,
                      catalog: Catalog, names_items: bool = True) -> Answer | None:
    """The difference (or sum) of the conversation's last two figures, or None when the question
    is not about them or fewer than two were found."""
    if not asks_between_the_two(question, names_items):
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

    if re.search(r"加起来|加在一起|合计|一共|总共", question):
        lines = compose.total_lines(figures, add)
    else:
        lines = compose.difference_lines(*figures, add, ratio="倍" in question,
                                         which_first=bool(re.search(r"哪|谁", question)))
    return Answer("\n".join(lines), "sql", "由上文的两个数字计算", tuple(citations),
                  columns=history[-1].columns, rows=tuple(tuple(r.get(c) for c in history[-1].columns)
                                                          for r in found[-2:]),
                  slots=next((a.slots for a in reversed(history) if a.slots), None))


def _figure(row: dict[str, Any], catalog: Catalog) -> Figure:
    unit = catalog.unit(row["unit_id"]) or StoredUnit(row["unit_id"], row.get("unit_name") or "", "", "", ())
    return Figure(row, Item(row.get("metric") or ""), UnitYear(unit, row["year"], True, catalog.display(unit)))


def answer_against_previous(question: str, answer: Answer, history: Sequence[Answer], engine: Any,
                            catalog: Catalog) -> Answer | None:
    """'跟上海市财政局25年预算比差多少' after a figure: the new subject's one figure against the
    conversation's last one, both cited; None unless each side is a single figure."""
    if not _COMPARING.search(_bare(question)) or not history:
        return None
    new, last = _figures_of(answer), next((rows for a in reversed(history) if (rows := _figures_of(a))), [])
    if len(new) != 1 or len(last) != 1 or (new[0]["doc_id"], new[0]["start"]) == (last[0]["doc_id"], last[0]["start"]):
        return None
    return answer_difference(question, [*history, answer], engine, catalog, names_items=False)
