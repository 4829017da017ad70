"""The reason given for the asked item, read in made-up disclosure text."""

from __future__ import annotations

from assistant.reasons import find_reasons

TEXT = ("一般公共预算收入预算900万元，与上年相比增加60万元。主要原因是增人增资、项目支出增加以及预留机动经费增加。\n"
        "项目支出预算数为600万元。与上年相比增加20万元，增长3.4%。主要原因是新增河道巡查专项30万元，"
        "运转类经费压减10万元。\n"
        "社会保障和就业支出80万元。与上年相比减少15万元。主要原因是退休人员养老金改由社保中心发放。"
        "同时，在职人员职业年金单位缴费下达部门，增加预算12万元。\n"
        "住房保障支出40万元，与上年持平。\n")


def _reason(question: str, words: list[str]) -> str:
    return " ".join(s.text for s in find_reasons(question, words, [("doc", TEXT)]))


def test_the_reason_is_the_one_given_for_the_item_not_one_naming_it_among_causes():
    said = _reason("项目支出为什么增加", ["项目支出"])
    assert "新增河道巡查专项" in said and "增人增资" not in said
    assert "项目支出预算数为600万元" in said  # the sentence naming the item, before its change


def test_a_reason_going_on_in_a_second_cause_is_quoted_whole():
    said = _reason("社会保障和就业支出为什么减少", ["社会保障和就业"])
    assert "社保中心发放" in said and "职业年金单位缴费下达部门" in said
    assert "住房保障" not in said


def test_every_quoted_reason_cuts_the_text():
    for sentence in find_reasons("社会保障和就业支出为什么减少", ["社会保障和就业"], [("doc", TEXT)]):
        assert TEXT[sentence.start:sentence.end] == sentence.text
