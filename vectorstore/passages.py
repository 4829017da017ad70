"""A chunk's vector: its own text's vector plus the vectors of its context, each embedded once.

Chunks of near-identical fiscal documents are hard to tell apart without their document title and
heading path. Writing that context in front of every chunk (`embeddings.passage_text`) makes the
model read the same title and headings again for every chunk of a document. Instead the chunk
text, the title and each heading are embedded on their own, every distinct string once (and with
`vectorstore.embedding_cache`, once across documents and runs), and the chunk's vector is their
weighted sum, normalised. `python -m bench.embedding_models` measures the recipe against the
prefixed text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

# Weights of the title vector and of the mean heading vector against the chunk's own vector (1).
# Chosen on bench.embedding_models (recall@5 on the sample questions).
TITLE_WEIGHT = 0.5
HEADING_WEIGHT = 0.3
HEADING_SEPARATOR = " > "  # as `ingest.chunks.chunk_text` joins a heading path

Encode = Callable[[list[str]], np.ndarray]  # distinct texts → (n, dim) normalised vectors


@dataclass(frozen=True)
class PassageParts:
    """What a chunk's vector is made of: its text, its document's title, its headings."""

    text: str
    title: str = ""
    headings: tuple[str, ...] = ()


def heading_parts(path: str) -> tuple[str, ...]:
    """A heading path's levels, each one string to embed.

    >>> heading_parts("一、收入预算 > （一）财政拨款")
    ('一、收入预算', '（一）财政拨款')
    """
    return tuple(p.strip() for p in path.split(HEADING_SEPARATOR) if p.strip())


def distinct_strings(passages: Sequence[PassageParts]) -> list[str]:
    """Every string the passages need a vector for, once each, in first-seen order."""
    strings: dict[str, None] = {}
    for p in passages:
        strings[p.text] = None
        if p.title.strip():
            strings[p.title.strip()] = None
        strings.update(dict.fromkeys(p.headings))
    return list(strings)


def embed_passages(
    encode: Encode,
    passages: Sequence[PassageParts],
    title_weight: float = TITLE_WEIGHT,
    heading_weight: float = HEADING_WEIGHT,
) -> np.ndarray:
    """(n, dim) normalised vectors: text + title_weight·title + heading_weight·mean(headings)."""
    strings = distinct_strings(passages)
    vectors = encode(strings) if strings else np.zeros((0, 0), dtype=np.float32)
    return compose(dict(zip(strings, vectors, strict=True)), passages, title_weight, heading_weight)


def compose(
    vectors: dict[str, np.ndarray],
    passages: Sequence[PassageParts],
    title_weight: float = TITLE_WEIGHT,
    heading_weight: float = HEADING_WEIGHT,
) -> np.ndarray:
    """Each passage's weighted sum of the given string vectors, normalised."""
    rows = []
    for p in passages:
        row = np.array(vectors[p.text], dtype=np.float32, copy=True)
        if p.title.strip():
            row += title_weight * vectors[p.title.strip()]
        if p.headings:
            row += heading_weight * np.mean([vectors[h] for h in p.headings], axis=0)
        rows.append(row)
    if not rows:
        return np.zeros((0, 0), dtype=np.float32)
    matrix = np.vstack(rows)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)
