"""Linking's similarity step on made-up labels no stored file has: the real model, loaded offline."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import create_engine

from assistant.ask import ask
from assistant.catalog import load_catalog
from assistant.linking import closest_labels, link
from assistant.understand import metric_lexicon, understand
from gongkai import db
from tests.test_understand import catalog_of
from vectorstore import label_index
from vectorstore.embedding_cache import EmbeddingCache, text_key
from vectorstore.embeddings import get_embedder
from vectorstore.label_index import build_label_index, labels_digest, similar_at

# Rows of a made-up county's tables, printed as a disclosure prints them.
MADE_UP = {
    "无人机巡检服务": "无人机巡检服务费", "无人机购置": "无人机购置", "河道巡查保洁": "河道巡查保洁费",
    "防汛物资储备": "防汛物资储备", "社区养老服务补贴": "社区养老服务补贴", "食堂补助": "食堂补助",
    "档案数字化加工": "档案数字化加工费", "森林防火瞭望塔维护": "森林防火瞭望塔维护费",
    "智慧停车平台运维": "智慧停车平台运维费", "垃圾分类宣传": "垃圾分类宣传经费",
    "网络专线租用": "网络专线租用费", "物业管理": "物业管理费", "印刷": "印刷费", "咨询": "咨询费",
}


@pytest.fixture(scope="module")
def catalog():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")  # the real loading code, never the network
        made_up = replace(catalog_of(), labels=MADE_UP)
        made_up.label_index()
    return made_up


def _similar(slots):
    return [(i.text, i.stems) for i in slots.items if i.how == "similar"]


def test_the_model_is_the_chunk_models_loaded_instance(catalog):
    index = catalog.label_index()
    assert index is not None and index.embedder is get_embedder()
    assert set(index.stems) == set(MADE_UP)


def test_a_paraphrase_of_a_made_up_row_is_linked_to_it(catalog):
    # words in another order: no stem, code, typo or contraction names these
    slots = understand("省检察院2019年储备防汛物资花了多少", catalog)
    assert _similar(slots) == [("储备防汛物资", ("防汛物资储备",))]
    assert _similar(understand("省检察院2019年养老服务社区补贴是多少", catalog)) == [
        ("养老服务社区补贴", ("社区养老服务补贴",))]


def test_a_word_below_the_threshold_gets_the_nearest_labels_instead(catalog):
    slots = understand("省检察院2019年无人机巡查花了多少", catalog)
    assert not slots.items
    assert slots.unlinked == "无人机巡查"
    assert slots.closest[0] == "无人机巡检服务费"  # by meaning, though '巡查' is not '巡检'
    (neighbours,) = catalog.label_index().nearest(["无人机巡查"])
    assert neighbours[0].score < similar_at(get_embedder().name)


def test_exact_names_and_asking_words_are_not_looked_up_by_meaning(catalog):
    linked = link("2019年印刷费是多少", catalog, metric_words=metric_lexicon())
    assert [(t.text, t.how) for t in linked.terms] == [("印刷费", "exact")]
    assert linked.leftover == "" and linked.closest == ()


def test_without_a_model_linking_goes_on_and_difflib_offers_the_closest(catalog, monkeypatch):
    from vectorstore.embeddings import EmbeddingModelError

    def no_model(name=None):
        raise EmbeddingModelError("未安装", detail="not installed")

    monkeypatch.setattr(label_index, "get_embedder", no_model)
    fresh = replace(catalog)  # its own, not yet built, label index
    slots = understand("省检察院2019年储备防汛物资花了多少", fresh)
    assert not slots.items and slots.closest == ()
    assert "防汛物资储备" in closest_labels(slots.unlinked, fresh)


def test_label_vectors_are_embedded_once_and_kept_in_the_store(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'cache.db'}")
    db.metadata.create_all(engine)
    embedder = get_embedder()
    first = build_label_index(MADE_UP, embedder, engine)
    cache = EmbeddingCache(engine, embedder, queries=True)
    again = cache.encode(list(MADE_UP.values()))
    assert cache.hits == len(MADE_UP) and cache.misses == 0
    assert (abs(again - first.vectors) < 1e-6).all()
    # a passage vector of the same text is kept apart: the passage cache holds none of them
    assert EmbeddingCache(engine, embedder)._lookup({text_key(t) for t in MADE_UP.values()}) == {}
    assert labels_digest(MADE_UP) != labels_digest({**MADE_UP, "会议": "会议费"})


def test_the_not_found_answer_offers_the_labels_nearest_by_meaning(sample_store):
    settings = sample_store[0]
    answer = ask("潼南区2021年无人机巡查花了多少", settings=settings)
    assert answer.route == "none" and "没有找到“无人机巡查”" in answer.answer
    assert answer.slots.closest and f"最接近的是：{'、'.join(answer.slots.closest)}。" in answer.answer
    catalog = load_catalog(db.get_engine(settings.database_url))
    assert catalog.label_index() is not None
