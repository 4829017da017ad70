"""The 25 real dev PDFs and six truncated web excerpts through the whole pipeline into real stores."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gongkai import db
from ingest.numbers import UNIT_FACTORS
from ingest import store
from tests.conftest import DEV_EXCERPTS, DEV_PDFS
from vectorstore import chroma_store

pytestmark = pytest.mark.skipif(not DEV_PDFS.is_dir(), reason="../shared/corpus/dev is not beside the checkout")


@pytest.fixture(scope="module")
def dev_store(tmp_path_factory):
    from gongkai.settings import get_settings
    from ingest.pipeline import expand_paths, ingest_file, open_stores

    settings = get_settings(data_dir=tmp_path_factory.mktemp("dev") / "data")
    stores = open_stores(settings)
    results = {p.name: ingest_file(p, stores, settings) for p in expand_paths([DEV_PDFS, DEV_EXCERPTS])}
    return stores, results


def test_every_dev_pdf_ingests(dev_store):
    _, results = dev_store
    pdfs = {name: r for name, r in results.items() if name.endswith(".pdf")}
    assert len(pdfs) == 25
    failed = {name: r.error for name, r in pdfs.items() if r.status != "ingested"}
    assert not failed
    assert all(r.facts and r.chunks for r in pdfs.values())
    assert sum(1 for r in pdfs.values() if r.tables) >= 17  # the "_text" PDFs hold prose only


def test_truncated_excerpts_ingest_or_fail_cleanly(dev_store):
    stores, results = dev_store
    excerpts = {name: r for name, r in results.items() if name.endswith(".txt")}
    assert len(excerpts) == 6
    stored = {d["filename"] for d in store.list_documents(stores.engine)}
    for name, result in excerpts.items():
        if result.status == "failed":
            assert result.error and name not in stored
        else:
            assert result.status == "ingested" and name in stored


def test_stores_agree_and_every_span_is_exact(dev_store):
    stores, _ = dev_store
    assert store.check(stores) == {"vectors_without_rows": [], "rows_without_vectors": []}
    with stores.engine.connect() as conn:
        texts = dict(conn.execute(select(db.documents.c.id, db.documents.c.text)).all())
        facts = conn.execute(select(db.facts.c.doc_id, db.facts.c.start, db.facts.c.end, db.facts.c.text)).all()
        cells = conn.execute(select(db.table_cells.c.doc_id, db.table_cells.c.start,
                                    db.table_cells.c.end, db.table_cells.c.text)).all()
    assert all(texts[f.doc_id][f.start:f.end] == f.text for f in facts)
    assert all(texts[c.doc_id][c.start:c.end] == c.text for c in cells)
    assert chroma_store.document_ids(stores.collection) == set(texts)


def _tables(stores, title_word):
    with stores.engine.connect() as conn:
        rows = conn.execute(
            select(db.documents.c.filename, db.doc_tables.c.table_index, db.doc_tables.c.title,
                   db.doc_tables.c.unit, db.doc_tables.c.doc_id)
            .join(db.documents, db.documents.c.id == db.doc_tables.c.doc_id)
            .where(db.doc_tables.c.title.contains(title_word))
        ).all()
    return rows


def test_budget_summary_and_sangong_tables_are_in_sql_with_their_units(dev_store):
    stores, results = dev_store
    summary = {r.filename for r in _tables(stores, "总表") if "收支" in r.title or "收入支出" in r.title}
    sangong = {r.filename for r in _tables(stores, "三公")}
    with_tables = [n for n in results if n.endswith(".pdf") and "_text" not in n]
    # every PDF that carries the public tables has its 收支总表 and its 三公 table
    assert set(with_tables) <= summary, set(with_tables) - summary
    assert set(with_tables) <= sangong, set(with_tables) - sangong
    units = {r.unit for r in _tables(stores, "总表") if "收支" in r.title or "收入支出" in r.title}
    assert units <= {"万元", "元"}


def _half_unit_yuan(text: str, unit: str) -> float:
    """Half a unit of the last printed digit, in 元: the rounding a printed figure may carry."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10 ** -decimals * UNIT_FACTORS.get(unit, 1)


def test_summary_table_totals_equal_the_totals_the_prose_states(dev_store):
    """Where a document states its total in prose and prints its 收支总表, they agree within the
    rounding of the prose figure."""
    stores, _ = dev_store
    f, t = db.facts.c, db.doc_tables.c
    checked = 0
    with stores.engine.connect() as conn:
        for doc_id, filename in conn.execute(select(db.documents.c.id, db.documents.c.filename)):
            prose = conn.execute(
                select(f.value_yuan, f.text, f.unit).where(
                    f.doc_id == doc_id, f.source == "prose", f.metric.in_(["收入合计", "支出合计"]),
                    f.measure == "value", f.value_yuan.is_not(None),
                )
            ).all()
            table_totals = conn.execute(
                select(f.value_yuan)
                .join(db.doc_tables, (t.doc_id == f.doc_id) & (t.table_index == f.table_index))
                .where(f.doc_id == doc_id, f.source == "table", t.title.contains("总表"),
                       t.title.contains("收支") | t.title.contains("收入支出"),
                       f.metric.in_(["收入合计", "支出合计"]), f.value_yuan.is_not(None))
            ).scalars().all()
            if prose and table_totals:
                checked += 1
                agree = [p for p in prose for v in table_totals
                         if abs(p.value_yuan - v) <= _half_unit_yuan(p.text, p.unit) + 0.005]
                assert agree, (filename, [(p.text, p.unit) for p in prose], table_totals)
    assert checked >= 10


# Every finding the audit makes on the dev PDFs, each checked by hand against the PDF's text: all
# are the documents' own slips (a rate that disagrees with its figures, a prose figure that
# disagrees with the tables, a year or a punctuation mark the PDF prints wrong), none a
# misreading of ours. A new finding here needs the same check.
DEV_FINDINGS = sorted([
    # p.25 prints '减少了该项支出。 。'
    ("js_renda_bgt_2018_dept_budget.pdf", "template", "。。"),
    # p.5 of a 2019 budget: '纳入本部门2018年部门汇总预算编制范围'
    ("js_renda_bgt_2019_dept_budget_text.pdf", "years", "2018"),
    # p.21 '财政拨款收入支出总计0.3万元' against the 总表's 总计 2,961.68 (p.13)
    ("sh_putuo_caizhengju_2024_dept_final.pdf", "prose_total", "0.3"),
    # p.6 '执行数为11.67万元，…预算安排45.41万元，比…增加314.82%': 289.12%
    ("sh_putuo_wanlijiedao_2023_dept_budget.pdf", "explicit_base", "314.82"),
    # p.7 item 16 repeats item 15's 441.25 and 60.54% against its own 132.59: 232.79%
    ("sh_putuo_wanlijiedao_2023_dept_budget.pdf", "explicit_base", "60.54"),
    ("js_gaoyuan_2017_dept_budget.pdf", "stated_change", "79.05"),
    ("js_gaoyuan_2018_dept_budget.pdf", "stated_change", "5.95"),
    ("js_jianchayuan_2017_dept_budget.pdf", "stated_change", "2.31"),
    ("js_jianchayuan_2017_dept_budget.pdf", "prose_table", "12323.46"),
    ("js_jianchayuan_2018_dept_budget.pdf", "stated_change", "21.95"),
    ("js_jianchayuan_2018_dept_budget.pdf", "stated_change", "9.1"),
    ("js_jianchayuan_2018_dept_budget.pdf", "share", "99.94"),
    ("js_jianchayuan_2018_dept_budget.pdf", "stated_change", "36.58"),
    ("js_jianchayuan_2018_dept_budget.pdf", "stated_change", "0.06"),
    ("js_jianchayuan_2018_dept_budget.pdf", "stated_change", "0.66"),
    ("js_jianchayuan_2019_dept_budget.pdf", "stated_change", "10.06"),
    ("js_jianchayuan_2019_dept_budget.pdf", "stated_change", "10.15"),
    ("js_jianchayuan_2019_dept_budget.pdf", "stated_change", "13.22"),
    ("js_jianchayuan_2019_dept_budget.pdf", "stated_change", "35.77"),
    ("js_jianchayuan_2019_dept_budget.pdf", "stated_change", "34.38"),
    ("js_jianchayuan_2019_dept_budget.pdf", "stated_change", "10.15"),
    ("js_shengwei_bgt_2017_dept_budget_text.pdf", "stated_change", "1.66"),
    ("js_shengwei_bgt_2019_dept_budget_text.pdf", "stated_change", "30"),
    ("js_shengwei_bgt_2019_dept_budget_text.pdf", "stated_change", "16.07"),
    ("js_zhengxie_bgt_2018_dept_budget_text.pdf", "stated_change", "66.69"),
    ("sh_putuo_caizhengju_2024_dept_final.pdf", "share", "71.73"),
])


def test_the_audit_finds_only_the_documents_own_slips(dev_store):
    from assistant.audit import audit_all

    stores, _ = dev_store
    with stores.engine.connect() as conn:
        names = dict(conn.execute(select(db.documents.c.id, db.documents.c.filename)).all())
    found = audit_all(engine=stores.engine)
    assert sorted((names[doc], f.rule, f.stated.text) for doc, fs in found.items() for f in fs) == DEV_FINDINGS
    for findings in found.values():
        for finding in findings:  # every figure of a finding is cited where it is printed
            assert [c.quote for c in finding.citations] == [finding.stated.text, *(i.text for i in finding.inputs)]
