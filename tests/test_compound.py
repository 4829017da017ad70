"""Questions asking two things at once, each part answered and the answers joined."""

from __future__ import annotations

import re

import pytest

from assistant.compound import question_parts
from tests.conftest import ingest_texts
from tests.test_question_forms import DOCUMENTS

pytestmark = pytest.mark.backends("embedded")


def test_a_question_of_two_questions_is_split_in_two():
    assert question_parts("省高院18年有几个项目实行绩效目标管理？涉及的财政性资金合计多少") == [
        "省高院18年有几个项目实行绩效目标管理", "涉及的财政性资金合计多少"]
    assert question_parts("汨罗市政务服务中心2018年度会议费开了多少，开了几次会") == [
        "汨罗市政务服务中心2018年度会议费开了多少", "开了几次会"]


def test_an_operation_on_the_first_part_keeps_the_question_whole():
    assert question_parts("19年两家基本支出里的差旅费谁多？多多少") == []
    assert question_parts("19年开会花钱最多的是哪家？比最少的那家多多少") == []
    assert question_parts("省高院19年三公经费是多少？为什么增加") == []
    assert question_parts("澄江一站式惠民平台2023年全年办的业务里，咨询件占多少") == []  # one question


@pytest.fixture
def archive(settings, stores, tmp_path):
    return ingest_texts(DOCUMENTS, stores, settings, tmp_path)


def test_both_parts_are_answered_with_their_citations(archive):
    from assistant.ask import ask

    answer = ask("旬阳市档案馆2024年公务接待了多少批？机关运行经费多少", settings=archive)
    assert "12批次" in answer.answer and "50.00万元" in answer.answer, answer.answer
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    assert markers == set(range(1, len(answer.citations) + 1))
