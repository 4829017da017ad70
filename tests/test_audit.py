"""The audit on real documents: each rule holds on a real excerpt and names the one number a copy
changes; the samples audit clean but for their own slips; the chat routes audit questions;
officials' documents stay theirs. (The word, year, table and template rules are tested on planted
copies of dev PDFs in test_audit_planted.py.)"""

from __future__ import annotations

import csv
import json

import pytest

from assistant.ask import ask
from assistant.audit import RULES, AuditError, Figure, audit, audit_all
from assistant.audit.__main__ import main as audit_cli
from assistant.audit.answer import asks_audit
from assistant.audit.findings import check, half_unit, total_of
from assistant.audit.tables import column_groups
from tests.audit_planted import PLANTS
from tests.audit_seeds import EXCERPTS, SEEDS, excerpt, seeded

OFFICIAL_SEED = "basic_split"  # stored as an official document


@pytest.fixture(scope="module")
def audit_store(tmp_path_factory):
    """Unchanged excerpts and one seeded copy per rule, ingested once into real stores."""
    from gongkai.settings import get_settings
    from ingest.pipeline import ingest_file, open_stores

    folder = tmp_path_factory.mktemp("audit")
    settings = get_settings(data_dir=folder / "data")
    stores = open_stores(settings)
    clean = {}
    for sample in EXCERPTS:
        path = folder / f"excerpt_{sample}.txt"
        path.write_text(excerpt(sample), encoding="utf-8")
        result = ingest_file(path, stores, settings)
        assert result.status == "ingested", result.error
        clean[sample] = result.doc_id
    changed = {}
    for seed in SEEDS:
        text, start, end = seeded(seed)
        path = folder / f"seeded_{seed.rule}.txt"
        path.write_text(text, encoding="utf-8")
        visibility = "official" if seed.rule == OFFICIAL_SEED else "public"
        result = ingest_file(path, stores, settings, visibility=visibility)
        assert result.status == "ingested", result.error
        changed[seed.rule] = (result.doc_id, start, end, seed.new)
    return settings, stores, clean, changed


# An excerpt is cut from a whole document: the tables after its last line are missing, and the
# completeness rule rightly says so (tested below); the other rules see the excerpt as whole.
CUT_OFF = {"004": {"部门收支总表", "部门收入总表", "部门支出总表", "政府性基金预算支出表"}, "003": set()}


def _spans(finding):
    return {(c.start, c.end) for c in finding.citations}


def _audit_excerpt(doc_id, engine):
    return [f for f in audit(doc_id, engine=engine) if f.rule != "completeness"]


def test_every_rule_has_a_seed_or_a_planted_defect():
    planted = {plant.rule for plants in PLANTS.values() for plant in plants if plant.rule}
    assert {seed.rule for seed in SEEDS} | planted == set(RULES)


@pytest.mark.parametrize("sample", sorted(EXCERPTS))
def test_the_unchanged_excerpts_audit_clean(audit_store, sample):
    _, stores, clean, _ = audit_store
    assert _audit_excerpt(clean[sample], stores.engine) == []


@pytest.mark.parametrize("sample", sorted(EXCERPTS))
def test_an_excerpt_lacks_the_tables_it_was_cut_off_from(audit_store, sample):
    _, stores, clean, _ = audit_store
    missing = [f for f in audit(clean[sample], engine=stores.engine) if f.rule == "completeness"]
    assert {f.should_be for f in missing} == CUT_OFF[sample]
    assert all(f.citations[0].quote == excerpt(sample).splitlines()[0].strip() for f in missing)  # the title

@pytest.mark.parametrize("rule", [seed.rule for seed in SEEDS])
def test_a_changed_number_is_named_with_its_span(audit_store, rule):
    _, stores, _, changed = audit_store
    doc_id, start, end, printed = changed[rule]
    findings = _audit_excerpt(doc_id, stores.engine)
    assert findings, f"no finding for the seeded {rule}"
    assert all((start, end) in _spans(f) for f in findings)  # nothing but the changed number
    named = [f for f in findings if f.rule == rule]
    assert named and all((start, end) in _spans(f) for f in named)
    for finding in findings:
        figures = [finding.stated, *finding.inputs]
        assert len(finding.citations) == len(figures)
        assert [c.quote for c in finding.citations] == [f.text for f in figures]
        assert abs(finding.difference) > finding.stated.tolerance
        assert finding.severity in ("严重", "轻微") and finding.detail
    quoted = {c.quote for f in named for c in f.citations if (c.start, c.end) == (start, end)}
    assert quoted == {printed}


def test_findings_are_listed_in_text_order_with_the_difference_signed(audit_store):
    _, stores, _, changed = audit_store
    doc_id, *_ = changed["code_rollup"]
    findings = audit(doc_id, engine=stores.engine)
    assert [f.stated.start for f in findings] == sorted(f.stated.start for f in findings)
    grown = next(f for f in findings if f.stated.text == "482.61")
    assert grown.expected == pytest.approx(428.61) and grown.difference == pytest.approx(54.0)


# The samples' own slips, read in their text (they have no PDF): a doubled punctuation mark each.
SAMPLE_FINDINGS = {"002": [("template", "，；")], "003": [("template", "、、")]}


def test_the_samples_audit_clean_but_for_their_own_slips(sample_store):
    _, stores, results = sample_store
    found = audit_all(engine=stores.engine)
    assert set(found) == {r.doc_id for r in results}
    names = {r.doc_id: r.path.rsplit("/", 1)[-1][:3] for r in results}
    assert {names[doc]: [(f.rule, f.stated.text) for f in fs] for doc, fs in found.items() if fs} == SAMPLE_FINDINGS


def test_rounding_within_half_a_unit_is_no_finding():
    def fig(text: str) -> Figure:
        return Figure("x", text, float(text.replace(",", "")), 0, len(text))

    assert half_unit("1,932.33") == 0.005 and half_unit("6") == 0.5
    assert check("row_total", "d", fig("3"), [fig("1.4"), fig("1.4")], total_of, unit="万元", detail="") is None
    assert check("row_total", "d", fig("0.30"), [fig("0.1"), fig("0.2")], total_of, unit="万元", detail="") is None
    assert check("row_total", "d", fig("3.01"), [fig("1.00"), fig("2.00")], total_of, unit="万元", detail="") is None
    found = check("row_total", "d", fig("3.02"), [fig("1.00"), fig("2.00")], total_of, unit="万元", detail="")
    assert found is not None and found.difference == pytest.approx(0.02) and found.severity == "轻微"
    rate = check("stated_change", "d", fig("0.06"), [fig("3,666"), fig("21.8")],
                 lambda v, c: 100 * c / (v - c), unit="%", detail="")
    assert rate is not None and rate.expected == pytest.approx(0.5982, abs=1e-4) and rate.severity == "严重"


def test_total_columns_are_read_from_header_paths():
    assert column_groups(["科目编码", "科目名称", "2021 年预算数 / 小计", "2021 年预算数 / 基本支出",
                          "2021 年预算数 / 项目支出"]) == [(2, [3, 4])]
    assert column_groups(["机构名称", "支出合计", "支出合计 / 基本支出", "支出合计 / 基本支出 / 人员支出",
                          "支出合计 / 基本支出 / 公用支出", "支出合计 / 项目支出"]) == [(1, [2, 5]), (2, [3, 4])]
    assert column_groups(["项目", "本年数", "上年数 / 合计", "上年数 / 增减%"]) == []  # not parts


def test_officials_documents_are_not_audited_for_the_public(audit_store):
    _, stores, _, changed = audit_store
    doc_id, *_ = changed[OFFICIAL_SEED]
    with pytest.raises(AuditError):
        audit(doc_id, engine=stores.engine, visibility=("public",))
    assert doc_id not in audit_all(engine=stores.engine, visibility=("public",))
    assert audit(doc_id, engine=stores.engine)  # officials see its finding


@pytest.mark.parametrize("question,expected", [
    ("这份决算的数据有没有对不上的地方?", True), ("潼南区的三公经费合计对吗?", True),
    ("汨罗市2018年决算数据是否一致?", True), ("请核对潼南区的预算表", True), ("潼南区收支是否平衡?", True),
    ("潼南区2021年三公经费预算是多少?", False), ("哪个地方三公经费最高?", False),
    ("潼南区为什么2021年支出大幅增加?", False),
])
def test_audit_questions_are_recognised(question, expected):
    assert asks_audit(question) is expected


def test_the_chat_answers_an_audit_question_with_cited_findings(audit_store):
    settings, _, _, changed = audit_store
    doc_id, start, end, printed = changed["three_public"]
    answer = ask("潼南区的三公经费合计对吗?", settings=settings)
    assert answer.route == "sql" and answer.why.startswith("核对数据")
    assert "三公经费" in answer.answer and f"所述为 {printed}万元" in answer.answer
    assert any((c.doc_id, c.start, c.end) == (doc_id, start, end) for c in answer.citations)
    assert answer.rows and all(row[1] == RULES["three_public"] for row in answer.rows)


def test_the_chat_never_audits_officials_documents_for_the_public(audit_store):
    settings, _, _, changed = audit_store
    doc_id, *_ = changed[OFFICIAL_SEED]
    public = ask("汨罗市2018年的决算数据有没有对不上的地方?", settings=settings)
    official = ask("汨罗市2018年的决算数据有没有对不上的地方?", settings=settings, user="official")
    assert all(c.doc_id != doc_id for c in public.citations)
    assert any(c.doc_id == doc_id for c in official.citations)


def test_the_chat_says_when_the_checks_found_nothing(sample_store):
    settings, _, _ = sample_store
    answer = ask("潼南区的三公经费合计对吗?", settings=settings)
    assert answer.route == "sql" and not answer.citations
    assert "没有发现对不上的数字" in answer.answer and "表格合计与分项" in answer.answer


def test_the_cli_prints_and_writes_every_finding(audit_store, tmp_path, capsys):
    settings, *_ = audit_store
    out = tmp_path / "audit.csv"
    assert audit_cli(["--data-dir", str(settings.data_dir), "--all", "--csv", str(out)]) == 0
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["rule"] for r in rows} == {seed.rule for seed in SEEDS} | {"completeness"}
    assert all(r["stated"] and r["expected"] and (r["difference"] or r["rule"] == "completeness")
               for r in rows)
    report = capsys.readouterr().out  # not a terminal: the plain report, a figure per line
    assert report.startswith("数据核对：") and "已运行的检查：" in report
    assert all(f"（第 {r['stated_span'].replace('-', '–')} 字）" in report for r in rows)
    with pytest.raises(SystemExit):
        audit_cli(["--data-dir", str(settings.data_dir)])  # neither documents nor --all
    assert audit_cli(["--data-dir", str(settings.data_dir), "nosuchdocument"]) == 1


def test_the_cli_writes_json_for_machines(audit_store, capsys):
    settings, _, _, changed = audit_store
    doc_id, start, end, printed = changed["three_public"]
    assert audit_cli(["--data-dir", str(settings.data_dir), doc_id, "--json"]) == 0
    found = json.loads(capsys.readouterr().out)  # only the JSON on standard output
    seeded = next(f for f in found if f["rule"] == "three_public")
    assert (seeded["stated"]["start"], seeded["stated"]["end"], seeded["stated"]["text"]) == (start, end, printed)
    assert [c["quote"] for c in seeded["citations"]] == [seeded["stated"]["text"], *(i["text"] for i in seeded["inputs"])]
    assert seeded["expected"] == 6 and seeded["difference"] == 2
