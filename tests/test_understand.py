"""Question understanding: the issuing unit as a slot, where one place has several units."""

from __future__ import annotations

from assistant.ask import _not_stored
from assistant.catalog import Catalog, StoredLocality
from assistant.sql_build import fact_query
from assistant.understand import understand

CATALOG = Catalog(
    localities=(StoredLocality("江苏省", "江苏省", "江苏"), StoredLocality("汨罗市", "汨罗市", "汨罗")),
    years=(2018, 2019), doc_types=("预算",), documents=4,
    place_years=frozenset({("江苏省", 2018), ("江苏省", 2019), ("汨罗市", 2018)}),
    units=(("江苏省", "中共江苏省委办公厅", "办公厅"), ("江苏省", "江苏省委办公厅", "办公厅"),
           ("江苏省", "江苏省高级人民法院", "人民法院"),
           ("汨罗市", "汨罗市人民政府政务服务中心", "政务服务中心")),
)


def test_a_named_unit_is_a_slot_and_filters_the_figures():
    slots = understand("江苏省高级人民法院2018年三公经费预算是多少", CATALOG)
    assert slots.localities == ("江苏省",) and slots.units == ("江苏省高级人民法院",)
    query = fact_query(slots)
    assert "unit_name" in query.sql and query.params["unit0"] == "江苏省高级人民法院"


def test_a_unit_is_found_by_a_shorter_name_or_by_its_kind_in_the_place():
    both = understand("江苏省委办公厅2019年三公经费", CATALOG).units
    assert set(both) == {"中共江苏省委办公厅", "江苏省委办公厅"}  # one body, two printed names
    by_kind = understand("汨罗市政务服务中心2018年绩效自评发现了哪些问题?", CATALOG)
    assert by_kind.units == ("汨罗市人民政府政务服务中心",)


def test_a_unit_no_document_is_from_is_refused_naming_the_stored_ones():
    slots = understand("江苏省财政厅2018年三公经费预算是多少", CATALOG)
    assert slots.units == () and slots.unknown_units == ("江苏省财政厅",)
    refusal = _not_stored(slots, CATALOG)
    assert refusal is not None and refusal.route == "none"
    assert "江苏省财政厅" in refusal.answer and "江苏省高级人民法院" in refusal.answer
    assert not any(ch.isdigit() for ch in refusal.answer.replace("2018", ""))


def test_a_place_alone_keeps_every_unit_and_a_follow_up_keeps_the_unit():
    place = understand("江苏省2018年三公经费预算是多少", CATALOG)
    assert place.units == () and place.unknown_units == ()
    first = understand("江苏省高级人民法院2018年三公经费预算是多少", CATALOG)
    assert understand("2019年呢?", CATALOG, first).units == ("江苏省高级人民法院",)
    assert understand("汨罗市呢?", CATALOG, first).units == ()


def test_a_unit_name_in_a_place_of_one_unit_is_no_refusal():
    slots = understand("汨罗市财政局2018年三公经费是多少", CATALOG)  # one unit stored for 汨罗市
    assert slots.unknown_units == () and _not_stored(slots, CATALOG) is None
