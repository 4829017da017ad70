"""Many units of one place: one unit-year's documents read as one, each unit counted once.

A made-up county holds a department budget and a unit budget of one unit (财政局), a
disclosure split into a text file and a tables file (教育局), another year of 教育局, a unit
of that other year only (水利局) and one with no 三公经费 (审计局). A sum,
ranking and average count each unit once (the 部门 document's figure), a change is never computed
between two units, and a unit of the place that is not stored is refused with the stored ones.
"""

from __future__ import annotations

import pytest

from tests.conftest import ingest_texts

pytestmark = pytest.mark.backends("embedded", "server")

DOCUMENTS = {
    "caizheng_dept.md": "# 山阳县财政局2023年部门预算\n\n山阳县财政局2023年部门预算公开。"
                        "2023年一般公共预算“三公”经费预算10.00万元。\n\n"
                        "| 项目 | 预算数（万元） |\n|---|---|\n| 三公经费 | 10.00 |\n| 差旅费 | 3.20 |\n",
    "caizheng_unit.md": "# 山阳县财政局（本级）2023年单位预算\n\n山阳县财政局本级2023年单位预算公开。"
                        "2023年一般公共预算“三公”经费预算8.00万元。\n\n"
                        "| 项目 | 预算数（万元） |\n|---|---|\n| 三公经费 | 8.00 |\n| 差旅费 | 2.50 |\n",
    "jiaoyu_text.md": "# 山阳县教育局2023年部门预算说明\n\n山阳县教育局2023年部门预算公开。"
                      "2023年一般公共预算“三公”经费预算5.00万元，比上年增加1.00万元，主要原因是新增外出学习任务。\n",
    "jiaoyu_tables.md": "# 山阳县教育局2023年部门预算公开表\n\n"
                        "| 项目 | 预算数（万元） |\n|---|---|\n| 三公经费 | 5.00 |\n| 差旅费 | 1.10 |\n",
    "jiaoyu_2022.md": "# 山阳县教育局2022年部门预算\n\n山阳县教育局2022年部门预算公开。"
                      "2022年一般公共预算“三公”经费预算4.00万元。\n\n"
                      "| 项目 | 预算数（万元） |\n|---|---|\n| 公务用车购置费 | 3.00 |\n",
    "shenji_2023.md": "# 山阳县审计局2023年部门预算\n\n山阳县审计局2023年部门预算公开。\n\n"
                      "| 项目 | 预算数（万元） |\n|---|---|\n| 差旅费 | 0.40 |\n",
    "shuili_2022.md": "# 山阳县水利局2022年部门预算\n\n山阳县水利局2022年部门预算公开。\n\n"
                      "| 项目 | 预算数（万元） |\n|---|---|\n| 公务用车购置费 | 0.00 |\n| 差旅费 | 0.60 |\n",
}


@pytest.fixture
def county(settings, stores, tmp_path):
    return ingest_texts(DOCUMENTS, stores, settings, tmp_path)


def _ask(question: str, settings, history=()):
    from assistant.ask import ask

    return ask(question, tuple(history), settings=settings)


def test_a_sum_counts_each_unit_once(county):
    answer = _ask("山阳县各单位2023年三公经费合计多少", county)
    assert "合计为 15.00万元" in answer.answer, answer.answer  # 财政局's 部门 figure + 教育局's, once
    assert "18.00" not in answer.answer and "23.00" not in answer.answer


def test_a_ranking_and_an_average_list_each_unit_once(county):
    ranking = _ask("山阳县2023年哪个单位三公经费最高", county)
    assert ranking.answer.startswith("最高的是山阳县财政局")
    assert ranking.answer.count("山阳县教育局2023年：") == 1 and "8.00万元" not in ranking.answer
    average = _ask("山阳县2023年各单位三公经费平均多少", county)
    assert "平均为 7.50万元" in average.answer, average.answer


def test_the_unit_alone_is_read_where_the_question_asks_it(county):
    answer = _ask("山阳县财政局2023年单位预算三公经费多少", county)
    assert "8.00万元" in answer.answer and "10.00万元" not in answer.answer


def test_a_change_is_never_computed_between_two_units(county):
    answer = _ask("山阳县财政局2023年三公经费比上年增加多少", county)
    assert "4.00" not in answer.answer and "6.00万元" not in answer.answer  # 教育局's 2022 figure
    stated = _ask("山阳县教育局2023年三公经费比上年增加多少", county)
    assert "1.00万元" in stated.answer


def test_a_unit_of_the_place_not_stored_is_refused_with_the_stored_ones(county):
    answer = _ask("山阳县卫生健康局2023年三公经费是多少", county)
    assert answer.route == "none" and "山阳县卫生健康局" in answer.answer
    assert "山阳县财政局" in answer.answer and "山阳县教育局" in answer.answer


def test_a_follow_up_naming_another_unit_keeps_item_and_year(county):
    first = _ask("山阳县财政局2023年差旅费多少", county)
    second = _ask("那教育局呢", county, [first])
    assert "1.10万元" in second.answer and "3.20" not in second.answer


def test_which_unit_arranged_an_item_names_the_units_with_none_apart(county):
    answer = _ask("山阳县2022年哪家安排了公务用车购置费", county)
    assert answer.answer.startswith("山阳县教育局2022年公务用车购置费"), answer.answer
    assert "3.00万元" in answer.answer and "未安排该项" in answer.answer and "山阳县水利局" in answer.answer
    assert "0.00万元" not in answer.answer


def test_units_set_side_by_side_are_each_read_in_their_own_year(county):
    answer = _ask("山阳县教育局2023年差旅费比水利局多多少", county)
    assert "1.10万元" in answer.answer and "0.60万元" in answer.answer, answer.answer
    assert "0.50万元" in answer.answer and "山阳县水利局没有2023年的文件，按其2022年的文件比较" in answer.answer


def test_a_follow_up_naming_a_unit_without_the_year_carried_asks_its_own_year(county):
    first = _ask("山阳县教育局2023年差旅费多少", county)
    answer = _ask("那水利局呢", county, [first])
    assert "山阳县水利局2022年差旅费" in answer.answer and "0.60万元" in answer.answer, answer.answer


def test_these_units_point_at_the_units_named_not_a_count_asked(county):
    answer = _ask("山阳县这几家单位2023年谁的三公经费最高", county)
    assert answer.answer.startswith("最高的是山阳县财政局"), answer.answer


def test_a_change_asked_after_both_years_says_both_figures(county):
    first = _ask("山阳县教育局2022年三公经费多少", county)
    second = _ask("2023年呢", county, [first])
    change = _ask("增加了多少", county, [first, second])
    assert "1.00万元" in change.answer and "4.00万元" in change.answer, change.answer


def test_a_ranking_says_which_units_hold_no_such_figure(county):
    answer = _ask("山阳县2022年哪个单位差旅费最高", county)
    assert answer.answer.startswith("最高的是山阳县水利局"), answer.answer
    missing = answer.answer.splitlines()[-1]
    assert "山阳县教育局" in missing and missing.endswith("的文件中没有找到该项数字。）"), answer.answer


def test_two_units_asked_unnamed_are_the_two_whose_documents_hold_the_item(county):
    answer = _ask("山阳县2022年两家的公务用车购置费谁多", county)
    assert "山阳县教育局" in answer.answer and "山阳县水利局" in answer.answer, answer.answer
    assert "3.00万元" in answer.answer and "请说明" not in answer.answer
    both = _ask("山阳县2023年两家的三公经费谁多", county)  # 审计局 states none
    assert "山阳县财政局" in both.answer and "山阳县教育局" in both.answer and "请说明" not in both.answer
    asked_back = _ask("山阳县2023年两家的差旅费谁多", county)  # all three state one
    assert "请说明是哪两家" in asked_back.answer, asked_back.answer
