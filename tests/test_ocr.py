"""Scanned disclosures: dev PDF pages rebuilt as image-only PDFs (turned 90°, at 150 dpi,
blurred, rules erased) are recognised, and their table figures match the text layer's; whatever differs is
marked unsure. Bad scans are refused with a message naming the file."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from gongkai.errors import CorruptFileError, EmptyFileError, FileTooLargeError
from ingest.load import load_file
from ingest.tables import extract_tables
from ingest.tables.scanned import is_unsure
from tests.conftest import DEV_PDFS
from tests.scans import Scan, compare_scan, document, scanned_pdf

PUTUO = "sh_putuo_caizhengju_2024_dept_final.pdf"
GAOYUAN = "js_gaoyuan_2019_dept_budget.pdf"
SCANS = (
    Scan(PUTUO, (6, 15), rotate=90),  # 收入支出决算总表, 一般公共预算财政拨款支出决算表
    Scan(GAOYUAN, (8, 16), dpi=150),  # 收支预算总表, a six-column project table
    Scan(GAOYUAN, (11,), blur=1.5),  # 基本支出预算表（经济科目）
    Scan(PUTUO, (8, 16), blur=1.2),  # 收入决算表 (eleven columns), 基本支出决算表
    Scan(PUTUO, (15, 16), unruled=True),  # rules erased: columns from the boxes alone
    Scan(GAOYUAN, (11,), unruled=True),
)
needs_dev = pytest.mark.skipif(
    not DEV_PDFS.is_dir(), reason="../shared/corpus/dev is not beside the checkout"
)


@needs_dev
@pytest.mark.parametrize("scan", SCANS, ids=lambda s: s.name)
def test_scanned_tables_give_the_text_layers_figures(scan, tmp_path):
    result = compare_scan(DEV_PDFS, scan, tmp_path)
    assert result.original >= 20
    assert result.identical_share >= 0.99, result
    assert not result.unmarked_wrong, result.unmarked_wrong


@needs_dev
def test_a_turned_scan_is_read_upright_with_page_boxes(tmp_path):
    path = tmp_path / "turned.pdf"
    path.write_bytes(scanned_pdf(DEV_PDFS, Scan(PUTUO, (15,), rotate=270)))
    loaded = load_file(path)
    assert loaded.pages[0].scanned and loaded.pages[0].rotation == 270  # undoes 270° clockwise
    assert "一般公共预算财政拨款支出决算表" in loaded.text
    start = loaded.text.index("2,940.05")
    (span,) = [s for s in loaded.ocr_spans if s.start == start]
    box = span.box
    assert box.page == 1 and 0 <= box.x0 < box.x1 <= 1 and 0 <= box.top < box.bottom <= 1
    # the 合计 row is the last of the table, in the lower half of the upright page
    assert box.bottom > 0.4 and box.x0 > 0.5
    tables = extract_tables(document(loaded))
    (table,) = [t for t in tables if t.kind == "ocr"]
    assert table.title == "一般公共预算财政拨款支出决算表" and table.unit == "万元"
    total = next(c for r in table.rows for c in r.cells if c.start == start)
    assert total.box is not None and total.confidence is not None and total.value == 2940.05


@needs_dev
def test_a_misread_figure_fails_the_sum_check_and_is_marked_suspect(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(scanned_pdf(DEV_PDFS, Scan(PUTUO, (15,))))
    loaded = load_file(path)
    start = loaded.text.index("1,511.89")  # 行政运行, a part of 财政事务 and of the 合计 column
    doc = document(loaded)
    tables = extract_tables(_misread(doc, start, "1,911.89"))
    cell = next(c for t in tables for r in t.rows for c in r.cells if c.start == start)
    assert cell.suspect and is_unsure(cell)
    clean = extract_tables(doc)
    assert not any(c.suspect for t in clean for r in t.rows for c in r.cells)


def _misread(doc, start: int, wrong: str):
    """The document as if the recogniser had read `wrong` at `start` (same length)."""
    from dataclasses import replace

    text = doc.text[:start] + wrong + doc.text[start + len(wrong) :]
    tables = tuple(
        replace(
            t,
            rows=tuple(
                tuple(replace(c, text=wrong) if c.start == start else c for c in row)
                for row in t.rows
            ),
        )
        for t in doc.source_tables
    )
    return replace(doc, text=text, source_tables=tables)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_an_image_with_nothing_readable_is_refused(tmp_path):
    path = tmp_path / "blank.png"
    path.write_bytes(_png(Image.new("L", (800, 600), 255)))
    with pytest.raises(EmptyFileError) as error:
        load_file(path)
    assert "没有识别出文字" in error.value.message and "blank.png" in error.value.message


def test_an_image_over_the_pixel_limit_is_refused(tmp_path):
    path = tmp_path / "big.png"
    path.write_bytes(_png(Image.new("L", (3000, 3000), 255)))
    with pytest.raises(FileTooLargeError) as error:
        load_file(path, max_pixels=4_000_000)
    assert "像素" in error.value.message and "big.png" in error.value.message


def test_a_broken_image_is_refused(tmp_path):
    data = _png(Image.new("L", (400, 300), 255))
    path = tmp_path / "broken.jpg"
    path.write_bytes(b"\xff\xd8\xff" + data[3:200])
    with pytest.raises(CorruptFileError) as error:
        load_file(path)
    assert "broken.jpg" in error.value.message


def test_a_scanned_pdf_over_the_page_limit_is_refused(tmp_path):
    sheet = Image.new("L", (400, 300), 255)
    out = io.BytesIO()
    sheet.save(out, "PDF", save_all=True, append_images=[sheet, sheet])
    path = tmp_path / "many.pdf"
    path.write_bytes(out.getvalue())
    with pytest.raises(FileTooLargeError):
        load_file(path, max_pdf_pages=2)


def test_an_image_is_recognised(tmp_path):
    from PIL import ImageFont

    image = Image.new("L", (900, 200), 255)
    font = ImageFont.load_default(size=48)
    ImageDraw.Draw(image).text((40, 60), "Total 2,106.66", fill=0, font=font)
    path = tmp_path / "figure.png"
    path.write_bytes(_png(image))
    loaded = load_file(path)
    assert loaded.file_type == "image" and "2,106.66" in loaded.text
    assert loaded.pages[0].scanned
    span = next(
        s
        for s in loaded.ocr_spans
        if loaded.text[s.start : s.end] == "2,106.66" or "2,106.66" in loaded.text[s.start : s.end]
    )
    assert span.confidence > 0.5 and span.box.x1 > span.box.x0


@needs_dev
def test_scanned_prose_is_joined_into_the_text_layers_paragraphs(tmp_path):
    original = load_file(DEV_PDFS / PUTUO)
    page = next(p for p in original.pages if p.number == 21)  # 决算情况说明: prose
    paragraphs = [line for line in original.text[page.start : page.end].split("\n") if line.strip()]
    path = tmp_path / "prose.pdf"
    path.write_bytes(scanned_pdf(DEV_PDFS, Scan(PUTUO, (21,))))
    recognised = load_file(path).text
    same = [line for line in paragraphs if line in recognised]
    # measured: 16 of 18 (the others differ in a half-width ';' or a wrap at the page's end)
    assert len(paragraphs) >= 15 and len(same) >= 0.8 * len(paragraphs)
