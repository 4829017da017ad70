"""Hybrid retrieval on real stores: recall on the sample questions, filters, visibility, orphan
vectors, BM25 refresh, the LangChain adapter; and the BM25 pieces on their own."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from langchain_core.documents import Document as LangChainDocument
from sqlalchemy import delete, select

from gongkai import db
from ingest import store
from ingest.pipeline import ingest_file
from tests.conftest import ROOT, sample_path
from vectorstore import chroma_store
from vectorstore.bm25 import BM25Index, Vocabulary, tokenize, top_positive
from vectorstore.retrieval import Filters, GongkaiRetriever, HybridRetriever

QUESTIONS = ROOT / "bench" / "retrieval_questions.yaml"
EVERYONE = Filters(visibility=("public", "official"))

pytestmark = pytest.mark.backends("embedded", "server")


@pytest.fixture(scope="module")
def samples(sample_store):
    """The five samples, ingested once per session (conftest); read only here."""
    _, stores, results = sample_store
    assert [r.status for r in results] == ["ingested"] * 5, [r.error for r in results]
    return stores, HybridRetriever(stores)


def _documents(stores) -> list[dict]:
    return store.list_documents(stores.engine)


def _excerpt(prefix: str, folder: Path, chars: int = 900) -> Path:
    """The first lines (about `chars` characters) of a sample, as a new, smaller file."""
    text = sample_path(prefix).read_text(encoding="utf-8")
    cut = text.rfind("\n", 0, chars)
    path = folder / f"excerpt_{prefix}.txt"
    path.write_text(text[: cut if cut > 0 else chars], encoding="utf-8")
    return path


def _first_line(path: Path) -> str:
    return next(
        line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    )


# --- on the five samples --------------------------------------------------------------------


def test_top5_recall_on_the_sample_questions(samples):
    stores, retriever = samples
    by_file = {d["filename"]: d["id"] for d in _documents(stores)}
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["questions"]
    assert len(questions) >= 20
    found = 0
    for q in questions:
        hits = retriever.search(q["question"], k=5)
        found += any(h.doc_id == by_file[q["file"]] and q["answer"] in h.text for h in hits)
    assert found / len(questions) >= 0.8, f"recall@5 {found}/{len(questions)}"


def test_hits_carry_exact_spans_and_document_labels(samples):
    stores, retriever = samples
    hits = retriever.search("政务服务中心三公经费预算", k=8)
    assert len(hits) == 8
    with stores.engine.connect() as conn:
        texts = dict(conn.execute(select(db.documents.c.id, db.documents.c.text)).all())
    docs = {d["id"]: d for d in _documents(stores)}
    for hit in hits:
        if hit.kind == "text":
            assert texts[hit.doc_id][hit.start : hit.end] == hit.text
        assert (hit.title, hit.year, hit.locality) == (
            docs[hit.doc_id]["title"],
            docs[hit.doc_id]["year"],
            docs[hit.doc_id]["locality"],
        )
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(0 < h.score <= retriever.max_score for h in hits)


def test_scores_follow_reciprocal_rank_fusion(samples):
    _, retriever = samples
    for hit in retriever.search("柞水政务服务中心2023年预算收入多少", k=8):
        expected = sum(1 / (retriever.k_rrf + r) for r in (hit.vector_rank, hit.bm25_rank) if r)
        assert math.isclose(hit.score, expected)
        assert (hit.similarity is not None) == (hit.vector_rank is not None)
        assert (hit.keyword_coverage is not None) == (hit.bm25_rank is not None)


@pytest.mark.parametrize("filtered_vectors", ["exact", "chroma"])
@pytest.mark.parametrize("field", ["locality", "locality_name", "year", "doc_type"])
def test_a_filter_narrows_results_to_its_value(samples, field, filtered_vectors):
    stores, shared = samples
    retriever = HybridRetriever(stores, filtered_vectors=filtered_vectors)
    retriever.chunks = shared.chunks  # the index already built
    query = "政务服务中心部门预算支出情况"
    unfiltered = retriever.search(query, k=20)
    docs = {d["id"]: d for d in _documents(stores)}
    assert len({docs[h.doc_id][field] for h in unfiltered}) > 1  # so narrowing is visible
    value = docs[unfiltered[-1].doc_id][field]  # a value that is not simply the top document's
    filters = {
        "locality": Filters(localities=(value,)),
        "locality_name": Filters(localities=(value,)),
        "year": Filters(years=(value,)),
        "doc_type": Filters(doc_types=(value,)),
    }[field]
    hits = retriever.search(query, filters, k=20)
    assert hits
    assert {docs[h.doc_id][field] for h in hits} == {value}


def test_exact_filtered_vectors_match_chromas_where(samples):
    stores, retriever = samples
    retriever.warm()  # every vector read up front; the exact search then reads none
    vector = stores.embedder.embed_query("政务服务中心的三公经费")
    year = _documents(stores)[0]["year"]
    filters = Filters(years=(year,))
    exact = retriever.vector_ranking(vector, filters)
    retriever.filtered_vectors = "chroma"
    try:
        by_chroma = retriever.vector_ranking(vector, filters)
    finally:
        retriever.filtered_vectors = "exact"
    assert exact and [key for key, _ in exact[:10]] == [key for key, _ in by_chroma[:10]]
    assert [s for _, s in exact[:10]] == pytest.approx([s for _, s in by_chroma[:10]], abs=1e-4)


def test_filters_combine(samples):
    stores, retriever = samples
    doc = _documents(stores)[0]
    filters = Filters(
        localities=(doc["locality"],), years=(doc["year"],), doc_types=(doc["doc_type"],)
    )
    hits = retriever.search("经费", filters, k=10)
    assert hits and {h.doc_id for h in hits} == {doc["id"]}
    other_year = Filters(localities=(doc["locality"],), years=(doc["year"] + 100,))
    assert retriever.search("经费", other_year) == []


def test_a_missing_locality_returns_nothing(samples):
    _, retriever = samples
    assert retriever.search("政务服务中心三公经费", Filters(localities=("不存在的地方",))) == []


def test_empty_query_returns_nothing(samples):
    _, retriever = samples
    assert retriever.search("   ") == []


def test_off_topic_questions_look_off_topic(samples):
    _, retriever = samples
    on_topic = retriever.search("柞水政务服务中心2023年三公经费预算是多少")
    assert not retriever.looks_off_topic(on_topic)
    for question in ("今天天气怎么样", "推荐一部好看的电影"):
        assert retriever.looks_off_topic(retriever.search(question))
    assert retriever.looks_off_topic([])


def test_langchain_adapter_returns_documents_with_metadata(samples):
    _, retriever = samples
    adapter = GongkaiRetriever(retriever=retriever, k=3)
    documents = adapter.invoke("潼南政务办2021年三公经费预算")
    hits = retriever.search("潼南政务办2021年三公经费预算", k=3)
    assert len(documents) == 3 and all(isinstance(d, LangChainDocument) for d in documents)
    for document, hit in zip(documents, hits, strict=True):
        assert document.page_content == hit.text
        meta = document.metadata
        assert (meta["doc_id"], meta["chunk_index"], meta["start"], meta["end"]) == (
            hit.doc_id,
            hit.chunk_index,
            hit.start,
            hit.end,
        )
        assert meta["title"] == hit.title and meta["score"] == hit.score
        assert None not in meta.values()
    filtered = GongkaiRetriever(retriever=retriever, filters=Filters(years=(2018,)), k=2)
    assert {d.metadata["year"] for d in filtered.invoke("预算")} == {2018}


# --- on small stores of their own -----------------------------------------------------------


def test_official_documents_stay_out_of_public_searches(stores, settings, tmp_path):
    public = ingest_file(_excerpt("002", tmp_path), stores, settings)
    official_path = _excerpt("004", tmp_path)
    official = ingest_file(official_path, stores, settings, visibility="official")
    assert (public.status, official.status) == ("ingested", "ingested")
    retriever = HybridRetriever(stores)
    aimed = _first_line(official_path)
    for query in (aimed, "部门预算", "政务服务"):
        for filters in (Filters(), Filters(visibility=("public",))):
            assert official.doc_id not in {h.doc_id for h in retriever.search(query, filters, k=20)}
    best = retriever.search(aimed, EVERYONE, k=3)
    assert best and best[0].doc_id == official.doc_id
    only_official = retriever.search(aimed, Filters(visibility=("official",)), k=20)
    assert only_official and {h.doc_id for h in only_official} == {official.doc_id}


def test_orphan_vectors_are_not_returned(stores, settings, tmp_path):
    ingest_file(_excerpt("002", tmp_path), stores, settings)
    orphan_path = _excerpt("000", tmp_path)
    orphan = ingest_file(orphan_path, stores, settings)
    retriever = HybridRetriever(stores)
    aimed = _first_line(orphan_path)
    assert orphan.doc_id in {h.doc_id for h in retriever.search(aimed)}
    with stores.engine.begin() as conn:  # as if killed after the vectors were written
        for table in db.DOCUMENT_TABLES:
            key = table.c.id if table is db.documents else table.c.doc_id
            conn.execute(delete(table).where(key == orphan.doc_id))
    assert orphan.doc_id in chroma_store.document_ids(stores.collection)
    hits = retriever.search(aimed, k=20)
    assert hits and orphan.doc_id not in {h.doc_id for h in hits}


def test_chunks_without_vectors_are_still_found_by_keywords(stores, settings, tmp_path):
    ingest_file(_excerpt("004", tmp_path), stores, settings)
    path = _excerpt("002", tmp_path)
    kept = ingest_file(path, stores, settings)
    chroma_store.delete_document(stores.collection, kept.doc_id)  # as if the vectors were lost
    retriever = HybridRetriever(stores)
    docs = {d["id"]: d for d in _documents(stores)}
    assert len({d["year"] for d in docs.values()}) == 2  # so a year filter takes the exact path
    for filters in (Filters(), Filters(years=(docs[kept.doc_id]["year"],))):
        hits = [h for h in retriever.search(_first_line(path), filters) if h.doc_id == kept.doc_id]
        assert hits and all(h.vector_rank is None and h.bm25_rank is not None for h in hits)


def test_bm25_index_refreshes_after_a_new_document(stores, settings, tmp_path):
    ingest_file(_excerpt("002", tmp_path), stores, settings)
    retriever = HybridRetriever(stores, refresh_interval=0)  # check the documents every search
    new_path = _excerpt("001", tmp_path)
    aimed = _first_line(new_path)
    assert retriever.search(aimed)  # builds the index over the first document
    assert retriever.chunks.refresh() is False  # nothing changed: the cache holds
    new = ingest_file(new_path, stores, settings)
    keyword_hits = [h for h in retriever.search(aimed, k=10) if h.doc_id == new.doc_id]
    assert keyword_hits and any(h.bm25_rank is not None for h in keyword_hits)
    store.delete_document(stores, new.doc_id)
    assert new.doc_id not in {h.doc_id for h in retriever.search(aimed, k=20)}
    assert new.doc_id not in {d.id for d in retriever.chunks.documents()}


def test_a_throttled_index_catches_up_on_explicit_refresh(stores, settings, tmp_path):
    ingest_file(_excerpt("002", tmp_path), stores, settings)
    retriever = HybridRetriever(stores, refresh_interval=3600)
    new_path = _excerpt("001", tmp_path)
    retriever.search(_first_line(new_path))
    new = ingest_file(new_path, stores, settings)
    assert retriever.chunks.maybe_refresh() is False  # within the interval: no check
    assert new.doc_id not in {d.id for d in retriever.chunks.documents()}
    assert retriever.chunks.refresh() is True
    assert new.doc_id in {d.id for d in retriever.chunks.documents()}


# --- BM25 pieces ----------------------------------------------------------------------------


def test_tokenize_keeps_words_and_whole_numbers_and_drops_punctuation():
    tokens = tokenize("澄江市政务服务大厅面积3,000.00平方米，受理237,420件。")
    assert "3000.00" in tokens and "237420" in tokens
    assert "政务" in tokens and "平方米" in tokens
    assert not {",", "，", "。", " "} & set(tokens)
    assert tokenize("ＶＰＤＮ专线") == tokenize("vpdn专线")


def test_bm25_scores_match_the_okapi_formula():
    vocabulary = Vocabulary()
    texts = [["预算", "收入", "预算"], ["决算", "支出"], ["预算", "支出", "会议费", "会议费"]]
    index = BM25Index([vocabulary.counts(t) for t in texts], len(vocabulary.ids), k1=1.5, b=0.75)
    query, unknown = vocabulary.lookup(["预算", "会议费", "护照"])
    assert unknown == 1
    lengths, average = [3, 2, 4], 3.0

    def expected(doc: int) -> float:
        total = 0.0
        for term in ("预算", "会议费"):
            n = sum(term in t for t in texts)
            idf = math.log(1 + (3 - n + 0.5) / (n + 0.5))
            tf = texts[doc].count(term)
            total += idf * tf * 2.5 / (tf + 1.5 * (0.25 + 0.75 * lengths[doc] / average))
        return total

    assert np.allclose(index.scores(query), [expected(i) for i in range(3)], rtol=1e-5)
    coverage = index.coverage(query, unknown, [0, 1, 2])
    assert coverage[1] == 0 and 0 < coverage[0] < coverage[2] < 1


def test_top_positive_orders_masks_and_skips_zero_scores():
    scores = np.array([0.5, 0.0, 2.0, 1.0, 3.0], dtype=np.float32)
    assert top_positive(scores, 3) == [(4, 3.0), (2, 2.0), (3, 1.0)]
    mask = np.array([True, True, False, True, False])
    assert top_positive(scores, 10, mask) == [(3, 1.0), (0, 0.5)]


def test_jieba_prints_nothing():
    code = "from vectorstore.bm25 import tokenize; tokenize('政务服务中心部门预算')"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and (done.stdout, done.stderr) == ("", "")
