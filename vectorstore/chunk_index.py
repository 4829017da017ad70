"""The chunks of complete documents, held in memory for retrieval: BM25 postings and vectors.

Built lazily from SQL and kept per document, so a change in the stored documents re-reads only
the documents that changed. Vectors are read from Chroma per document on first need: only
filtered searches use them (Chroma's `where` costs ~100 ms at 100k chunks whatever it selects,
while scoring the few thousand chunks a filter leaves takes a few ms in numpy).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, select

from gongkai import db
from vectorstore.bm25 import BM25Index, TermCounts, Vocabulary, tokenize, top_positive

MASK_CACHE_SIZE = 256  # filter masks kept per build
VECTOR_READ_BATCH = 5000  # ids per Chroma `get`


@dataclass(frozen=True)
class DocumentInfo:
    """What searches filter on, per document (from SQL)."""

    id: str
    locality: str | None
    locality_name: str | None
    year: int | None
    doc_type: str | None
    visibility: str
    ingested_at: str


@dataclass(frozen=True)
class KeywordHit:
    doc_id: str
    chunk_index: int
    score: float  # BM25
    coverage: float  # idf-weighted share of the query's distinct terms the chunk holds, 0..1


@dataclass
class _Document:
    info: DocumentInfo
    chunk_indices: list[int]
    counts: list[TermCounts]
    vectors: np.ndarray | None = None  # (chunks, dim), read on first need
    has_vector: np.ndarray | None = None  # chunks Chroma had a vector for


@dataclass(frozen=True)
class _Build:
    """One consistent state of the index, replaced whole on refresh (only `masks` fills up)."""

    documents: list[_Document]
    infos: list[DocumentInfo]
    bm25: BM25Index
    owners: np.ndarray  # chunk position → document position
    chunk_indices: np.ndarray  # chunk position → chunk_index
    masks: dict[Any, np.ndarray] = field(default_factory=dict)  # filter → document mask


def vector_id(doc_id: str, chunk_index: int) -> str:
    """The Chroma id of a chunk (as `vectorstore.chroma_store.chunk_id` writes it)."""
    return f"{doc_id}:{chunk_index}"


class ChunkIndex:
    """BM25 (title + heading + chunk text, as `bench.embedding_models` measured) and exact
    vector search over the chunks of the documents SQL marks complete."""

    def __init__(
        self, engine: Engine, collection: Any = None, refresh_interval: float = 1.0
    ) -> None:
        self._engine = engine
        self._collection = collection
        self.refresh_interval = refresh_interval
        self._checked_at = -math.inf
        self._lock = threading.Lock()
        self._vocabulary = Vocabulary()
        self._documents: dict[str, _Document] = {}
        self._signature: tuple | None = None
        self._build = _Build([], [], BM25Index([], 0), np.zeros(0, np.int32), np.zeros(0, np.int32))

    def documents(self) -> list[DocumentInfo]:
        """The complete documents as of the last refresh (a new list after each rebuild)."""
        return self._build.infos

    def keyword_search(
        self, query: str, n: int, allowed: Callable[[DocumentInfo], bool] | None = None
    ) -> list[KeywordHit]:
        """The `n` best chunks by BM25 among the documents `allowed` accepts, best first
        (as of the last refresh, like every search here)."""
        build = self._build
        # No lock: the vocabulary only grows, and terms newer than this build count as unknown.
        known, unknown = self._vocabulary.lookup(tokenize(query))
        term_ids = [t for t in known if t < build.bm25.vocabulary_size]
        unknown += len(set(known) - set(term_ids))
        if not term_ids or not build.bm25.size:
            return []
        mask = None if allowed is None else _document_mask(build, allowed)
        if mask is not None and not mask.any():
            return []
        chunk_mask = None if mask is None else mask[build.owners]
        best = top_positive(build.bm25.scores(term_ids), n, chunk_mask)
        coverage = build.bm25.coverage(term_ids, unknown, [i for i, _ in best])
        return [
            KeywordHit(build.infos[build.owners[i]].id, int(build.chunk_indices[i]), score, share)
            for (i, score), share in zip(best, coverage, strict=True)
        ]

    def vector_search(
        self, vector: Sequence[float], n: int, allowed: Callable[[DocumentInfo], bool]
    ) -> list[tuple[str, int, float]]:
        """The `n` chunks nearest `vector` (exact cosine) among the documents `allowed` accepts,
        as (doc_id, chunk_index, similarity), best first. Needs the Chroma collection."""
        build = self._build
        chosen = [build.documents[i] for i in np.flatnonzero(_document_mask(build, allowed))]
        self._read_vectors(chosen)
        query = np.asarray(vector, dtype=np.float32)
        keys, sims = [], []
        for doc in chosen:  # every chosen document has its vectors read now
            present = np.flatnonzero(doc.has_vector)
            if present.size:
                keys += [(doc.info.id, doc.chunk_indices[i]) for i in present]
                sims.append(doc.vectors[present] @ query)
        if not keys:
            return []
        similarity = np.concatenate(sims)
        best = np.argsort(-similarity, kind="stable")[:n]
        return [(*keys[i], float(similarity[i])) for i in best]

    def read_all_vectors(self) -> None:
        """Read every document's vectors now rather than on the first filtered search that needs
        them (~6 s and ~150 MB at 100k chunks of 384 dimensions)."""
        self._read_vectors(self._build.documents)

    def indexed_tokens(self) -> list[list[str]]:
        """Every indexed chunk's tokens (order lost), to compare with other BM25 implementations."""
        self.refresh()
        with self._lock:
            terms = {i: t for t, i in self._vocabulary.ids.items()}
            return [
                [terms[int(i)] for i, n in zip(ids, counts, strict=True) for _ in range(int(n))]
                for doc in self._build.documents
                for ids, counts in doc.counts
            ]

    def maybe_refresh(self) -> bool:
        """`refresh`, unless the last check is less than `refresh_interval` seconds old.

        The check scans the documents table (~9 ms at 6k documents), too much for every query;
        meanwhile the SQL check of hits still drops chunks of removed documents.
        """
        if time.monotonic() - self._checked_at < self.refresh_interval:
            return False
        return self.refresh()

    def refresh(self) -> bool:
        """Rebuild when the complete documents changed since the last build; True when rebuilt."""
        self._checked_at = time.monotonic()
        signature = self._current_signature()
        if signature == self._signature:
            return False
        with self._lock:
            if signature == self._signature:
                return False
            infos = self._complete_documents()
            for doc_id in set(self._documents) - {i.id for i in infos}:
                del self._documents[doc_id]
            for info in infos:
                cached = self._documents.get(info.id)
                if cached is None or cached.info.ingested_at != info.ingested_at:
                    self._documents[info.id] = self._tokenised(info)
                else:
                    cached.info = info  # visibility or labels may have changed
            self._build = self._new_build()
            self._signature = signature
        return True

    def _new_build(self) -> _Build:
        docs = list(self._documents.values())
        texts = [c for d in docs for c in d.counts]
        return _Build(
            documents=docs,
            infos=[d.info for d in docs],
            bm25=BM25Index(texts, len(self._vocabulary.ids)),
            owners=np.repeat(np.arange(len(docs), dtype=np.int32), [len(d.counts) for d in docs]),
            chunk_indices=np.array([i for d in docs for i in d.chunk_indices], dtype=np.int32),
        )

    def _current_signature(self) -> tuple:
        """Cheap fingerprint of the complete documents: count, newest ingestion, chunk total, ids."""
        d = db.documents.c
        with self._engine.connect() as conn:
            row = conn.execute(
                select(
                    func.count(),
                    func.max(d.ingested_at),
                    func.sum(d.chunks),
                    func.min(d.id),
                    func.max(d.id),
                ).where(d.status == "complete")
            ).one()
        return tuple(row)

    def _complete_documents(self) -> list[DocumentInfo]:
        d = db.documents.c
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(
                    d.id,
                    d.locality,
                    d.locality_name,
                    d.year,
                    d.doc_type,
                    d.visibility,
                    d.ingested_at,
                )
                .where(d.status == "complete")
                .order_by(d.id)
            ).all()
        return [DocumentInfo(*row) for row in rows]

    def _tokenised(self, info: DocumentInfo) -> _Document:
        c, d = db.chunks.c, db.documents.c
        with self._engine.connect() as conn:
            title = conn.execute(select(d.title).where(d.id == info.id)).scalar_one_or_none() or ""
            rows = conn.execute(
                select(c.chunk_index, c.heading, c.text)
                .where(c.doc_id == info.id)
                .order_by(c.chunk_index)
            ).all()
        # Title and headings repeat over a document's chunks: tokenise each once.
        context = {h: tokenize(title) + tokenize(h) for h in {r.heading for r in rows}}
        counts = [self._vocabulary.counts(context[h] + tokenize(text)) for _, h, text in rows]
        return _Document(info, [r.chunk_index for r in rows], counts)

    def _read_vectors(self, docs: Sequence[_Document]) -> None:
        """Read from Chroma the vectors of `docs` not read yet (chunks without one are marked)."""
        if self._collection is None:
            raise ValueError("vector search needs the Chroma collection")
        with self._lock:
            missing = [d for d in docs if d.vectors is None]
            ids = [vector_id(d.info.id, i) for d in missing for i in d.chunk_indices]
            found: dict[str, np.ndarray] = {}
            for offset in range(0, len(ids), VECTOR_READ_BATCH):
                batch = self._collection.get(
                    ids=ids[offset : offset + VECTOR_READ_BATCH], include=["embeddings"]
                )
                found.update(zip(batch["ids"], np.asarray(batch["embeddings"], np.float32)))
            for doc in missing:
                rows = [found.get(vector_id(doc.info.id, i)) for i in doc.chunk_indices]
                dim = next((len(r) for r in rows if r is not None), 0)
                doc.has_vector = np.array([r is not None for r in rows], dtype=bool)
                doc.vectors = np.array(
                    [r if r is not None else np.zeros(dim, np.float32) for r in rows],
                    dtype=np.float32,
                ).reshape(len(rows), dim)


def _document_mask(build: _Build, allowed: Callable[[DocumentInfo], bool]) -> np.ndarray:
    """Which documents of `build` pass `allowed`; cached per build for hashable filters."""
    mask = build.masks.get(allowed)
    if mask is None:
        mask = np.fromiter((allowed(d) for d in build.infos), bool, len(build.infos))
        if len(build.masks) < MASK_CACHE_SIZE:
            build.masks[allowed] = mask
    return mask
