"""A project's own form (绩效目标表): its money and its use, read from the cells of the form the
question names by most of its project name."""

from __future__ import annotations

import pytest

from tests.conftest import ingest_texts

pytestmark = pytest.mark.backends("embedded")

FORM = ("# 紫阳县文化和旅游局2024年项目支出绩效目标表\n\n紫阳县文化和旅游局2024年项目支出绩效目标表公开。\n\n"
        "财政项目支出绩效目标填报表\n\n"
        "| 项目名称 | 新建石门镇综合文化站 | 项目性质 | 阶段性项目 |\n|---|---|---|---|\n"
        "| 项目资金（元） | 项目资金总额 | 800,000.00 | |\n"
        "| 项目总目标 | 建成后作为石门镇图书阅览、文艺排练和老年活动的场所。 | | |\n\n"
        "财政项目支出绩效目标填报表\n\n"
        "| 项目名称 | 河道保洁经费 | 项目性质 | 经常性项目 |\n|---|---|---|---|\n"
        "| 项目资金（元） | 项目资金总额 | 120,000.00 | |\n")


@pytest.fixture
def forms(settings, stores, tmp_path):
    return ingest_texts({"ziyang.md": FORM}, stores, settings, tmp_path)


def _ask(question: str, settings):
    from assistant.ask import ask

    return ask(question, settings=settings)


def test_a_projects_money_is_read_from_its_own_form(forms):
    answer = _ask("紫阳县文化和旅游局石门镇综合文化站新建那个项目给了多少钱", forms)
    assert "800,000.00元" in answer.answer and "120,000.00" not in answer.answer, answer.answer
    (citation,) = answer.citations
    assert citation.quote.endswith("：800,000.00")
    other = _ask("紫阳县文化和旅游局河道保洁经费有多少钱", forms)
    assert "120,000.00元" in other.answer, other.answer


def test_a_projects_use_is_said_with_its_money(forms):
    answer = _ask("紫阳县文化和旅游局石门镇综合文化站新建工程建好了干嘛用", forms)
    assert "图书阅览" in answer.answer and "800,000.00元" in answer.answer, answer.answer
