"""ingest.tables on the real seed documents and on small synthetic cases."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.types import Document, Page, Row, SourceCell, SourceTable, Table
from ingest.tables import extract_tables

SEEDS = Path("/work/shared/corpus/seeds")


def _document(
    text: str, path: str = "t.txt", source_tables: tuple[SourceTable, ...] = ()
) -> Document:
    return Document(
        id="t",
        path=path,
        file_type="txt",
        sha256="",
        text=text,
        pages=(Page(1, 0, len(text)),),
        source_tables=source_tables,
    )


def _seed(prefix: str) -> Document:
    [path] = SEEDS.glob(f"{prefix}_*.txt")
    return _document(path.read_text(encoding="utf-8").replace("\r\n", "\n"), str(path))


@pytest.fixture(scope="module")
def seeds() -> dict[str, tuple[Document, list[Table]]]:
    if not SEEDS.is_dir():
        pytest.skip("seed corpus not present")
    docs = {prefix: _seed(prefix) for prefix in ("000", "001", "002", "003", "004")}
    return {prefix: (doc, extract_tables(doc)) for prefix, doc in docs.items()}


def _column(table: Table, name: str) -> int:
    matches = [
        i for i, path in enumerate(table.columns) if path.split(" / ")[-1].replace(" ", "") == name
    ]
    assert matches, f"no column {name} in {table.columns}"
    return matches[0]


def _value(table: Table, row: Row, column: str) -> float | None:
    col = _column(table, column)
    return next((c.value for c in row.cells if c.col == col), None)


def _text(table: Table, row: Row, column: str) -> str:
    col = _column(table, column)
    return next((c.text for c in row.cells if c.col == col), "")


def _rows_by_code(tables: list[Table]) -> dict[str, tuple[Table, Row]]:
    return {row.code: (table, row) for table in tables for row in table.rows if row.code}


def _row(table: Table, label: str) -> Row:
    return next(row for row in table.rows if not row.is_header and row.label == label)


# Every seed ----------------------------------------------------------------------------------


def test_every_cell_span_is_exact(seeds) -> None:
    for doc, tables in seeds.values():
        for table in tables:
            assert doc.text[table.start : table.end]
            for row in table.rows:
                for cell in row.cells:
                    assert doc.text[cell.start : cell.end] == cell.text
                    assert cell.text == cell.text.strip()
                    assert 0 <= cell.col < len(table.columns)
                    assert table.start <= cell.start <= cell.end <= table.end or not cell.text


def test_header_rows_come_first_and_indexes_are_ordered(seeds) -> None:
    for _, tables in seeds.values():
        assert [t.index for t in tables] == list(range(len(tables)))
        for table in tables:
            flags = [row.is_header for row in table.rows]
            assert flags == sorted(flags, reverse=True)
            assert [row.index for row in table.rows] == list(range(len(table.rows)))
            assert table.page == 1


def test_table_counts_per_seed(seeds) -> None:
    counts = {prefix: len(tables) for prefix, (_, tables) in seeds.items()}
    assert counts["000"] == 0  # prose only
    assert counts["001"] >= 1 and counts["002"] == 1
    assert counts["003"] >= 8 and counts["004"] >= 15
    kinds = {prefix: {t.kind for t in tables} for prefix, (_, tables) in seeds.items()}
    assert kinds["001"] == {"tsv"} and kinds["004"] == {"markdown"}
    assert "ocr_pipe" in kinds["003"]


# 004 潼南: markdown ---------------------------------------------------------------------------


def test_tongnan_general_budget_expenditure_table(seeds) -> None:
    _, tables = seeds["004"]
    [table] = [t for t in tables if "一般公共预算财政拨款支出预算表" in t.title]
    assert table.title == "重庆市潼南区政务服务管理办公室一般公共预算财政拨款支出预算表"
    assert table.unit == "万元"
    codes = _rows_by_code([table])
    assert set(codes) == {
        "201",
        "20103",
        "2010301",
        "2010302",
        "208",
        "20805",
        "2080505",
        "2080506",
        "2080599",
        "210",
        "21011",
        "2101101",
        "2101199",
        "221",
        "22102",
        "2210201",
    }
    row = codes["2010301"][1]
    assert row.label == "行政运行"
    assert _value(table, row, "小计") == 428.61 and _value(table, row, "基本支出") == 428.61
    assert _value(table, row, "项目支出") is None
    total = _row(table, "总计:")
    assert total.is_rollup and _value(table, total, "小计") == 1932.33
    assert _value(table, total, "项目支出") == 1437.5
    assert [code for code, (_, r) in codes.items() if r.is_rollup] == [
        "201",
        "20103",
        "208",
        "20805",
        "210",
        "21011",
        "221",
        "22102",
    ]
    assert all(c.value is None for c in row.cells if c.text == "2010301")  # a code is not a figure


def test_tongnan_spanning_headers_become_paths(seeds) -> None:
    _, tables = seeds["004"]
    [table] = [t for t in tables if "一般公共预算财政拨款支出预算表" in t.title]
    assert table.columns == (
        "功能分类科目 / 科目编码",
        "功能分类科目 / 科目名称",
        "2021 年预算数 / 小计",
        "2021 年预算数 / 基本支出",
        "2021 年预算数 / 项目支出",
    )
    [summary] = [t for t in tables if t.title.endswith("财政拨款收支总表")]
    assert summary.columns[:4] == ("收入 / 项目", "收入 / 预算数", "支出 / 项目", "支出 / 合计")
    assert _row(summary, "本年收入总计").is_rollup


def test_tongnan_basic_expenditure_table_in_two_parts(seeds) -> None:
    _, tables = seeds["004"]
    parts = [t for t in tables if t.title.endswith("一般公共预算财政拨款基本支出预算表")]
    assert len(parts) == 2
    codes = _rows_by_code(parts)
    assert {
        "301",
        "30101",
        "30199",
        "302",
        "30201",
        "30202",
        "30205",
        "30231",
        "30299",
        "303",
        "30307",
        "30399",
    } <= set(codes)
    assert len(codes) == 31
    table, row = codes["30231"]
    assert row.label == "公务用车运行维护费" and _value(table, row, "公用经费") == 4.0
    assert (
        codes["302"][1].is_rollup and codes["303"][1].is_rollup and not codes["30205"][1].is_rollup
    )
    assert (
        _row(parts[0], "合计").is_rollup
        and _value(parts[0], _row(parts[0], "合计"), "合计") == 494.83
    )


def test_tongnan_continued_table_takes_the_title_of_its_first_part(seeds) -> None:
    _, tables = seeds["004"]
    income = [t for t in tables if t.title.endswith("部门收入总表")]
    assert len(income) == 2
    assert not any(row.is_header for row in income[1].rows)
    assert income[1].rows[0].code == "2101199"
    assert {"2101199", "221", "22102", "2210201"} <= set(_rows_by_code(income))
    assert _rows_by_code(income)["221"][1].is_rollup  # its children are in the same part


def test_tongnan_sangong_table_despite_shifted_cells(seeds) -> None:
    _, tables = seeds["004"]
    [table] = [t for t in tables if "三公" in t.title]
    [body] = [row for row in table.rows if not row.is_header]
    assert _value(table, body, "合计") == 6
    assert _value(table, body, "公务用车运行费") == 4
    # The 2 is printed one column right of 公务接待费, under no header: moved back under it.
    assert _value(table, body, "公务接待费") == 2
    assert _value(table, body, "因公出国(境)费") is None


def test_tongnan_empty_and_garbled_tables_do_not_break(seeds) -> None:
    _, tables = seeds["004"]
    [fund] = [t for t in tables if "政府性基金预算支出表" in t.title]
    assert fund.unit == "万元"
    assert not any(c.value is not None for row in fund.rows for c in row.cells)
    [spending] = [t for t in tables if t.title.endswith("部门支出总表")]
    assert _rows_by_code([spending])["2010301"][1].label == "行政运行"
    assert not any(
        "平匹" in name for name in spending.columns
    )  # a garbled unit corner is no header


def test_tongnan_indicator_table_title_inside_the_table(seeds) -> None:
    _, tables = seeds["004"]
    parts = [t for t in tables if t.title == "2021 年区政务服务管理办预算整体绩效目标表"]
    assert len(parts) == 2 and parts[0].unit == "万元"  # the form's head, then its indicator rows
    table = parts[1]
    assert table.columns[1:] == ("指标名称", "指标权重", "计量单位", "指标性质", "指标值")
    row = _row(table, "入驻部门")
    assert _text(table, row, "指标值") == "28" and _text(table, row, "指标权重") == "5%"
    assert _text(table, _row(table, '业务办理"不打烊"'), "指标值") == "24*7"
    assert _value(table, _row(table, '业务办理"不打烊"'), "指标值") is None


# 003 汨罗: OCR pipe fragments -----------------------------------------------------------------


def test_miluo_expenditure_and_balance_table(seeds) -> None:
    _, tables = seeds["003"]
    [table] = [t for t in tables if t.title == "部门(单位)年度支出和结余情况(万元)"]
    assert table.kind == "ocr_pipe" and table.unit == "万元"
    row = _row(table, "局机关及二级机构汇总")
    assert row.is_rollup
    expected = {
        "支出合计": 846.77,
        "基本支出": 307.55,
        "人员支出": 256.23,
        "公用支出": 51.32,
        "项目支出": 539.22,
    }
    assert {name: _value(table, row, name) for name in expected} == expected
    assert _value(table, row, "结余") is None
    assert table.columns[_column(table, "人员支出")] == "支出合计 / 基本支出 / 人员支出"
    assert [r.label for r in table.rows if not r.is_header] == [
        "局机关及二级机构汇总",
        "1、局机关",
        "2、二级机构1",
        "3、二级机构2",
    ]


def test_miluo_income_and_sangong_tables(seeds) -> None:
    _, tables = seeds["003"]
    [income] = [t for t in tables if t.title == "年度收入情况(万元)"]
    row = _row(income, "局机关及二级机构汇总")
    assert (
        _value(income, row, "收入合计") == 846.77 and _value(income, row, "公共财政拨款") == 686.97
    )
    [sangong] = [t for t in tables if any("三公经费" in name for name in t.columns)]
    row = _row(sangong, "局机关及二级机构汇总")
    assert (
        _value(sangong, row, "三公经费合计") == 4.54 and _value(sangong, row, "公务接待费") == 4.54
    )
    assert sangong.unit == "万元"  # stated by the sibling tables of its section
    assert sangong.title == "二、部门(单位)收支情况"


def test_miluo_indicator_table_aligns_short_rows_right(seeds) -> None:
    _, tables = seeds["003"]
    table = next(t for t in tables if t.columns and t.columns[-1] == "实际完成值")
    row = _row(table, "政务大厅办理各类政务服务事项")
    assert _text(table, row, "实际完成值") == "67888件"
    assert _text(table, _row(table, "社会公众满意度"), "指标(目标)值") == "≧95%"
    assert _row(table, "12345热线工单办结率").code is None  # a hotline number, not a 科目编码


# 001 呈贡 and 002 柞水: tab-separated -----------------------------------------------------------


def test_chenggong_performance_targets_from_tab_lines(seeds) -> None:
    _, tables = seeds["001"]
    table = next(t for t in tables if any(name.endswith("指标值") for name in t.columns))
    assert table.kind == "tsv" and table.title == "项目绩效目标表"
    assert table.columns[:2] == ("绩效指标 / 一级指标", "绩效指标 / 二级指标")
    assert table.columns[-1] == "绩效指标值设定依据及数据来源"
    row = _row(table, "年办件量")
    assert _text(table, row, "指标值") == "200万件" and _text(table, row, "度量单位") == "件"
    assert _text(table, row, "指标性质") == "="
    assert _text(table, _row(table, "窗口服务办结率"), "指标值") == "90"
    assert _value(table, _row(table, "窗口服务办结率"), "指标值") == 90
    categories = [
        r.label for r in table.rows if not r.is_header and not any(c.value for c in r.cells)
    ]
    assert "产出指标" in categories and "数量指标" in categories


def test_zhashui_unit_list(seeds) -> None:
    _, [table] = seeds["002"]
    assert table.kind == "tsv" and table.columns == ("序号", "单位名称")
    [row] = [r for r in table.rows if not r.is_header]
    assert row.label == "柞水县政务服务中心" and _value(table, row, "序号") == 1


# Synthetic cases -----------------------------------------------------------------------------


def test_markdown_with_truncated_row_and_data_first() -> None:
    text = (
        "收支表\n单位：元\n\n| 301 | 工资福利支出 | 10.00 |\n|---|---|---|\n"
        "| 30101 | 基本工资 | 6.00 |\n| 30102 | 津贴补贴 | 4.00\n\n正文。"
    )
    doc = _document(text)
    [table] = extract_tables(doc)
    assert table.title == "收支表" and table.unit == "元"
    assert [r.code for r in table.rows] == ["301", "30101", "30102"]
    assert [r.is_rollup for r in table.rows] == [True, False, False]
    last = table.rows[-1].cells[-1]
    assert (last.text, last.value, text[last.start : last.end]) == ("4.00", 4.0, "4.00")


def test_codes_inside_labels_and_total_labels() -> None:
    text = (
        "支出明细表（单位：万元）\n| 科目 | 金额 |\n|--|--|\n| 一般公共服务支出（201） | 9 |\n"
        "| 事业运行（2010350） | 9 |\n| 本年支出合计 | 9 |\n"
    )
    [table] = extract_tables(_document(text))
    assert table.unit == "万元"
    rows = [r for r in table.rows if not r.is_header]
    assert [(r.label, r.code, r.is_rollup) for r in rows] == [
        ("一般公共服务支出", "201", True),
        ("事业运行", "2010350", False),
        ("本年支出合计", None, True),
    ]


def test_ocr_block_splits_at_a_new_header_row() -> None:
    lines = [
        "收入情况(万元) |",
        "|||||",
        "单位 |",
        "合计 |",
        "|||||",
        "本级 |",
        "5.5 |",
        "||||||",
        "单位 |",
        "项目一 |",
        "项目二 |",
        "|||||",
        "本级 |",
        "1 |",
        "2 |",
        "|||",
    ]
    text = "\n".join(lines) + "\n"
    tables = extract_tables(_document(text))
    assert [t.kind for t in tables] == ["ocr_pipe", "ocr_pipe"]
    assert tables[0].title == "收入情况(万元)" and tables[0].unit == "万元"
    assert tables[1].title == "收入情况(万元)" and tables[1].columns == ("单位", "项目一", "项目二")
    assert [c.value for c in tables[1].rows[-1].cells] == [None, 1.0, 2.0]


def test_source_tables_are_converted_not_refound() -> None:
    rows_text = [
        ["科目", "", "预算数"],
        ["编码", "名称", ""],
        ["201", "一般公共服务支出", "1,866.11"],
    ]
    text = "附表1 支出预算表\n"
    built = []
    for row in rows_text:
        cells = []
        for i, cell in enumerate(row):
            cells.append(SourceCell(cell, len(text), len(text) + len(cell)))
            text += cell + ("\t" if i < len(row) - 1 else "\n")
        built.append(tuple(cells))
    source = SourceTable(tuple(built), len("附表1 支出预算表\n"), len(text), 3, "pdf")
    doc = _document(text, "t.pdf", (source,))
    [table] = extract_tables(doc)
    assert table.kind == "pdf" and table.page == 3 and table.title == "附表1 支出预算表"
    assert table.columns == ("科目 / 编码", "科目 / 名称", "预算数")
    [body] = [r for r in table.rows if not r.is_header]
    assert (body.code, body.label, body.cells[-1].value) == ("201", "一般公共服务支出", 1866.11)


def test_tab_lines_and_empty_input() -> None:
    assert extract_tables(_document("")) == []
    assert extract_tables(_document("一行\t文字\n")) == []
    text = "人员表\n姓名\t人数\n在编\t7\n退休\t5\n"
    [table] = extract_tables(_document(text))
    assert table.columns == ("姓名", "人数") and [r.label for r in table.rows[1:]] == [
        "在编",
        "退休",
    ]


def test_crlf_text_keeps_exact_spans() -> None:
    text = "表一\r\n| 项目 | 金额 |\r\n|---|---|\r\n| 合计 | 3 |\r\n"
    [table] = extract_tables(_document(text))
    cells = [c for row in table.rows for c in row.cells]
    assert all(text[c.start : c.end] == c.text and "\r" not in c.text for c in cells)
    assert table.rows[-1].is_rollup and table.rows[-1].cells[-1].value == 3


_TABLE_ALPHABET = st.sampled_from(list("|||\t\t\n\n\n -—:：12.,%空合计表单位万元（）()其中编码201"))


@settings(max_examples=300, deadline=None)
@given(st.text(_TABLE_ALPHABET, max_size=300))
def test_arbitrary_table_like_text_never_breaks_spans(text: str) -> None:
    for table in extract_tables(_document(text)):
        widest = max((c.col + 1 for r in table.rows for c in r.cells), default=0)
        assert len(table.columns) >= widest
        for row in table.rows:
            for cell in row.cells:
                assert text[cell.start : cell.end] == cell.text
