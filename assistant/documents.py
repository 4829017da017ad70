"""Stored documents for the UI: the source viewer's view of one document, the corpus at a glance,
and corpus management (upload, delete, re-ingest, visibility) through the ingestion pipeline.

Every read takes the user's role and filters by visibility in the SQL query itself; every write
requires the official role. The UI adds no logic of its own: it calls these functions.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from gongkai import db
from gongkai.errors import AccessError, IngestError
from gongkai.settings import Settings
from gongkai.types import IngestResult, OcrSpan, PageBox
from ingest.lock import exclusive_run, ingestion_run
from ingest.pipeline import SUPPORTED_SUFFIXES
from ingest.vocab import MONEY_UNITS

VISIBILITIES = ("public", "official")
ROLES = {"public": ("public",), "official": ("public", "official")}
MAX_NAME_CHARS = 120


def visible_to(user: str) -> tuple[str, ...]:
    """The visibilities a role may read; an unknown role reads public documents only."""
    return ROLES.get(user, ("public",))


def _require_official(user: str) -> None:
    if user != "official":
        raise AccessError("只有登录的工作人员可以管理文件库。")


def _stores(settings: Settings) -> Any:
    from assistant.ask import _stores as cached_stores  # one set of stores per process

    return cached_stores(settings)


def _engine(settings: Settings) -> Any:
    from gongkai.db import get_engine

    return get_engine(settings.database_url)


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableView:
    index: int
    title: str
    unit: str | None
    page: int | None
    start: int
    end: int
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # cell texts exactly as printed, '' where a cell is empty
    spans: tuple[tuple[tuple[int, int] | None, ...], ...] = ()  # each cell's characters, as `rows`

    def cells_marked(self, spans: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
        """(row, column) positions in `rows` of the cells whose characters a span marks: one
        cell for a figure's citation, every cell of a row for a citation of the row."""
        return tuple((r, c) for r, row in enumerate(self.spans) for c, cell in enumerate(row)
                     if cell and cell[0] < cell[1] and any(s < cell[1] and cell[0] < e for s, e in spans))


@dataclass(frozen=True)
class DocumentView:
    id: str
    title: str
    meta: dict[str, Any]  # locality, unit_name, year, doc_type, visibility, filename, pages …
    text: str
    pages: tuple[tuple[int, int, int], ...]  # (number, start, end)
    tables: tuple[TableView, ...]
    scanned: dict[int, int] = field(default_factory=dict)  # scanned page number → its rotation
    ocr_boxes: tuple[OcrSpan, ...] = ()  # where recognised characters are printed

    def page_at(self, offset: int) -> int | None:
        return next((n for n, s, e in self.pages if s <= offset < e), None)

    def boxes_of(self, spans: Sequence[tuple[int, int]]) -> dict[int, list[PageBox]]:
        """Per scanned page, the boxes of the recognised characters the spans mark."""
        found: dict[int, list[PageBox]] = {}
        for box in self.ocr_boxes:
            if any(box.start < e and s < box.end for s, e in spans):
                found.setdefault(box.box.page, []).append(box.box)
        return found


def get_document(doc_id: str, settings: Settings, *, user: str = "public") -> DocumentView | None:
    """A stored document with its pages and tables, or None when absent or not visible to `user`."""
    d = db.documents.c
    with _engine(settings).connect() as conn:
        row = conn.execute(select(db.documents).where(
            d.id == doc_id, d.status == "complete", d.visibility.in_(visible_to(user))
        )).first()
        if row is None:
            return None
        pages = conn.execute(select(db.pages.c.number, db.pages.c.start, db.pages.c.end,
                                    db.pages.c.scanned, db.pages.c.rotation)
                             .where(db.pages.c.doc_id == doc_id).order_by(db.pages.c.number)).all()
        o = db.ocr_spans.c
        boxes = conn.execute(select(db.ocr_spans).where(o.doc_id == doc_id).order_by(o.start)).all()
        tables = conn.execute(select(db.doc_tables).where(db.doc_tables.c.doc_id == doc_id)
                              .order_by(db.doc_tables.c.table_index)).all()
        cells = conn.execute(select(db.table_cells).where(db.table_cells.c.doc_id == doc_id)).all()
    meta = {k: v for k, v in row._mapping.items() if k != "text"}
    return DocumentView(row.id, row.title, meta, row.text, tuple((p[0], p[1], p[2]) for p in pages),
                        tuple(_table_view(t, cells) for t in tables),
                        {p.number: p.rotation or 0 for p in pages if p.scanned},
                        tuple(OcrSpan(b.start, b.end, PageBox(b.page, b.x0, b.top, b.x1, b.bottom),
                                      b.confidence) for b in boxes))


def _table_view(table: Any, cells: Sequence[Any]) -> TableView:
    columns = tuple(json.loads(table.columns))
    grid: dict[int, dict[int, Any]] = {}
    for cell in cells:
        if cell.table_index == table.table_index:
            grid.setdefault(cell.row, {})[cell.col] = cell
    width = max([len(columns), *(max(r) + 1 for r in grid.values())], default=0)
    rows = tuple(tuple(grid[r][c].text if c in grid[r] else "" for c in range(width)) for r in sorted(grid))
    spans = tuple(tuple((grid[r][c].start, grid[r][c].end) if c in grid[r] else None for c in range(width))
                  for r in sorted(grid))
    names = tuple(columns[c] if c < len(columns) and columns[c] else f"列{c + 1}" for c in range(width))
    return TableView(table.table_index, table.title, table.unit, table.page, table.start, table.end,
                     names, rows, spans)


@dataclass(frozen=True)
class CorpusSummary:
    documents: tuple[dict[str, Any], ...]  # metadata and counts, without text
    localities: tuple[str, ...]  # full names
    years: tuple[int, ...]
    doc_types: tuple[str, ...]
    counts: dict[str, int]  # chunks, doc_tables, facts over the visible documents
    units: tuple[tuple[str, str], ...] = ()  # (unit id, name) of the issuing units of those documents


def corpus_summary(settings: Settings, *, user: str = "public") -> CorpusSummary:
    """The documents `user` may see, what they cover, and how much was extracted from them."""
    d = db.documents.c
    columns = [c for c in db.documents.c if c.name != "text"]
    with _engine(settings).connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(
            select(*columns).where(d.visibility.in_(visible_to(user)), *_finished_unless_official(user))
            .order_by(d.locality, d.year, d.title)
        )]
        complete = [r for r in rows if r["status"] == "complete"]
        unit_ids = {r["unit_id"] for r in complete if r["unit_id"]}
        units = conn.execute(select(db.units.c.id, db.units.c.name).where(db.units.c.id.in_(unit_ids))
                             .order_by(db.units.c.locality, db.units.c.name)).all()
    return CorpusSummary(
        documents=tuple(rows),
        localities=tuple(sorted({r["locality"] for r in complete if r["locality"]})),
        years=tuple(sorted({r["year"] for r in complete if r["year"]})),
        doc_types=tuple(sorted({r["doc_type"] for r in complete if r["doc_type"]})),
        counts={"chunks": sum(r["chunks"] for r in complete), "doc_tables": sum(r["tables"] for r in complete),
                "facts": sum(r["facts"] for r in complete)},
        units=tuple((u.id, u.name) for u in units),
    )


def _finished_unless_official(user: str) -> tuple[Any, ...]:
    """An unfinished row is 'public' and titled by its file name until its run completes it:
    public users see complete documents only."""
    return () if user == "official" else (db.documents.c.status == "complete",)


def example_questions(settings: Settings, *, user: str = "public", limit: int = 5) -> list[str]:
    """Questions the stored figures can answer, built from their real localities, years, metrics:
    a lookup, a ranking across places, a stated change with its reason, a series over years."""
    rows = _stated_figures(settings, user)
    stated: dict[str, set[tuple[str, int]]] = {}  # metric → (place, year) pairs with a value
    for r in rows:
        if r.measure == "value":
            stated.setdefault(r.metric, set()).add((r.locality_name or r.locality, r.year))
    if not stated:
        return []
    money = {r.metric for r in rows if r.unit in MONEY_UNITS}

    def places(metric: str) -> list[str]:
        return sorted({p for p, _ in stated[metric]})

    # money metrics stated by many places first: those are what people ask about
    popular = sorted(stated, key=lambda m: (m not in money, -len(places(m)), -len(stated[m]), m))

    def lookup(metric: str) -> str:
        place, year = min(stated[metric], key=lambda py: (-py[1], py[0]))  # latest year first
        return f"{place}{year}年{metric}是多少？"

    questions = [lookup(popular[0])]
    compared = [m for m in popular if len(places(m)) > 1]
    if compared:
        metric = compared[1] if compared[0] == popular[0] and len(compared) > 1 else compared[0]
        years = sorted({y for _, y in stated[metric]},
                       key=lambda y: (-sum(1 for _, yy in stated[metric] if yy == y), -y))
        questions.append(f"{years[0]}年哪个地方的{metric}最高？")
    changes = [r for r in rows if r.measure == "change"]
    if changes:
        r = min(changes, key=lambda r: (-r.n, r.metric, r.locality or ""))
        questions.append(f"{r.locality_name or r.locality}{r.year}年{r.metric}比上年变化了多少？为什么？")
    series = next(((m, p) for m in popular for p in places(m)
                   if sum(1 for pp, _ in stated[m] if pp == p) > 1), None)
    if series:
        questions.append(f"{series[1]}各年度{series[0]}是多少？")
    other = next((m for m in popular if m not in "".join(questions)), None)
    if other:
        questions.append(lookup(other))
    return list(dict.fromkeys(questions))[:limit]


def _stated_figures(settings: Settings, user: str) -> list[Any]:
    """(locality, year, metric, measure) with how often they are stated, over visible documents."""
    f, d = db.facts.c, db.documents.c
    query = (
        select(f.locality, f.locality_name, f.year, f.metric, f.measure, func.count().label("n"),
               func.max(f.unit).label("unit"))
        .join(db.documents, d.id == f.doc_id)
        .where(d.visibility.in_(visible_to(user)), d.status == "complete", f.metric != "",
               f.locality.is_not(None), f.year.is_not(None), f.is_rollup.is_(False))
        .group_by(f.locality, f.locality_name, f.year, f.metric, f.measure)
    )
    with _engine(settings).connect() as conn:
        return list(conn.execute(query).all())


# --- managing (officials only) ---------------------------------------------------------------


def safe_filename(name: str) -> str:
    """An uploaded file's name reduced to one safe path component, its extension kept.

    >>> safe_filename("../../etc/passwd.txt")
    'passwd.txt'
    >>> safe_filename("C:\\\\预算\\\\2023年 部门预算.pdf")
    '2023年_部门预算.pdf'
    """
    base = re.split(r"[\\/]", unicodedata.normalize("NFKC", name))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = re.sub(r"[^\w.()（）\-]+", "_", base).strip("._ ")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem[: MAX_NAME_CHARS - len(suffix) - 1].rstrip("._ ") or "file"
    return f"{stem}.{suffix.lower()}" if suffix else stem


def ingest_uploads(
    files: Sequence[tuple[str, bytes]],
    settings: Settings,
    *,
    user: str,
    visibility: str = "public",
    progress: Callable[[int, int, str], None] | None = None,
) -> list[IngestResult]:
    """Save uploaded files under data_dir/uploads and ingest each; one result per file, in order.

    `progress(done, total, name)` is called before each file and once at the end. Raises
    IngestionBusy (a Chinese message) when another ingestion runs, before any file is saved.
    """
    _require_official(user)
    if visibility not in VISIBILITIES:
        raise IngestError(f"可见范围只能是 public 或 official，而不是 {visibility}。")
    stores = _stores(settings)
    with ingestion_run(stores, settings):  # as the CLI: one run per deployment, leftovers cleared
        return _save_and_ingest(files, stores, settings, visibility, progress)


def _save_and_ingest(
    files: Sequence[tuple[str, bytes]],
    stores: Any,
    settings: Settings,
    visibility: str,
    progress: Callable[[int, int, str], None] | None,
) -> list[IngestResult]:
    from ingest.pipeline import ingest_file

    folder = settings.data_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    results = []
    for done, (name, content) in enumerate(files):
        safe = safe_filename(name)
        if progress:
            progress(done, len(files), safe)
        path = folder / safe
        if Path(safe).suffix.lower() not in SUPPORTED_SUFFIXES:
            kinds = "、".join(SUPPORTED_SUFFIXES)
            results.append(IngestResult(name, "failed", error=f"不支持的文件类型（支持 {kinds}）。"))
            continue
        if len(content) > settings.max_file_mb * 2**20:
            results.append(IngestResult(name, "failed", error=(
                f"文件过大（{len(content) / 2**20:.1f} MB），超过 {settings.max_file_mb:g} MB 的上限。")))
            continue
        path.write_bytes(content)
        result = ingest_file(path, stores, settings, visibility=visibility)
        results.append(IngestResult(name, *_fields_after_path(result)))
    if progress:
        progress(len(files), len(files), "")
    return results


def _fields_after_path(result: IngestResult) -> tuple[Any, ...]:
    return (result.status, result.doc_id, result.chunks, result.tables, result.facts, result.seconds,
            result.error, result.timings)


def delete_document(doc_id: str, settings: Settings, *, user: str) -> bool:
    """Remove a document from both stores; False when it is not stored."""
    from ingest.store import delete_document as delete

    _require_official(user)
    stores = _stores(settings)
    with exclusive_run(stores.engine, settings):  # as `python -m ingest --delete`
        return delete(stores, doc_id)


def reingest_document(doc_id: str, settings: Settings, *, user: str) -> IngestResult:
    """Run the pipeline again on a stored document's file, keeping its visibility."""
    from ingest.pipeline import ingest_file

    _require_official(user)
    d = db.documents.c
    with _engine(settings).connect() as conn:
        row = conn.execute(select(d.path, d.visibility).where(d.id == doc_id)).first()
    if row is None:
        return IngestResult(doc_id, "failed", error="文件库中没有这个文件。")
    path = Path(row.path)
    if not path.is_file():
        return IngestResult(row.path, "failed", error=f"原文件已不在 {row.path}，无法重新导入；请重新上传。")
    stores = _stores(settings)
    with ingestion_run(stores, settings):
        return ingest_file(path, stores, settings, visibility=row.visibility, force=True)


def set_visibility(doc_id: str, visibility: str, settings: Settings, *, user: str) -> bool:
    """Make a document public or official-only, in SQL and on its vectors; False when absent."""
    _require_official(user)
    if visibility not in VISIBILITIES:
        raise IngestError(f"可见范围只能是 public 或 official，而不是 {visibility}。")
    stores = _stores(settings)
    with stores.engine.begin() as conn:
        changed = conn.execute(update(db.documents).where(db.documents.c.id == doc_id)
                               .values(visibility=visibility)).rowcount
    if not changed:
        return False
    found = stores.collection.get(where={"doc_id": doc_id}, include=["metadatas"])
    if found["ids"]:
        metadatas = [{**m, "visibility": visibility} for m in found["metadatas"]]
        stores.collection.update(ids=found["ids"], metadatas=metadatas)
    return True


def unit_aliases(settings: Settings, *, user: str) -> list[tuple[str, str]]:
    """(alias, unit name) of the aliases officials gave, for the management page."""
    _require_official(user)
    a, u = db.unit_aliases.c, db.units.c
    with _engine(settings).connect() as conn:
        rows = conn.execute(select(a.alias, u.name).join_from(db.unit_aliases, db.units, a.unit_id == u.id)
                            .where(a.source == "official").order_by(u.name, a.alias)).all()
    return [(r.alias, r.name) for r in rows]


def add_unit_alias(alias: str, unit_name: str, settings: Settings, *, user: str) -> list[str]:
    """Add an official alias (to DATA_DIR/aliases.yaml and the store); the problems, if any."""
    from ingest.aliases import add_alias

    _require_official(user)
    return [str(p) for p in add_alias(_engine(settings), settings.data_dir, alias.strip(), unit_name)]


def alias_file_problems(settings: Settings) -> list[str]:
    """What is wrong with DATA_DIR/aliases.yaml ([] when it can be applied, or is absent)."""
    from ingest.aliases import check_aliases

    return [str(p) for p in check_aliases(_engine(settings), settings.data_dir)[1]]
