"""assistant.documents and the corpus filters of ask(), on real stores: what each role may read,
example questions that the corpus answers, and management through the ingestion pipeline."""

from __future__ import annotations

import pytest

from assistant.ask import ask
from assistant.documents import (
    corpus_summary,
    delete_document,
    example_questions,
    get_document,
    ingest_uploads,
    reingest_document,
    safe_filename,
    set_visibility,
)
from assistant.types import CorpusFilters
from gongkai.errors import AccessError
from tests.conftest import sample_path


@pytest.mark.parametrize(("name", "safe"), [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\预算.PDF", "预算.pdf"),
    ("a\x00b\n.docx", "ab.docx"),
    ("..", "file"),
    ("/", "file"),
    ("报告 (终稿)<script>.html", "报告_(终稿)_script.html"),
])
def test_uploaded_names_become_one_safe_component(name, safe):
    assert safe_filename(name) == safe


def test_example_questions_come_from_the_corpus_and_are_answered(sample_store):
    settings, _, _ = sample_store
    questions = example_questions(settings)
    assert 4 <= len(questions) <= 6
    places = {d["locality_name"] or d["locality"] for d in corpus_summary(settings).documents}
    for question in questions:
        answer = ask(question, settings=settings)
        assert answer.route != "none", (question, answer.answer)
        assert answer.citations, question
    assert any(any(p in q for p in places) for q in questions)


def test_source_document_has_text_pages_tables_and_metadata(sample_store):
    settings, _, results = sample_store
    doc_id = next(r.doc_id for r in results if "004_" in r.path)
    doc = get_document(doc_id, settings)
    assert doc is not None and doc.meta["locality"] == "重庆市潼南区"
    assert doc.text and doc.pages and doc.tables
    table = doc.tables[0]
    assert table.rows and all(len(row) == len(table.columns) for row in table.rows)
    assert get_document("no-such-document", settings) is None


def test_filters_narrow_sql_and_retrieval(sample_store):
    settings, _, _ = sample_store
    unfiltered = ask("哪个地方的三公经费最高？", settings=settings)
    assert len({r[0] for r in unfiltered.rows}) == 3
    only_final = ask("哪个地方的三公经费最高？", settings=settings, filters=CorpusFilters(doc_types=("决算",)))
    assert {r[only_final.columns.index("doc_type")] for r in only_final.rows} == {"决算"}
    place = ask("单位的主要职能是什么？", settings=settings, filters=CorpusFilters(localities=("柞水县",)))
    assert place.citations and {c.locality for c in place.citations} == {"柞水县"}
    years = ask("单位的主要职能是什么？", settings=settings, filters=CorpusFilters(years=(2018,)))
    assert years.citations and {c.year for c in years.citations} == {2018}
    refused = ask("潼南区2021年三公经费是多少？", settings=settings, filters=CorpusFilters(years=(2023,)))
    assert refused.route == "none" and "筛选" in refused.answer


def test_management_needs_the_official_role(sample_store):
    settings, _, results = sample_store
    with pytest.raises(AccessError):
        delete_document(results[0].doc_id, settings, user="public")
    with pytest.raises(AccessError):
        ingest_uploads([("a.txt", b"x")], settings, user="public")
    with pytest.raises(AccessError):
        set_visibility(results[0].doc_id, "official", settings, user="visitor")
    assert get_document(results[0].doc_id, settings) is not None  # nothing was changed


def test_upload_visibility_reingest_and_delete(tmp_path):
    from gongkai.settings import get_settings

    settings = get_settings(data_dir=tmp_path / "data")
    sample = sample_path("004")
    calls = []
    results = ingest_uploads([(sample.name, sample.read_bytes()), ("空.txt", b"   ")], settings,
                             user="official", visibility="official",
                             progress=lambda done, total, name: calls.append((done, total)))
    assert [r.status for r in results] == ["ingested", "failed"]
    assert "没有文字" in results[1].error and "空.txt" in results[1].error
    assert calls == [(0, 2), (1, 2), (2, 2)]
    doc_id = results[0].doc_id

    assert get_document(doc_id, settings, user="public") is None  # refused in the query
    _assert_public_sees_nothing_of(settings, doc_id)
    assert not example_questions(settings, user="public")
    assert get_document(doc_id, settings, user="official").meta["visibility"] == "official"

    assert set_visibility(doc_id, "public", settings, user="official")
    assert get_document(doc_id, settings, user="public") is not None
    from assistant.ask import _stores

    vectors = _stores(settings).collection.get(where={"doc_id": doc_id}, include=["metadatas"])
    assert {m["visibility"] for m in vectors["metadatas"]} == {"public"}
    assert "6万元" in ask("潼南区2021年三公经费是多少？", settings=settings).answer

    again = reingest_document(doc_id, settings, user="official")
    assert again.status in ("ingested", "replaced") and again.doc_id == doc_id
    assert get_document(doc_id, settings, user="public").meta["visibility"] == "public"

    assert delete_document(doc_id, settings, user="official")
    assert not delete_document(doc_id, settings, user="official")
    assert not corpus_summary(settings, user="official").documents


def _assert_public_sees_nothing_of(settings, doc_id) -> None:
    """Neither the official document nor a run's unfinished row (still 'public', titled by its
    file name) reaches a public user's corpus summary: no title, no count."""
    import assistant.corpus
    from assistant.ask import _stores
    from gongkai import db

    with _stores(settings).engine.begin() as conn:
        conn.execute(db.documents.insert().values(
            id="unfinished", path="/x/内部测算.txt", filename="内部测算.txt", sha256="0", file_type="txt",
            title="内部测算", status="pending", chars=0, pages=0, ingested_at="2024-01-01", text=""))
    official = corpus_summary(settings, user="official")
    assert doc_id in {d["id"] for d in official.documents} and official.counts["facts"] > 0
    public = corpus_summary(settings, user="public")
    assert not public.documents and not public.localities and not public.years
    assert public.counts == {"chunks": 0, "doc_tables": 0, "facts": 0}
    assert not hasattr(assistant.corpus, "corpus_overview")  # the unfiltered listing is gone
    with _stores(settings).engine.begin() as conn:
        conn.execute(db.documents.delete().where(db.documents.c.id == "unfinished"))


def test_uploads_take_the_cli_run_lock_and_clear_interrupted_runs(tmp_path):
    from assistant.ask import _stores
    from gongkai import db
    from gongkai.settings import get_settings
    from ingest.lock import IngestionBusy, exclusive_run

    settings = get_settings(data_dir=tmp_path / "data", sql_url="", chroma_url="")
    stores = _stores(settings)
    sample = sample_path("004")
    with exclusive_run(stores.engine, settings):  # as a running `python -m ingest` holds it
        with pytest.raises(IngestionBusy) as refused:
            ingest_uploads([(sample.name, sample.read_bytes())], settings, user="official")
        assert "另一个导入" in refused.value.message
    assert not (settings.data_dir / "uploads").exists()  # nothing saved, nothing stored
    assert not corpus_summary(settings, user="official").documents

    with stores.engine.begin() as conn:  # what a killed run leaves
        conn.execute(db.documents.insert().values(
            id="killed", path="/x/a.txt", filename="a.txt", sha256="1", file_type="txt", title="a",
            status="pending", chars=0, pages=0, ingested_at="2024-01-01", text=""))
    results = ingest_uploads([("说明.xyz", b"x")], settings, user="official")
    assert results[0].status == "failed" and "不支持" in results[0].error
    assert not corpus_summary(settings, user="official").documents  # cleared, as the CLI does
