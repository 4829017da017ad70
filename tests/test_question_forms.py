"""Ways people ask that must not change what is read: '多少批', '增幅多大', '年初预算和决算差了多少'."""

from __future__ import annotations

import pytest

from tests.conftest import ingest_texts

pytestmark = pytest.mark.backends("embedded")

DOCUMENTS = {
    "archive_2024.md": "# 旬阳市档案馆2024年部门决算\n\n旬阳市档案馆2024年部门决算公开。2024年公务接待共接待12批次。"
                       "机关运行经费50.00万元，比上年增加10.00万元，增长25.00%。\n\n"
                       "一般公共预算财政拨款支出决算表（单位：万元）\n\n"
                       "| 科目编码 | 科目名称 | 年初预算数 | 决算数 |\n|---|---|---|---|\n| 2013101 | 行政运行 | 100.00 | 90.00 |\n",
    "archive_2023.md": "# 旬阳市档案馆2023年部门决算\n\n旬阳市档案馆2023年部门决算公开。机关运行经费40.00万元。\n",
}


@pytest.fixture
def archive(settings, stores, tmp_path):
    return ingest_texts(DOCUMENTS, stores, settings, tmp_path)


def _ask(question: str, settings, history=()):
    from assistant.ask import ask

    return ask(question, tuple(history), settings=settings)


def test_batches_asked_as_pi_are_the_batches_counted(archive):
    assert "12批次" in _ask("旬阳市档案馆2024年公务接待了多少批", archive).answer


def test_a_rate_asked_as_how_big_is_the_stated_rate(archive):
    answer = _ask("旬阳市档案馆2024年机关运行经费比上年增加了多少，增幅多大", archive)
    assert "10.00万元" in answer.answer and "25.00%" in answer.answer, answer.answer


def test_a_stated_rate_follows_the_change_in_a_conversation(archive):
    first = _ask("旬阳市档案馆2023年机关运行经费多少", archive)
    second = _ask("24年呢", archive, [first])
    change = _ask("涨了多少", archive, [first, second])
    assert "10.00万元" in change.answer and "25.00%" in change.answer, change.answer


def test_an_items_start_budget_and_final_set_side_by_side(archive):
    answer = _ask("旬阳市档案馆2024年行政运行年初预算和决算差了多少", archive)
    assert "100.00万元" in answer.answer and "90.00万元" in answer.answer and "10.00万元" in answer.answer, answer.answer


def test_a_score_asked_as_da_le_ji_fen_is_the_score(tmp_path, settings, stores):
    ingest_texts({"score.md": "# 岚皋县政务服务中心2023年整体支出绩效自评报告\n\n岚皋县政务服务中心2023年整体支出绩效自评。\n\n"
                              "| 指标 | 值 |\n|---|---|\n| 绩效自评综合得分 | 96分 |\n"}, stores, settings, tmp_path)
    answer = _ask("岚皋县政务服务中心2023年绩效自评打了几分", settings)
    assert "96分" in answer.answer, answer.answer


def test_a_change_is_read_from_the_one_sentence_stating_both_years(tmp_path, settings, stores):
    ingest_texts({"street.md": "# 宁海县桃源街道2023年部门预算\n\n宁海县桃源街道2023年部门预算公开。\n\n"
                               "27. “城乡社区支出（类）城乡社区管理事务（款）城管执法（项）”690.58万元，主要用于城管执法。"
                               "2022年当年预算执行数为"
                               "767.68万元，2023年预算安排690.58万元，比2022年预算执行数减少10.04%。\n\n"
                               "一般公共预算支出功能分类预算表（单位：元）\n\n"
                               "| 科目编码 | 科目名称 | 合计 |\n|---|---|---|\n| 2120104 | 城管执法 | 6,905,798 |\n"},
                 stores, settings, tmp_path)
    answer = _ask("宁海县桃源街道城管执法23年预算比22年执行数降幅多少", settings)
    assert "767.68万元" in answer.answer and "690.58万元" in answer.answer, answer.answer
    assert "6,905,798" not in answer.answer and "77.10万元" in answer.answer, answer.answer


def test_which_is_larger_is_answered_before_the_figures(tmp_path, settings, stores):
    ingest_texts({"a.md": "# 旬阳市档案馆2024年部门决算\n\n旬阳市档案馆2024年部门决算公开。机关运行经费50.00万元。\n",
                  "b.md": "# 旬阳市图书馆2024年部门决算\n\n旬阳市图书馆2024年部门决算公开。机关运行经费65.00万元。\n"},
                 stores, settings, tmp_path)
    answer = _ask("旬阳市档案馆和旬阳市图书馆2024年机关运行经费哪家高，高多少", settings)
    first = answer.answer.splitlines()[0]
    assert first.startswith("旬阳市图书馆比旬阳市档案馆多 15.00万元"), answer.answer
    assert "50.00万元" in answer.answer and "65.00万元" in answer.answer, answer.answer
