"""A table figure's citation marks exactly its cell, and the check of that (`assistant.cell_citations`).

A made-up unit's budget (rows, codes and figures no real file has) is ingested for real and asked;
every citation of a table figure must mark the cell's number only — never the row of numbers it
stands in — and quote "表名 · 行 · 列：数值" as stored.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

DOCUMENT = (
    "# 镇安县档案馆2024年部门预算\n\n镇安县档案馆2024年部门预算公开。2024年“三公”经费预算3.20万元。\n\n"
    "表三 镇安县档案馆一般公共预算基本支出预算表\n\n单位：万元\n\n"
    "| 科目编码 | 科目名称 | 合计 | 人员经费 | 公用经费 |\n|---|---|---|---|---|\n"
    "| 30201 | 办公费 | 17.35 | | 17.35 |\n"
    "| 30207 | 邮电费 | 4.68 | | 4.68 |\n"
    "| 30239 | 其他交通费用 | 26.91 | 21.40 | 5.51 |\n"
)


@pytest.fixture
def archive(settings, stores, tmp_path):
    from ingest.pipeline import ingest_file

    path = tmp_path / "zhenan_archive_2024.md"
    path.write_text(DOCUMENT, encoding="utf-8")
    result = ingest_file(path, stores, settings)
    assert result.status == "ingested", result.error
    return settings, stores.engine


def _ask(question: str, settings):
    from assistant.ask import ask

    return ask(question, (), settings=settings)


@pytest.mark.parametrize("question, printed, row, column", [
    ("镇安县档案馆2024年邮电费预算多少", "4.68", "邮电费", "合计"),
    ("镇安县档案馆2024年其他交通费用的人员经费是多少", "21.40", "其他交通费用", "人员经费"),
    ("镇安县档案馆2024年公用经费中的其他交通费用是多少", "5.51", "其他交通费用", "公用经费"),
])
def test_a_table_figure_is_cited_at_its_cell(archive, question, printed, row, column):
    from assistant.cell_citations import check_cell_citations
    from assistant.sources import get_source

    settings, engine = archive
    answer = _ask(question, settings)
    assert answer.route == "sql" and printed in answer.answer, answer.answer
    check = check_cell_citations(engine, answer)
    assert check.checked >= 1 and check.marking == check.checked, check.problems
    (citation,) = [c for c in answer.citations if printed in c.quote]
    assert get_source(engine, citation.doc_id).text[citation.start:citation.end] == printed
    assert citation.quote == f"表三 镇安县档案馆一般公共预算基本支出预算表 · {row} · {column}：{printed}"


def test_the_check_finds_a_citation_marking_the_whole_row(archive):
    """The same answer with its citation widened to the figure's table line (the bare row of
    numbers a sentence citation quotes) fails the check."""
    from assistant.cell_citations import check_cell_citations
    from assistant.sources import get_source

    settings, engine = archive
    answer = _ask("镇安县档案馆2024年其他交通费用预算多少", settings)
    (citation,) = answer.citations
    text = get_source(engine, citation.doc_id).text
    start, end = text.rfind("\n", 0, citation.start) + 1, text.find("\n", citation.end)
    assert text[start:end] == "| 30239 | 其他交通费用 | 26.91 | 21.40 | 5.51 |"
    whole_row = replace(citation, start=start, end=end, quote=text[start:end])
    check = check_cell_citations(engine, replace(answer, citations=(whole_row,)))
    assert check.checked == 1 and check.marking == 0
    assert "marks 5 cells of 1 table rows" in check.problems[0]


def test_the_check_finds_a_quote_naming_another_column(archive):
    from assistant.cell_citations import check_cell_citations

    settings, engine = archive
    answer = _ask("镇安县档案馆2024年办公费预算多少", settings)
    (citation,) = answer.citations
    wrong = replace(citation, quote=citation.quote.replace("合计", "公用经费"))
    check = check_cell_citations(engine, replace(answer, citations=(wrong,)))
    assert check.marking == 0 and "quote" in check.problems[0]


def test_a_span_a_query_names_is_cited_at_its_cell_or_sentence(archive):
    """`cite_at` (the model's SQL rows name spans): a table cell's number is quoted as its cell,
    a prose figure as its sentence."""
    from assistant.cell_citations import cite_at
    from assistant.sources import get_source

    settings, engine = archive
    doc_id = _ask("镇安县档案馆2024年邮电费预算多少", settings).citations[0].doc_id
    text = get_source(engine, doc_id).text
    cell = text.index("4.68")
    assert cite_at(engine, doc_id, cell, cell + 4).quote == (
        "表三 镇安县档案馆一般公共预算基本支出预算表 · 邮电费 · 合计：4.68")
    prose = text.index("3.20")
    assert cite_at(engine, doc_id, prose, prose + 4).quote == "2024年“三公”经费预算3.20万元。"


def test_the_viewer_marks_the_cited_cell_of_its_table(archive):
    """The viewer's table tab marks the cells a span touches: a figure's citation, one cell at
    its row and column; a span over the row, every cell of it."""
    from assistant.documents import get_document

    settings, engine = archive
    (citation,) = _ask("镇安县档案馆2024年其他交通费用的人员经费是多少", settings).citations
    (table,) = get_document(citation.doc_id, settings).tables
    (marked,) = table.cells_marked([(citation.start, citation.end)])
    row, col = marked
    assert table.rows[row][col] == "21.40" and table.columns[col] == "人员经费"
    assert "其他交通费用" in table.rows[row]
    line_start = min(s for s, _ in filter(None, table.spans[row]))
    line_end = max(e for _, e in filter(None, table.spans[row]))
    assert table.cells_marked([(line_start, line_end)]) == tuple((row, c) for c in range(5))
