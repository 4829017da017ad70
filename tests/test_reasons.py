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


PROJECT_TABLE = ("财政项目支出绩效目标填报表\n"
                 "项目名称\t\t新建石门镇综合文化站\t\t项目性质\t阶段性项目\n"
                 "项目资金（元）\t\t项目资金总额\t\t800,000.00\n"
                 "项目绩效目标\t项目总目标\t\t\t年度总体目标\n"
                 "\t建成后作为石门镇图书阅览、文艺排练和老年活动的场所。\t\t\t建成后作为石门镇图书阅览、文艺排练和老年活动的场所。\n"
                 "项目名称\t\t河道保洁经费\n"
                 "项目概况\t用于全镇12条河道的日常保洁和垃圾清运。\n")


def test_a_projects_use_is_read_from_its_own_table():
    from assistant.reasons import project_uses

    (use,) = project_uses("石门镇综合文化站新建工程建好了干嘛用", [("doc", PROJECT_TABLE)])
    assert use.text.startswith("建成后作为石门镇图书阅览") and PROJECT_TABLE[use.start:use.end] == use.text
    (other,) = project_uses("河道保洁经费是做什么的", [("doc", PROJECT_TABLE)])
    assert other.text == "用于全镇12条河道的日常保洁和垃圾清运。"
    assert project_uses("路灯维护经费干嘛用", [("doc", PROJECT_TABLE)]) == []


def test_a_uses_examples_are_quoted_with_it():
    text = "窗口服务经费主要用于保障中心的日常支出。如水电费、纸杯采购费、邮寄费等。另有培训安排。"
    said = " ".join(s.text for s in find_reasons("窗口服务经费主要花在哪了", ["窗口服务经费"], [("doc", text)]))
    assert "水电费" in said and "培训安排" not in said
