"""Issuing units as entities: one unit however its documents write it, found by the names people
use (general naming rules, shown on the dev corpus's units and on made-up units of other places),
and aliases officials add by hand."""

from __future__ import annotations

import pytest

from ingest.aliases import add_alias, parse_aliases, sync_aliases
from ingest.describe.locality import parse_locality
from ingest.units import read_unit_name, unit_aliases


def aliases(name: str, place: str) -> frozenset[str]:
    return unit_aliases(name, parse_locality(place))


def key(name: str, place: str) -> str:
    return read_unit_name(name, parse_locality(place)).key


@pytest.mark.parametrize("names, place", [
    (("中国共产党江苏省委员会办公厅", "中共江苏省委办公厅", "江苏省委办公厅"), "江苏省"),
    (("江苏省人大常委会办公厅", "江苏省人民代表大会常务委员会办公厅"), "江苏省"),
    (("江苏省政协办公厅", "中国人民政治协商会议江苏省委员会办公厅"), "江苏省"),
    (("汨罗市人民政府政务服务中心", "汨罗市政务服务中心"), "汨罗市"),
    (("中国共产党杭州市委员会宣传部", "中共杭州市委宣传部"), "杭州市"),  # made up: another city
])
def test_one_unit_however_its_documents_write_it(names, place):
    assert len({key(name, place) for name in names}) == 1


@pytest.mark.parametrize("name, place, expected", [
    # the dev corpus's units
    ("江苏省高级人民法院", "江苏省", {"省高院", "江苏高院", "高院", "省法院"}),
    ("江苏省人民检察院", "江苏省", {"省检察院", "检察院", "江苏省检察院"}),
    ("中共江苏省委办公厅", "江苏省", {"省委办公厅", "省委办", "江苏省委办公厅"}),
    ("江苏省政协办公厅", "江苏省", {"政协办公厅", "省政协", "政协"}),
    ("江苏省人大常委会办公厅", "江苏省", {"省人大", "人大办公厅", "省人大常委会办公厅"}),
    ("上海市普陀区财政局", "上海市普陀区", {"区财政局", "普陀区财政局", "普陀财政局", "财政局"}),
    ("上海市财政局", "上海市", {"市财政局", "上海财政局"}),
    ("上海市普陀区人民政府万里街道办事处", "上海市普陀区", {"万里街道", "普陀区万里街道", "万里街道办事处"}),
    # made-up units of other places: the rules are general
    ("杭州市西湖区人民政府办公室", "杭州市西湖区", {"区府办", "区政府办", "西湖区政府办"}),
    ("南京市发展和改革委员会", "南京市", {"市发改委", "南京市发改委", "发展改革委员会"}),
    ("成都市规划和自然资源局", "成都市", {"市规划资源局", "成都市规划自然资源局"}),
    ("中共南京市委宣传部", "南京市", {"市委宣传部", "南京市委宣传部"}),
    ("广州市天河区人民政府石牌街道办事处", "广州市天河区", {"石牌街道", "天河区石牌街道"}),
    ("成都市锦江区政务服务管理办公室", "成都市锦江区", {"区政务办", "锦江区政务办", "锦江政务办"}),
    ("昆明市政务服务中心", "昆明市", {"市政务中心", "昆明市政务中心"}),
    ("四川省高级人民法院", "四川省", {"省高院", "四川高院"}),
])
def test_aliases_follow_the_naming_rules(name, place, expected):
    assert expected <= aliases(name, place), expected - aliases(name, place)


def test_aliases_never_cross_into_another_place():
    assert not any("江苏" in alias for alias in aliases("上海市财政局", "上海市"))
    assert "省高院" not in aliases("南京市中级人民法院", "南京市")
    assert "市中院" in aliases("南京市中级人民法院", "南京市")


def test_an_alias_file_with_a_problem_names_the_line_and_changes_nothing(tmp_path):
    from gongkai.db import get_engine
    from tests.conftest_sql_helpers import fill_fiscal_db

    engine = get_engine(f"sqlite:///{tmp_path / 'g.db'}")
    fill_fiscal_db(engine)
    (tmp_path / "aliases.yaml").write_text("潼南政务: 潼南区政务服务中心\n", encoding="utf-8")
    assert sync_aliases(engine, tmp_path) == []
    for text, line, words in (
        ("潼南政务: [潼南区政务服务中心\n", 2, "YAML"),
        ("潼南政务: 潼南区政务服务中心\n无名: 江苏省教育厅\n", 2, "没有单位"),
        ("潼南政务: 潼南区政务服务中心\n潼南政务: 柞水县政务服务中心\n", 2, "只能指一个单位"),
    ):
        (tmp_path / "aliases.yaml").write_text(text, encoding="utf-8")
        (problem, *_) = sync_aliases(engine, tmp_path)
        assert problem.line == line and words in problem.message, problem
    with engine.connect() as conn:  # the good file's alias is still the one applied
        from sqlalchemy import select

        from gongkai import db

        stored = conn.execute(select(db.unit_aliases.c.alias).where(db.unit_aliases.c.source == "official")).scalars()
        assert list(stored) == ["潼南政务"]
    assert add_alias(engine, tmp_path / "new", "柞水政务", "江苏省教育厅")  # refused: no such unit
    assert not (tmp_path / "new" / "aliases.yaml").exists()
    engine.dispose()


def test_parse_aliases_keeps_lines():
    entries, problems = parse_aliases("区府办: 杭州市西湖区人民政府办公室\n\n省法院: 江苏省高院\n")
    assert problems == [] and [(a, line) for a, _, line in entries] == [("区府办", 1), ("省法院", 3)]
