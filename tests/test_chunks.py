import pytest

from gongkai.types import Cell, Document, Page, Row, Table
from ingest.chunks import chunk_document, chunk_text, heading_level
from tests.conftest import SAMPLES


def _doc(text: str) -> Document:
    return Document("d", "x.txt", "txt", "", text, (Page(1, 0, len(text)),))


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.txt")), ids=lambda p: p.name[:3])
def test_sample_chunks_are_exact_sized_and_cover_the_text(path):
    text = path.read_text(encoding="utf-8")
    spans = chunk_text(text, min_chars=200, max_chars=500, overlap=50)
    assert spans
    covered = set()
    for start, end, _heading in spans:
        assert end - start <= 500 + 100  # a short chunk may take one more sentence
        covered.update(range(start, end))
    visible = {i for i, ch in enumerate(text) if not ch.isspace()}
    assert len(visible - covered) == 0


def test_sections_start_new_chunks_and_carry_their_heading_path():
    body = "本部门预算收入 159.89 万元，较上年增加 46.78 万元。" * 4
    text = f"一、部门收支总体情况\n{body}\n二、三公经费\n（一）总体情况\n三公经费预算 6 万元。{body}\n"
    spans = chunk_text(text, min_chars=40, max_chars=200, overlap=0)
    starts = [text[s:e].splitlines()[0] for s, e, _ in spans]
    assert any(line.startswith("二、三公经费") for line in starts)
    last = spans[-1][2]
    assert last.startswith("二、三公经费")
    assert "（一）总体情况" in last


def test_overlap_repeats_the_end_of_the_previous_chunk():
    text = "".join(f"第{i}句说明支出情况，金额为{i}.00万元。" for i in range(1, 60))
    spans = chunk_text(text, min_chars=100, max_chars=200, overlap=30)
    assert len(spans) > 3
    assert all(b[0] < a[1] for a, b in zip(spans, spans[1:]))
    assert all(a[1] - b[0] <= 30 for a, b in zip(spans, spans[1:]))


def test_text_chunks_never_run_across_a_table():
    text = "一、说明\n前文第一句。前文第二句。\n| 项目 | 金额 |\n| 合计 | 6 |\n后文一句。\n"
    start = text.index("| 项目")
    end = text.index("后文")
    cell = Cell(1, 1, "6", text.index("6 |"), text.index("6 |") + 1, 6.0)
    table = Table("d", 0, "三公经费表", "万元", "markdown", start, end, 1, ("项目", "金额"),
                  (Row(0, (), is_header=True), Row(1, (cell,), label="合计", is_rollup=True)))
    chunks = chunk_document(_doc(text), [table], min_chars=5, max_chars=100, overlap=0)
    text_chunks = [c for c in chunks if c.kind == "text"]
    assert all(c.end <= start or c.start >= end for c in text_chunks)
    assert all(c.text == text[c.start:c.end] for c in text_chunks)
    table_chunk = next(c for c in chunks if c.kind == "table")
    assert "三公经费表" in table_chunk.text and "金额=6" in table_chunk.text
    assert [c.index for c in chunks] == list(range(len(chunks)))


def _table(text: str, start: int, end: int, index: int, title: str) -> Table:
    cell = Cell(1, 1, "6", start, start + 1, 6.0)
    return Table("d", index, title, "万元", "markdown", start, end, 1, ("项目", "金额"),
                 (Row(0, (), is_header=True), Row(1, (cell,), label="合计", is_rollup=True)))


def test_table_debris_between_tables_is_no_chunk_but_prose_there_is():
    first, second, third = "| 合计 | 6 |\n", "| 合计 | 7 |\n", "| 合计 | 8 |\n"
    debris = "| |\n\n附件 2\n\n某局三公经费表\n\n单位：万元\n\n|  |\n"
    prose = "备注：本单位无政府性基金预算收支，故此表无数据。\n"
    text = "一、说明\n前文一句话说明本部门的职责。\n" + first + debris + second + prose + third
    spans = [(text.index(part), text.index(part) + len(part)) for part in (first, second, third)]
    tables = [_table(text, s, e, i, title) for i, ((s, e), title)
              in enumerate(zip(spans, ["某局收支总表", "某局三公经费表", "某局基金表"]))]
    chunks = chunk_document(_doc(text), tables, min_chars=5, max_chars=100, overlap=0)
    texts = [c.text for c in chunks if c.kind == "text"]
    assert texts == ["一、说明\n前文一句话说明本部门的职责。", prose.strip()]


def test_a_short_section_runs_on_into_the_next():
    body = "本部门预算收入 159.89 万元，较上年增加 46.78 万元，主要原因是人员经费增长。" * 3
    text = f"一、单位构成\n内设6个科室。\n二、收支情况\n{body}\n三、三公经费\n{body}\n"
    spans = chunk_text(text, min_chars=200, max_chars=500, overlap=0)
    assert text[spans[0][0]:spans[0][1]].startswith("一、单位构成\n内设6个科室。\n二、收支情况")
    assert any(text[s:e].startswith("三、三公经费") for s, e, _ in spans)  # a long one closes


def test_heading_levels():
    assert heading_level("第三部分 2018年度部门决算情况说明") == 0
    assert heading_level("四、\"三公\"经费情况说明") == 1
    assert heading_level("(二)单位构成") == 2
    assert heading_level("1. 机关运行经费。") is None  # an item ending a sentence is text
    assert heading_level("2023 年本部门预算收入 159.89 万元。") is None
