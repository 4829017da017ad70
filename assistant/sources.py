"""Source documents for citations: titles, pages, and the exact characters a citation quotes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Engine, select

from assistant.types import Citation
from gongkai import db
from ingest.facts.sentences import sentence_pieces

QUOTE_MAX = 120  # characters either side of a figure at most


@dataclass(frozen=True)
class SourceDoc:
    id: str
    title: str
    locality: str | None
    year: int | None
    text: str
    pages: tuple[tuple[int, int, int], ...]  # (number, start, end)

    def page_at(self, offset: int) -> int | None:
        for number, start, end in self.pages:
            if start <= offset < end:
                return number
        return self.pages[-1][0] if self.pages else None


@lru_cache(maxsize=256)
def _load(engine: Engine, doc_id: str, ingested_at: str) -> SourceDoc:
    d = db.documents.c
    with engine.connect() as conn:
        row = conn.execute(select(d.id, d.title, d.locality, d.year, d.text).where(d.id == doc_id)).one()
        pages = conn.execute(
            select(db.pages.c.number, db.pages.c.start, db.pages.c.end)
            .where(db.pages.c.doc_id == doc_id).order_by(db.pages.c.number)
        ).all()
    return SourceDoc(row.id, row.title, row.locality, row.year, row.text, tuple(tuple(p) for p in pages))


def get_source(engine: Engine, doc_id: str, stamps: Mapping[str, str] | None = None) -> SourceDoc:
    """A stored document (cached; a re-ingested document has a new id, so the cache never lies).

    `stamps` (from `ingest_stamps`) saves the query for the document's ingestion time."""
    stamp = stamps.get(doc_id) if stamps else None
    if stamp is None:
        with engine.connect() as conn:
            stamp = conn.execute(
                select(db.documents.c.ingested_at).where(db.documents.c.id == doc_id)
            ).scalar_one()
    return _load(engine, doc_id, stamp)


def ingest_stamps(engine: Engine, doc_ids: Iterable[str]) -> dict[str, str]:
    """The ingestion times of many documents in one query, for `get_source` and `cite`."""
    ids = list(dict.fromkeys(doc_ids))
    if not ids:
        return {}
    d = db.documents.c
    with engine.connect() as conn:
        rows = conn.execute(select(d.id, d.ingested_at).where(d.id.in_(ids))).all()
    return {row.id: row.ingested_at for row in rows}


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (or table line) holding text[start:end], at most QUOTE_MAX either side; a
    PDF's wrapped line does not end it (`ingest.facts.sentences.sentence_pieces`)."""
    floor, ceiling = max(0, start - QUOTE_MAX), min(len(text), end + QUOTE_MAX)
    window = text[floor:ceiling]
    for piece_start, piece_end in sentence_pieces(window):
        if piece_start + floor <= start < piece_end + floor:
            left, right = piece_start + floor, max(end, piece_end + floor)
            while left < start and text[left].isspace():
                left += 1
            return left, right
    return start, end


def cite(
    engine: Engine,
    doc_id: str,
    start: int,
    end: int,
    *,
    widen: bool = True,
    stamps: Mapping[str, str] | None = None,
) -> Citation:
    """A citation of text[start:end] of a document, widened to its sentence when `widen`."""
    source = get_source(engine, doc_id, stamps)
    s, e = sentence_span(source.text, start, end) if widen else (start, end)
    return Citation(doc_id, source.title, source.locality, source.year, source.page_at(start), s, e,
                    source.text[s:e])


# '与上年相比收、支预算总计各增加': the item may stand between the base and the verb
_BASE = re.compile(r"(?:比|较|与)\s*((?:(?:19|20)\d{2}\s*年度?)?[^，,。；;：:\d]{0,8}?)\s*"
                   r"(?:(?:相比|相较|比较)[^，,。；;：:\d]{0,12}?)?\s*(?=增加|减少|增长|下降|持平|节约|超支)")
_VERB = re.compile(r"(增加|减少|增长|下降|持平|节约|超支)了?\s*$")


# After a figure, in its clause: the source saying it did not change ('3.5 万元，较上年持平').
_UNCHANGED = re.compile(
    r"[^。！？；;\n\d]{0,30}?((?:较|比|与)\s*(?:上年|去年|上一年)度?\s*(?:同期)?\s*(?:相比)?[，,]?\s*"
    r"(?:基本)?(?:持平|相同|一致|无变化|没有变化|不变))"
)


def unchanged_after(
    engine: Engine, doc_id: str, end: int, stamps: Mapping[str, str] | None = None
) -> str:
    """The source's words that a figure did not change from last year, when they follow it in its
    clause ('较上年持平'); '' otherwise. Only a change stated in words: no number is made up."""
    match = _UNCHANGED.match(get_source(engine, doc_id, stamps).text, end)
    return re.sub(r"\s+", "", match.group(1)) if match else ""


def comparison_before(
    engine: Engine, doc_id: str, start: int, stamps: Mapping[str, str] | None = None
) -> str:
    """What a stated change compares against and its verb, as the source words them, e.g.
    '比年初预算增加' — also for a second figure of one comparison ('…增加19.4万元,增长60.78%')."""
    text = get_source(engine, doc_id, stamps).text
    before = text[max(0, start - 40):start]
    bases = list(_BASE.finditer(before))
    verb = _VERB.search(before[-8:])
    if not bases or not verb:
        return ""
    return f"比{bases[-1].group(1).strip()}{verb.group(1)}"
