"""Counts read from a unit's own sentences: the year's, not a month's; what the question leaves out, left out."""

from __future__ import annotations

import pytest

from tests.conftest import ingest_texts

pytestmark = pytest.mark.backends("embedded")

TEXT = ("# 山南县政务服务中心2024年部门决算\n\n山南县政务服务中心2024年部门决算公开。\n\n"
        "2024年6月，山南县政务服务中心、各乡镇便民服务中心受理业务3,200件。其中，政务服务中心受理业务1,100件。\n\n"
        "2024年1-12月，山南县政务服务中心、乡镇便民服务中心受理业务40,000件。"
        "政务服务中心全年受理业务15,000件。\n")


@pytest.fixture
def center(settings, stores, tmp_path):
    return ingest_texts({"shannan.md": TEXT}, stores, settings, tmp_path)


def _ask(question: str, settings):
    from assistant.ask import ask

    return ask(question, settings=settings)


def test_a_whole_year_is_not_answered_by_a_month(center):
    answer = _ask("山南县政务服务中心2024年全年受理了多少件业务", center)
    assert "40,000件" in answer.answer, answer.answer
    assert "3,200" not in answer.answer and "1,100" not in answer.answer


def test_what_the_question_leaves_out_is_left_out(center):
    answer = _ask("山南县政务服务中心2024年全年受理了多少件业务，不算乡镇便民中心", center)
    assert "15,000件" in answer.answer and "40,000" not in answer.answer, answer.answer
    assert "不算" not in answer.answer.split("为")[0]  # the item is not named by the words left out


def test_a_month_asked_is_answered_by_that_month(center):
    answer = _ask("山南县政务服务中心2024年6月受理了多少件业务", center)
    assert "3,200件" in answer.answer, answer.answer


def test_a_price_per_thing_is_read_as_printed(tmp_path, settings, stores):
    ingest_texts({"purchase.md": "# 镇巴县档案馆2024年项目文本\n\n镇巴县档案馆2024年项目文本。购买档案盒200个，12.50元/个，"
                                 "费用0.25万元。\n"}, stores, settings, tmp_path)
    answer = _ask("镇巴县档案馆2024年档案盒多少钱一个", settings)
    assert "12.50元/个" in answer.answer and "0.25万元" not in answer.answer, answer.answer
