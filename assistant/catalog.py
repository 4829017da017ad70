"""What the stores hold that a question can name: localities, years, types — read from SQL."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Engine, func, select

from gongkai import db


@dataclass(frozen=True)
class StoredLocality:
    full: str
    name: str
    bare: str

    def forms(self) -> tuple[str, ...]:
        """Written forms a person may use, longest first."""
        return tuple(sorted({self.full, self.name, self.bare} - {""}, key=len, reverse=True))


@dataclass(frozen=True)
class Catalog:
    localities: tuple[StoredLocality, ...]
    years: tuple[int, ...]
    doc_types: tuple[str, ...]
    documents: int
    place_years: frozenset[tuple[str, int]] = frozenset()  # (full locality, year) pairs stored
    units: tuple[tuple[str, str, str], ...] = ()  # (full locality, unit name, unit kind) stored

    def covers(self, locality: str, years: tuple[int, ...]) -> bool:
        return any((locality, year) in self.place_years for year in years)

    def locality(self, full: str) -> StoredLocality | None:
        return next((loc for loc in self.localities if loc.full == full), None)

    def units_in(self, locality: str) -> tuple[str, ...]:
        """Names of the issuing units stored for a locality."""
        return tuple(unit for place, unit, _ in self.units if place == locality)

    def short(self, full: str) -> str:
        """The name users know a stored locality by (潼南区 for 重庆市潼南区)."""
        found = self.locality(full)
        return found.name if found else full


def load_catalog(engine: Engine, visibility: tuple[str, ...] = ("public",)) -> Catalog:
    """Localities, years and types of the complete documents this user may see.

    Cached per engine, visibility and corpus version: documents are written and deleted whole,
    each with its ingestion time, so the newest ingestion time with the documents counted by
    status and visibility (both read from indexes) changes whenever the catalog may.
    """
    return _load_catalog(engine, tuple(visibility), corpus_version(engine))


def corpus_version(engine: Engine) -> tuple:
    """Changes when a document is added, removed, completed or shown to other users."""
    d = db.documents.c
    with engine.connect() as conn:
        newest = conn.execute(select(func.max(d.ingested_at))).scalar()
        counts = conn.execute(
            select(d.status, d.visibility, func.count()).group_by(d.status, d.visibility)
        ).all()
    return newest, tuple(sorted(tuple(row) for row in counts))


@lru_cache(maxsize=16)
def _load_catalog(engine: Engine, visibility: tuple[str, ...], _version: tuple) -> Catalog:
    d = db.documents.c
    visible = (d.status == "complete", d.visibility.in_(visibility))
    columns = (d.locality, d.locality_name, d.locality_bare, d.year, d.doc_type, d.unit_name,
               d.unit_kind)  # fmt: skip
    with engine.connect() as conn:  # distinct in SQL: far fewer rows than documents to read
        rows = conn.execute(select(*columns).where(*visible).distinct()).all()
        documents = conn.execute(select(func.count()).select_from(db.documents).where(*visible)).scalar()
    localities = {
        r.locality: StoredLocality(r.locality, r.locality_name or r.locality, r.locality_bare or "")
        for r in rows if r.locality
    }
    return Catalog(
        localities=tuple(sorted(localities.values(), key=lambda loc: loc.full)),
        years=tuple(sorted({r.year for r in rows if r.year})),
        doc_types=tuple(sorted({r.doc_type for r in rows if r.doc_type})),
        documents=documents or 0,
        place_years=frozenset((r.locality, r.year) for r in rows if r.locality and r.year),
        units=tuple(sorted({(r.locality or "", r.unit_name, r.unit_kind or "")
                            for r in rows if r.unit_name})),
    )
