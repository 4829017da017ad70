"""Scanned pages and images to recognised pages: rendering, limits and the messages for bad input.

PDF pages are rendered with pypdfium2 at OCR_DPI; images (.png, .jpg, .tif, a TIFF may hold
several pages) are read with PIL. A page over the pixel limit, a file that cannot be decoded and
an image with nothing readable are refused with a Chinese message naming the file.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator, Sequence

from PIL import Image, ImageSequence, UnidentifiedImageError

from gongkai.errors import CorruptFileError, EmptyFileError, FileTooLargeError

from .builder import TextBuilder
from .ocr import recognise
from .scan_layout import ScannedPage, lay_out_page, write_scanned_page

log = logging.getLogger(__name__)

OCR_DPI = 150  # enough for 9-pt table figures; 200 dpi reads no better and costs twice the time
DEFAULT_MAX_PIXELS = 25_000_000


def has_image(pdf_page) -> bool:  # a pypdfium2 PdfPage
    """Whether a PDF page draws an image (a page without text and images is blank)."""
    import pypdfium2.raw as pdfium_c

    return any(
        True for _ in pdf_page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2)
    )


def recognise_pdf_pages(
    data: bytes, name: str, numbers: Sequence[int], *, max_pixels: int
) -> dict[int, ScannedPage]:
    """The given (1-based) pages of a PDF rendered and recognised; pages drawing no image are
    left out, as they are blank."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise CorruptFileError(
            f"扫描件 PDF 无法打开（已加密或已损坏）：{name}", detail=repr(exc)
        ) from exc
    scanned: dict[int, ScannedPage] = {}
    try:
        for number in numbers:
            page = pdf[number - 1]
            if not has_image(page):
                continue
            width, height = page.get_size()
            scale = OCR_DPI / 72
            _check_pixels(int(width * scale) * int(height * scale), name, number, max_pixels)
            try:
                image = page.render(scale=scale, grayscale=True).to_pil()
            except pdfium.PdfiumError as exc:
                raise CorruptFileError(
                    f"扫描件第 {number} 页无法渲染：{name}", detail=repr(exc)
                ) from exc
            scanned[number] = lay_out_page(number, recognise(image))
    finally:
        pdf.close()
    return scanned


def load_image(data: bytes, name: str, *, max_pages: int, max_pixels: int) -> TextBuilder:
    """A builder with one page per image frame, its text recognised."""
    pages = [
        lay_out_page(n, recognise(image)) for n, image in _frames(data, name, max_pages, max_pixels)
    ]
    builder = TextBuilder()
    for page in pages:
        write_scanned_page(builder, page)
    if not builder.text.strip():
        raise EmptyFileError(f"图片中没有识别出文字（可能是空白页或过于模糊）：{name}")
    return builder


def _frames(
    data: bytes, name: str, max_pages: int, max_pixels: int
) -> Iterator[tuple[int, Image.Image]]:
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise FileTooLargeError(f"图片像素过多，已拒绝：{name}", detail=repr(exc)) from exc
    except (UnidentifiedImageError, OSError) as exc:
        raise CorruptFileError(f"图片文件已损坏或格式不支持：{name}", detail=repr(exc)) from exc
    count = getattr(image, "n_frames", 1)
    if count > max_pages:
        raise FileTooLargeError(f"图片页数过多（{count} 页，上限 {max_pages} 页）：{name}")
    for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
        _check_pixels(frame.width * frame.height, name, number, max_pixels)
        try:
            yield number, frame.convert("L")
        except OSError as exc:  # truncated or broken image data shows only when decoding
            raise CorruptFileError(f"图片第 {number} 页无法解码：{name}", detail=repr(exc)) from exc


def _check_pixels(pixels: int, name: str, number: int, max_pixels: int) -> None:
    if pixels > max_pixels:
        raise FileTooLargeError(
            f"第 {number} 页图像过大（{pixels / 1e6:.0f} 百万像素，上限 {max_pixels / 1e6:.0f} 百万像素），"
            f"无法识别：{name}",
            detail=f"pixels={pixels} max_pixels={max_pixels}",
        )
