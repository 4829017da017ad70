"""Table figures cited at their cell, and the check that every such citation marks exactly it.

A table figure's citation marks the characters of its one cell's number (not the row of numbers
the cell stands in) and quotes "表名 · 行 · 列：数值", so a reader sees which number answers.
`check_cell_citations` verifies an answer against the stored tables, independently of how the
answer was built: each cited table figure's span must cut the document text to exactly the
printed figure (or the cell's text), lie in the row of the cited label, and the quote must name
the stored table title, row label and column of the fact at that span, with its printed value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, select

from assistant.sources import cite, get_source
from assistant.types import Answer, Citation
from gongkai import db
from ingest.catalog import fold
from ingest.tables.cells import is_long

PLACE_SEPARATOR = " · "
VALUE_SEPARATOR = "："


def cell_quote(title: str | None, label: str | None, column: str | None, printed: str) -> str:
    """The quote of a table cell: its table, row and column (those known), then its figure.

    >>> cell_quote("支出预算表", "办公费", "合计", "12.50")
    '支出预算表 · 办公费 · 合计：12.50'
    >>> cell_quote("政府采购预算表", "印刷费", "", "94.00")
    '政府采购预算表 · 印刷费：94.00'
    """
    place = PLACE_SEPARATOR.join(p for p in (title, label, column) if p)
    return f"{place}{VALUE_SEPARATOR}{printed}"


def cite_cell(engine: Engine, row: Mapping[str, Any], stamps: Mapping[str, str] | None = None) -> Citation:
    """A stored table figure (a facts row) cited at its number's characters, quoting its cell."""
    source = get_source(engine, row["doc_id"], stamps)
    start, end = row["start"], row["end"]
    quote = cell_quote(row["table_title"], row["label"], row["column_name"], source.text[start:end])
    return Citation(row["doc_id"], source.title, source.locality, source.year, source.page_at(start),
                    start, end, quote)


@dataclass(frozen=True)
class CellCheck:
    """How many of an answer's table-figure citations mark exactly their cell, and what is wrong
    with the others (one line each)."""

    checked: int
    marking: int
    problems: tuple[str, ...] = ()

    def __add__(self, other: CellCheck) -> CellCheck:
        return CellCheck(self.checked + other.checked, self.marking + other.marking,
                         self.problems + other.problems)


@dataclass(frozen=True)
class StoredCell:
    """A stored table cell holding a figure, with its table's title."""

    table_index: int
    row: int
    col: int
    text: str
    row_label: str
    column_name: str
    start: int
    end: int
    title: str
    long: bool = False  # body text (prose in a table): its figures are cited at their sentence


def cell_at(engine: Engine, doc_id: str, start: int, end: int) -> StoredCell | None:
    """The stored value cell (no header, no long text) whose characters hold text[start:end]."""
    c, t = db.table_cells.c, db.doc_tables.c
    within = select(t.table_index).where(t.doc_id == doc_id, t.start <= start, t.end >= end)
    cells = _cells(engine, {doc_id}, c.table_index.in_(within), c.start <= start, c.end >= end)
    return _cell_holding(cells.get(doc_id, ()), start, end)


def cite_figure(engine: Engine, row: Mapping[str, Any], stamps: Mapping[str, str] | None = None) -> Citation:
    """A figure cited where it is printed: a table fact at its cell, quoting its table, row and
    column; a prose fact at its sentence (ingestion read it from prose, a long text cell's
    included); a figure read from a line (`assistant.text_figures`) by `cite_at`."""
    if row.get("source") == "table":
        return cite_cell(engine, row, stamps)
    if row.get("source") == "prose":
        return cite(engine, row["doc_id"], row["start"], row["end"], stamps=stamps)
    return cite_at(engine, row["doc_id"], row["start"], row["end"], stamps)


def cite_at(engine: Engine, doc_id: str, start: int, end: int,
            stamps: Mapping[str, str] | None = None) -> Citation:
    """The figure printed at text[start:end] cited at its cell when a stored table fact or value
    cell prints it (a count read from a table's line, a model's query naming a span), else at
    its sentence."""
    f = db.facts.c
    with engine.connect() as conn:
        fact = conn.execute(select(f.doc_id, f.start, f.end, f.table_title, f.label, f.column_name).where(
            f.doc_id == doc_id, f.source == "table", f.start == start, f.end == end)).first()
    if fact is not None:
        return cite_cell(engine, fact._mapping, stamps)
    cell = cell_at(engine, doc_id, start, end)
    if cell is not None:
        return cite_cell(engine, {"doc_id": doc_id, "start": start, "end": end, "table_title": cell.title,
                                  "label": cell.row_label, "column_name": cell.column_name}, stamps)
    return cite(engine, doc_id, start, end, stamps=stamps)


def check_cell_citations(engine: Engine, answer: Answer) -> CellCheck:
    """Whether each citation of a table figure in `answer` marks exactly its cell.

    The table figures are the answer's shown figures (`answer.rows` with doc_id, start, end)
    that are table facts or lie in a stored value cell; a citation marking a stored table fact's
    characters counts too (an answer may cite figures it does not list). Each figure must be
    cited by a citation holding its span, and each such citation must mark one cell only,
    exactly its figure's characters (the printed number, or the whole cell's text), inside the
    row of the cited label, quoting the stored table title, row label, column and value."""
    figures = _shown_figures(answer)
    cells = _cells(engine, {f["doc_id"] for f in figures} | {c.doc_id for c in answer.citations})
    cited: dict[int, list[Mapping[str, Any]]] = {}  # citation index → the table figures it cites
    uncited = []
    for figure in figures:
        cell = _cell_holding(cells.get(figure["doc_id"], ()), figure["start"], figure["end"])
        if cell is None and figure.get("source") != "table":
            continue  # a prose figure: cited at its sentence
        index = _citation_of(answer.citations, figure)
        if index is None:
            uncited.append(f"figure 「{figure.get('text')}」 at {figure['start']}-{figure['end']} is cited "
                           "by no citation holding its span")
        else:
            cited.setdefault(index, []).append(figure)
    for index, citation in enumerate(answer.citations):
        if index not in cited and _facts_at(engine, citation, exact=True):
            cited[index] = []
    problems = [f"[{index + 1}] {problem}" for index in sorted(cited)
                for problem in _problems(engine, answer.citations[index], cited[index],
                                         cells.get(answer.citations[index].doc_id, ()))]
    failing = {p.split("]", 1)[0] for p in problems}
    return CellCheck(len(cited) + len(uncited), len(cited) - len(failing), tuple(problems + uncited))


def _shown_figures(answer: Answer) -> list[dict[str, Any]]:
    if not {"doc_id", "start", "end"} <= set(answer.columns):
        return []
    rows = [dict(zip(answer.columns, r, strict=False)) for r in answer.rows]
    return [r for r in rows if r.get("doc_id") and r.get("start") is not None and r.get("end") is not None]


def _citation_of(citations: Sequence[Citation], figure: Mapping[str, Any]) -> int | None:
    """The citation of a figure: the narrowest one holding its span (its exact span, if any)."""
    holding = [(c.end - c.start, i) for i, c in enumerate(citations) if c.doc_id == figure["doc_id"]
               and c.start <= figure["start"] and figure["end"] <= c.end]
    return min(holding)[1] if holding else None


def _cells(engine: Engine, doc_ids: set[str], *where: Any) -> dict[str, tuple[StoredCell, ...]]:
    """The stored body cells of documents (header cells left out), those `where` keeps."""
    if not doc_ids:
        return {}
    c, t = db.table_cells.c, db.doc_tables.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(c.doc_id, c.table_index, c.row, c.col, c.text, c.row_label, c.column_name, c.start, c.end,
                   t.title)
            .join_from(db.table_cells, db.doc_tables, and_(t.doc_id == c.doc_id, t.table_index == c.table_index))
            .where(c.doc_id.in_(sorted(doc_ids)), ~c.is_header, *where)
        ).all()
    found: dict[str, list[StoredCell]] = {}
    for r in rows:
        if r.start < r.end:
            found.setdefault(r.doc_id, []).append(StoredCell(r.table_index, r.row, r.col, r.text, r.row_label,
                                                             r.column_name, r.start, r.end, r.title,
                                                             is_long(r.text)))
    return {doc: tuple(cells) for doc, cells in found.items()}


def _cell_holding(cells: Sequence[StoredCell], start: int, end: int) -> StoredCell | None:
    """The value cell holding text[start:end] (a long text cell's figures are prose)."""
    return next((c for c in cells if not c.long and c.start <= start and end <= c.end), None)


def _facts_at(engine: Engine, citation: Citation, *, exact: bool = False) -> list[Any]:
    """The stored table facts whose characters the citation marks (all of them, or part)."""
    f = db.facts.c
    where = (and_(f.start == citation.start, f.end == citation.end) if exact
             else and_(f.start < citation.end, citation.start < f.end))
    with engine.connect() as conn:
        return conn.execute(
            select(f.table_index, f.row, f.col, f.text, f.label, f.column_name, f.table_title)
            .where(f.doc_id == citation.doc_id, f.source == "table", where)
        ).all()


def _problems(engine: Engine, citation: Citation, figures: Sequence[Mapping[str, Any]],
              cells: Sequence[StoredCell]) -> list[str]:
    """What keeps one citation from marking exactly its table figure's cell ([] when nothing)."""
    marked = get_source(engine, citation.doc_id).text[citation.start:citation.end]
    touched = [c for c in cells if not c.long and c.start < citation.end and citation.start < c.end]
    if len(touched) != 1:
        rows = {(c.table_index, c.row) for c in touched}
        return [f"marks {len(touched)} cells of {len(rows)} table rows, not one: 「{marked[:60]}」"]
    cell = touched[0]
    facts = [f for f in _facts_at(engine, citation) if (f.table_index, f.row, f.col)
             == (cell.table_index, cell.row, cell.col)]
    fact = facts[0] if facts else None
    if fact is not None:
        printed, named = fact.text, (cell.title, fact.label, fact.column_name)
    else:  # a figure read from the cell's line: the shown figure's printed number
        printed = next((f.get("text") or "" for f in figures), "")
        named = (cell.title, cell.row_label, cell.column_name)
    problems = []
    if not (cell.start <= citation.start and citation.end <= cell.end):
        problems.append(f"「{marked[:60]}」 runs out of its cell 「{cell.text}」")
    if marked not in (printed, cell.text.strip()):
        problems.append(f"marks 「{marked[:60]}」, not the printed figure 「{printed}」 or its cell")
    row = [c for c in cells if (c.table_index, c.row) == (cell.table_index, cell.row)]
    if not _printed_in_row(named[1] or "", row, cell.column_name):
        problems.append(f"the row of 「{marked}」 does not print its label 「{named[1]}」")
    if fact is not None and fact.table_title != cell.title:
        problems.append(f"the fact's table title 「{fact.table_title}」 is not its table's 「{cell.title}」")
    place, _, value = citation.quote.rpartition(VALUE_SEPARATOR)
    if place.split(PLACE_SEPARATOR) != [p for p in named if p] or value != printed:
        problems.append(f"quote 「{citation.quote}」 is not 「{cell_quote(*named, printed)}」")
    return problems


def _printed_in_row(label: str, row: Sequence[StoredCell], column: str) -> bool:
    """The cited label is printed in the figure's row — or, for a row of totals named by its
    column ('“三公”经费 / 公务接待费'), in the column's header path."""
    words = [fold(part) for part in label.split(" / ") if part.strip()]
    printed = fold("".join(c.text for c in row) + column)
    return all(word in printed for word in words)
