"""Check the blind set against the documents: `python -m bench.blind_check`.

Every expected figure must be printed, as a whole number, on the page its item names of the PDF
(text read with pypdfium2, not with our loaders) or in the sample's text; every computed result
must follow from its operands; every document named must be in the library. Prints the problems
and the counts per kind; exits non-zero on any problem.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

from bench.blind import KINDS, ROOT, Amount, BlindItem, Computed, load_items, load_library

DEV_PDFS = ROOT.parent / "shared" / "corpus" / "dev" / "pdf"
SAMPLES = ROOT / "samples"
_NUMBER = re.compile(r"(?<![\d.])(?<!\d,)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d])")


@lru_cache(maxsize=64)
def page_texts(stem: str) -> dict[int | None, str]:
    """Page number → text of a dev PDF, or {None: text} for a sample."""
    pdf = DEV_PDFS / f"{stem}.pdf"
    if pdf.exists():
        import pypdfium2

        document = pypdfium2.PdfDocument(pdf)
        return {n + 1: document[n].get_textpage().get_text_range() for n in range(len(document))}
    sample = SAMPLES / f"{stem}.txt"
    return {None: sample.read_text(encoding="utf-8")} if sample.exists() else {}


def printed(number: str, text: str) -> bool:
    return any(m.group(1) == number for m in _NUMBER.finditer(text))


def result_of(op: str, operands: list[Amount], unit: str) -> Decimal:
    values = [o.base() for o in operands]
    if op == "sum":
        value = sum(values, Decimal(0))
    elif op == "average":
        value = sum(values, Decimal(0)) / len(values)
    elif op == "difference":
        value = values[0] - values[1]
    elif op == "share":
        return values[0] / values[1] * 100
    elif op == "growth":
        return (values[0] - values[1]) / values[1] * 100
    else:  # ratio
        return values[0] / values[1]
    return value / Amount("1", unit).base()


def computed_problem(item: BlindItem, computed: Computed) -> str | None:
    positions = computed.of or tuple(range(1, len(item.figures) + 1))
    operands = [item.figures[p - 1].amount for p in positions]
    expected = result_of(computed.op, operands, computed.amount.unit)
    step = Decimal(1).scaleb(-computed.amount.decimals)
    if expected.quantize(step, rounding=ROUND_HALF_UP) != computed.amount.value.quantize(step):
        return f"{item.id}: {computed.op} of its operands is {expected:.4f}, not {computed.amount.number}"
    return None


def problems(items: list[BlindItem], library: dict) -> list[str]:
    found = []
    for item in items:
        for stem in item.cites:
            if stem not in library:
                found.append(f"{item.id}: {stem} is not in the library")
        if item.expect_none and (item.figures or item.computed):
            found.append(f"{item.id}: an absent item expects no figure")
        for expected in item.figures:
            if expected.doc not in item.cites:
                found.append(f"{item.id}: {expected.doc} is not among its cites")
            pages = page_texts(expected.doc or "")
            text = pages.get(expected.page) if None not in pages else pages[None]
            if text is None:
                found.append(f"{item.id}: {expected.doc} has no page {expected.page}")
            elif not printed(expected.amount.number.lstrip("-"), text):
                found.append(f"{item.id}: {expected.amount.number} is not printed on page "
                             f"{expected.page} of {expected.doc}")
        found += [p for c in item.computed if (p := computed_problem(item, c))]
    return found


def main() -> int:
    items, library = load_items(), load_library()
    found = problems(items, library)
    for problem in found:
        print(problem)
    counts = Counter(i.kind for i in items)
    print(f"{len(items)} items ({sum(i.holdout for i in items)} held out): "
          + ", ".join(f"{k} {counts[k]}" for k in KINDS))
    print("every figure is printed where its item says" if not found else f"{len(found)} problems")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
