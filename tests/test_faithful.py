"""The numeric faithfulness check every answer passes before it is shown (assistant.faithful)."""

from __future__ import annotations

from dataclasses import replace

from assistant.faithful import NOTE, checked
from assistant.types import Answer, Citation
from tests.test_understand import catalog_of


def _cite(doc: str, quote: str) -> Citation:
    return Citation(doc, "t", None, 2019, 1, 0, len(quote), quote)


def test_figures_quoted_or_computed_from_cited_ones_pass():
    answer = Answer("公务接待费 27.00万元 [1] 占三公经费 508.20万元 [2] 的 5.31%\n"
                    "差旅费为 45.00万元（450,000元） [3]", "sql", "",
                    (_cite("a", "27.00"), _cite("a", "508.20"), _cite("a", "45.00")))
    assert checked(answer).answer == answer.answer and checked(answer).check == "ok"


def test_an_inverted_share_is_caught():
    inverted = Answer("三公经费 508.20万元 [1] 占公务接待费 27.00万元 [2] 的 1882.22%", "sql", "",
                      (_cite("a", "508.20"), _cite("a", "27.00")))
    result = checked(inverted)
    assert result.answer == NOTE and "占比超过 100%" in result.check


def test_a_sum_counting_one_figure_twice_is_caught():
    twice = Answer("合计为 132辆，由以下 2 个数字计算：66辆 [1] + 66辆 [1]", "sql", "", (_cite("a", "66"),))
    result = checked(twice)
    assert result.answer == NOTE and "两次" in result.check


def test_a_figure_from_another_units_document_is_caught():
    catalog = catalog_of()
    court = next(u for u in catalog.units if u.name == "江苏省高级人民法院")
    procuratorate = next(u for u in catalog.units if u.name == "江苏省人民检察院")
    from assistant.catalog import StoredDoc

    docs = {"court": StoredDoc("court", court.id, 2019, "预算", "部门", "both", "高院"),
            "procuratorate": StoredDoc("procuratorate", procuratorate.id, 2019, "预算", "部门", "both", "检察院")}
    catalog = replace(catalog, docs=docs)
    wrong = Answer("江苏省高级人民法院2019年三公经费为 418.26万元 [1]", "sql", "", (_cite("procuratorate", "418.26"),))
    assert "另一单位" in checked(wrong, catalog).check
    right = Answer("江苏省高级人民法院2019年三公经费为 513.75万元 [1]", "sql", "", (_cite("court", "513.75"),))
    assert checked(right, catalog).check == "ok"


def test_a_figure_in_no_citation_is_cut_and_the_rest_kept():
    answer = Answer("潼南区三公经费为 6万元 [1]\n比上年增加 88万元", "sql", "", (_cite("a", "6"),))
    result = checked(answer)
    assert result.answer.splitlines() == ["潼南区三公经费为 6万元 [1]", NOTE]
