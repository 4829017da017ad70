"""ingest.numbers: cells, prose spans, units."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.numbers import (
    UNIT_FACTORS,
    find_numbers,
    fold_width,
    parse_number,
    parse_quantity,
    to_yuan,
)

_FULL_WIDTH = str.maketrans("0123456789.,-%()", "０１２３４５６７８９．，－％（）")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1932.33", 1932.33),
        ("１９３２．３３", 1932.33),
        ("1,932.33", 1932.33),
        ("1，932.33", 1932.33),
        ("1932. 33", 1932.33),
        ("1 932.33", 1932.33),
        ("(12.5)", -12.5),
        ("（12.5）", -12.5),
        ("-3", -3.0),
        ("－3", -3.0),
        ("−3", -3.0),
        ("47.04%", 47.04),
        ("100.00 %", 100.0),
        ("≥95%", 95.0),
        ("≧95%", 95.0),
        (" 0 ", 0.0),
    ],
)
def test_parse_number_reads_printed_forms(text: str, expected: float) -> None:
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "—",
        "-",
        "--",
        "－",
        "/",
        "24*7",
        "200万件",
        "2021年",
        "0730-5244006",
        "11 11 17 17 17",
        "12 345",
        "1,86611",
        "1932.",
        "(12.5",
        "abc",
        "一百",
    ],
)
def test_parse_number_refuses_blanks_and_non_numbers(text: str) -> None:
    assert parse_number(text) is None


def test_parse_quantity_splits_number_and_unit() -> None:
    assert parse_quantity("200万件") == (200.0, "万件")
    assert parse_quantity("45.8万元") == (45.8, "万元")
    assert parse_quantity("≧95%") == (95.0, "%")
    assert parse_quantity("32 个工作日") == (32.0, "个工作日")
    assert parse_quantity("1932.33") == (1932.33, "")
    assert parse_quantity("2021 年预算数") is None
    assert parse_quantity("满意度≧90%") is None


def _spans(text: str) -> list[tuple[str, float, bool]]:
    return [(text[n.start : n.end], n.value, n.is_percent) for n in find_numbers(text)]


def test_find_numbers_keeps_a_year_apart_from_the_next_number() -> None:
    text = "2021 年年初预算数 1932.33 万元，比上年增长47.04%。"
    assert _spans(text) == [
        ("2021", 2021.0, False),
        ("1932.33", 1932.33, False),
        ("47.04%", 47.04, True),
    ]


def test_find_numbers_reads_ocr_spacing_and_full_width() -> None:
    text = "收入 1932. 33 万元，完成率 100.00 %，共１，９３２．３３元"
    assert _spans(text) == [
        ("1932. 33", 1932.33, False),
        ("100.00 %", 100.0, True),
        ("１，９３２．３３", 1932.33, False),
    ]


def test_find_numbers_signs_ranges_and_list_items() -> None:
    assert _spans("2021年-2023年") == [("2021", 2021.0, False), ("2023", 2023.0, False)]
    assert _spans("增长率为-5%") == [("-5%", -5.0, True)]
    assert _spans("减少(12.50)万元") == [("(12.50)", -12.5, False)]
    assert _spans("1. 23个部门") == [("1", 1.0, False), ("23", 23.0, False)]
    assert _spans("事业运行（2010350）") == [("2010350", 2010350.0, False)]


def test_find_numbers_comparators_and_expressions() -> None:
    [target] = find_numbers("满意度≧95%")
    assert (target.value, target.is_percent, target.comparator) == (95.0, True, "≧")
    assert find_numbers("24*7小时") == []


def test_to_yuan_converts_money_units() -> None:
    assert to_yuan(1932.33, "万元") == pytest.approx(19_323_300)
    assert to_yuan(1.5, "亿元") == pytest.approx(150_000_000)
    assert to_yuan(3, "元") == 3
    assert to_yuan(2, "万") == 20_000
    assert to_yuan(2, "单位：万元") == 20_000
    assert to_yuan(5, "件") is None
    assert set(UNIT_FACTORS) == {"元", "万元", "亿元", "千元"}


# Property-based ------------------------------------------------------------------------------

_amounts = st.decimals(
    min_value=Decimal("-99999999.99"),
    max_value=Decimal("99999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


def _printed(amount: Decimal, grouped: bool, parens: bool, full_width: bool) -> str:
    body = f"{abs(amount):,.2f}" if grouped else f"{abs(amount):.2f}"
    if amount < 0:
        body = f"({body})" if parens else f"-{body}"
    return body.translate(_FULL_WIDTH) if full_width else body


@settings(max_examples=300, deadline=None)
@given(_amounts, st.booleans(), st.booleans(), st.booleans())
def test_printed_amounts_round_trip(
    amount: Decimal, grouped: bool, parens: bool, full_width: bool
) -> None:
    printed = _printed(amount, grouped, parens, full_width)
    assert parse_number(printed) == pytest.approx(float(amount))


@settings(max_examples=300, deadline=None)
@given(_amounts, st.booleans(), st.booleans(), st.sampled_from(["为", "：", " ", "，"]))
def test_prose_spans_cut_the_printed_number(
    amount: Decimal, grouped: bool, full_width: bool, before: str
) -> None:
    printed = _printed(amount, grouped, parens=False, full_width=full_width)
    text = f"本年支出{before}{printed}万元，详见附表"
    found = [n for n in find_numbers(text) if text[n.start : n.end] == printed]
    assert len(found) == 1
    assert found[0].value == pytest.approx(float(amount))


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_arbitrary_text_never_crashes_and_spans_hold_numbers(text: str) -> None:
    assert len(fold_width(text)) == len(text)
    parse_number(text)
    parse_quantity(text)
    for number in find_numbers(text):
        cut = text[number.start : number.end]
        assert cut and any(ch.isdigit() for ch in fold_width(cut))
        assert cut == cut.strip()
