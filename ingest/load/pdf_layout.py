"""Characters of a PDF page to reading lines.

Hand-written on top of pdfplumber's characters because its line clustering uses a fixed `top`
tolerance (digits set in a Latin font sit ~5pt lower than the Chinese text around them and end
up on a line of their own) and its fixed x tolerance puts spaces inside justified Chinese text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import median

from .builder import join_wrapped

Char = dict  # a pdfplumber character object

# Gaps wider than these (in font sizes) separate words: justified Chinese spreads characters
# up to about half a character apart, Latin words are a quarter em apart.
_CJK_GAP = 0.6
_LATIN_GAP = 0.2
_TABLE_LIKE_GAP = 3.0  # a line with a wider gap is a row of an unruled table, never reflowed
# A wrapped line may stop this many characters short of the right margin: line breaking keeps a
# bracketed word ('（项）') or a number ('161.62万元') whole on the next line.
_RIGHT_SLACK = 4.0
_CLOSING = "。！？；;!?：:"  # a line ending with one ends its sentence
# Heading and list starts: 一、 （一） (1) 1、 1. 第一部分 — never the continuation of a wrapped line.
_ENUMERATOR = re.compile(
    r"^\s*([一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[、．]|\d{1,2}\.(?!\d)"
    r"|第[一二三四五六七八九十\d]+[部章节条])"
)
_PAGE_NUMBER = re.compile(
    r"^[-－—–─\s]*(第\s*)?\d{1,4}(\s*页)?(\s*/\s*(共\s*)?\d{1,4}\s*页?)?[-－—–─\s]*$"
)


@dataclass(frozen=True)
class Line:
    """One visual line: its text and where it sits on the page."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    widest_gap: float  # widest gap between characters, in font sizes


def is_cjk(ch: str) -> bool:
    """Chinese characters, CJK punctuation, full-width forms, and the quotes and dashes of Chinese text."""
    code = ord(ch[0]) if ch else 0
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x2010 <= code <= 0x2027
        or 0x3400 <= code <= 0x4DBF
        or 0x3000 <= code <= 0x303F
        or 0xFF00 <= code <= 0xFFEF
        or 0x20000 <= code <= 0x2FFFF
    )


def centre_in(char: Char, bbox: Sequence[float]) -> bool:
    """True when the character's centre lies inside bbox (x0, top, x1, bottom)."""
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    return bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]


def group_lines(chars: Iterable[Char]) -> list[list[Char]]:
    """Characters grouped into visual lines, top to bottom.

    A character joins the current line when its vertical centre falls inside the line's band,
    so text in fonts with different baselines (Chinese and Latin digits) stays on one line.
    """
    lines: list[list[Char]] = []
    band_top = band_bottom = 0.0
    for char in sorted(chars, key=lambda c: (c["top"] + c["bottom"]) / 2):
        centre = (char["top"] + char["bottom"]) / 2
        if lines and band_top <= centre <= band_bottom:
            lines[-1].append(char)
            band_top, band_bottom = min(band_top, char["top"]), max(band_bottom, char["bottom"])
        else:
            lines.append([char])
            band_top, band_bottom = char["top"], char["bottom"]
    return lines


def _needs_space(left: Char, right: Char) -> bool:
    gap = right["x0"] - left["x1"]
    size = max(left["size"], right["size"], 1.0)
    both_cjk = is_cjk(left["text"]) and is_cjk(right["text"])
    return gap > (_CJK_GAP if both_cjk else _LATIN_GAP) * size


def make_line(chars: Sequence[Char]) -> Line | None:
    """The text of one visual line; explicit space characters and wide gaps become one space."""
    ordered = sorted(chars, key=lambda c: c["x0"])
    pieces: list[str] = []
    previous: Char | None = None
    pending_space = False
    widest = 0.0
    for char in ordered:
        if not char["text"] or char["text"].isspace():
            pending_space = previous is not None
            continue
        if previous is not None:
            widest = max(widest, (char["x0"] - previous["x1"]) / max(char["size"], 1.0))
            if pending_space or _needs_space(previous, char):
                pieces.append(" ")
        pieces.append(char["text"])
        previous, pending_space = char, False
    if not pieces:
        return None
    visible = [c for c in ordered if c["text"] and not c["text"].isspace()]
    return Line(
        text="".join(pieces),
        x0=visible[0]["x0"],
        x1=max(c["x1"] for c in visible),
        top=min(c["top"] for c in visible),
        bottom=max(c["bottom"] for c in visible),
        size=median(c["size"] for c in visible),
        widest_gap=widest,
    )


def build_lines(chars: Iterable[Char]) -> list[Line]:
    """Visual lines of the given characters, top to bottom."""
    return [line for group in group_lines(chars) if (line := make_line(group)) is not None]


def cell_text(chars: Iterable[Char]) -> str:
    """A table cell's text: its lines joined without the wrap (see `join_wrapped`)."""
    return join_wrapped([line.text for line in build_lines(chars)])


def _continues(line: Line, following: Line, left_edge: float, right_edge: float) -> bool:
    """True when `following` is the wrapped continuation of `line` in a paragraph."""
    size = max(line.size, 1.0)
    return (
        line.x1 >= right_edge - _RIGHT_SLACK * size
        and following.x0 <= left_edge + 0.5 * size
        and abs(line.size - following.size) <= 0.15 * size
        and following.top - line.bottom < 1.0 * size
        and line.widest_gap < _TABLE_LIKE_GAP
        and following.widest_gap < _TABLE_LIKE_GAP
        and not _ENUMERATOR.match(following.text)
    )


def text_edges(lines: Sequence[Line]) -> tuple[float, float]:
    """The left and right margins of a page's text: its prose lines' outer edges."""
    prose = [line for line in lines if line.widest_gap < _TABLE_LIKE_GAP] or list(lines)
    return min(line.x0 for line in prose), max(line.x1 for line in prose)


def continues_on_next_page(
    line: Line, edges: tuple[float, float], following: Line, next_edges: tuple[float, float]
) -> bool:
    """True when the first line of a page goes on with the sentence the page before ended with:
    that line ran to the right margin without a closing mark, and this one starts at the left
    margin (no paragraph indent) in the same type, with no list or heading marker. Margins are
    the outer ones of both pages, so a page of one short line has none of its own."""
    size = max(line.size, 1.0)
    return (
        line.x1 >= max(edges[1], next_edges[1]) - _RIGHT_SLACK * size
        and following.x0 <= min(edges[0], next_edges[0]) + 0.5 * size
        and abs(line.size - following.size) <= 0.15 * size
        and line.widest_gap < _TABLE_LIKE_GAP
        and following.widest_gap < _TABLE_LIKE_GAP
        and line.text.rstrip()[-1:] not in _CLOSING
        and not _ENUMERATOR.match(following.text)
    )


def reflow(lines: Sequence[Line]) -> list[Line]:
    """Lines of one text block with wrapped paragraph lines joined back together.

    A line that runs to the right margin and is followed by one starting at the left margin
    is a paragraph wrapped by the PDF's layout; lines of unruled tables are left alone.
    """
    if not lines:
        return []
    prose = [line for line in lines if line.widest_gap < _TABLE_LIKE_GAP] or list(lines)
    left_edge = min(line.x0 for line in prose)
    right_edge = max(line.x1 for line in prose)
    merged: list[Line] = [lines[0]]
    for line in lines[1:]:
        last = merged[-1]
        if _continues(last, line, left_edge, right_edge):
            merged[-1] = Line(
                text=join_wrapped([last.text, line.text]),
                x0=last.x0,
                x1=line.x1,
                top=last.top,
                bottom=line.bottom,
                size=last.size,
                widest_gap=max(last.widest_gap, line.widest_gap),
            )
        else:
            merged.append(line)
    return merged


def is_page_number(line: Line, page_height: float) -> bool:
    """A bare page number ('19', '- 19 -', '第19页') in the bottom margin."""
    return line.top > page_height * 0.88 and bool(_PAGE_NUMBER.match(line.text))
