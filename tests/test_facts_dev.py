"""Facts on the real dev PDFs: regressions of known misreads, and agreement of prose with tables.

Each PDF runs through the in-memory stages (`ingest.pipeline.prepare`). Figures are compared in 元
within half a unit of the last digit printed, so '4.5 万元' agrees with '4.54 万元'. The last section
checks the same rules on small hand-made texts, which need no corpus.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from gongkai.types import Fact
from ingest.numbers import to_yuan
from ingest.pipeline import Prepared
from tests.conftest import DEV_PDFS
from tests.test_facts import facts_of as facts_of_text
from tests.test_facts import find

dev = pytest.mark.skipif(not DEV_PDFS.is_dir(), reason="dev corpus not present")

PDFS = sorted(path.name for path in DEV_PDFS.glob("*.pdf")) if DEV_PDFS.is_dir() else []
GRAND_TOTALS = ("收入合计", "支出合计")
_CLASSIFICATION_MARK = re.compile(r"[（(](类|款|项)[）)]")


@cache
def prepared(name: str) -> Prepared:
    from gongkai.settings import get_settings
    from ingest.pipeline import prepare

    return prepare(DEV_PDFS / name, get_settings())


def facts_of(name: str) -> list[Fact]:
    return prepared(name).facts


def printed(name: str, text: str, **fields) -> list[Fact]:
    """Facts whose number is printed as `text` and whose fields are as given."""
    return [
        fact
        for fact in facts_of(name)
        if fact.text == text and all(getattr(fact, key) == want for key, want in fields.items())
    ]


def table_title(name: str, fact: Fact) -> str:
    return next(table.title for table in prepared(name).tables if table.index == fact.table_index)


def tolerance(fact: Fact) -> float:
    """Half a unit of the last digit printed, in 元."""
    decimals = len(fact.text.split(".")[1]) if "." in fact.text else 0
    return to_yuan(0.5 * 10**-decimals, fact.unit)


def agree(one: Fact, other: Fact) -> bool:
    assert one.value_yuan is not None and other.value_yuan is not None
    return abs(one.value_yuan - other.value_yuan) <= max(tolerance(one), tolerance(other)) + 1e-6


def values(name: str, metric: str, source: str) -> list[Fact]:
    return [
        fact
        for fact in facts_of(name)
        if fact.metric == metric and fact.measure == "value" and fact.source == source
    ]


# --- regressions, one per class of misread ------------------------------------------------------


@dev
def test_a_classified_item_is_not_the_grand_total():
    hits = printed("js_gaoyuan_2017_dept_budget.pdf", "11786.92", source="prose")
    assert hits and all(fact.metric == "" for fact in hits)
    assert all("行政运行（项）支出" in fact.metric_raw for fact in hits)
    housing = printed("js_gaoyuan_2018_dept_budget.pdf", "1398.26", source="prose")
    assert housing and housing[0].metric == ""  # 住房改革支出（款）住房公积金（项）支出


@dev
@pytest.mark.parametrize("name", PDFS)
def test_grand_totals_are_true_totals(name):
    """Every 收入合计/支出合计 of the document's own year and scope is one and the same figure."""
    meta = prepared(name).doc.meta
    for metric in GRAND_TOTALS:
        totals = [
            fact
            for fact in facts_of(name)
            if fact.metric == metric and fact.measure == "value" and fact.year == meta.year
        ]
        assert not [fact for fact in totals if _CLASSIFICATION_MARK.search(fact.metric_raw)]
        for fact in totals:
            assert all(agree(fact, other) for other in totals if other.scope == fact.scope), (
                fact.metric_raw,
                fact.text,
                sorted({other.text for other in totals}),
            )


@dev
def test_a_total_after_a_classified_label_is_the_labels_total():
    hits = printed("js_jianchayuan_2018_dept_budget.pdf", "16,444.36", source="prose")
    assert hits and hits[0].metric == "" and "检察（款）" in hits[0].metric_raw


@dev
def test_the_total_of_a_table_listing_several_metrics_is_none_of_them():
    name = "js_gaoyuan_2018_dept_budget.pdf"
    total = printed(name, "2,558.26", source="table")
    assert total and total[0].metric == ""
    assert "合计" in total[0].metric_raw and "会议费、培训费" in total[0].metric_raw
    assert printed(name, "620.75", metric="三公经费", source="table")
    assert printed(name, "271.26", metric="会议费", source="table")
    assert printed(name, "1,666.25", metric="培训费", source="table")


@dev
def test_a_column_naming_its_own_money_gets_no_title_metric():
    hits = printed("js_gaoyuan_2018_dept_budget.pdf", "3,258.06", source="table")
    assert hits and all(fact.metric == "" for fact in hits)  # 单位预留机动经费


@dev
def test_what_a_procurement_table_buys_is_not_the_units_spending():
    name = "js_gaoyuan_2018_dept_budget.pdf"
    procured = [fact for fact in facts_of(name) if fact.source == "table" and fact.metric]
    in_procurement = [fact for fact in procured if "政府采购" in table_title(name, fact)]
    # the table's total and its categories (货物A / 工程B / 服务C) only: what is bought carries no metric
    assert [fact.metric for fact in in_procurement] == ["政府采购", "政府采购货物", "政府采购工程", "政府采购服务"]
    assert in_procurement[0].text == "4,641.62"


@dev
def test_procurement_kinds_and_set_aside_shares():
    text = "js_zhengxie_bgt_2017_dept_budget_text.pdf"
    assert printed(text, "259.32", metric="政府采购货物", measure="value")
    assert printed(text, "1,011.90", metric="政府采购服务", measure="value")
    assert printed(text, "1,271.22", metric="政府采购", measure="value")
    street = "sh_putuo_wanlijiedao_2023_dept_budget.pdf"
    assert printed(street, "830.00", metric="政府采购")
    for share in ("332.00", "232.40"):  # 面向中小企业预留 / 预留给小型和微型企业
        assert printed(street, share) and not printed(street, share, metric="政府采购")


@dev
def test_appropriation_tables_total_appropriations():
    name = "js_gaoyuan_2019_dept_budget.pdf"
    in_appropriation = [
        fact
        for fact in facts_of(name)
        if fact.source == "table" and "财政拨款收支" in table_title(name, fact)
    ]
    assert {fact.metric for fact in in_appropriation if fact.is_rollup} >= {
        "财政拨款收入",
        "财政拨款支出",
    }
    assert not [fact for fact in in_appropriation if fact.metric in GRAND_TOTALS]
    final = "sh_putuo_caizhengju_2024_dept_final.pdf"
    assert printed(final, "2,940.05", metric="财政拨款收入", source="table")
    assert printed(final, "2,946.25", metric="收入合计", source="table")


@dev
@pytest.mark.parametrize("name", PDFS)
def test_an_item_name_column_makes_no_project_table(name):
    summary = [
        fact
        for fact in facts_of(name)
        if fact.source == "table" and re.search(r"收支|收入|支出总表", table_title(name, fact))
    ]
    assert not [fact for fact in summary if fact.metric == "项目经费"]


@dev
def test_changes_whose_cause_follows_the_verb():
    court = printed("js_gaoyuan_2018_dept_budget.pdf", "1447.63", metric="基本支出")
    assert court and {fact.measure for fact in court} == {"change"}
    congress = printed("js_renda_bgt_2017_dept_budget.pdf", "844.15", metric="基本支出")
    assert congress and {fact.measure for fact in congress} == {"change"}


@dev
def test_a_year_in_brackets_dates_its_figure():
    hits = printed("js_zhengxie_bgt_2017_dept_budget_text.pdf", "8,648.07")
    assert hits and hits[0].metric == "支出合计" and hits[0].year == 2016


@dev
def test_a_cited_table_title_is_no_subject():
    hits = printed("js_jianchayuan_2019_dept_budget.pdf", "315", source="prose")
    assert hits and all(fact.metric != "财政拨款支出" for fact in hits)


@dev
def test_classification_digit_columns_are_no_figures():
    name = "sh_putuo_caizhengju_2024_dept_final.pdf"
    tables = prepared(name).tables
    for fact in facts_of(name):
        if fact.source == "table" and fact.col is not None:
            table = next(table for table in tables if table.index == fact.table_index)
            column = table.columns[fact.col] if fact.col < len(table.columns) else ""
            assert not re.search(r"(^|/)\s*[类款项]\s*$", column), (column, fact.text)
    assert printed(name, "2,946.25", metric="收入合计", unit="万元", source="table")


@dev
def test_a_unit_broken_over_a_line_break():
    hits = printed("js_zhengxie_bgt_2019_dept_budget_text.pdf", "156.6", source="prose")
    assert any(fact.metric == "公务用车购置及运行费" and fact.unit == "万元" for fact in hits)


@dev
def test_part_columns_are_not_their_parent():
    name = "sh_putuo_wanlijiedao_2023_dept_budget.pdf"
    table = [fact for fact in facts_of(name) if fact.source == "table"]
    car = [fact for fact in table if "公务用车购置及运行费" in fact.metric_raw]
    assert [fact.metric for fact in car if fact.is_rollup] == ["公务用车购置及运行费"]
    assert {fact.metric for fact in car if not fact.is_rollup} == {""}  # 购置费 / 运行费


@dev
def test_a_definition_line_heads_no_item():
    hits = printed("sh_city_caizhengju_2025_unit_budget.pdf", "17,192", source="prose")
    assert {fact.metric for fact in hits} >= {"收入合计", "支出合计", "财政拨款支出"}
    assert not [fact for fact in hits if "机关运行经费" in fact.metric_raw]


# --- prose against tables ----------------------------------------------------------------------


def sangong_pairs(name: str) -> list[tuple[Fact, list[Fact]]]:
    """(prose 三公经费 total, the tables' 三公经费 figures of the same year and scope)."""
    tables = values(name, "三公经费", "table")
    return [
        (fact, same)
        for fact in values(name, "三公经费", "prose")
        if (same := [t for t in tables if (t.year, t.scope) == (fact.year, fact.scope)])
    ]


def total_pairs(name: str) -> list[tuple[Fact, list[Fact]]]:
    """(prose 收入合计/支出合计, the same totals in the 收支总表) for the document's own year."""
    year = prepared(name).doc.meta.year
    pairs = []
    for metric in GRAND_TOTALS:
        summary = [
            fact
            for fact in values(name, metric, "table")
            if re.search(r"收支|收入支出", table_title(name, fact)) and fact.year == year
        ]
        for fact in values(name, metric, "prose"):
            same = [t for t in summary if t.scope == fact.scope]
            if fact.year == year and same:
                pairs.append((fact, same))
    return pairs


@dev
@pytest.mark.parametrize("name", PDFS)
def test_prose_sangong_total_agrees_with_the_table(name):
    for fact, table in sangong_pairs(name):
        assert any(agree(fact, other) for other in table), (fact.text, [t.text for t in table])


@dev
@pytest.mark.parametrize("name", PDFS)
def test_prose_grand_totals_agree_with_the_summary_table(name):
    for fact, table in total_pairs(name):
        assert any(agree(fact, other) for other in table), (fact.text, [t.text for t in table])


@dev
def test_enough_documents_state_both():
    assert sum(bool(sangong_pairs(name)) for name in PDFS) >= 3
    assert sum(bool(total_pairs(name)) for name in PDFS) >= 10


# --- the same rules on small hand-made texts (no corpus needed) ----------------------------


def test_a_classified_item_keeps_its_own_name_not_the_grand_total():
    facts = facts_of_text(
        "（二）支出预算总计 100 万元。包括：\n"
        "1．法院（款）行政运行（项）支出 60 万元，与上年相比增加 5 万元。\n"
    )
    assert find(facts, value=100, metric="支出合计")
    item = find(facts, value=60)
    assert item and item[0].metric == "" and "行政运行（项）支出" in item[0].metric_raw


def test_a_total_after_a_classified_label_is_the_labels():
    facts = facts_of_text("检察（款）：2018 年预算支出合计 16 万元。\n")
    assert facts and facts[0].metric == "" and facts[0].metric_raw.startswith("检察（款）")


def test_the_total_column_of_a_table_listing_metrics_is_none_of_them():
    facts = facts_of_text(
        "“三公”经费、会议费、培训费支出预算表\n单位：万元\n\n"
        "| 合计 | “三公”经费 | 会议费 | 培训费 |\n| --- | --- | --- | --- |\n| 30 | 10 | 8 | 12 |\n"
    )
    total = find(facts, value=30, source="table")
    assert total and total[0].metric == "" and "合计" in total[0].metric_raw
    assert [f.metric for f in facts if f.value != 30] == ["三公经费", "会议费", "培训费"]


def test_a_procurement_tables_rows_are_what_it_buys():
    facts = facts_of_text(
        "政府采购预算表\n单位：万元\n\n| 项目 | 采购品目 | 金额 |\n| --- | --- | --- |\n"
        "| 合计 |  | 50 |\n| 会议费 | 会议服务 | 20 |\n"
    )
    assert find(facts, value=50, metric="政府采购", source="table")
    assert find(facts, value=20, metric="", source="table")


def test_a_change_verb_before_its_cause_or_its_subject():
    facts = facts_of_text("主要原因是基本支出增加人员工资等 12.5 万元，项目支出安排减少 2 万元。\n")
    assert find(facts, value=12.5, metric="基本支出", measure="change")
    assert find(facts, value=-2, metric="项目支出", measure="change")
    facts = facts_of_text("主要原因是政策性增资等原因，增加基本支出 8 万元。\n")
    assert find(facts, value=8, metric="基本支出", measure="change")


def test_a_cited_table_is_no_subject_and_a_bracketed_year_dates_its_figure():
    facts = facts_of_text("三是《财政拨款支出预算表》增加了“事业运行”科目 3 万元。\n")
    assert facts and facts[0].metric != "财政拨款支出"
    facts = facts_of_text(
        "2023 年度部门支出预算与上年相比（2022 年度部门支出预算为 80 万元），增加 20 万元。\n"
    )
    assert find(facts, value=80, metric="支出合计", year=2022)


def test_a_unit_broken_over_a_line():
    facts = facts_of_text(
        "江苏省政协办公厅 2019 年一般公共预算机关运行经费预算支出 3.5 万\n元，与上年相比增加 1 万元。\n"
    )
    assert find(facts, value=3.5, metric="机关运行经费", unit="万元", text="3.5")


@dev
def test_a_row_carried_alone_to_the_next_page_is_read():
    """30312 提租补贴 is the only row of 财政拨款基本支出预算表 printed on its next page; read, the
    303 rollup equals its children."""
    tables = prepared("js_renda_bgt_2017_dept_budget.pdf").tables
    rows = [row for table in tables for row in table.rows]
    codes = [row.code for row in rows]
    start = codes.index("303")
    children = []
    for row in rows[start + 1 :]:
        if not (row.code or "").startswith("303"):
            break
        children.append(row)
    assert [row.code for row in children][-1] == "30312"
    values = [c.value for row in [rows[start], *children] for c in row.cells[-1:]]
    assert values[0] == pytest.approx(sum(values[1:]))
