"""The answering eval over the five samples: accuracy, no invented figures, every figure cited.

The questions (tests/eval/questions.yaml) carry figures read off the documents; `bench.eval`
asks them against a store of the samples and scores the answers. The first tests check the eval
itself (no store needed); the rest run it once per session on the shared sample store.
"""

from __future__ import annotations

import re
from collections import Counter
from types import SimpleNamespace

import pytest

from bench.eval import (
    CATEGORIES,
    MARKER,
    EvalReport,
    figures_in,
    invented_figures,
    load_questions,
    marked_figures,
    parse_expected,
    quotes_number,
    run_eval,
    stated_figures,
)
from bench import blind, blind_check
from tests.conftest import DEV_PDFS, SAMPLES

pytestmark = pytest.mark.backends("embedded", "server")  # the stored samples' tests only

MIN_ACCURACY = 0.90
AGGREGATES = ("rank", "total", "share")


def _answer(text: str, *quotes: str) -> SimpleNamespace:
    return SimpleNamespace(answer=text, citations=[SimpleNamespace(quote=q) for q in quotes])


# ---------------------------------------------------------------- the eval itself


def test_questions_cover_every_category():
    questions = load_questions()
    counts = Counter(q.category for q in questions)
    assert len(questions) >= 80
    assert {c for c, n in counts.items() if n >= 10} == set(CATEGORIES), counts


def test_every_expected_figure_is_printed_in_a_cited_sample():
    texts = {p.name[:3]: p.read_text(encoding="utf-8") for p in SAMPLES.glob("*.txt")}
    for question in load_questions():
        sources = [texts[p] for p in question.cites] or list(texts.values())
        for raw in question.figures:
            number = parse_expected(raw).text
            assert any(quotes_number(text, number) for text in sources), (question.id, raw)


def test_unanswerable_questions_expect_no_figures():
    for question in load_questions():
        if question.expect_none:
            assert not question.figures and not question.computed, question.id


def test_invented_figure_is_caught_and_computed_ones_pass():
    quotes = ("一般公共预算拨款 1932.33 万元", "拨款收入 159.89 万元")
    honest = _answer("合计为 2092.22万元，由以下 2 个数字计算：1932.33万元 [1] + 159.89万元 [2]", *quotes)
    made_up = _answer("潼南区2021年一般公共预算拨款为 1932.33万元 [1]，比上年增加 88万元", *quotes)
    assert invented_figures(honest) == []
    assert invented_figures(made_up) == ["88万元"]


def test_years_markers_and_list_numbers_are_no_figures():
    answer = _answer("1. 潼南区2021年：6万元 [1]\n由2020年 7万元 [2] 到2021年 6万元 [1]，减少 1万元",
                     "2021年三公经费预算6万元", "2020年7万元")
    assert invented_figures(answer) == []
    assert [f.text for f in stated_figures("2. 潼南区2021年：6万元 [3]")] == ["6"]


# ---------------------------------------------------------------- the eval run on the samples


@pytest.fixture(scope="module")
def report(sample_store) -> EvalReport:
    settings, _, results = sample_store
    assert all(r.status != "failed" for r in results), [r.error for r in results]
    return run_eval(settings)


def test_accuracy(report):
    assert report.accuracy >= MIN_ACCURACY, "\n" + report.markdown()


def test_no_invented_figures(report):
    invented = {o.question.id: o.invented for o in report.outcomes if o.invented}
    assert not invented, invented


def _sql_answers(report: EvalReport) -> list:
    return [o for o in report.outcomes if o.answer is not None and o.answer.route in ("sql", "both")]


def test_sql_figures_are_quoted_by_their_citation(report):
    outcomes = _sql_answers(report)
    assert outcomes
    for outcome in outcomes:
        citations = outcome.answer.citations
        for number, marker in marked_figures(outcome.answer):
            assert 1 <= marker <= len(citations), (outcome.question.id, marker)
            assert quotes_number(citations[marker - 1].quote, number), (
                outcome.question.id, number, citations[marker - 1].quote)
        assert not invented_figures(outcome.answer), outcome.question.id


def _covers(citation, doc_id: str, start: int, end: int) -> bool:
    return citation.doc_id == doc_id and citation.start <= start and end <= citation.end


def test_aggregates_cite_every_row_they_use(report):
    checked = 0
    for outcome in _sql_answers(report):
        answer = outcome.answer
        if outcome.question.category not in AGGREGATES or not answer.rows:
            continue
        checked += 1
        markers = {int(n) for n in MARKER.findall(answer.answer)}
        if outcome.question.category == "share":
            for line in answer.answer.splitlines():
                if "占" in line:
                    assert len(set(MARKER.findall(line))) >= 2, (outcome.question.id, line)
            continue
        column = {name: i for i, name in enumerate(answer.columns)}
        spans = {(r[column["doc_id"]], r[column["start"]], r[column["end"]]) for r in answer.rows}
        assert len(markers) >= len(spans), (outcome.question.id, len(markers), len(spans))
        for doc_id, start, end in spans:
            assert any(_covers(c, doc_id, start, end) for c in answer.citations), (
                outcome.question.id, doc_id, start)
    assert checked >= 10


def test_unanswerable_answers_name_no_figure(report):
    for outcome in report.outcomes:
        if outcome.question.expect_none and outcome.answer is not None:
            stated = [f for line in outcome.answer.answer.splitlines()
                      for f in figures_in(MARKER.sub("", line))
                      if f.unit and not re.fullmatch(r"(19|20)\d{2}", f.text)]
            assert not stated, (outcome.question.id, outcome.answer.answer)


# ---------------------------------------------------------------- the blind set (tests/eval/blind)

BLIND_KINDS = {"lookup": 100, "cross-unit": 60, "share": 20, "change": 30, "why": 30, "follow-up": 30,
               "absent": 30}
# Measured when the blind set landed (before any fix: 47/312 right outside the holdout, 14/90 in
# it); raised as the fixes it measures land. A drop means a change made answers worse.
MIN_BLIND_RIGHT = 0.92  # measured 362/385 (0.94), batches 1 and 2
MIN_BLIND_HOLDOUT_RIGHT = 0.83  # measured 97/114 (0.85)
MAX_BLIND_WRONG_FIGURES = 9  # measured 7 (5 + 2 in the holdout)


def _blind_answer(text: str, *cited: tuple[str, str], route: str = "sql") -> SimpleNamespace:
    return SimpleNamespace(answer=text, route=route, citations=[
        SimpleNamespace(doc_id=doc, quote=quote) for doc, quote in cited])


def _blind_item(**fields) -> blind.BlindItem:
    return blind._item({"id": "t", "kind": "lookup", "question": "?", "holdout": False, **fields})


LIBRARY_OF_TWO = {"a": {"unit": "甲局", "year": 2019}, "b": {"unit": "乙局", "year": 2019}}
STEMS = {"id-a": "a", "id-b": "b"}


def test_blind_set_has_every_kind_and_a_holdout_quarter():
    items = blind.load_items()
    counts = Counter(i.kind for i in items)
    assert len(items) >= 320
    assert all(counts[kind] >= n for kind, n in BLIND_KINDS.items()), counts
    assert 0.15 <= sum(i.holdout for i in items) / len(items) <= 0.35


@pytest.mark.skipif(not DEV_PDFS.is_dir(), reason="../shared/corpus/dev is not beside the checkout")
def test_every_blind_figure_is_printed_where_its_item_says():
    assert blind_check.problems(blind.load_items(), blind.load_library()) == []


def test_blind_numbers_match_whole_and_money_in_any_unit():
    item = _blind_item(figures=[{"value": "13万元", "doc": "a", "page": 1}], cites=["a"])
    for text in ("2013年为 13.5万元 [1]", "合计 213万元 [1]"):
        scored = blind.score_item(item, _blind_answer(text, ("id-a", "13.5 213")), STEMS, LIBRARY_OF_TWO)
        assert scored.outcome == "wrong figure", text
    right = blind.score_item(item, _blind_answer("为 130,000元 [1]", ("id-a", "经费 13")), STEMS,
                             LIBRARY_OF_TWO)
    assert right.outcome == "right"


def test_blind_figure_of_another_unit_is_a_wrong_figure():
    item = _blind_item(figures=[{"value": "5.00万元", "doc": "a", "page": 1}], cites=["a"])
    answer = _blind_answer("甲局 5.00万元 [1]\n乙局 7.00万元 [2]", ("id-a", "5.00"), ("id-b", "7.00"))
    scored = blind.score_item(item, answer, STEMS, LIBRARY_OF_TWO)
    assert scored.outcome == "wrong figure" and "read from b" in scored.problems[0]


def test_blind_computed_answer_must_state_and_cite_its_operands():
    item = _blind_item(kind="share", cites=["a"], figures=[
        {"value": "27.00万元", "doc": "a", "page": 1}, {"value": "508.20万元", "doc": "a", "page": 1}],
        computed=[{"value": "5.31%", "op": "share", "of": [1, 2]}])
    inverted = _blind_answer("三公经费 508.20万元 [1] 占公务接待费 27.00万元 [2] 的 1882.22%",
                             ("id-a", "508.20"), ("id-a", "27.00"))
    assert blind.score_item(item, inverted, STEMS, LIBRARY_OF_TWO).outcome == "wrong figure"
    uncited = _blind_answer("公务接待费 27.00万元 占三公经费 508.20万元 的 5.31% [1]", ("id-a", "27.00"))
    assert blind.score_item(item, uncited, STEMS, LIBRARY_OF_TWO).outcome == "citation"
    right = _blind_answer("公务接待费 27.00万元 [1] 占三公经费 508.20万元 [2] 的 5.31%",
                          ("id-a", "27.00"), ("id-a", "508.20"))
    assert blind.score_item(item, right, STEMS, LIBRARY_OF_TWO).outcome == "right"


def test_blind_absent_item_is_right_only_refused_without_figures():
    item = _blind_item(kind="absent", expect_none=True)
    refusal = _blind_answer("资料库中没有江苏省教育厅的文件。", route="none")
    assert blind.score_item(item, refusal, STEMS, LIBRARY_OF_TWO).outcome == "right"
    guessed = _blind_answer("乙局2019年三公经费为 7.00万元 [1]", ("id-b", "7.00"))
    assert blind.score_item(item, guessed, STEMS, LIBRARY_OF_TWO).outcome == "wrong figure"


@pytest.fixture(scope="module")
def blind_report(tmp_path_factory):
    from bench.eval import build_store

    if not DEV_PDFS.is_dir():
        pytest.skip("../shared/corpus/dev is not beside the checkout")
    settings = build_store(tmp_path_factory.mktemp("blind") / "data", blind.corpus_paths())
    return blind.run_blind(settings, blind.load_items())


def test_blind_accuracy(blind_report):
    assert blind_report.right(holdout=False) >= MIN_BLIND_RIGHT, "\n" + blind_report.markdown()
    assert blind_report.right(holdout=True) >= MIN_BLIND_HOLDOUT_RIGHT


def test_blind_table_figure_citations_mark_their_cells(blind_report):
    for holdout in (False, True):  # the holdout part as an aggregate only
        marking, checked = blind_report.cells_marking(holdout)
        assert checked and marking == checked, "\n" + (blind_report.markdown() if not holdout else "")


def test_blind_wrong_figures_do_not_grow(blind_report):
    assert blind_report.wrong_figures() <= MAX_BLIND_WRONG_FIGURES, "\n" + blind_report.markdown()
