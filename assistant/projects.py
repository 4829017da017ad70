"""A project's own table (绩效目标表, 项目支出表): the money it is given, read from its cells.

Such a table is a form, not a grid of figures: '项目名称 | 新建万里街道社区公共服务中心', '项目资金（元）
| 项目资金总额 | 4,100,000.00'. A question naming the project ('万里街道社区公共服务中心新建那个项目给了
多少钱') is answered from the cell right of the form's money label, cited at that cell, in the unit
its label or caption states.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, select

from assistant.cell_citations import cell_quote
from assistant.reasons import names_project
from assistant.sources import get_source
from assistant.types import Citation
from gongkai import db
from ingest.catalog import fold
from ingest.numbers import parse_number

# A form's labels of the project's whole money, the first found first.
MONEY_LABELS = ("项目资金总额", "资金总额", "项目总金额", "项目总投资", "年度资金申请总额", "年度资金总额", "项目金额")
_UNIT = re.compile(r"[（(]\s*(万元|元|亿元)\s*[）)]")


@dataclass(frozen=True)
class Cell:
    row: int
    col: int
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class ProjectMoney:
    """The money a project's form states, and where."""

    doc_id: str
    project: str
    label: str
    printed: str
    unit: str
    start: int
    end: int
    table_title: str


def project_money(engine: Engine, doc_ids: Sequence[str], question: str) -> ProjectMoney | None:
    """The whole money of the one project of `doc_ids` the question names, or None."""
    asked = fold(question)
    found = [m for doc_id in doc_ids for m in _money_in(engine, doc_id, asked)]
    return found[0] if len({m.project for m in found}) == 1 else None


def _money_in(engine: Engine, doc_id: str, asked: str) -> list[ProjectMoney]:
    c, t = db.table_cells.c, db.doc_tables.c
    forms = select(c.table_index).where(c.doc_id == doc_id, c.text == "项目名称")  # only a project's form
    with engine.connect() as conn:
        cells = conn.execute(select(c.table_index, c.row, c.col, c.text, c.start, c.end)
                             .where(c.doc_id == doc_id, c.table_index.in_(forms))).all()
        titles = dict(conn.execute(select(t.table_index, t.title).where(t.doc_id == doc_id)).all()) if cells else {}
    tables: dict[int, list[Cell]] = {}
    for cell in cells:
        if cell.text.strip():
            tables.setdefault(cell.table_index, []).append(Cell(cell.row, cell.col, cell.text.strip(), cell.start,
                                                                cell.end))
    found = []
    for index, table in tables.items():
        name = _right_of(table, "项目名称")
        if name is None or not names_project(asked, fold(name.text)):
            continue
        money = next((m for label in MONEY_LABELS if (m := _money(doc_id, table, label, name.text, titles.get(index, "")))),
                     None)
        if money is not None:
            found.append(money)
    return found


def _right_of(table: Sequence[Cell], label: str) -> Cell | None:
    """The first non-empty cell right of the cell reading `label`, in its row."""
    for cell in table:
        if fold(cell.text) == label:
            after = sorted((c for c in table if c.row == cell.row and c.col > cell.col), key=lambda c: c.col)
            return after[0] if after else None
    return None


def _money(doc_id: str, table: Sequence[Cell], label: str, project: str, title: str) -> ProjectMoney | None:
    value = _right_of(table, label)
    if value is None or parse_number(value.text) is None:
        return None
    row_texts = " ".join(c.text for c in table if c.row == value.row) + " " + title
    unit = _UNIT.search(row_texts)
    if unit is None:
        return None  # a figure whose unit its form does not state is no answer
    return ProjectMoney(doc_id, project, label, value.text, unit.group(1), value.start, value.end, title)


def money_citation(engine: Engine, money: ProjectMoney) -> Citation:
    source = get_source(engine, money.doc_id)
    quote = cell_quote(money.table_title, money.project, money.label, source.text[money.start:money.end])
    return Citation(money.doc_id, source.title, source.locality, source.year, source.page_at(money.start),
                    money.start, money.end, quote)
