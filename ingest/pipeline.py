"""The ingestion pipeline as declared stages: load → describe → tables → facts → chunks → embed → store.

Every stage but the last works in memory, so a failure anywhere before `store` leaves the stores
untouched; `store` itself is all-or-nothing (see `ingest.store`).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from gongkai.errors import GongkaiError, IngestError
from gongkai.settings import Settings
from gongkai.types import Chunk, Document, Fact, IngestResult, Table
from ingest import store
from ingest.chunks import chunk_document
from ingest.describe import describe
from ingest.facts import extract_facts
from ingest.load import load_file
from ingest.tables import extract_tables
from vectorstore.embedding_cache import EmbeddingCache

log = logging.getLogger(__name__)

STAGES = ("load", "describe", "tables", "facts", "chunks", "embed", "store")
SUPPORTED_SUFFIXES = (
    ".txt", ".md", ".pdf", ".docx", ".xlsx", ".html", ".htm", ".png", ".jpg", ".jpeg", ".tif", ".tiff"
)


@dataclass
class Prepared:
    """A document with everything derived from it, ready to store."""

    doc: Document
    tables: list[Table]
    facts: list[Fact]
    chunks: list[Chunk]
    embeddings: list[list[float]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def open_stores(settings: Settings) -> store.Stores:
    """The SQL engine, the chunk collection and the embedding model this deployment uses."""
    from gongkai.db import get_engine
    from vectorstore import chroma_store
    from vectorstore.embeddings import GongkaiEmbeddingFunction, get_embedder

    embedder = get_embedder(settings.embedding_model)
    client = chroma_store.get_client(settings)
    collection = chroma_store.get_collection(client, GongkaiEmbeddingFunction(embedder.name))
    return store.Stores(get_engine(settings.database_url), collection, embedder)


def document_id(sha256: str) -> str:
    """Content-derived: the same bytes are the same document wherever they lie."""
    return sha256[:16]


def file_sha256(path: Path, max_bytes: int) -> str:
    size = path.stat().st_size
    if size > max_bytes:
        from gongkai.errors import FileTooLargeError

        raise FileTooLargeError(
            f"文件过大（{size / 2**20:.1f} MB），超过 {max_bytes / 2**20:.0f} MB 的上限。"
        )
    return hashlib.sha256(path.read_bytes()).hexdigest()


def prepare(
    path: Path, settings: Settings, overrides: Mapping[str, object] | None = None
) -> Prepared:
    """Run every in-memory stage on one file."""
    timings: dict[str, float] = {}

    def timed(stage: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - started

    loaded = timed("load", load_file, path, max_bytes=int(settings.max_file_mb * 2**20),
                   max_pdf_pages=settings.max_pdf_pages, max_pixels=settings.ocr_max_pixels)
    if not loaded.text.strip():
        from gongkai.errors import EmptyFileError

        raise EmptyFileError("文件中没有可读取的文字。")
    doc = Document(
        id=document_id(loaded.sha256), path=str(path), file_type=loaded.file_type,
        sha256=loaded.sha256, text=loaded.text, pages=loaded.pages,
        source_tables=loaded.source_tables, ocr_spans=loaded.ocr_spans,
    )
    doc = replace(doc, meta=timed("describe", describe, doc.text, path=str(path), overrides=overrides))
    tables = timed("tables", extract_tables, doc)
    facts = timed("facts", extract_facts, doc, tables)
    chunks = timed(
        "chunks", chunk_document, doc, tables, min_chars=settings.chunk_min_chars,
        max_chars=settings.chunk_max_chars, overlap=settings.chunk_overlap_chars,
    )
    return Prepared(doc, list(tables), list(facts), list(chunks), timings=timings)


def ingest_file(
    path: Path,
    stores: store.Stores,
    settings: Settings,
    *,
    visibility: str = "public",
    overrides: Mapping[str, object] | None = None,
    force: bool = False,
) -> IngestResult:
    """Ingest one file; a failure is returned as a result with a Chinese message, never half-stored.

    An unchanged file is skipped unless `force` (re-ingest after the pipeline improved)."""
    started = time.perf_counter()
    try:
        if not path.is_file():
            raise IngestError(f"找不到文件：{path}")
        sha = file_sha256(path, int(settings.max_file_mb * 2**20))
        existing = store.find_by_sha(stores.engine, sha)
        if existing and not overrides and not force:
            return IngestResult(str(path), "unchanged", existing, seconds=time.perf_counter() - started)
        prepared = prepare(path, settings, overrides)
        embed_started = time.perf_counter()
        title = prepared.doc.meta.title if prepared.doc.meta else ""
        cache = EmbeddingCache(stores.engine, stores.embedder)
        prepared.embeddings = store.embed_chunks(cache, prepared.chunks, title)
        prepared.timings["embed"] = time.perf_counter() - embed_started
        replaces = [i for i in store.find_by_path(stores.engine, str(path)) if i != prepared.doc.id]
        store_started = time.perf_counter()
        store.save_document(
            stores, prepared.doc, prepared.tables, prepared.facts, prepared.chunks,
            prepared.embeddings, visibility=visibility, replaces=replaces,
        )
        prepared.timings["store"] = time.perf_counter() - store_started
    except GongkaiError as error:
        return IngestResult(str(path), "failed", error=error.message,
                            seconds=time.perf_counter() - started)
    except Exception as error:  # noqa: BLE001 - one bad file must not stop the others
        log.exception("ingesting %s failed", path)
        return IngestResult(str(path), "failed", error=f"处理文件时出错：{type(error).__name__}: {error}",
                            seconds=time.perf_counter() - started)
    return IngestResult(
        str(path), "replaced" if replaces else "ingested", prepared.doc.id,
        chunks=len(prepared.chunks), tables=len(prepared.tables), facts=len(prepared.facts),
        seconds=time.perf_counter() - started, timings=prepared.timings,
        texts_embedded=cache.misses, texts_cached=cache.hits,
    )


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files as given, and the supported files inside folders (recursively, in name order)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith(".")
            )
        else:
            yield path  # a missing file fails on its own, in the summary
