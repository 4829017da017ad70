"""Small PDF files for loader tests, written as raw PDF syntax.

Hand-written because the venv has no PDF writer and the machine no CJK font: the text uses the
non-embedded Adobe-GB1 font STSong-Light with the UniGB-UCS2-H encoding, which pdfminer decodes
with the CMaps it ships.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PAGE_WIDTH, PAGE_HEIGHT = 595, 842


@dataclass(frozen=True)
class Text:
    x: float
    top: float  # distance from the page top to the text's baseline
    text: str
    size: float = 12


@dataclass(frozen=True)
class Rule:
    x0: float
    top0: float
    x1: float
    top1: float


def _text_op(item: Text) -> str:
    hexed = "".join(f"{ord(ch):04X}" for ch in item.text)
    return f"BT /F1 {item.size} Tf 1 0 0 1 {item.x} {PAGE_HEIGHT - item.top} Tm <{hexed}> Tj ET"


def _rule_op(item: Rule) -> str:
    return f"0.5 w {item.x0} {PAGE_HEIGHT - item.top0} m {item.x1} {PAGE_HEIGHT - item.top1} l S"


def _content(items: Sequence[Text | Rule]) -> bytes:
    ops = [_text_op(i) if isinstance(i, Text) else _rule_op(i) for i in items]
    return "\n".join(ops).encode("ascii")


def make_pdf(pages: Sequence[Sequence[Text | Rule]], *, encrypt: bool = False) -> bytes:
    """A PDF with one page per item list; `encrypt` adds a user password we do not know."""
    objects: list[bytes] = []
    font = 3 + 2 * len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    for index, items in enumerate(pages):
        content = _content(items)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
            f"/Resources << /Font << /F1 {font} 0 R >> >> /Contents {4 + 2 * index} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objects.append(
        f"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        f"/DescendantFonts [{font + 1} 0 R] >>".encode()
    )
    objects.append(
        f"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        f"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
        f"/FontDescriptor {font + 2} 0 R /DW 1000 /W [1 95 500] >>".encode()
    )
    objects.append(
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"
    )
    trailer_extra = ""
    if encrypt:
        objects.append(
            b"<< /Filter /Standard /V 1 /R 2 /P -4 /O <"
            + b"11" * 32
            + b"> /U <"
            + b"22" * 32
            + b"> >>"
        )
        trailer_extra = f" /Encrypt {len(objects)} 0 R /ID [<{'33' * 16}> <{'33' * 16}>]"
    return _serialise(objects, trailer_extra)


def _serialise(objects: list[bytes], trailer_extra: str) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{trailer_extra} >>\n".encode()
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def ruled_table(
    x: float,
    top: float,
    widths: Sequence[float],
    rows: Sequence[Sequence[str]],
    *,
    row_height: float = 20,
    size: float = 10,
) -> list[Text | Rule]:
    """Items drawing a fully ruled table with the given cell texts (one line per cell)."""
    items: list[Text | Rule] = []
    right = x + sum(widths)
    bottom = top + row_height * len(rows)
    for r in range(len(rows) + 1):
        items.append(Rule(x, top + r * row_height, right, top + r * row_height))
    edge = x
    for width in [0, *widths]:
        edge += width
        items.append(Rule(edge, top, edge, bottom))
    for r, row in enumerate(rows):
        left = x
        for width, text in zip(widths, row):
            if text:
                items.append(Text(left + 3, top + r * row_height + row_height - 6, text, size))
            left += width
    return items
