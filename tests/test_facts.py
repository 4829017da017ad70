"""Facts from the real seeds (prose and tables) and from small hand-made documents."""

from __future__ import annotations

import re
from functools import cache

import pytest

from gongkai.types import Cell, Document, DocumentMeta, Fact, Row, Table
from ingest.facts import extract_facts
from ingest.numbers import parse_number
from ingest.tables import extract_tables
from ingest.vocab import METRICS, match_metric, metric_for_code
from tests.conftest import SEEDS

# The seeds' year and type, as `ingest.describe` would state them.
SEED_META = {
    "000": (2024, "项目文本"),  # 澄江 政务服务管理局 project text
    "001": (2021, "项目文本"),  # 呈贡 政务中心窗口服务经费
    "002": (2023, "预算说明"),  # 柞水 政务服务中心
    "003": (2018, "决算"),  # 汨罗 政务服务中心
    "004": (2021, "预算"),  # 潼南 政务服务管理办公室
}


def _meta(year: int | None, doc_type: str | None) -> DocumentMeta:
    return DocumentMeta(
        title="", locality=None, unit_name=None, unit_kind=None, year=year, doc_type=doc_type
    )


def _document(text: str, meta: DocumentMeta | None, doc_id: str = "d") -> Document:
    return Document(
        id=doc_id, path=f"{doc_id}.txt", file_type="txt", sha256="", text=text, meta=meta
    )


@cache
def seed(prefix: str) -> tuple[Document, tuple[Fact, ...]]:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    doc = _document(path.read_text(encoding="utf-8"), _meta(*SEED_META[prefix]), prefix)
    return doc, tuple(extract_facts(doc, extract_tables(doc)))


def facts_of(text: str, meta: DocumentMeta | None = None) -> list[Fact]:
    doc = _document(text, meta if meta is not None else _meta(2023, "预算"))
    return extract_facts(doc, extract_tables(doc))


def find(facts, *, value: float, source: str | None = None, **fields) -> list[Fact]:
    return [
        f
        for f in facts
        if abs(f.value - value) < 1e-9
        and (source is None or f.source == source)
        and all(getattr(f, key) == wanted for key, wanted in fields.items())
    ]


# --- acceptance checks on the seeds ------------------------------------------------------------


def test_tongnan_sangong_budget_from_prose_and_from_its_table():
    _, facts = seed("004")
    for source in ("prose", "table"):
        hits = find(
            facts, value=6, source=source, metric="三公经费", scope="预算", unit="万元", year=2021
        )
        assert hits, source
    assert find(facts, value=-1, source="prose", metric="三公经费", measure="change")
    assert find(facts, value=2, source="table", metric="公务接待费", scope="预算")
    assert find(facts, value=4, source="table", metric="公务用车运行维护费", scope="预算")


def test_zhashui_budget_income():
    _, facts = seed("002")
    hits = find(facts, value=159.89, metric="收入合计", scope="预算", year=2023, measure="value")
    assert hits and hits[0].metric_raw == "预算收入"
    assert find(facts, value=46.78, metric="收入合计", measure="change")
    assert find(facts, value=-0.13, metric="三公经费", measure="change")  # 较上年减少 0.13 万元
    assert find(facts, value=92.74, subject_code="2010350", metric_raw="事业运行")


def test_miluo_final_expenditure_and_its_parts():
    _, facts = seed("003")
    total = find(facts, value=846.77, source="prose", metric="支出合计", scope="决算", year=2018)
    assert total
    assert find(facts, value=307.55, source="prose", metric="基本支出", scope="决算")
    assert find(facts, value=539.22, source="prose", metric="项目支出", scope="决算")
    assert find(facts, value=256.23, source="prose", metric="工资福利支出")  # inside the brackets
    assert find(
        facts, value=36.32, metric="基本支出", measure="share"
    )  # 占…36.32%: not 商品和服务支出
    # The same figures in the self-evaluation's 支出和结余 table, whose metrics are columns.
    assert find(facts, value=846.77, source="table", metric="支出合计")
    assert find(facts, value=307.55, source="table", metric="基本支出")
    assert find(facts, value=539.22, source="table", metric="项目支出")
    assert find(facts, value=256.23, source="table", metric="人员经费")


def test_miluo_changes_against_the_prior_year():
    _, facts = seed("003")
    change = find(facts, value=270.89, metric="支出合计", measure="change", year=2018)
    assert change and change[0].text == "270.89"
    assert find(facts, value=47.04, metric="支出合计", measure="change_pct", unit="%")
    assert find(facts, value=169.06, measure="completion", metric="财政拨款支出")
    assert find(facts, value=500.87, metric="年初预算", scope="预算")
    assert find(facts, value=846.77, metric="财政拨款支出", scope="决算")  # 支出决算数为846.77万元


def test_a_sentence_that_only_compares_continues_the_previous_sentence():
    _, facts = seed("003")  # '…支出决算为4.5万元…。与上年决算数相比减少0.45万元,减少了9.09%。'
    change = find(facts, value=-0.45, metric="公务接待费", measure="change")
    assert change and change[0].text == "0.45"
    assert find(facts, value=-9.09, metric="公务接待费", measure="change_pct")
    alone = facts_of("单位概况如下。\n与上年相比减少0.45万元。")  # no sentence before it to continue
    assert not find(alone, value=-0.45)


def test_miluo_reception_batches_and_visitors():
    _, facts = seed("003")
    assert find(facts, value=4.5, metric="公务接待费", scope="决算")
    assert find(facts, value=93, metric="公务接待批次", unit="批次")
    assert find(facts, value=1348, metric="公务接待人次", unit="人次")


def test_chengjiang_project_funds_and_their_items():
    _, facts = seed("000")
    assert find(facts, value=37.0, metric="项目经费", unit="万元", text="37.00")
    vpdn = find(facts, value=3.10, unit="万元")
    assert vpdn and "VPDN专线费" in vpdn[0].metric_raw and "专线使用费" in vpdn[0].metric_raw
    assert find(facts, value=3000, metric="大厅面积", unit="平方米", year=2023)  # 截至2023年12月底
    assert find(facts, value=61, metric="窗口数量", unit="个")
    assert find(facts, value=16, metric="进驻部门", unit="家")


def test_chenggong_annual_allocation():
    _, facts = seed("001")
    assert find(facts, value=241.73, metric="项目经费", unit="万元", scope="预算", year=2021)
    assert find(facts, value=200, metric="办件量", unit="万件", scope="目标", source="table")


@pytest.mark.parametrize("prefix", sorted(SEED_META))
def test_every_span_is_the_number_as_printed(prefix):
    doc, facts = seed(prefix)
    assert facts
    for fact in facts:
        assert doc.text[fact.start : fact.end] == fact.text
        printed = parse_number(fact.text)
        assert printed is not None and abs(abs(printed) - abs(fact.value)) < 1e-9, fact
        if fact.value != printed:
            assert fact.measure in ("change", "change_pct") and fact.value == -printed


@pytest.mark.parametrize("prefix", sorted(SEED_META))
def test_no_year_date_or_code_is_a_fact(prefix):
    doc, facts = seed(prefix)
    for fact in facts:
        assert fact.unit not in ("年", "月", "日", "号")
        after = doc.text[fact.end : fact.end + 2].lstrip()
        if re.fullmatch(r"(19|20)\d\d", fact.text):
            assert not after.startswith("年"), fact
        assert not after.startswith(("号", "〕")), fact


@pytest.mark.parametrize("prefix", sorted(SEED_META))
def test_metrics_fit_their_units(prefix):
    _, facts = seed(prefix)
    kinds = {metric.key: metric.kind for metric in METRICS}
    money = {"元", "万元", "亿元", "千元"}
    for fact in facts:
        if fact.metric and fact.measure == "value":
            kind = kinds[fact.metric]
            assert (kind == "money") == (fact.unit in money), fact
            assert (kind == "rate") == (fact.unit == "%"), fact
        if fact.unit in money and fact.measure in ("value", "change"):
            assert fact.value_yuan == pytest.approx(
                fact.value * {"元": 1, "千元": 1e3, "万元": 1e4, "亿元": 1e8}[fact.unit]
            )


def test_seed_fact_counts_are_in_range():
    counts = {prefix: len(seed(prefix)[1]) for prefix in SEED_META}
    assert all(count >= 10 for count in counts.values()), counts


# --- prose rules on small documents ------------------------------------------------------------


def test_decreases_are_signed_and_printed_positive():
    facts = facts_of(
        "2021年“三公”经费预算6万元，比2020年减少1万元。其中：公务接待费2万元。", _meta(2021, "预算")
    )
    change = find(facts, value=-1, measure="change")
    assert (
        change
        and change[0].metric == "三公经费"
        and change[0].text == "1"
        and change[0].year == 2021
    )
    assert find(facts, value=2, metric="公务接待费", scope="预算")


def test_shares_belong_to_the_figure_outside_the_brackets():
    facts = facts_of(
        "本年支出100.00万元，其中基本支出60.00万元（工资福利支出50.00万元、商品和服务支出10.00万元），"
        "占年度总支出的60.00%；项目支出40.00万元，占40.00%。",
        _meta(2022, "决算"),
    )
    assert find(facts, value=60.0, metric="基本支出", measure="share")
    assert find(facts, value=40.0, metric="项目支出", measure="share")
    assert find(facts, value=50.0, metric="工资福利支出", scope="决算")


def test_counts_read_the_noun_they_count():
    facts = facts_of(
        "大厅实有面积约3,000.00平方米，进驻部门16家，设置了61个办事服务窗口，工作人员100余人。"
        "2020年调出1名工作人员。"
    )
    assert find(facts, value=3000.0, metric="大厅面积", text="3,000.00")
    assert find(facts, value=61, metric="窗口数量")
    assert find(facts, value=100, metric="工作人员", unit="人")
    moved = find(facts, value=1, unit="名")
    assert moved and moved[0].metric == "" and moved[0].year == 2020


def test_years_dates_document_numbers_and_thresholds_are_skipped():
    facts = facts_of(
        "根据（国发〔2022〕5号）文件，2023年1月1日起实施。单价20万元以上的设备0台。"
        "满意度低于90%扣5分。联系电话67481242。"
    )
    assert [(f.text, f.unit) for f in facts] == [("0", "台")]


def test_generic_clauses_inherit_the_sentence_subject():
    facts = facts_of(
        "“三公”经费财政拨款支出预算为4.7万元,支出决算为4.5万元,完成预算的95.74%。",
        _meta(2018, "决算"),
    )
    assert find(facts, value=4.7, metric="三公经费", scope="预算")
    assert find(facts, value=4.5, metric="三公经费", scope="决算")
    assert find(facts, value=95.74, metric="三公经费", measure="completion")


def test_without_meta_scope_and_year_come_from_the_text():
    facts = facts_of("2019年机关运行经费预算3.5万元。项目经费共计10.00万元。", None)
    doc = _document("2019年机关运行经费预算3.5万元。项目经费共计10.00万元。", None)
    facts = extract_facts(doc, [])
    assert find(facts, value=3.5, metric="机关运行经费", scope="预算", year=2019)
    assert find(facts, value=10.0, metric="项目经费", scope="", year=None)


def test_subject_codes_in_brackets():
    facts = facts_of(
        "（1）事业运行（2010350）92.74 万元，较上年增加 41.87 万元。工资福利支出(301) 111.91 万元。"
    )
    assert find(facts, value=92.74, metric_raw="事业运行", subject_code="2010350")
    assert find(facts, value=41.87, metric_raw="事业运行", measure="change")
    assert find(facts, value=111.91, metric="工资福利支出", subject_code="301")


def test_pdf_line_breaks_do_not_cut_a_sentence():
    text = "江苏省政协办公厅本年收入预算合计 10,150.48\n万元，与上年相比\n增加 1,003.69 万元，增长\n10.97%。\n"
    facts = facts_of(text, _meta(2018, "预算"))
    assert find(facts, value=10150.48, metric="收入合计", text="10,150.48", unit="万元")
    assert find(facts, value=1003.69, metric="收入合计", measure="change")
    assert find(facts, value=10.97, measure="change_pct", unit="%")


# --- tables --------------------------------------------------------------------------------------


def _cell(text: str, row: int, col: int, offset: int) -> Cell:
    return Cell(row, col, text, offset, offset + len(text), parse_number(text))


def _table(
    doc_id: str,
    text: str,
    grid: list[list[str]],
    columns: tuple[str, ...],
    title: str,
    unit: str | None,
    codes: list[str | None],
    rollups: list[bool],
) -> Table:
    """A table over `text` whose cells are found in order (each cell text occurs once after the last)."""
    rows, cursor = [], 0
    for r, cells in enumerate(grid):
        built = []
        for c, cell_text in enumerate(cells):
            offset = text.index(cell_text, cursor) if cell_text else cursor
            built.append(_cell(cell_text, r, c, offset))
            cursor = offset + len(cell_text)
        rows.append(
            Row(
                r,
                tuple(built),
                label=cells[1] if len(cells) > 1 else cells[0],
                code=codes[r],
                is_rollup=rollups[r],
            )
        )
    return Table(doc_id, 0, title, unit, "tsv", 0, len(text), None, columns, tuple(rows))


def test_table_breakdown_columns_and_rollups():
    grid = [
        ["", "合计", "1,000.00", "600.00", "400.00"],
        ["201", "一般公共服务支出", "900.00", "500.00", "400.00"],
        ["2010301", "行政运行", "500.00", "500.00", ""],
    ]
    text = "\n".join("\t".join(row) for row in grid)
    table = _table(
        "t",
        text,
        grid,
        (
            "科目编码",
            "科目名称",
            "2022年预算数 / 小计",
            "2022年预算数 / 基本支出",
            "2022年预算数 / 项目支出",
        ),
        "一般公共预算财政拨款支出预算表",
        "万元",
        [None, "201", "2010301"],
        [True, True, False],
    )
    doc = _document(text, _meta(2022, "预算"), "t")
    facts = extract_facts(doc, [table])
    assert find(facts, value=600.0, metric="基本支出", is_rollup=True, scope="预算", year=2022)
    assert find(facts, value=900.0, metric="一般公共服务支出", subject_code="201", is_rollup=True)
    cross = find(facts, value=500.0, subject_code="201")
    assert cross and cross[0].metric == ""  # 一般公共服务支出 × 基本支出 is neither total
    leaf = find(facts, value=500.0, subject_code="2010301", col=2)
    assert leaf and leaf[0].is_rollup  # the 小计 cell of a row that has breakdown cells
    assert all(f.source == "table" and f.unit == "万元" and f.table_index == 0 for f in facts)


def test_indicator_table_values_are_targets_with_their_own_units():
    grid = [
        ["指标名称", "计量单位", "指标值"],
        ["入驻部门", "个", "28"],
        ["受理政务服务事项数", "", "96 万件"],
        ["事项上网率", "百分率", "≥80"],
        ["项目起始时间", "", "2021"],
    ]
    text = "\n".join("\t".join(row) for row in grid)
    table = _table(
        "i",
        text,
        grid[1:],
        ("指标名称", "计量单位", "指标值"),
        "项目绩效目标表",
        None,
        [None] * 4,
        [False] * 4,
    )
    facts = extract_facts(_document(text, _meta(2021, "绩效目标"), "i"), [table])
    assert find(facts, value=28, metric="进驻部门", unit="个", scope="目标")
    assert find(facts, value=96, metric="办件量", unit="万件", scope="目标")
    assert find(facts, value=80, unit="%", scope="目标")
    assert not find(facts, value=2021)


# --- vocabulary ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phrase, key",
    [
        ("公务用车运行维护费", "公务用车运行维护费"),
        ("公务用车购置及运行费", "公务用车购置及运行费"),
        ("一般公共预算拨款收入", "一般公共预算拨款"),
        ("一般公共预算财政拨款运行经费", "机关运行经费"),
        ("“三公”经费财政拨款支出预算", "三公经费"),
        ('"三公"经费', "三公经费"),
        ("因公出国（境）经费", "因公出国(境)费"),
        ("其他工资福利支出", ""),
        ("其他资金收入预算总计", ""),
        ("本年决算总支出", "支出合计"),
        ("江苏省政协办公厅本年收入预算合计", "收入合计"),
        ("以上项目经费共计", "项目经费"),
        ("群众满意率", "满意率"),
        ("事业运行", ""),
        ("法院（款）行政运行（项）支出", ""),
        ("住房改革支出（款）住房公积金（项）支出", ""),
        ("社会保障和就业（类）支出", "社会保障和就业支出"),
        ("当年收入小计", "收入合计"),
        ("货物类政府采购支出预算", "政府采购货物"),
        ("面向中小企业预留政府采购项目预算金额", ""),
        ("其余会议费", ""),
        ("政府性基金预算财政拨款支出预算表", "政府性基金预算拨款"),
        ("公务车购置及运行费", "公务用车购置及运行费"),
    ],
)
def test_match_metric(phrase, key):
    assert match_metric(phrase) == key


def test_match_metric_respects_units_and_codes():
    assert match_metric("接待批次", "批次") == "公务接待批次"
    assert match_metric("工作人员", "万元") == ""
    assert metric_for_code("30217") == "公务接待费" and metric_for_code("301") == "工资福利支出"
    assert metric_for_code("30101") == ""


def test_vocabulary_is_general():
    keys = [metric.key for metric in METRICS]
    assert len(keys) == len(set(keys)) >= 60
    places = re.compile(r"潼南|柞水|汨罗|澄江|呈贡|重庆|云南|湖南|陕西|昆明")
    assert not any(places.search(s) for metric in METRICS for s in metric.synonyms)
