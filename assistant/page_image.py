"""A scanned page as an image, rendered from the stored file, to draw cited boxes on.

The page is turned upright as the recogniser read it: boxes are fractions of the upright page,
so they land on the characters they mark whatever size the page is drawn at.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

VIEW_DPI = 110  # enough to read a table's figures on screen


def render_page(path: str | Path, file_type: str, number: int, rotation: int) -> Image.Image | None:
    """Page `number` (1-based) of a stored PDF or image file, upright; None when the file is gone."""
    path = Path(path)
    if not path.is_file():
        return None
    if file_type == "pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(path)
        try:
            image = pdf[number - 1].render(scale=VIEW_DPI / 72).to_pil()
        finally:
            pdf.close()
    else:
        with Image.open(path) as frames:
            frames.seek(number - 1)
            image = frames.convert("RGB")
            image.thumbnail((1400, 1400))
    return image.rotate(rotation, expand=True) if rotation else image
