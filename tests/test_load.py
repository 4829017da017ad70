"""Loaders: every format from small files made here, bad inputs, and a few real dev PDFs."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from conftest_load_helpers import Rule, Text, make_pdf, ruled_table

from gongkai.errors import (
    CorruptFileError,
    EmptyFileError,
    FileTooLargeError,
    IngestError,
    UnsupportedFileError,
)
from gongkai.types import LoadedFile
from ingest.load import guard, load_file

DEV_PDFS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "dev" / "pdf"
CHINESE = "2023年部门预算：一般公共预算“三公”经费支出 22.91 万元，比上年减少 1.5%。\n公务接待费 1.35 万元。\n"


def write(tmp_path: Path, name: str, data: bytes | str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def assert_spans(loaded: LoadedFile) -> None:
    """Every cell and table span cuts exactly its text; pages tile the text in order."""
    for table in loaded.source_tables:
        assert 0 <= table.start <= table.end <= len(loaded.text)
        for row in table.rows:
            for cell in row:
                assert loaded.text[cell.start : cell.end] == cell.text
                assert table.start <= cell.start <= cell.end <= table.end
    position = 0
    for page in loaded.pages:
        assert page.start == position and page.end >= page.start
        position = page.end
    assert position == len(loaded.text)


def cell_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row] for row in table.rows]


# --- text -------------------------------------------------------------------------------------


def test_utf8_text_is_one_page_with_normalised_line_ends(tmp_path):
    loaded = load_file(write(tmp_path, "a.txt", CHINESE.replace("\n", "\r\n") + "末行\r"))
    assert loaded.text == CHINESE + "末行\n"
    assert loaded.file_type == "txt" and loaded.encoding == "utf-8"
    assert [(p.number, p.start, p.end) for p in loaded.pages] == [(1, 0, len(loaded.text))]
    assert loaded.source_tables == ()
    assert_spans(loaded)


def test_sha256_and_size_are_of_the_bytes(tmp_path):
    import hashlib

    data = CHINESE.encode("utf-8")
    loaded = load_file(write(tmp_path, "a.md", data))
    assert loaded.sha256 == hashlib.sha256(data).hexdigest()
    assert loaded.size == len(data) and loaded.file_type == "md"


def test_markdown_tables_stay_in_the_text(tmp_path):
    markdown = "# 三公经费\n\n| 项目 | 金额 |\n| --- | --- |\n| 公务接待费 | 1.35 |\n"
    loaded = load_file(write(tmp_path, "t.md", markdown))
    assert loaded.text == markdown and loaded.source_tables == ()


def test_utf8_bom_is_stripped(tmp_path):
    loaded = load_file(write(tmp_path, "b.txt", b"\xef\xbb\xbf" + CHINESE.encode("utf-8")))
    assert loaded.text == CHINESE


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "gb2312"])
def test_gb_encodings_decode_without_mojibake(tmp_path, encoding):
    loaded = load_file(write(tmp_path, "g.txt", CHINESE, encoding))
    assert loaded.text == CHINESE
    assert loaded.encoding == "gb18030"


def test_short_gbk_text_is_read_as_gb18030(tmp_path):
    loaded = load_file(write(tmp_path, "s.txt", "三公经费", "gbk"))
    assert loaded.text == "三公经费"


def test_gb18030_only_characters_survive(tmp_path):
    text = "单位名称：䶮𠀀测试局，预算 10.00 万元。"
    loaded = load_file(write(tmp_path, "x.txt", text, "gb18030"))
    assert loaded.text == text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_and_without_bom(tmp_path, encoding):
    data = CHINESE.encode(encoding)
    if encoding != "utf-16":  # add the BOM by hand for the explicit byte orders
        data = ("\ufeff" + CHINESE).encode(encoding)
    loaded = load_file(write(tmp_path, "u.txt", data))
    assert loaded.text == CHINESE


def test_utf16_ascii_without_bom(tmp_path):
    loaded = load_file(write(tmp_path, "u.txt", "Budget 2023: 22.91\n".encode("utf-16-le")))
    assert loaded.text == "Budget 2023: 22.91\n"


def test_nul_bytes_are_removed(tmp_path):
    loaded = load_file(write(tmp_path, "n.txt", "预算\x00 22.91\x00 万元\n"))
    assert loaded.text == "预算 22.91 万元\n"


def test_mostly_nul_text_is_refused(tmp_path):
    with pytest.raises(CorruptFileError):
        load_file(write(tmp_path, "z.txt", b"ab" + b"\x00" * 5000 + b"cd"))


def test_binary_garbage_as_txt_is_refused(tmp_path):
    rng = random.Random(7)
    data = bytes(rng.randrange(256) for _ in range(20000))
    with pytest.raises((UnsupportedFileError, CorruptFileError)) as error:
        load_file(write(tmp_path, "garbage.txt", data))
    assert error.value.message


def test_control_characters_as_txt_are_refused(tmp_path):
    rng = random.Random(3)
    data = bytes(rng.randrange(1, 32) for _ in range(5000))
    with pytest.raises((UnsupportedFileError, CorruptFileError)):
        load_file(write(tmp_path, "ctl.txt", data))


def test_extremely_long_line_is_fine(tmp_path):
    line = "一般公共预算支出 1,932.33 万元；" * 20000
    loaded = load_file(write(tmp_path, "long.txt", line))
    assert loaded.text == line


# --- bad input in general ----------------------------------------------------------------------


def test_empty_file(tmp_path):
    with pytest.raises(EmptyFileError) as error:
        load_file(write(tmp_path, "e.txt", b""))
    assert "空" in error.value.message


def test_whitespace_only_text_is_empty(tmp_path):
    with pytest.raises(EmptyFileError):
        load_file(write(tmp_path, "w.txt", " \n\r\n\t "))


def test_too_large_is_refused_before_reading(tmp_path, monkeypatch):
    path = write(tmp_path, "big.txt", "预算" * 100)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read before the size check"))
    with pytest.raises(FileTooLargeError) as error:
        load_file(path, max_bytes=100)
    assert "过大" in error.value.message


def test_unsupported_extension_is_named(tmp_path):
    with pytest.raises(UnsupportedFileError) as error:
        load_file(write(tmp_path, "data.csv", "a,b\n1,2\n"))
    assert ".csv" in error.value.message


def test_missing_file(tmp_path):
    with pytest.raises(IngestError):
        load_file(tmp_path / "nope.txt")


def test_legacy_office_file_is_refused(tmp_path):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    with pytest.raises(UnsupportedFileError) as error:
        load_file(write(tmp_path, "old.doc", data))
    assert ".docx" in error.value.message


def test_pdf_with_a_lying_extension_loads_as_pdf(tmp_path):
    pdf = make_pdf([[Text(72, 100, "部门预算公开，支出合计 100.00 万元。")]])
    loaded = load_file(write(tmp_path, "really_a_pdf.txt", pdf))
    assert loaded.file_type == "pdf" and "100.00" in loaded.text


def test_text_posing_as_pdf_is_refused(tmp_path):
    with pytest.raises(CorruptFileError) as error:
        load_file(write(tmp_path, "fake.pdf", CHINESE))
    assert ".pdf" in error.value.message


def test_docx_posing_as_xlsx_loads_as_docx(tmp_path):
    document = docx.Document()
    document.add_paragraph("部门预算说明")
    buffer = io.BytesIO()
    document.save(buffer)
    loaded = load_file(write(tmp_path, "x.xlsx", buffer.getvalue()))
    assert loaded.file_type == "docx" and loaded.text == "部门预算说明\n"


# --- PDF ---------------------------------------------------------------------------------------


def sample_pdf_pages() -> list[list]:
    first = [
        Text(72, 80, "2024年部门预算公开", 16),
        Text(72, 110, "一般公共预算“三公”经费支出 22.91 万元。"),
        *ruled_table(
            72,
            140,
            [150, 100, 100],
            [
                ["项目", "预算数", "决算数"],
                ["公务接待费", "1.35", "1.20"],
                ["公务用车运行维护费", "21.56", ""],
            ],
        ),
        Text(72, 240, "以上为三公经费表。"),
        Text(290, 820, "1", 9),  # page number in the bottom margin
    ]
    second = [Text(72, 80, "第二页：支出合计 100.00 万元。")]
    return [first, second]


def test_pdf_pages_text_and_ruled_table(tmp_path):
    loaded = load_file(write(tmp_path, "a.pdf", make_pdf(sample_pdf_pages())))
    assert loaded.file_type == "pdf"
    assert [p.number for p in loaded.pages] == [1, 2]
    first = loaded.text[loaded.pages[0].start : loaded.pages[0].end]
    assert first == (
        "2024年部门预算公开\n一般公共预算“三公”经费支出 22.91 万元。\n"
        "项目\t预算数\t决算数\n公务接待费\t1.35\t1.20\n公务用车运行维护费\t21.56\t\n以上为三公经费表。\n"
    )
    assert (
        loaded.text[loaded.pages[1].start : loaded.pages[1].end]
        == "第二页：支出合计 100.00 万元。\n"
    )
    (table,) = loaded.source_tables
    assert table.kind == "pdf" and table.page == 1
    assert cell_rows(table)[1] == ["公务接待费", "1.35", "1.20"]
    empty = table.rows[2][2]
    assert empty.text == "" and empty.start == empty.end
    assert loaded.text[table.start : table.end].startswith("项目\t预算数")
    assert_spans(loaded)


def _table_and_row_after(first_page_end: list[Text | Rule]) -> list[list[Text | Rule]]:
    """Two pages: a ruled table (with `first_page_end` below it), then one ruled row on top of the
    next page in the same columns, as a table's last row carried over a page break."""
    first = ruled_table(72, 100, [80, 80], [["科目", "金额"], ["301", "10.00"]]) + first_page_end
    return [first, ruled_table(72, 72, [80, 80], [["30312", "5.00"]])]


def test_pdf_one_row_carried_to_the_next_page_is_a_table(tmp_path):
    loaded = load_file(write(tmp_path, "a.pdf", make_pdf(_table_and_row_after([]))))
    first, carried = loaded.source_tables
    assert first.page == 1 and cell_rows(first)[-1] == ["301", "10.00"]
    assert carried.page == 2 and cell_rows(carried) == [["30312", "5.00"]]
    assert loaded.text[loaded.pages[1].start : loaded.pages[1].end] == "30312\t5.00\n"
    assert_spans(loaded)


def test_pdf_one_row_box_after_a_paragraph_stays_text(tmp_path):
    pages = _table_and_row_after([Text(72, 200, "以上为支出表。")])
    loaded = load_file(write(tmp_path, "a.pdf", make_pdf(pages)))
    (table,) = loaded.source_tables
    assert table.page == 1
    assert loaded.text[loaded.pages[1].start : loaded.pages[1].end] == "30312 5.00\n"
    assert_spans(loaded)


def test_pdf_wrapped_cells_join_without_space_for_chinese(tmp_path):
    items = ruled_table(72, 100, [120, 120], [["", ""], ["", ""]], row_height=40)
    items += [
        Text(75, 115, "公务用车", 10),
        Text(75, 128, "运行维护费", 10),
        Text(195, 115, "ABC", 10),
        Text(195, 128, "DEF", 10),
        Text(75, 155, "合计", 10),
        Text(195, 155, "9.00", 10),
    ]
    loaded = load_file(write(tmp_path, "w.pdf", make_pdf([items])))
    (table,) = loaded.source_tables
    assert cell_rows(table) == [["公务用车运行维护费", "ABC DEF"], ["合计", "9.00"]]
    assert_spans(loaded)


def test_pdf_digits_on_a_lower_baseline_stay_in_their_line(tmp_path):
    # Latin digits set ~5pt below the Chinese text around them (mixed fonts in Word exports).
    items = [
        Text(72, 100, "本年收入合计"),
        Text(144, 105, "2946.25"),
        Text(186, 100, "万元，其中财政拨款"),
        Text(96, 120, "下一段落。"),  # indented: a new paragraph
    ]
    loaded = load_file(write(tmp_path, "b.pdf", make_pdf([items])))
    assert loaded.text.splitlines()[0] == "本年收入合计2946.25万元，其中财政拨款"


def test_pdf_justified_chinese_has_no_spaces(tmp_path):
    items = [Text(72 + i * 18, 100, ch) for i, ch in enumerate("一般公共预算收入")]  # 6pt gaps
    items.append(Text(72 + 8 * 18 + 30, 100, "17981.68"))
    loaded = load_file(write(tmp_path, "j.pdf", make_pdf([items])))
    assert loaded.text == "一般公共预算收入 17981.68\n"


def test_pdf_wrapped_paragraph_lines_are_joined(tmp_path):
    items = [
        Text(96, 100, "二、收入预算情况说明"),
        Text(96, 120, "本部门本年收入预算合计一千九百三十二万元，其中一般公共预算"),
        Text(72, 135, "收入 1932.33 万元。"),
        Text(72, 150, "1.财政拨款"),
    ]
    loaded = load_file(write(tmp_path, "p.pdf", make_pdf([items])))
    assert loaded.text.splitlines() == [
        "二、收入预算情况说明",
        "本部门本年收入预算合计一千九百三十二万元，其中一般公共预算收入 1932.33 万元。",
        "1.财政拨款",
    ]


def test_pdf_sentence_wrapped_over_a_page_break_is_one_line(tmp_path):
    first = [
        Text(96, 100, "本部门本年收入预算合计一千九百三十二万元，其中一般公共预算"),
        Text(72, 115, "收入比上年预算减少"),
        Text(96, 130, "本年一般公共预算财政拨款支出预算合计一千九百三十二万元，比上年"),
    ]
    second = [
        Text(72, 100, "减少 30.8 万元，主要原因是压减。"),
        Text(96, 115, "下一段落从缩进开始。"),
    ]
    loaded = load_file(write(tmp_path, "two.pdf", make_pdf([first, second])))
    lines = loaded.text.splitlines()
    assert lines[1] == "本年一般公共预算财政拨款支出预算合计一千九百三十二万元，比上年减少 30.8 万元，主要原因是压减。"
    assert lines[2] == "下一段落从缩进开始。"
    # each character stays on the page it is printed on
    page_one, page_two = loaded.pages
    assert loaded.text[page_one.start:page_one.end].endswith("比上年")
    assert loaded.text[page_two.start:page_two.end].startswith("减少 30.8 万元")
    # an indented first line (a page of one paragraph start), a list item, or a line short of
    # the margin before a page break is no wrap
    indented = [Text(96, 100, "下一段落从缩进开始。")]
    heading = [Text(96, 100, "三、支出预算情况说明")]
    listed = [Text(72, 100, "1.财政拨款收入。")]
    title = [Text(72, 100, "名词解释")]
    loaded = load_file(write(tmp_path, "more.pdf", make_pdf([first, indented, heading, listed, title, first])))
    assert "比上年\n下一段落从缩进开始。\n三、支出预算情况说明\n1.财政拨款收入。\n名词解释\n本部门" in loaded.text


def test_pdf_encrypted_is_refused(tmp_path):
    with pytest.raises(CorruptFileError) as error:
        load_file(write(tmp_path, "e.pdf", make_pdf(sample_pdf_pages(), encrypt=True)))
    assert "加密" in error.value.message


def test_pdf_corrupt_is_refused(tmp_path):
    with pytest.raises(CorruptFileError):
        load_file(write(tmp_path, "c.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 20))


def test_pdf_truncated_is_refused(tmp_path):
    pdf = make_pdf(sample_pdf_pages())
    with pytest.raises(CorruptFileError):
        load_file(write(tmp_path, "t.pdf", pdf[:200]))


def test_pdf_over_page_limit_is_refused(tmp_path):
    pdf = make_pdf([[Text(72, 100, f"第{i}页")] for i in range(3)])
    with pytest.raises(IngestError) as error:
        load_file(write(tmp_path, "many.pdf", pdf), max_pdf_pages=2)
    assert "页数" in error.value.message


def test_pdf_without_text_layer_or_images_is_refused(tmp_path):
    # no text and nothing to recognise (scanned pages are tested in tests/test_ocr.py)
    pdf = make_pdf([[Rule(72, 100, 400, 100), Rule(72, 100, 72, 400)]] * 2)
    with pytest.raises(IngestError) as error:
        load_file(write(tmp_path, "scan.pdf", pdf))
    assert "扫描" in error.value.message


# --- real dev PDFs (read-only; skipped when the shared corpus is absent) ------------------------


def dev_pdf(name: str) -> LoadedFile:
    path = DEV_PDFS / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    return load_file(path)


def find_row(loaded: LoadedFile, *cells: str) -> list[str]:
    """The first table row holding all `cells` in this order as consecutive non-empty cells."""
    for table in loaded.source_tables:
        for row in cell_rows(table):
            filled = [c for c in row if c]
            for i in range(len(filled) - len(cells) + 1):
                if tuple(filled[i : i + len(cells)]) == cells:
                    return row
    raise AssertionError(f"no row with {cells}")


def test_dev_pdf_sangong_and_subject_code_tables():
    loaded = dev_pdf("js_jianchayuan_2017_dept_budget.pdf")
    assert len(loaded.pages) == 25
    assert_spans(loaded)
    find_row(
        loaded,
        "1,452.35",
        "584.35",
        "110.00",
        "317.80",
        "50.00",
        "267.80",
        "156.55",
        "168.00",
        "700.00",
    )
    find_row(loaded, "2040401", "行政运行", "7,968.14")
    find_row(loaded, "30217", "公务接待费", "36.55")
    header = find_row(loaded, "项目名称", "金额", "功能分类")
    assert header[0] == "项目名称"


def test_dev_pdf_merged_header_and_continued_table():
    loaded = dev_pdf("js_gaoyuan_2017_dept_budget.pdf")
    assert_spans(loaded)
    # merged header cells come out whole, not cut into the background rectangles' bands
    find_row(loaded, "小计", "因公出国（境）费", "公务用车购置及运行维护费")
    find_row(
        loaded, "2,599.37", "670.12", "180.00", "304.40", "304.40", "185.72", "228.00", "1,701.25"
    )
    # the first row of a table continued from the previous page (no top rule) is kept
    find_row(loaded, "二、财政专户管理资金", "四、公共安全支出", "23,513.11")


def test_dev_pdf_text_reads_in_page_order():
    loaded = dev_pdf("sh_putuo_caizhengju_2024_dept_final.pdf")
    assert [p.number for p in loaded.pages] == list(range(1, 26))
    assert_spans(loaded)
    assert "年度收入支出总计2995.39万元。与2023年度相比" in loaded.text
    contents = loaded.text.index("第三部分上海市普陀区财政局2024年度部门决算情况说明")
    explained = loaded.text.index("一、收入支出决算总体情况说明", contents + 30)
    page_of = next(p.number for p in loaded.pages if p.start <= explained < p.end)
    assert page_of > 15


# --- DOCX --------------------------------------------------------------------------------------


def make_docx() -> bytes:
    document = docx.Document()
    document.add_heading("2023年部门预算说明", level=1)
    document.add_paragraph("一般公共预算“三公”经费支出 22.91 万元。")
    table = document.add_table(rows=4, cols=3)
    texts = [
        ["项目", "预算数", ""],
        ["公务接待费", "1.35", "1.20"],
        ["公务用车\n运行维护费", "21.56", ""],
        ["合计", "", ""],
    ]
    for r, row in enumerate(texts):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    table.cell(0, 1).merge(table.cell(0, 2))  # horizontal merge: '预算数' spans two columns
    table.cell(3, 1).merge(table.cell(3, 2))
    table.cell(3, 1).text = "22.91"
    document.add_paragraph("表后说明。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_paragraphs_and_tables_in_document_order(tmp_path):
    loaded = load_file(write(tmp_path, "d.docx", make_docx()))
    assert loaded.file_type == "docx"
    (table,) = loaded.source_tables
    assert table.kind == "docx"
    assert cell_rows(table) == [
        ["项目", "预算数", ""],
        ["公务接待费", "1.35", "1.20"],
        ["公务用车运行维护费", "21.56", ""],
        ["合计", "22.91", ""],
    ]
    assert loaded.text.startswith(
        "2023年部门预算说明\n一般公共预算“三公”经费支出 22.91 万元。\n项目\t预算数\t\n"
    )
    assert loaded.text.endswith("合计\t22.91\t\n表后说明。\n")
    assert_spans(loaded)


def test_docx_vertical_merge_is_written_once(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "一般公共预算", "10.00"
    table.cell(1, 1).text, table.cell(2, 0).text, table.cell(2, 1).text = "5.00", "其他", "1.00"
    table.cell(0, 0).merge(table.cell(1, 0))
    buffer = io.BytesIO()
    document.save(buffer)
    loaded = load_file(write(tmp_path, "v.docx", buffer.getvalue()))
    assert cell_rows(loaded.source_tables[0]) == [
        ["一般公共预算", "10.00"],
        ["", "5.00"],
        ["其他", "1.00"],
    ]


def test_docx_corrupt_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<broken")
        archive.writestr("word/document.xml", "<not xml")
    with pytest.raises(CorruptFileError):
        load_file(write(tmp_path, "bad.docx", buffer.getvalue()))


def test_docx_truncated_zip_is_refused(tmp_path):
    with pytest.raises(CorruptFileError):
        load_file(write(tmp_path, "cut.docx", make_docx()[:300]))


def test_zip_bomb_ratio_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\x00" * (4 * 2**20))
    with pytest.raises(FileTooLargeError) as error:
        load_file(write(tmp_path, "bomb.docx", buffer.getvalue()))
    assert "压缩" in error.value.message


def test_zip_total_size_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(guard, "MAX_ZIP_UNCOMPRESSED", 1000)
    with pytest.raises(FileTooLargeError):
        load_file(write(tmp_path, "d.docx", make_docx()))


def test_other_zip_is_unsupported(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("ppt/presentation.xml", "<p/>")
    with pytest.raises(UnsupportedFileError):
        load_file(write(tmp_path, "slides.docx", buffer.getvalue()))


# --- XLSX --------------------------------------------------------------------------------------


def make_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "收支总表"
    sheet.append(["项目", "金额", "占比", "人数"])
    sheet.append(["一般公共预算", 1932.3300000001, 0.9979, 12])
    sheet.append(["其他收入", 6.2, 0.0021, None])
    sheet.append([None, None, None, None])
    sheet.append(["合计", 1938.53, 1, 12.0])
    for row in sheet.iter_rows(min_row=2, min_col=3, max_col=3):
        row[0].number_format = "0.00%"
    sheet["B5"].number_format = "#,##0.00"
    second = workbook.create_sheet("三公经费")
    second.append(["公务接待费", 1.35])
    second.append(["公务用车运行维护费", 21.56])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_each_sheet_is_a_page_and_a_table(tmp_path):
    loaded = load_file(write(tmp_path, "w.xlsx", make_xlsx()))
    assert loaded.file_type == "xlsx"
    assert [p.number for p in loaded.pages] == [1, 2]
    first, second = loaded.source_tables
    assert (first.title, first.page, first.kind) == ("收支总表", 1, "xlsx")
    assert cell_rows(first) == [
        ["项目", "金额", "占比", "人数"],
        ["一般公共预算", "1932.33", "99.79%", "12"],
        ["其他收入", "6.2", "0.21%", ""],
        ["合计", "1,938.53", "100.00%", "12"],
    ]
    assert cell_rows(second) == [["公务接待费", "1.35"], ["公务用车运行维护费", "21.56"]]
    page_two = loaded.text[loaded.pages[1].start : loaded.pages[1].end]
    assert page_two == "三公经费\n公务接待费\t1.35\n公务用车运行维护费\t21.56\n"
    assert_spans(loaded)


def test_xlsx_corrupt_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<broken")
    with pytest.raises(CorruptFileError):
        load_file(write(tmp_path, "bad.xlsx", buffer.getvalue()))


# --- HTML --------------------------------------------------------------------------------------

HTML = """<!DOCTYPE html><html><head><meta charset="gb2312"><title>部门预算公开</title>
<style>p {{ color: red }}</style><script>var hidden = "不可见";</script></head>
<body><h1>2023年部门预算</h1><p>一般公共预算<b>“三公”</b>经费
 22.91 万元。</p><!-- 注释 -->
<table><caption>三公经费表</caption>
<tr><th rowspan="2">项目</th><th colspan="2">金额</th></tr>
<tr><td>预算</td><td>决算</td></tr>
<tr><td>公务<br>接待费</td><td>1.35</td><td>1.20</td></tr></table>
<div>结束<span>语</span></div></body></html>"""


def test_html_visible_text_blocks_and_tables(tmp_path):
    loaded = load_file(write(tmp_path, "p.html", HTML, "gbk"))
    assert loaded.file_type == "html" and loaded.encoding == "gb18030"
    assert loaded.text == (
        "部门预算公开\n2023年部门预算\n一般公共预算“三公”经费 22.91 万元。\n三公经费表\n"
        "项目\t金额\t\n\t预算\t决算\n公务接待费\t1.35\t1.20\n结束语\n"
    )
    (table,) = loaded.source_tables
    assert table.kind == "html" and table.title == "三公经费表"
    assert_spans(loaded)


def test_html_without_declared_charset(tmp_path):
    loaded = load_file(write(tmp_path, "p.htm", "<p>预算 1.00 万元</p><p>第二段</p>", "gb18030"))
    assert loaded.text == "预算 1.00 万元\n第二段\n"


def test_html_markup_in_a_txt_file_is_read_as_html(tmp_path):
    loaded = load_file(
        write(tmp_path, "saved.txt", "<!DOCTYPE html><html><body><p>正文</p></body></html>")
    )
    assert loaded.file_type == "html" and loaded.text == "正文\n"


def test_html_deep_nesting_does_not_crash(tmp_path):
    depth = 50000
    page = "<html><body>" + "<div>" * depth + "深层内容" + "</div>" * depth + "</body></html>"
    try:
        loaded = load_file(write(tmp_path, "deep.html", page))
    except IngestError as error:  # refusing clearly is fine too
        assert error.message
    else:
        assert "深层内容" in loaded.text


def test_html_without_visible_text_is_empty(tmp_path):
    with pytest.raises(EmptyFileError):
        load_file(
            write(
                tmp_path,
                "blank.html",
                "<html><head><script>x()</script></head><body> </body></html>",
            )
        )


def test_html_layout_table_holding_a_data_table(tmp_path):
    page = (
        "<html><body><table><tr><td><p>导航</p></td><td><h2>三公经费</h2>"
        "<table><tr><td>公务接待费</td><td>1.35</td></tr><tr><td>合计</td><td>22.91</td></tr></table>"
        "</td></tr></table></body></html>"
    )
    loaded = load_file(write(tmp_path, "layout.html", page))
    (table,) = loaded.source_tables
    assert cell_rows(table) == [["公务接待费", "1.35"], ["合计", "22.91"]]
    assert loaded.text == "导航\n三公经费\n公务接待费\t1.35\n合计\t22.91\n"
    assert_spans(loaded)


def test_html_bom_wins_over_a_wrong_declared_charset(tmp_path):
    page = '<html><head><meta charset="gbk"></head><body><p>预算说明</p></body></html>'
    loaded = load_file(write(tmp_path, "bom.html", b"\xef\xbb\xbf" + page.encode("utf-8")))
    assert loaded.text == "预算说明\n"
