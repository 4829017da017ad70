"""The synthetic corpus: deterministic, marked, internally consistent, and ingestible."""

from __future__ import annotations

import re
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from bench.synthetic import KINDS, MARKER, generate

REAL_PROVINCES = ("北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽",
                  "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西",
                  "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门")
NUM = r"(\d[\d,]*\.?\d*)"


def decode(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gbk")


def dec(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def column_sums(rows: list[list[Decimal]]) -> list[Decimal]:
    return [sum(column, Decimal(0)) for column in zip(*rows, strict=True)]


def percent(num: Decimal, den: Decimal) -> Decimal:
    return (num * 100 / den).quantize(Decimal("0.01"), ROUND_HALF_UP)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, list[tuple[Path, str]]]:
    """60 documents by kind, decoded."""
    paths = generate(tmp_path_factory.mktemp("synthetic"), 60, seed=3)
    by_kind: dict[str, list[tuple[Path, str]]] = {k: [] for k in KINDS}
    for path in paths:
        by_kind[path.stem.split("_", 2)[2]].append((path, decode(path)))
    return by_kind


def test_same_seed_same_files_and_prefix_stable(tmp_path):
    first = generate(tmp_path / "a", 12, seed=7)
    again = generate(tmp_path / "b", 12, seed=7)
    shorter = generate(tmp_path / "c", 5, seed=7)
    other = generate(tmp_path / "d", 12, seed=8)
    assert [p.name for p in first] == [p.name for p in again]
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]
    assert [p.read_bytes() for p in shorter] == [p.read_bytes() for p in first[:5]]
    assert [p.read_bytes() for p in other] != [p.read_bytes() for p in first]


def test_every_kind_and_encoding_occurs_and_each_file_is_marked(corpus):
    assert all(corpus[kind] for kind in KINDS)
    raw = [path.read_bytes() for docs in corpus.values() for path, _ in docs]
    not_utf8 = 0
    for data in raw:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            not_utf8 += 1
    assert 0 < not_utf8 < len(raw)  # some GBK files, not all
    for docs in corpus.values():
        for path, text in docs:
            assert text.splitlines()[0] == MARKER
            assert path.suffix == (".md" if path.stem.endswith("budget") else ".txt")


def test_places_are_not_real_provinces(corpus):
    for docs in corpus.values():
        for _, text in docs:
            assert not [p for p in REAL_PROVINCES if p in text]


def test_generation_is_fast(tmp_path):
    started = time.perf_counter()
    generate(tmp_path, 1000)
    assert time.perf_counter() - started < 15  # 10,000 take well under a minute


def _md_rows(text: str, title: str) -> list[list[str]]:
    """Body rows of the markdown table following a caption line ending in `title`."""
    block = text.split(title + "\n", 1)[1].split("\n\n", 2)[1]
    lines = block.splitlines()[2:]  # past the group header and the separator
    return [[c.strip() for c in line.strip().strip("|").split("|")] for line in lines]


def test_budget_tables_roll_up(corpus):
    for _, text in corpus["budget"]:
        rows = _md_rows(text, "一般公共预算财政拨款支出预算表")
        coded = {r[0]: [dec(c or "0") for c in r[2:5]] for r in rows if r[0].isdigit()}
        total = [dec(c or "0") for c in rows[1][2:5]]
        assert rows[1][1] == "合计"
        for code, (subtotal, basic, project) in coded.items():
            assert subtotal == basic + project
            children = [v for c, v in coded.items()
                        if c.startswith(code) and len(c) == len(code) + 2]
            if children:
                assert column_sums(children) == [subtotal, basic, project]
        assert column_sums([v for c, v in coded.items() if len(c) == 3]) == total
        stated = re.search(rf"一般公共预算财政拨款支出\s*{NUM}\s*万元", text)
        assert stated and dec(stated.group(1)) == total[0]
        if "基本支出预算表" in text:
            econ = _md_rows(text, "一般公共预算财政拨款基本支出预算表")
            classes = [dec(r[2] or "0") for r in econ if len(r[0]) == 3]
            assert sum(classes) == dec(econ[1][2]) == total[1]


def test_final_accounts_changes_and_shares_match(corpus):
    for _, text in corpus["final"]:
        text = text.replace(",", "，").replace("(", "（").replace(")", "）").replace(";", "；")
        m = re.search(rf"本年决算总支出{NUM}万元，比(\d{{4}})年(增加|减少){NUM}万元，(?:增加|减少)了{NUM}%", text)
        assert m, text[:300]
        total, change, rate = dec(m.group(1)), dec(m.group(4)), dec(m.group(5))
        before = total - change if m.group(3) == "增加" else total + change
        assert percent(change, before) == rate
        m = re.search(rf"其中基本支出{NUM}万元.*?占年度总支出的{NUM}%；项目支出{NUM}万元，占年度总支出的{NUM}%", text)
        assert m
        assert dec(m.group(1)) + dec(m.group(3)) == total
        assert dec(m.group(2)) + dec(m.group(4)) == 100
        assert percent(dec(m.group(1)), total) == dec(m.group(2))


def test_project_items_add_up(corpus):
    checked = 0
    for _, text in corpus["project"]:
        stated = re.search(rf"以上项目经费共计{NUM}万元", text)
        if not stated:
            continue
        fees = [dec(x) for x in re.findall(rf"费用{NUM}万元", text)]
        assert sum(fees) == dec(stated.group(1))
        for qty, _, price, fee in re.findall(rf"(\d+)([台件个])，{NUM}元/\2，费用{NUM}万元", text):
            in_wan = int(qty) * dec(price) / 10000
            assert in_wan.quantize(Decimal("0.01"), ROUND_HALF_UP) == dec(fee)
        checked += 1
    assert checked


def _pipe_rows(text: str) -> list[list[str]]:
    """OCR pipe fragments back into rows: a line of 2+ pipes closes a row; '|' is an empty cell."""
    rows, cells = [], []
    for line in text.splitlines():
        if re.fullmatch(r"\|{2,}", line):
            rows.append(cells)
            cells = []
        elif line == "|" or line.endswith(" |"):
            cells.append(line[:-2] if line.endswith(" |") else "")
    return rows


def test_self_evaluation_rows_add_up(corpus):
    for _, text in corpus["selfeval"]:
        sums = [r for r in _pipe_rows(text) if r and r[0] == "局机关及二级机构汇总"]
        income, spending, three = ([dec(c or "0") for c in r[1:]] for r in sums)
        assert income[0] == income[2] + income[3]
        assert spending[0] == spending[1] + spending[4]
        assert spending[1] == spending[2] + spending[3]
        assert three[0] == sum(three[1:])
        assert income[0] == spending[0]


def test_synthetic_corpus_ingests_through_the_pipeline(tmp_path):
    from gongkai.settings import get_settings
    from ingest.pipeline import ingest_file, open_stores

    paths = generate(tmp_path / "corpus", 12, seed=0)
    assert {p.stem.split("_", 2)[2] for p in paths} == set(KINDS)
    settings = get_settings(data_dir=tmp_path / "data")
    stores = open_stores(settings)  # the real model: every stage as in production
    results = [ingest_file(p, stores, settings) for p in paths]
    assert [(r.path, r.error) for r in results if r.status != "ingested"] == []
    assert all(r.chunks > 0 for r in results)
    assert all(r.tables > 0 for r in results if r.path.endswith(".md"))
