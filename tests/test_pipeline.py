"""The whole ingestion side on real stores: samples end to end, idempotency, replace, all-or-nothing."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from gongkai import db
from ingest import store
from ingest.__main__ import main as ingest_cli
from ingest.lock import exclusive_run
from ingest.pipeline import ingest_file, open_stores
from tests.conftest import SAMPLES, sample_path
from vectorstore import chroma_store

pytestmark = pytest.mark.backends("embedded", "server")


def _facts(engine, **where):
    query = select(db.facts)
    for column, value in where.items():
        query = query.where(getattr(db.facts.c, column) == value)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def _doc_id(stores, prefix):
    return next(d["id"] for d in store.list_documents(stores.engine) if d["filename"].startswith(prefix))


def test_every_sample_ingests(sample_store):
    _, stores, results = sample_store
    assert [r.status for r in results] == ["ingested"] * 5, [r.error for r in results]
    assert all(r.chunks and r.facts for r in results)
    docs = store.list_documents(stores.engine)
    assert {d["year"] for d in docs} == {2018, 2021, 2023, 2024}
    assert chroma_store.document_ids(stores.collection) == {d["id"] for d in docs}


def test_every_stored_span_cuts_its_own_figure(sample_store):
    _, stores, _ = sample_store
    with stores.engine.connect() as conn:
        texts = dict(conn.execute(select(db.documents.c.id, db.documents.c.text)).all())
        facts = conn.execute(select(db.facts)).all()
        cells = conn.execute(select(db.table_cells)).all()
        chunks = conn.execute(select(db.chunks).where(db.chunks.c.kind == "text")).all()
    assert facts and cells and chunks
    assert all(texts[f.doc_id][f.start:f.end] == f.text for f in facts)
    assert all(texts[c.doc_id][c.start:c.end] == c.text for c in cells)
    assert all(texts[c.doc_id][c.start:c.end] == c.text for c in chunks)


@pytest.mark.parametrize(
    ("prefix", "metric", "scope", "year", "value", "source"),
    [
        ("004", "三公经费", "预算", 2021, 6.0, "prose"),
        ("004", "三公经费", "预算", 2021, 6.0, "table"),
        ("002", "收入合计", "预算", 2023, 159.89, "prose"),
        ("003", "支出合计", "决算", 2018, 846.77, "prose"),
        ("003", "基本支出", "决算", 2018, 307.55, "prose"),
        ("003", "项目支出", "决算", 2018, 539.22, "prose"),
        ("000", "项目经费", None, 2024, 37.0, "prose"),
        ("001", "项目经费", None, 2021, 241.73, "prose"),
    ],
)
def test_acceptance_figures_are_stored(sample_store, prefix, metric, scope, year, value, source):
    _, stores, _ = sample_store
    rows = _facts(stores.engine, doc_id=_doc_id(stores, prefix), metric=metric, measure="value",
                  source=source)
    matching = [r for r in rows if r["value"] == value and r["year"] == year and r["unit"] == "万元"
                and (scope is None or r["scope"] == scope)]
    assert matching, rows
    assert all(r["value_yuan"] == pytest.approx(value * 10_000) for r in matching)


def test_project_items_keep_their_names(sample_store):
    _, stores, _ = sample_store
    rows = _facts(stores.engine, doc_id=_doc_id(stores, "000"), value=3.10)
    assert any("VPDN" in r["metric_raw"] or "专线" in r["metric_raw"] for r in rows), rows


def test_tongnan_budget_table_keeps_every_subject_code(sample_store):
    _, stores, _ = sample_store
    doc_id = _doc_id(stores, "004")
    with stores.engine.connect() as conn:
        table = conn.execute(select(db.doc_tables).where(
            db.doc_tables.c.doc_id == doc_id,
            db.doc_tables.c.title.contains("一般公共预算财政拨款支出预算表"))).first()
        assert table is not None and table.unit == "万元"
        cells = conn.execute(select(db.table_cells).where(
            db.table_cells.c.doc_id == doc_id, db.table_cells.c.table_index == table.table_index)).all()
    codes = {c.row_code for c in cells if c.row_code}
    assert codes >= {"201", "20103", "2010301", "2010302", "208", "20805", "2080505", "2080506",
                     "2080599", "210", "21011", "2101101", "2101199", "221", "22102", "2210201"}
    rollup = {c.row_code for c in cells if c.row_code and c.is_rollup}
    assert rollup == {"201", "20103", "208", "20805", "210", "21011", "221", "22102"}


def test_reingesting_an_unchanged_file_is_a_no_op(sample_store):
    settings, stores, _ = sample_store
    before = store.count_rows(stores.engine)
    vectors = stores.collection.count()
    result = ingest_file(sample_path("002"), stores, settings)
    assert result.status == "unchanged"
    assert store.count_rows(stores.engine) == before
    assert stores.collection.count() == vectors


def test_a_changed_file_replaces_its_rows_and_vectors(stores, settings, tmp_path):
    path = tmp_path / "doc.txt"
    shutil.copy(sample_path("002"), path)
    first = ingest_file(path, stores, settings)
    path.write_text(path.read_text(encoding="utf-8").replace("159.89", "169.89"), encoding="utf-8")
    second = ingest_file(path, stores, settings)
    assert (first.status, second.status) == ("ingested", "replaced")
    assert [d["id"] for d in store.list_documents(stores.engine)] == [second.doc_id]
    assert chroma_store.document_ids(stores.collection) == {second.doc_id}
    assert _facts(stores.engine, value=169.89) and not _facts(stores.engine, value=159.89)


@pytest.mark.parametrize("failing", ["embed", "vectors", "sql"])
def test_a_failure_mid_document_stores_nothing(stores, settings, monkeypatch, failing):
    def boom(*args, **kwargs):
        raise RuntimeError("injected failure")

    if failing == "embed":
        monkeypatch.setattr(stores.embedder, "encode_documents", boom)
    elif failing == "vectors":  # the second batch of vectors fails after the first was written
        real_upsert = stores.collection.upsert
        calls = []

        def upsert_once(**kwargs):
            calls.append(1)
            if len(calls) > 1:
                raise RuntimeError("injected failure")
            real_upsert(**kwargs)

        monkeypatch.setattr(stores.collection, "upsert", upsert_once)
        monkeypatch.setattr(chroma_store, "UPSERT_BATCH", 5)
    else:  # facts insert fails after the document row went in, inside the transaction
        real_fact_row = store._fact_row
        monkeypatch.setattr(store, "_fact_row", lambda f, *rest: boom() if f.value == 6.0 else real_fact_row(f, *rest))
    result = ingest_file(sample_path("004"), stores, settings)
    assert result.status == "failed" and "injected failure" in result.error
    assert store.count_rows(stores.engine) == {t.name: 0 for t in db.DOCUMENT_TABLES}
    assert stores.collection.count() == 0


def test_delete_removes_rows_and_vectors(stores, settings):
    result = ingest_file(sample_path("000"), stores, settings)
    assert store.delete_document(stores, result.doc_id)
    assert store.count_rows(stores.engine)["documents"] == 0
    assert stores.collection.count() == 0
    assert not store.delete_document(stores, result.doc_id)


def test_check_repairs_orphan_vectors_and_missing_vectors(stores, settings):
    kept = ingest_file(sample_path("000"), stores, settings)
    orphan = ingest_file(sample_path("001"), stores, settings)
    with stores.engine.begin() as conn:  # as if killed between vectors and SQL
        store._delete_rows(conn, orphan.doc_id)
    chroma_store.delete_document(stores.collection, kept.doc_id)  # as if vectors were lost
    report = store.check(stores, repair=True)
    assert report == {"vectors_without_rows": [orphan.doc_id], "rows_without_vectors": [kept.doc_id]}
    assert chroma_store.document_ids(stores.collection) == {kept.doc_id}
    assert store.check(stores) == {"vectors_without_rows": [], "rows_without_vectors": []}


def test_cli_reports_bad_files_and_goes_on(settings, use_settings, tmp_path, capsys):
    use_settings(settings)
    data = str(settings.data_dir)
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(sample_path("002"), folder / "good.txt")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "garbage.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 20)
    (folder / "notes.exe").write_bytes(b"MZ\x90\x00")
    code = ingest_cli([str(folder), str(folder / "notes.exe"), "--data-dir", data])
    out = capsys.readouterr().out
    assert code == 1
    assert "good.txt" in out and "ingested" in out
    assert out.count("failed") == 3
    assert ingest_cli(["--list", "--data-dir", data]) == 0
    listed = capsys.readouterr().out
    assert "柞水" in listed


def test_cli_if_empty_skips_a_filled_store(settings, use_settings, capsys):
    use_settings(settings)
    data = str(settings.data_dir)
    assert ingest_cli([str(sample_path("000")), "--data-dir", data]) == 0
    assert ingest_cli(["--if-empty", str(SAMPLES), "--data-dir", data]) == 0
    assert "跳过" in capsys.readouterr().out


def test_cli_force_rebuilds_an_unchanged_file(settings, use_settings, capsys):
    from sqlalchemy import func

    use_settings(settings)
    data = str(settings.data_dir)
    assert ingest_cli([str(sample_path("002")), "--data-dir", data]) == 0
    stores = open_stores(settings)
    chunk_rows = select(func.count()).select_from(db.chunks)
    with stores.engine.begin() as conn:  # as an older pipeline might have left it: a chunk fewer
        before = conn.execute(chunk_rows).scalar_one()
        conn.execute(db.chunks.delete().where(db.chunks.c.chunk_index == 0))
    assert ingest_cli([str(sample_path("002")), "--data-dir", data]) == 0
    assert "unchanged" in capsys.readouterr().out
    with stores.engine.connect() as conn:
        assert conn.execute(chunk_rows).scalar_one() == before - 1
    assert ingest_cli([str(sample_path("002")), "--force", "--data-dir", data]) == 0
    assert "ingested" in capsys.readouterr().out
    with stores.engine.connect() as conn:
        assert conn.execute(chunk_rows).scalar_one() == before  # rebuilt whole
    assert len(store.list_documents(stores.engine)) == 1
    assert store.check(stores) == {"vectors_without_rows": [], "rows_without_vectors": []}


def test_cli_workers_fill_a_server_deployment_in_parallel(backend, settings, use_settings, tmp_path,
                                                          capsys):
    use_settings(settings)
    folder = tmp_path / "in"
    folder.mkdir()
    for prefix in ("000", "001"):
        shutil.copy(sample_path(prefix), folder / f"{prefix}.txt")
    shutil.copy(sample_path("000"), folder / "same_bytes_as_000.txt")
    code = ingest_cli([str(folder), "--workers", "2", "--data-dir", str(settings.data_dir)])
    out = capsys.readouterr().out
    if backend == "embedded":  # embedded Chroma is not safe across processes: refused, untouched
        assert code == 1 and "并行导入" in out and "GONGKAI_CHROMA_URL" in out
        assert not settings.data_dir.exists()
        return
    assert code == 0, out
    assert out.count("ingested") == 2 and out.count("unchanged") == 1
    stores = open_stores(settings)
    assert len(store.list_documents(stores.engine)) == 2
    assert store.check(stores) == {"vectors_without_rows": [], "rows_without_vectors": []}


def test_a_second_ingestion_run_is_refused_while_one_runs(settings, use_settings, capsys):
    use_settings(settings)
    stores = open_stores(settings)
    with exclusive_run(stores.engine, settings):  # as another `python -m ingest` would hold it
        code = ingest_cli([str(sample_path("000")), "--data-dir", str(settings.data_dir)])
        assert code == 1 and "另一个导入" in capsys.readouterr().out
        assert store.list_documents(stores.engine) == []
    assert ingest_cli(["--check", "--data-dir", str(settings.data_dir)]) == 0  # free again
