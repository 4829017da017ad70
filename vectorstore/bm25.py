"""Keyword side of retrieval: jieba tokens and an Okapi BM25 index in numpy.

`rank_bm25.BM25Okapi.get_scores` walks every chunk for every query term in Python: ~0.5 s a
query at 100k chunks (`bench.query_retrieval`). Here each term keeps a posting list of
(chunk, precomputed BM25 weight), so a query touches only the postings of its own terms.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

K1, B = 1.5, 0.75  # rank_bm25's defaults, which the bench measured

_WORD = re.compile(r"\w")  # a token worth indexing has a letter or digit; punctuation has none
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")  # 237,420 and 237420 must match alike
_JIEBA_LOCK = threading.Lock()
_jieba_ready = False


def _jieba() -> object:
    """jieba, quiet and initialised once (loading its dictionary takes ~1 s)."""
    global _jieba_ready
    import jieba

    if not _jieba_ready:
        with _JIEBA_LOCK:
            if not _jieba_ready:
                jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" noise
                jieba.initialize()
                _jieba_ready = True
    return jieba


def tokenize(text: str) -> list[str]:
    """jieba search-mode tokens of `text`, NFKC-folded and lower-cased, numbers kept whole.

    >>> tokenize("受理业务237,420件。")
    ['受理', '业务', '237420', '件']
    """
    normalised = _THOUSANDS.sub("", unicodedata.normalize("NFKC", text).lower())
    return [t for t in _jieba().lcut_for_search(normalised) if _WORD.search(t)]


class Vocabulary:
    """Term → integer id; only grows, so ids stay valid for cached documents."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def counts(self, tokens: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """(term ids, counts) of a token list, adding unseen terms."""
        counter = Counter(tokens)
        ids = np.fromiter(
            (self.ids.setdefault(t, len(self.ids)) for t in counter), np.int32, len(counter)
        )
        return ids, np.fromiter(counter.values(), np.float32, len(counter))

    def lookup(self, tokens: Sequence[str]) -> tuple[list[int], int]:
        """Ids of the known tokens, repeats kept (a repeated query term counts twice, as in Okapi),
        and how many distinct tokens are unknown."""
        unknown = {t for t in tokens if t not in self.ids}
        return [self.ids[t] for t in tokens if t in self.ids], len(unknown)


TermCounts = tuple[np.ndarray, np.ndarray]  # term ids, counts of one indexed text


class BM25Index:
    """Okapi BM25 with idf = ln(1 + (N - n + 0.5) / (n + 0.5)), which is never negative."""

    def __init__(
        self, texts: Sequence[TermCounts], vocabulary_size: int, k1: float = K1, b: float = B
    ):
        self.size = len(texts)
        self.vocabulary_size = vocabulary_size
        lengths = np.array([counts.sum() for _, counts in texts], dtype=np.float32)
        terms = np.concatenate([ids for ids, _ in texts]) if texts else np.zeros(0, np.int32)
        tf = np.concatenate([counts for _, counts in texts]) if texts else np.zeros(0, np.float32)
        owners = np.repeat(np.arange(self.size, dtype=np.int32), [len(ids) for ids, _ in texts])
        order = np.argsort(terms, kind="stable")
        terms, tf, owners = terms[order], tf[order], owners[order]
        document_frequency = np.bincount(terms, minlength=vocabulary_size).astype(np.float32)
        idf = np.log1p((self.size - document_frequency + 0.5) / (document_frequency + 0.5))
        norm = k1 * (1 - b + b * lengths / max(float(lengths.mean()) if self.size else 1.0, 1e-9))
        self._idf = idf
        self._max_idf = float(np.log1p((self.size + 0.5) / 0.5))  # of a term no text holds
        self._weights = (idf[terms] * tf * (k1 + 1) / (tf + norm[owners])).astype(np.float32)
        self._owners = owners
        self._starts = np.concatenate([[0], np.cumsum(document_frequency, dtype=np.int64)])

    def scores(self, term_ids: Sequence[int]) -> np.ndarray:
        """BM25 score of every indexed text for a query given as term ids."""
        spans = [
            slice(self._starts[t], self._starts[t + 1])
            for t in term_ids
            if t + 1 < len(self._starts)
        ]
        if not spans:
            return np.zeros(self.size)
        owners = np.concatenate([self._owners[s] for s in spans])
        weights = np.concatenate([self._weights[s] for s in spans])
        return np.bincount(owners, weights=weights, minlength=self.size)  # one pass over postings

    def coverage(
        self, term_ids: Sequence[int], unknown: int, positions: Sequence[int]
    ) -> list[float]:
        """Per text at `positions`: the idf-weighted share of the query's distinct terms it holds.

        Terms no text holds (`unknown` of them) weigh the most, so a query about a place or
        thing absent from the corpus keeps a low coverage however common its other words are.
        """
        terms = sorted(set(term_ids))
        total = float(self._idf[terms].sum()) + unknown * self._max_idf
        held = np.zeros(len(positions), dtype=np.float64)
        wanted = np.asarray(positions, dtype=np.int32)
        for term in terms:
            owners = self._owners[self._starts[term] : self._starts[term + 1]]
            held += np.isin(wanted, owners) * float(self._idf[term])
        return (held / total).tolist() if total > 0 else [0.0] * len(positions)


def top_positive(
    scores: np.ndarray, n: int, mask: np.ndarray | None = None
) -> list[tuple[int, float]]:
    """The `n` best (position, score) with score > 0 and `mask` true, best first."""
    if mask is not None:
        scores = np.where(mask, scores, 0.0)
    positive = np.flatnonzero(scores > 0)
    if len(positive) > n:
        positive = positive[np.argpartition(-scores[positive], n - 1)[:n]]
    best = positive[np.argsort(-scores[positive], kind="stable")]
    return [(int(i), float(scores[i])) for i in best]
