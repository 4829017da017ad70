"""Passage vectors by content hash, kept in the SQL store: each distinct text is embedded once.

Disclosures repeat whole paragraphs (名词解释, the 三公经费 explanations), table outlines, titles
and headings across units and years; re-ingesting a changed file repeats everything but the
change. The key is the model name and the SHA-256 of the exact text, so a changed text gets a new
key and no vector can go stale; the vectors are the model's own, so a cached vector equals a
fresh one. Texts embedded as queries (stored labels, `vectorstore.label_index`) are kept under
the model's name with '/query' appended: a query vector is not a passage vector of the same text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
from sqlalchemy import Engine, Insert, insert, select

from gongkai import db
from vectorstore.embeddings import Embedder

LOOKUP_BATCH = 500  # keys per SELECT … IN (…): well under every database's parameter limit


def text_key(text: str) -> str:
    """The cache key of a text: SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors of `embedder`'s passages, read from and written to `engine`'s cache table.

    `encode(texts)` is a drop-in for `embedder.encode_documents` (for `encode_queries` with
    `queries`); `hits` and `misses` count distinct texts (a text repeated within one call is
    embedded once and counted once).
    """

    def __init__(self, engine: Engine, embedder: Embedder, queries: bool = False) -> None:
        self.engine = engine
        self.embedder = embedder
        self.model = f"{embedder.name}/query" if queries else embedder.name
        self._embed = embedder.encode_queries if queries else embedder.encode_documents
        self.hits = 0
        self.misses = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) normalised vectors of `texts`, embedding only those not cached yet."""
        texts = list(texts)
        keys = [text_key(t) for t in texts]
        found = self._lookup(set(keys))
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in found}
        self.hits += len(found)
        self.misses += len(missing)
        if missing:
            vectors = self._embed(list(missing.values()))
            fresh = dict(zip(missing, vectors, strict=True))
            self._store(fresh)
            found.update(fresh)
        if not texts:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.vstack([found[k] for k in keys]).astype(np.float32, copy=False)

    def _lookup(self, keys: set[str]) -> dict[str, np.ndarray]:
        table, model = db.embedding_cache, self.model
        ordered = sorted(keys)
        found: dict[str, np.ndarray] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(ordered), LOOKUP_BATCH):
                rows = conn.execute(
                    select(table.c.sha256, table.c.vector).where(
                        table.c.model == model, table.c.sha256.in_(ordered[i : i + LOOKUP_BATCH])
                    )
                )
                for key, blob in rows:
                    vector = np.frombuffer(blob, dtype="<f4")
                    if vector.shape == (self.embedder.dim,):  # a malformed row is a miss
                        found[key] = vector
        return found

    def _store(self, vectors: dict[str, np.ndarray]) -> None:
        rows = [
            {"model": self.model, "sha256": key,
             "vector": np.asarray(vector, dtype="<f4").tobytes()}
            for key, vector in vectors.items()
        ]
        with self.engine.begin() as conn:
            conn.execute(_insert_ignoring_duplicates(self.engine), rows)


def _insert_ignoring_duplicates(engine: Engine) -> Insert:
    """INSERT that skips keys another process stored meanwhile (same text, same vector)."""
    table = db.embedding_cache
    if engine.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).on_conflict_do_nothing()
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(table).on_conflict_do_nothing()
    return insert(table)


def clear(engine: Engine, model: str | None = None) -> int:
    """Delete cached vectors (of one model, or all); the number of rows deleted."""
    from sqlalchemy import delete

    statement = delete(db.embedding_cache)
    if model:
        statement = statement.where(db.embedding_cache.c.model == model)
    with engine.begin() as conn:
        return conn.execute(statement).rowcount
