"""Question understanding: units by the names people use, items, years, and what is not stored."""

from __future__ import annotations

from dataclasses import replace

from assistant.ask import _not_stored
from assistant.catalog import Catalog, StoredLocality, StoredUnit
from assistant.understand import find_years, understand
from ingest.describe.locality import parse_locality
from ingest.units import unit_record

UNITS = (  # (name as a document writes it, locality, years)
    ("中共江苏省委办公厅", "江苏省", (2018, 2019)),
    ("江苏省高级人民法院", "江苏省", (2018, 2019)),
    ("江苏省人民检察院", "江苏省", (2018, 2019)),
    ("上海市普陀区财政局", "上海市普陀区", (2024,)),
    ("上海市财政局", "上海市", (2025,)),
    ("上海市普陀区人民政府万里街道办事处", "上海市普陀区", (2023,)),
    ("汨罗市人民政府政务服务中心", "汨罗市", (2018,)),
)


def catalog_of(units=UNITS, labels=("差旅", "行政运行", "公务接待", "三公")) -> Catalog:
    """A catalog as ingestion would store these units (aliases by the general rules)."""
    stored, aliases, localities = [], {}, {}
    for name, place, years in units:
        locality = parse_locality(place)
        record = unit_record(name, locality)
        stored.append(StoredUnit(record.id, name, locality.full, record.kind or "", years))
        for alias in record.aliases:
            aliases.setdefault(alias, set()).add(record.id)
        localities[locality.full] = StoredLocality(locality.full, locality.name, locality.bare)
    return Catalog(
        localities=tuple(localities.values()), years=tuple(sorted({y for *_, ys in units for y in ys})),
        doc_types=("预算",), documents=len(units), units=tuple(stored),
        place_years=frozenset((parse_locality(p).full, y) for _, p, ys in units for y in ys),
        aliases={a: frozenset(ids) for a, ids in aliases.items()},
        unit_years=frozenset((u.id, y) for u in stored for y in u.years),
        labels={stem: stem for stem in labels},
    )


CATALOG = catalog_of()


def _names(slots) -> list[str]:
    return [CATALOG.unit(u).name for u in slots.units]


def test_units_are_found_by_the_short_names_people_use():
    assert _names(understand("省高院19年差旅费多少", CATALOG)) == ["江苏省高级人民法院"]
    assert _names(understand("省检察院2018年三公经费", CATALOG)) == ["江苏省人民检察院"]
    assert _names(understand("省委办19年三公经费", CATALOG)) == ["中共江苏省委办公厅"]
    assert _names(understand("区财政局2024年行政运行", CATALOG)) == ["上海市普陀区财政局"]
    assert _names(understand("市财政局25年三公经费", CATALOG)) == ["上海市财政局"]
    assert _names(understand("万里街道23年三公经费", CATALOG)) == ["上海市普陀区人民政府万里街道办事处"]


def test_a_homophone_typo_of_a_unit_is_still_the_unit():
    assert _names(understand("省检查院19年差旅费", CATALOG)) == ["江苏省人民检察院"]
    assert _names(understand("普陀才政局24年三公经费", CATALOG)) == ["上海市普陀区财政局"]


def test_an_alias_two_units_share_is_a_question_back():
    slots = understand("财政局三公经费是多少", CATALOG)
    assert slots.units == () and slots.ambiguous_units
    refusal = _not_stored(slots, CATALOG)
    assert refusal.route == "none" and "上海市普陀区财政局" in refusal.answer and "上海市财政局" in refusal.answer
    assert _names(understand("普陀区财政局三公经费", CATALOG)) == ["上海市普陀区财政局"]


def test_a_unit_not_stored_is_refused_with_the_stored_units_of_its_place():
    for question, named in (("江苏省教育厅2019年三公经费是多少", "江苏省教育厅"),
                            ("省公安厅19年三公经费", "省公安厅"),
                            ("普陀区教育局2024年三公经费多少", "普陀区教育局")):
        slots = understand(question, CATALOG)
        assert slots.units == () and slots.unknown_units == (named,), question
        refusal = _not_stored(slots, CATALOG)
        assert refusal.route == "none" and named in refusal.answer
        assert not any(ch.isdigit() for ch in refusal.answer), refusal.answer
    assert "江苏省高级人民法院" in _not_stored(understand("江苏省教育厅2019年三公经费", CATALOG), CATALOG).answer


def test_a_place_not_stored_is_refused_though_its_parent_is():
    slots = understand("上海市浦东新区政务服务中心有多少个办事窗口", CATALOG)
    assert slots.unknown_places == ("上海市浦东新区",) and slots.localities == ()
    assert _not_stored(slots, CATALOG).route == "none"


def test_another_name_of_the_one_unit_of_a_place_is_that_unit():
    # 汨罗's stored unit is its 人民政府政务服务中心: '汨罗市政务服务中心' is the same body
    assert _names(understand("汨罗市政务服务中心2018年三公经费", CATALOG)) == ["汨罗市人民政府政务服务中心"]
    assert understand("汨罗市财政局2018年三公经费", CATALOG).unknown_units == ("汨罗市财政局",)


def test_an_item_name_holding_a_unit_alias_is_the_item():
    catalog = catalog_of(labels=("其他政协事务", "政协事务"),
                         units=(("江苏省政协办公厅", "江苏省", (2018,)),))
    slots = understand("政协办公厅18年其他政协事务支出多少", catalog)
    assert [i.text for i in slots.items] == ["其他政协事务支出"] and len(slots.units) == 1


def test_years_are_read_as_people_write_them():
    for question, years in (("19年三公经费", (2019,)), ("二〇一九年三公经费", (2019,)),
                            ("2018年度三公经费", (2018,)), ("17到19年三公经费平均", (2017, 2018, 2019)),
                            ("17、18、19三年政府采购", (2017, 2018, 2019))):
        assert find_years(question, CATALOG)[0] == years, question
    assert find_years("2010301行政运行是多少", CATALOG)[0] == ()  # a 科目编码, not a year
    # a sentence's comma (clean_question writes '，' as ',') starts a year; a thousands comma does not
    assert find_years("培训费,2019年度比2018年度增长多少", CATALOG)[0] == (2019, 2018)
    assert find_years("合计1,2019元", CATALOG)[0] == ()


def test_a_follow_up_naming_another_unit_keeps_item_year_and_operation():
    first = understand("省高院2019年三公经费是多少", CATALOG)
    second = understand("那省检察院呢", CATALOG, first)
    assert _names(second) == ["江苏省人民检察院"] and second.years == (2019,)
    assert [i.metric for i in second.items] == ["三公经费"] and "item" in second.carried
    assert understand("2018年呢?", CATALOG, first).units == first.units


def test_a_name_several_named_places_units_carry_is_asked_of_each_place():
    catalog = catalog_of((("柞水县政务服务中心", "商洛市柞水县", (2023,)), ("汨罗市人民政府政务服务中心", "汨罗市", (2018,)),
                          ("澄江市政务服务管理局", "澄江市", (2024,))))
    names = {catalog.unit(u).name for u in understand("澄江、柞水、汨罗的政务中心哪个三公经费最高", catalog).units}
    assert names == {"柞水县政务服务中心", "汨罗市人民政府政务服务中心", "澄江市政务服务管理局"}
    alone = understand("政务中心三公经费多少", catalog)
    assert alone.units == () and alone.ambiguous_units


def test_a_place_named_beside_a_unit_of_another_place_stands_for_its_one_unit():
    catalog = catalog_of((("重庆市潼南区政务服务管理办公室", "重庆市潼南区", (2021,)),
                          ("澄江市政务服务管理局", "澄江市", (2024,))))
    slots = understand("潼南区政务办入驻部门比澄江多几个", catalog)
    assert {catalog.unit(u).name for u in slots.units} == {"重庆市潼南区政务服务管理办公室", "澄江市政务服务管理局"}
    assert slots.operation == "compare"


def test_things_counted_in_kindred_words_are_compared_in_one():
    from assistant.compose import gap_between, same_kind

    departments, firms = {"unit": "个", "text": "28", "value": 28}, {"unit": "家", "text": "16", "value": 16}
    assert same_kind(departments, firms) and gap_between(departments, firms) == "12个"
    assert not same_kind(departments, {"unit": "人", "text": "3", "value": 3})


def test_money_said_as_qian_names_the_fund():
    (item,) = understand("省高院19年项目钱一共多少", CATALOG).items
    assert item.metric == "项目经费" and item.text == "项目钱"


def test_a_stem_printed_with_one_code_carries_it_to_the_codes_other_names():
    catalog = replace(catalog_of(labels=("差旅", "国内差旅", "工伤保险", "办公")),
                      code_stems={"30211": frozenset({"差旅", "国内差旅"}), "30112": frozenset({"差旅", "工伤保险"}),
                                  "30201": frozenset({"办公"}), "30299": frozenset({"办公", "其他商品和服务"})})
    (travel,) = understand("省高院19年差旅费多少", catalog).items
    assert travel.code == "30211"  # 30112 is printed with 工伤保险 too: no name of 差旅's
    (office,) = understand("省高院19年办公费多少", catalog).items
    assert office.code == "30201"
