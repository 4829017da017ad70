"""Text recognition of one page image with RapidOCR (PP-OCRv4 Chinese models from its wheel).

The engine is loaded lazily and once per process. A page is first checked for its orientation
on a small copy (text lines standing upright mean the page is turned 90°; the direction
classifier tells 0° from 180°), turned upright, then recognised: every detected text box with
its text, its confidence and its rectangle in the upright image.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image

log = logging.getLogger(__name__)

_ORIENTATION_SIDE = 1000  # pixels of the long side of the copy the orientation is read from
_KEEP_SCORE = 0.1  # boxes recognised below this are noise; above it they stay, to be marked
_UPRIGHT = 1.5  # a box this many times taller than wide is a line standing upright
_NUMBER_WITH_SPACES = re.compile(r"[-+]?[\d,.]+(?:\s+[\d,.%]+)+")
# Thousands groups then two decimals, with at least one separator of the wrong kind.
_MISREAD_SEPARATORS = re.compile(r"(?=.*(?:\.\d{3}[.,]|,\d{2}$))\d{1,3}(?:[.,]\d{3})+[.,]\d{2}")
_REPAIRED_SCORE = 0.5
_lock = threading.Lock()  # one recognition at a time: onnxruntime uses both cores already


@dataclass(frozen=True)
class Word:
    """One recognised text box: a run of characters on one line, in upright-image pixels."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    confidence: float

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def centre_y(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def centre_x(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True)
class RecognisedPage:
    """A page image turned upright (`rotation` degrees counter-clockwise) and its words."""

    image: Image.Image
    rotation: int
    words: tuple[Word, ...]


@lru_cache(maxsize=1)
def _engine():  # rapidocr has no type hints
    from rapidocr_onnxruntime import RapidOCR

    # Models come from the wheel's own config; low-scoring boxes are kept (and marked later).
    return RapidOCR(text_score=_KEEP_SCORE, intra_op_num_threads=2, inter_op_num_threads=1)


def _boxes(engine, image: np.ndarray) -> list[np.ndarray]:
    """Detected text quadrilaterals (4×2 arrays), without recognition."""
    found, _ = engine(image, use_cls=False, use_rec=False)
    return [np.asarray(box, dtype=np.float32) for box in found or []]


def _is_upright_text(boxes: Sequence[np.ndarray]) -> bool:
    """Whether most text lines stand upright: the page lies turned by 90°."""
    standing = lying = 0
    for box in boxes:
        width = float(np.linalg.norm(box[1] - box[0]))
        height = float(np.linalg.norm(box[3] - box[0]))
        standing += height > _UPRIGHT * width
        lying += width > _UPRIGHT * height
    return standing > lying


def _upside_down(engine, image: np.ndarray, boxes: list[np.ndarray]) -> bool:
    """Whether the direction classifier reads most lines as turned by 180°."""
    if not boxes:
        return False
    crops = engine.get_crop_img_list(image, np.array(boxes[:60]))
    _, labels, _ = engine.text_cls(crops)
    flipped = sum(1 for label, _ in labels if label == "180")
    return flipped > len(labels) / 2


def orientation(image: Image.Image) -> int:
    """Degrees (0, 90, 180, 270) to turn the page counter-clockwise to read it upright."""
    engine = _engine()
    small = image.copy()
    small.thumbnail((_ORIENTATION_SIDE, _ORIENTATION_SIDE))
    array = np.asarray(small.convert("RGB"))
    boxes = _boxes(engine, array)
    if not boxes:
        return 0
    turn = 0
    if _is_upright_text(boxes):
        turn = 90
        array = np.ascontiguousarray(np.rot90(array))
        boxes = _boxes(engine, array)
    return (turn + 180) % 360 if _upside_down(engine, array, boxes) else turn


def recognise(image: Image.Image) -> RecognisedPage:
    """The page turned upright and every text box recognised on it."""
    with _lock:
        rotation = orientation(image)
        upright = image.rotate(rotation, expand=True) if rotation else image
        found, _ = _engine()(np.asarray(upright.convert("RGB")), use_cls=False)
    words = [_word(box, text, score) for box, text, score in found or [] if text.strip()]
    return RecognisedPage(upright, rotation, tuple(words))


def _word(box: Sequence[Sequence[float]], text: str, score: float) -> Word:
    xs = [float(point[0]) for point in box]
    ys = [float(point[1]) for point in box]
    read = _closed_up(text.strip())
    fixed = _separators_fixed(read)
    if fixed != read:  # a repaired reading is never trusted: it is marked for checking
        score = min(score, _REPAIRED_SCORE)
    return Word(fixed, min(xs), min(ys), max(xs), max(ys), float(score))


def _separators_fixed(text: str) -> str:
    """A money figure whose thousands comma was read as a point, or its point as a comma
    ('2.946.25', '1,503,52'), with the separators where the format puts them.

    >>> _separators_fixed("2.946.25"), _separators_fixed("1,503,52"), _separators_fixed("2,946.25")
    ('2,946.25', '1,503.52', '2,946.25')
    """
    match = _MISREAD_SEPARATORS.fullmatch(text)
    if not match:
        return text
    digits = re.split(r"[.,]", text)
    return ",".join(digits[:-1]) + "." + digits[-1]


def _closed_up(text: str) -> str:
    """A number the recogniser split at its separator ('21, 968.00', '1. 97') written whole:
    a box holding only digits and separators is one printed figure.

    >>> _closed_up("21, 968.00"), _closed_up("1. 97"), _closed_up("201 06 01")
    ('21,968.00', '1.97', '201 06 01')
    """
    if not _NUMBER_WITH_SPACES.fullmatch(text):
        return text
    return re.sub(r"(?<=[,.])\s+|\s+(?=[,.])", "", text)
