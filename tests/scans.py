"""Scanned disclosures made from the dev PDFs: pages rendered to images and rebuilt as image-only
PDFs (turned, at a low resolution, blurred), and the figures of their tables compared with the
figures the original's text layer gives."""

from __future__ import annotations

import difflib
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from gongkai.types import Cell, Document, LoadedFile
from ingest.load import load_file
from ingest.tables import extract_tables
from ingest.tables.scanned import is_unsure

_CODE = re.compile(r"\d{2,7}")


@dataclass(frozen=True)
class Scan:
    """How to make one scan: which pages of which dev PDF, and what the scanner did to them."""

    source: str  # file name in the dev corpus
    pages: tuple[int, ...]  # 1-based
    dpi: int = 200
    rotate: int = 0  # degrees clockwise, as a sheet fed sideways
    blur: float = 0.0  # Gaussian blur radius in pixels
    unruled: bool = False  # the tables' rules erased: only the text's alignment is left

    @property
    def name(self) -> str:
        pages = "-".join(str(p) for p in self.pages)
        unruled = "_unruled" if self.unruled else ""
        return f"{Path(self.source).stem}_p{pages}_{self.dpi}dpi_r{self.rotate}_b{self.blur:g}{unruled}.pdf"


def scanned_pdf(
    folder: Path, scan: Scan, edit: Callable[[int, Image.Image], None] | None = None
) -> bytes:
    """An image-only PDF of the scan's pages: no text layer at all. `edit(page, image)` may
    paint on a page's image before the scanner's blur and turn."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(folder / scan.source)
    images = []
    for number in scan.pages:
        image = pdf[number - 1].render(scale=scan.dpi / 72).to_pil().convert("L")
        if edit is not None:
            edit(number, image)
        if scan.unruled:
            image = _without_rules(image)
        if scan.blur:
            image = image.filter(ImageFilter.GaussianBlur(scan.blur))
        if scan.rotate:
            image = image.rotate(-scan.rotate, expand=True)
        images.append(image)
    pdf.close()
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=scan.dpi)
    return out.getvalue()


def _without_rules(image: Image.Image) -> Image.Image:
    """The page with every long straight stroke (a table rule) painted white."""
    import cv2
    import numpy as np

    gray = np.asarray(image)
    ink = ((gray < 160) * 255).astype(np.uint8)
    rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, 60), np.uint8)) | cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, np.ones((60, 1), np.uint8)
    )
    rules = cv2.dilate(rules, np.ones((5, 5), np.uint8))
    return Image.fromarray(np.where(rules > 0, 255, gray).astype(np.uint8))


def misprinted_pdf(folder: Path, scan: Scan, *, page: int, was: str, now: str) -> bytes:
    """The scan with the figure `was` on `page` printed as `now` (a misprint, or a misreading
    the recogniser would make): the figure painted over and the new one drawn in its place."""
    import pdfplumber

    with pdfplumber.open(folder / scan.source) as pdf:
        (hit,) = pdf.pages[page - 1].search(was)

    def edit(number: int, image: Image.Image) -> None:
        if number != page:
            return
        scale = scan.dpi / 72
        x0, top, x1, bottom = (hit[k] * scale for k in ("x0", "top", "x1", "bottom"))
        pad = (bottom - top) * 0.1  # digits may sit a little off their characters' boxes
        area = (int(x0) + 2, int(top - pad), int(x1) - 1, int(bottom))  # off the rules
        ink = ImageOps.invert(image.crop(area)).point(lambda v: 255 if v > 96 else 0).getbbox()
        assert ink is not None, f"{was} is not printed on page {page}"
        left, upper, right, lower = (
            ink[0] + area[0],
            ink[1] + area[1],
            ink[2] + area[0],
            ink[3] + area[1],
        )
        draw = ImageDraw.Draw(image)
        draw.rectangle((left - 1, upper - 1, right + 1, lower + 1), fill=255)
        size = round(bottom - top)
        while ImageFont.load_default(size=size).getlength(now) > right - left:
            size -= 1
        font = ImageFont.load_default(size=size)
        draw.text((right, upper), now, fill=0, font=font, anchor="rt")

    return scanned_pdf(folder, scan, edit)


def document(loaded: LoadedFile) -> Document:
    return Document(
        id="scan",
        path=loaded.path,
        file_type=loaded.file_type,
        sha256=loaded.sha256,
        text=loaded.text,
        pages=loaded.pages,
        source_tables=loaded.source_tables,
        ocr_spans=loaded.ocr_spans,
    )


def table_figures(doc: Document, pages: Sequence[int]) -> list[Cell]:
    """The figures of the tables on the given pages, table by table, row by row; 科目编码 parts
    (bare digit runs: '201', '06', '30101') are codes, not figures, whichever column they are in."""
    wanted = set(pages)
    return [
        cell
        for table in extract_tables(doc)
        if table.page in wanted
        for row in table.rows
        if not row.is_header
        for cell in row.cells
        if cell.value is not None and not _CODE.fullmatch(cell.text)
    ]


@dataclass(frozen=True)
class Comparison:
    original: int  # figures the text layer gives
    identical: int  # recognised exactly, in the same order
    marked_wrong: int  # recognised differently (or extra) and marked unsure
    unmarked_wrong: tuple[str, ...]  # differences nothing marks: 'original → recognised'
    wrong_confidences: tuple[float, ...]  # of the wrong recognised cells
    right_confidences: tuple[float, ...]

    @property
    def identical_share(self) -> float:
        return self.identical / self.original if self.original else 0.0


def compare(original: Sequence[Cell], recognised: Sequence[Cell]) -> Comparison:
    """Recognised figures aligned with the original's (difflib on the printed texts)."""
    matcher = difflib.SequenceMatcher(
        a=[c.text for c in original], b=[c.text for c in recognised], autojunk=False
    )
    identical = marked = 0
    unmarked: list[str] = []
    wrong: list[float] = []
    right: list[float] = []
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            identical += a1 - a0
            right += [c.confidence for c in recognised[b0:b1] if c.confidence is not None]
            continue
        theirs = recognised[b0:b1]
        wrong += [c.confidence for c in theirs if c.confidence is not None]
        marked += sum(1 for c in theirs if is_unsure(c))
        said = " ".join(c.text for c in original[a0:a1]) or "（无）"
        unmarked += [f"{said} → {c.text}" for c in theirs if not is_unsure(c)]
        if a1 - a0 > b1 - b0:  # figures the recognition lost: nothing there to mark
            unmarked += [f"{c.text} → （缺）" for c in original[a0 + (b1 - b0) : a1]]
    return Comparison(len(original), identical, marked, tuple(unmarked), tuple(wrong), tuple(right))


def compare_scan(folder: Path, scan: Scan, tmp: Path) -> Comparison:
    """Ingest the scan as a file and compare its table figures with the original's."""
    original = document(load_file(folder / scan.source))
    path = tmp / scan.name
    path.write_bytes(scanned_pdf(folder, scan))
    recognised = document(load_file(path))
    pages = range(1, len(scan.pages) + 1)
    return compare(table_figures(original, scan.pages), table_figures(recognised, pages))
