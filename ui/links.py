"""Links to the source viewer, built and read in this one place (no Streamlit here).

One span: `source?doc=<id>&start=<offset>&end=<offset>` (a citation). Several spans of one
document: `source?doc=<id>&marks=120-126,300-309` (an audit finding's figures), the first
scrolled into view.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlencode

from assistant.types import Citation

Span = tuple[int, int]
MAX_MARKS = 60  # spans one link may mark: a table total with all its rows fits
_MARKS = re.compile(r"[0-9]{1,9}-[0-9]{1,9}(?:,[0-9]{1,9}-[0-9]{1,9})*")
_OFFSET = re.compile(r"[0-9]{1,9}")


def source_params(doc_id: str, spans: Sequence[tuple[int, int]]) -> dict[str, str]:
    """The viewer's query parameters for `spans` of one document.

    >>> source_params("d1", [(3, 9)])
    {'doc': 'd1', 'start': '3', 'end': '9'}
    >>> source_params("d1", [(3, 9), (20, 24)])
    {'doc': 'd1', 'marks': '3-9,20-24'}
    """
    if len(spans) == 1:
        (start, end), = spans
        return {"doc": doc_id, "start": str(start), "end": str(end)}
    return {"doc": doc_id, "marks": ",".join(f"{s}-{e}" for s, e in spans[:MAX_MARKS])}


def citation_params(citations: Sequence[Citation]) -> dict[str, str]:
    """Parameters marking every span of `citations`, which must come from one document."""
    docs = {c.doc_id for c in citations}
    if len(docs) != 1:
        raise ValueError(f"one document per viewer link, not {sorted(docs)}")
    spans = list(dict.fromkeys((c.start, c.end) for c in citations))
    return source_params(citations[0].doc_id, spans)


def by_document(citations: Sequence[Citation]) -> list[tuple[Citation, ...]]:
    """`citations` split per document, in order of first appearance."""
    groups: dict[str, list[Citation]] = {}
    for citation in citations:
        groups.setdefault(citation.doc_id, []).append(citation)
    return [tuple(group) for group in groups.values()]


def source_url(params: dict[str, str]) -> str:
    """A shareable link (relative to the app's root), commas left readable."""
    return "source?" + urlencode(params, safe=",")


def spans_from(params: dict[str, str], length: int) -> tuple[tuple[int, int], ...] | None:
    """The spans a link asks to mark, clipped to a text of `length` characters, empty ones
    dropped, at most MAX_MARKS; None when the link's marks are malformed.

    >>> spans_from({"marks": "5-9,0-3,8-99"}, 20)
    ((5, 9), (0, 3), (8, 20))
    >>> spans_from({"start": "4", "end": "7"}, 20), spans_from({"marks": "9-x"}, 20)
    (((4, 7),), None)
    """
    marks = params.get("marks", "")
    if marks:
        if len(marks) > 20 * MAX_MARKS or not _MARKS.fullmatch(marks):
            return None
        pairs = [tuple(int(n) for n in piece.split("-")) for piece in marks.split(",")][:MAX_MARKS]
    else:
        start, end = params.get("start", ""), params.get("end", "")
        if not (_OFFSET.fullmatch(start) and _OFFSET.fullmatch(end)):
            return () if not (start or end) else None
        pairs = [(int(start), int(end))]
    clipped = ((min(s, length), min(e, length)) for s, e in pairs)
    return tuple((s, e) for s, e in clipped if s < e)


def merged(spans: tuple[Span, ...]) -> list[tuple[int, int, bool]]:
    """The spans in text order, overlapping ones joined; True on the one holding the first span.

    >>> merged(((8, 12), (1, 3), (10, 15)))
    [(1, 3, False), (8, 15, True)]
    """
    joined: list[list[int]] = []
    for s, e in sorted(spans):
        if joined and s <= joined[-1][1]:
            joined[-1][1] = max(joined[-1][1], e)
        else:
            joined.append([s, e])
    first = spans[0] if spans else (-1, -1)
    return [(s, e, s <= first[0] < e) for s, e in joined]
