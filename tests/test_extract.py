"""Extractive answers: which sentences of retrieved passages answer a question."""

from __future__ import annotations

from assistant.ask import _focus, _naming_figure
from assistant.extract import best_sentences
from assistant.types import Item, Slots
from assistant.understand import understand


def texts(question: str, text: str, **kwargs) -> list[str]:
    return [s.text for s in best_sentences(question, [("d", 100, text)], limit=5, **kwargs)]


def test_a_heading_lends_its_score_to_its_whole_paragraph_only():
    text = ("项目实施计划\n一季度开展网友采风活动；二季度采购防疫物资。\n"
            "其他事项\n全年召开会议两次。三季度没有安排工作。")
    found = texts("项目实施计划是怎么安排的", text)
    assert set(found[:2]) == {"一季度开展网友采风活动；", "二季度采购防疫物资。"}
    assert "全年召开会议两次。" not in found  # under another heading, sharing no word


def test_a_numbered_sentence_is_a_heading_for_what_follows():
    text = ("七、存在的主要问题及改进建议 1、存在问题。一是预算明细科目存在误差;"
            "二是决算上报效率还需继续提升。 2、改进建议。加快完善制度建设。")
    found = texts("绩效自评发现了哪些问题", text)
    assert found[:2] == ["一是预算明细科目存在误差;", "二是决算上报效率还需继续提升。"]
    assert "加快完善制度建设。" not in found
    assert not any(s.startswith(("七、", "1、", "2、")) for s in found)  # headings are no answers


def test_citation_offsets_are_the_documents():
    text = "项目实施计划\n一季度开展网友采风活动；"
    best = best_sentences("项目实施计划", [("d", 100, text)])[0]
    assert text[best.start - 100:best.end - 100] == best.text


def test_a_table_line_stating_a_figure_answers_only_a_figure_question():
    text = "\t保障入驻单位123个窗口的正常运行\n\t>=\n\t100\n"
    assert texts("窗口数量", text) == []  # read as a heading
    assert texts("窗口数量", text, figure_lines=True) == ["保障入驻单位123个窗口的正常运行"]


def test_place_year_and_issuing_unit_leave_the_focus():
    from tests.test_understand import catalog_of

    catalog = catalog_of()
    slots = understand("汨罗市政务服务中心2018年绩效自评发现了哪些问题?", catalog)
    focus = _focus("汨罗市政务服务中心2018年绩效自评发现了哪些问题?", slots, catalog)
    assert "绩效自评发现了哪些问题" in focus
    assert not any(word in focus for word in ("汨罗", "政务服务中心", "2018"))


def test_an_elliptical_follow_up_is_searched_with_its_figure():
    slots = Slots(localities=("昆明市呈贡区",), items=(Item("办事窗口", ("办事窗口",), "窗口数量"),))
    assert "办事窗口" in _naming_figure("呈贡区呢?", slots)
    assert _naming_figure("呈贡区有多少个办事窗口?", slots) == "呈贡区有多少个办事窗口?"


# --- counts the figures missed, read from a line -------------------------------------------------


def _row(line: str, offset: int = 40) -> dict | None:
    from assistant.extract import Sentence
    from assistant.text_figures import figure_row

    sentence = Sentence("d", offset, offset + len(line), line, 1.0)
    return figure_row(sentence, ("办事窗口", "窗口"), ("个",), "u1", 2021)


def test_one_count_named_by_the_item_becomes_a_cited_row():
    line = "保障入驻单位123个窗口的正常运行"
    row = _row(line)
    assert (row["unit_id"], row["year"], row["value"], row["text"], row["unit"]) == ("u1", 2021, 123.0, "123", "个")
    assert (" " * 40 + line)[row["start"]:row["end"]] == "123"
    assert _row("政务大厅现有办事窗口61个")["text"] == "61"  # the item named just before the count


def test_no_row_when_the_line_is_ambiguous_or_names_something_else():
    assert _row("设置了61个办事服务窗口，另有12个自助窗口") is None  # two counts in the unit
    assert _row("保障入驻单位123人的正常运行，窗口") is None  # another unit
    assert _row("共有123个单位入驻政务大厅的服务窗口") is None  # the word is too far from the number


def test_the_unit_stays_in_the_focus_when_little_else_is_asked():
    from tests.test_understand import catalog_of

    catalog = catalog_of()
    question = "江苏省人民检察院2019年的主要职能是什么"
    assert "人民检察院" in _focus(question, understand(question, catalog), catalog)
    question = "江苏省人民检察院2019年项目支出绩效目标怎么安排"
    focus = _focus(question, understand(question, catalog), catalog)
    assert "检察院" not in focus and "绩效目标" in focus
