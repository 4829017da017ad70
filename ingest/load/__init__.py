"""Loaders: a file's bytes to text with pages and structurally read tables (`load_file`)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from gongkai.types import LoadedFile

from .builder import TextBuilder
from .docx import load_docx
from .guard import check_size, sniff_type
from .html import load_html
from .pdf import load_pdf
from .scan import DEFAULT_MAX_PIXELS, load_image
from .text import load_text
from .xlsx import load_xlsx

__all__ = ["load_file"]

DEFAULT_MAX_BYTES = 50 * 2**20
DEFAULT_MAX_PDF_PAGES = 2000


def _build(
    data: bytes, name: str, file_type: str, max_pdf_pages: int, max_pixels: int
) -> tuple[TextBuilder, str | None]:
    """Run the loader for `file_type`: the builder, and the text encoding when one applies."""
    if file_type in ("txt", "md"):
        return load_text(data, name)
    if file_type == "pdf":
        return load_pdf(data, name, max_pages=max_pdf_pages, max_pixels=max_pixels), None
    if file_type == "image":
        return load_image(data, name, max_pages=max_pdf_pages, max_pixels=max_pixels), None
    if file_type == "docx":
        return load_docx(data, name), None
    if file_type == "xlsx":
        return load_xlsx(data, name), None
    return load_html(data, name)


def load_file(
    path: str | Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pdf_pages: int = DEFAULT_MAX_PDF_PAGES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> LoadedFile:
    """Load a .txt/.md/.pdf/.docx/.xlsx/.html file or a scanned .png/.jpg/.tif image,
    dispatching on its real content. Pages without a text layer are recognised (OCR), at most
    `max_pdf_pages` of them and each within `max_pixels`.

    Raises an IngestError subclass with a Chinese message for unsupported, empty, oversized,
    corrupt or text-less files.
    """
    path = Path(path)
    size = check_size(path, max_bytes)
    data = path.read_bytes()
    file_type = sniff_type(data, path)
    builder, encoding = _build(data, path.name, file_type, max_pdf_pages, max_pixels)
    return LoadedFile(
        path=str(path),
        file_type=file_type,
        text=builder.text,
        sha256=hashlib.sha256(data).hexdigest(),
        size=size,
        pages=builder.pages,
        source_tables=builder.tables,
        encoding=encoding,
        ocr_spans=builder.ocr_spans,
    )
