"""Parts of what a table holds: a part asked inside an item ('政府采购里买茶叶') — its figure or a
refusal, never the item's own total — and a part's share of listed items the table totals."""

from __future__ import annotations

import pytest

from tests.conftest import ingest_texts

pytestmark = pytest.mark.backends("embedded")

PROCUREMENT = ("# 丹凤县档案馆2023年部门预算\n\n丹凤县档案馆2023年部门预算公开。\n\n"
               "2023年政府采购预算表（单位：万元）\n\n"
               "| 采购项目 | 预算数 |\n|---|---|\n| 合计 | 58.00 |\n| 货物A | 18.00 |\n| 档案密集架 | 18.00 |\n"
               "| 服务C | 40.00 |\n| 档案数字化加工服务 | 40.00 |\n\n"
               "2023年“三公”经费、会议费、培训费支出预算表（单位：万元）\n\n"
               "| 合计 | “三公”经费 | 会议费 | 培训费 |\n|---|---|---|---|\n| 10.00 | 6.00 | 3.00 | 1.00 |\n")


@pytest.fixture
def archive(settings, stores, tmp_path):
    return ingest_texts({"danfeng_archive.md": PROCUREMENT}, stores, settings, tmp_path)


def _ask(question: str, settings):
    from assistant.ask import ask

    return ask(question, settings=settings)


def test_a_part_no_row_names_is_refused_not_answered_by_the_whole(archive):
    answer = _ask("丹凤县档案馆2023年政府采购里买茶叶花了多少", archive)
    assert answer.route == "none" and "“买茶叶”" in answer.answer, answer.answer
    assert "58.00" not in answer.answer and "万元" not in answer.answer


def test_a_part_a_row_names_is_answered(archive):
    answer = _ask("丹凤县档案馆2023年政府采购里档案数字化加工服务多少钱", archive)
    assert "40.00万元" in answer.answer and "58.00" not in answer.answer, answer.answer


def test_a_share_of_listed_items_cites_the_total_the_table_prints(archive):
    answer = _ask("丹凤县档案馆2023年三公、会议费、培训费这一块里，会议费占多少", archive)
    assert "占 30.00%" in answer.answer and "表中合计 10.00万元" in answer.answer, answer.answer


def test_a_procurement_category_row_is_that_category_of_the_units_procurement(archive):
    answer = _ask("丹凤县档案馆2023年政府采购服务类多少钱", archive)
    assert "40.00万元" in answer.answer and "58.00" not in answer.answer, answer.answer
    goods = _ask("丹凤县档案馆2023年货物类采购多少", archive)
    assert "18.00万元" in goods.answer, goods.answer


@pytest.fixture
def incomes(settings, stores, tmp_path):
    texts = {"minzheng.md": "# 石泉县民政局2024年部门预算\n\n2024年，石泉县民政局收入预算500.00万元，其中：财政拨款收入500.00万元，"
                            "比2023年预算增加30.00万元；事业收入0万元。\n",
             "sifa.md": "# 石泉县司法局2024年部门预算\n\n2024年，石泉县司法局收入预算500.00万元，其中：财政拨款收入480.00万元，"
                        "比2023年预算增加30.00万元；事业收入20.00万元。\n"}
    return ingest_texts(texts, stores, settings, tmp_path)


def test_a_change_stated_of_a_part_equal_to_the_whole_is_said_as_the_parts(incomes):
    answer = _ask("石泉县民政局2024年收入预算比上年多了多少", incomes)
    assert "其中财政拨款收入为 500.00万元" in answer.answer and "30.00万元" in answer.answer, answer.answer
    other = _ask("石泉县司法局2024年收入预算比上年多了多少", incomes)  # the part is not the whole
    assert "30.00万元" not in other.answer, other.answer


@pytest.fixture
def travel(settings, stores, tmp_path):
    texts = {"a.md": "# 石泉县民政局2024年部门预算\n\n石泉县民政局2024年部门预算公开。\n\n基本支出预算表（单位：万元）\n\n"
                     "| 科目编码 | 科目名称 | 预算数 |\n|---|---|---|\n| 30211 | 国内差旅费 | 0.90 |\n| 30201 | 办公费 | 2.00 |\n",
             "b.md": "# 石泉县司法局2024年部门预算\n\n石泉县司法局2024年部门预算公开。\n\n基本支出预算表（单位：万元）\n\n"
                     "| 科目编码 | 科目名称 | 预算数 |\n|---|---|---|\n| 30211 | 差旅费 | 1.20 |\n| 30201 | 办公费 | 3.00 |\n"}
    return ingest_texts(texts, stores, settings, tmp_path)


def test_a_row_printed_under_another_name_of_its_code_is_the_item(travel):
    answer = _ask("石泉县民政局2024年差旅费多少", travel)
    assert "国内差旅费" in answer.answer and "0.90万元" in answer.answer, answer.answer


def test_a_follow_up_asks_a_part_of_the_item_before_and_its_share_of_it(archive):
    from assistant.ask import ask

    whole = ask("丹凤县档案馆2023年政府采购预算多少", settings=archive)
    part = ask("服务的有多少", (whole,), settings=archive)
    assert "40.00万元" in part.answer and "58.00" not in part.answer, part.answer
    share = ask("占总数几成", (whole, part), settings=archive)
    assert "68.97%" in share.answer, share.answer
