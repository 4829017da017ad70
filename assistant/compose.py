"""Answer text from chosen figures: every figure as printed, with its unit and a citation marker.

Sums, averages, differences and shares are computed here with `Decimal` on the printed figures,
so a result never carries float noise; every figure a result is computed from is written out
and cited. A share divides the part by the whole whichever order the question names them in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from assistant.figures import Figure, Row
from ingest.numbers import parse_number
from ingest.vocab import unit_kind

OPERATION_NAMES = {
    "lookup": "查询", "rank": "排名", "total": "合计", "average": "平均", "compare": "对比",
    "change": "变化", "share": "占比",
}
TO_YUAN = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10000), "亿元": Decimal(100000000)}
MAX_LINES = 20  # figures written out (and cited) in the text; the rest are in the result table
Cite = Callable[[Row], int]  # registers a row's citation, returns its 1-based marker


def printed(row: Row) -> str:
    """The figure as printed with its unit: '6万元', '1,932.33万元', '100.00%'."""
    unit = row["unit"]
    return f"{row['text']}{'' if unit == '%' and row['text'].endswith('%') else unit}"


def decimal(row: Row) -> Decimal:
    value = parse_number(row["text"])
    return Decimal(str(value if value is not None else row["value"]))


def in_yuan(row: Row) -> Decimal | None:
    factor = TO_YUAN.get(row["unit"])
    return None if factor is None else decimal(row) * factor


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def format_amount(value: Decimal, decimals: int, unit: str) -> str:
    """'19,634,500元', '17.00万元': thousands separated, at least `decimals` places, exact."""
    value = value.normalize() if value == value.to_integral() else value
    places = max(decimals, -value.as_tuple().exponent if value.as_tuple().exponent < 0 else 0)
    quantized = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{quantized:,.{places}f}{unit}"


def converted(row: Row, asked_unit: str) -> str:
    """The figure as printed, and in the asked money unit beside it: '1,963.45万元（19,634,500元）'."""
    shown = printed(row)
    yuan = in_yuan(row)
    if not asked_unit or asked_unit == row["unit"] or yuan is None or asked_unit not in TO_YUAN:
        return shown
    value = yuan / TO_YUAN[asked_unit]
    shift = len(str(TO_YUAN[row["unit"]])) - len(str(TO_YUAN[asked_unit]))  # 万元 → 元: 4 places
    decimals = max(0, _decimals(row["text"]) - shift) if shift > 0 else 2
    return f"{shown}（{format_amount(value, decimals, asked_unit)}）"


def who(figure: Figure) -> str:
    return f"{figure.unit_year.name}{figure.unit_year.year}年"


def item_name(figure: Figure) -> str:
    """The figure's own label when the question named it so, else the vocabulary's name."""
    row = figure.row
    if row.get("label") and (row.get("label_stem") in figure.item.stems or not figure.item.metric):
        return row["label"]
    return figure.item.name


def scope_tag(row: Row) -> str:
    return f"（{row['scope']}）" if row.get("scope") else ""


def where(row: Row) -> str:
    """The table and column a figure stands in ('一般公共预算基本支出预算表 · 合计')."""
    if row["source"] != "table":
        return "文字说明"
    parts = [row["table_title"] or "", row["column_name"] or ""]
    return " · ".join(p for p in parts if p)


def lookup_lines(figures: Sequence[Figure], cite: Cite, asked_unit: str = "",
                 said: Callable[[Row], str] = lambda row: "") -> list[str]:
    """One line per figure; figures of the same item standing elsewhere with other values follow
    it, each with its table; `said` adds the source's own words about a figure ('较上年持平')."""
    lines = []
    for figure in figures[:MAX_LINES]:
        row = figure.row
        words = said(row)
        line = (f"{who(figure)}{item_name(figure)}{scope_tag(row)}为 {converted(row, asked_unit)}"
                f"{f'，{words}' if words else ''} [{cite(row)}]")
        if figure.others:
            line += f"（{where(row)}）"
            line += "".join(f"；{_other_where(o, row)}为 {converted(o, asked_unit)} [{cite(o)}]"
                            for o in figure.others[:3])
        lines.append(line)
    return lines + _more(figures)


def _other_where(other: Row, row: Row) -> str:
    """Where another figure of the item stands, with its own label when it differs ('文字说明 ·
    特种专业技术用车'): a reader must see what each number is."""
    label = other.get("label") or ""
    return f"{where(other)} · {label}" if label and label != row.get("label") else where(other)


def _more(figures: Sequence[Figure]) -> list[str]:
    extra = len(figures) - MAX_LINES
    return [f"……另有 {extra} 条，见结果表。"] if extra > 0 else []


def rank_lines(figures: Sequence[Figure], order: str, top: int | None, cite: Cite) -> list[str]:
    ranked = sorted(figures, key=lambda f: comparable(f.row), reverse=order != "asc")
    lines = [f"{i}. {f.unit_year.name}{f.unit_year.year}年：{printed(f.row)} [{cite(f.row)}]"
             for i, f in enumerate(ranked[:MAX_LINES], 1)] + _more(ranked)
    if top == -1 and len(ranked) > 1:
        both = f"{_named(ranked[0], '最高', cite)}；{_named(ranked[-1], '最低', cite)}。"
        return [both, "全部排序：", *lines]
    if top == 1 and ranked:
        head = "最低" if order == "asc" else "最高"
        return [f"{_named(ranked[0], head, cite)}。", "全部排序：", *lines]
    return lines


def _named(figure: Figure, head: str, cite: Cite) -> str:
    """'最高的是潼南区：2021年三公经费 6万元 [1]'."""
    return (f"{head}的是{figure.unit_year.name}：{figure.unit_year.year}年{item_name(figure)} "
            f"{printed(figure.row)} [{cite(figure.row)}]")


def comparable(row: Row) -> Decimal:
    return in_yuan(row) if in_yuan(row) is not None else decimal(row)


def total_lines(figures: Sequence[Figure], cite: Cite, *, average: bool = False) -> list[str]:
    rows = [f.row for f in figures]
    money = all(unit_kind(r["unit"]) == "money" for r in rows)
    units = {r["unit"] for r in rows}
    if not money and len(units) > 1:
        return ["这些数字单位不同（" + "、".join(sorted(units)) + "），无法合计。"]
    values = [in_yuan(r) / TO_YUAN["万元"] if money else decimal(r) for r in rows]
    unit = "万元" if money else rows[0]["unit"]
    decimals = max(_decimals(r["text"]) for r in rows) + (4 if money and units != {"万元"} else 0)
    total = sum(values, Decimal(0))
    result = total / len(values) if average else total
    shown = format_amount(result, min(decimals + (2 if average else 0), 2 if money else 6), unit)
    parts = " + ".join(f"{who(f)}{item_name(f)} {printed(f.row)} [{cite(f.row)}]" for f in figures)
    name = "平均" if average else "合计"
    note = "（按万元换算）" if money and units != {"万元"} else ""
    return [f"{name}为 {shown}{note}，由以下 {len(rows)} 个数字计算：{parts}"]


def difference_lines(a: Figure, b: Figure, cite: Cite, *, ratio: bool = False, which_first: bool = False
                     ) -> list[str]:
    """Both figures, which is larger, by how much (and how many times with `ratio`); with
    `which_first` ('哪家高？') the answer to that comes before the figures it rests on."""
    lines = [f"{who(f)}{item_name(f)}{scope_tag(f.row)}为 {printed(f.row)} [{cite(f.row)}]" for f in (a, b)]
    x, y = comparable(a.row), comparable(b.row)
    if not same_kind(a.row, b.row):
        return [*lines, "两者单位不同，无法比较。"]
    big, small = (a, b) if x >= y else (b, a)
    name_big, name_small = _label(big, a, b), _label(small, a, b)
    if x == y:
        return [*lines, "两者相等。"]
    money = in_yuan(a.row) is not None
    # 元 figures said in 万元 read to the 百元, as 万元 figures print
    gap_shown = gap_between(a.row, b.row, places=2 if money and "元" in (a.row["unit"], b.row["unit"]) else 0)
    line = f"{name_big}比{name_small}多 {gap_shown}（相差：{printed(big.row)} − {printed(small.row)}）"
    if ratio and min(x, y) > 0:
        times = (max(x, y) / min(x, y)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        line += f"，{name_big}是{name_small}的 {times} 倍"
    return [line + "。", *lines] if which_first else [*lines, line + "。"]


def _label(figure: Figure, a: Figure, b: Figure) -> str:
    """What tells the two apart: the unit, else the year, else the item."""
    if a.unit_year.unit.id != b.unit_year.unit.id:
        return figure.unit_year.name
    if a.unit_year.year != b.unit_year.year:
        return f"{figure.unit_year.year}年"
    return item_name(figure)


def half_last_digit(row: Row) -> Decimal:
    """Half a unit of the figure's last printed digit, in the units `comparable` reads it in."""
    step = Decimal(1).scaleb(-_decimals(row["text"])) / 2
    factor = TO_YUAN.get(row["unit"])
    return step * factor if factor is not None else step


def gap_between(a: Row, b: Row, places: int = 0) -> str:
    """|b − a| as printed figures are: money in 万元, else in their unit, to the finer of their
    printed places (at least `places`)."""
    gap = abs(comparable(b) - comparable(a))
    decimals = max(_decimals(a["text"]), _decimals(b["text"]), places)
    if in_yuan(b) is not None:
        return format_amount(gap / TO_YUAN["万元"], decimals, "万元")
    unit = b["unit"] if a["unit"] == b["unit"] else _COUNTED_ALIKE.get(b["unit"], b["unit"])  # 28个 − 16家: 个
    return format_amount(gap, decimals, unit)


# Counting words for the same things ('入驻部门28个' and '进驻部门16家' count alike)
_COUNTED_ALIKE = {"家": "个", "处": "个", "所": "个", "名": "人", "位": "人", "套": "台", "台（套）": "台"}


def same_kind(a: Row, b: Row) -> bool:
    if in_yuan(a) is not None and in_yuan(b) is not None:
        return True
    return _COUNTED_ALIKE.get(a["unit"], a["unit"]) == _COUNTED_ALIKE.get(b["unit"], b["unit"])


def share_lines(part: Figure, whole: Figure, cite: Cite, *, whole_known: bool = False) -> list[str]:
    """The part's share of the whole. Where the question does not say which holds the other,
    the larger is the whole; a part larger than the whole it is named part of is no share but
    a discrepancy, said as such (a share over 100% is never given)."""
    if not same_kind(part.row, whole.row):
        return []
    if comparable(part.row) > comparable(whole.row):
        if whole_known:
            return [(f"{who(part)}{item_name(part)} {printed(part.row)} [{cite(part.row)}] 大于"
                    f"{item_name(whole)} {printed(whole.row)} [{cite(whole.row)}]，两个数字有出入，不计算占比。")]
        part, whole = whole, part
    denominator = comparable(whole.row)
    if not denominator:
        return []
    share = (comparable(part.row) / denominator * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    line = (f"{who(part)}{item_name(part)} {printed(part.row)} [{cite(part.row)}] 占"
            f"{item_name(whole)} {printed(whole.row)} [{cite(whole.row)}] 的 {share}%")
    return [line]


def against_budget_line(budget: Figure, final: Figure, cite: Cite) -> str:
    """A 决算 against its 年初预算, with the gap computed from both ('决算比年初预算多 345.90万元')."""
    a, b = comparable(budget.row), comparable(final.row)
    gap = gap_between(budget.row, final.row)
    verb = f"多 {gap}" if b > a else f"少 {gap}" if b < a else "持平"
    return (f"{who(final)}{item_name(final)}年初预算 {printed(budget.row)} [{cite(budget.row)}]，"
            f"决算 {printed(final.row)} [{cite(final.row)}]，决算比年初预算{verb}")


def share_of_sum_lines(part: Figure, listed: Sequence[Figure], cite: Cite,
                       printed_total: Row | None = None) -> list[str]:
    """The part's share of the sum of the listed figures (the part among them), each cited, and
    the table's own total of them where it prints one equal to the sum."""
    if not all(in_yuan(f.row) is not None for f in listed):
        return []
    whole = sum(in_yuan(f.row) for f in listed)
    if not whole:
        return []
    decimals = max(_decimals(f.row["text"]) for f in listed)
    terms = "、".join(f"{item_name(f)} {printed(f.row)} [{cite(f.row)}]" for f in listed)
    total = format_amount(whole / TO_YUAN["万元"], decimals, "万元")
    share = (in_yuan(part.row) / whole * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if printed_total is not None:
        total += f"（表中合计 {printed(printed_total)} [{cite(printed_total)}]）"
    return [f"{who(part)}{terms}合计 {total}；其中{item_name(part)}占 {share}%"]


def change_rate(before: Figure, after: Figure) -> str:
    """'增长 6.60%' from one year to the next; '' when the base is 0 or nothing changed."""
    a, b = comparable(before.row), comparable(after.row)
    if not a or a == b:
        return ""
    rate = (abs(b - a) / a * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{'下降' if b < a else '增长'} {rate}%"


def year_change_line(before: Figure, after: Figure, cite: Cite) -> str:
    """A change computed between two years of one unit, with its percentage."""
    a, b = comparable(before.row), comparable(after.row)
    delta = b - a
    shown = gap_between(before.row, after.row)
    verb = "减少" if delta < 0 else "增加" if delta > 0 else "持平"
    pct = f"，{change_rate(before, after)}" if a and delta else ""
    change = f"{verb} {shown}{pct}" if delta else "持平"
    return (f"{after.unit_year.name}{item_name(after)}由{before.unit_year.year}年 {printed(before.row)} "
            f"[{cite(before.row)}] 到{after.unit_year.year}年 {printed(after.row)} [{cite(after.row)}]，{change}")


def stated_change_line(figure: Figure, row: Row, phrase: str, cite: Cite,
                       value: Figure | None = None) -> str:
    """A change as the source states it ('比年初预算减少 30.8万元'), after the figure itself when
    it is known ('为 86.95万元，比上年减少 97万元')."""
    shown = f"{row['text']}%" if row["measure"] == "change_pct" and not row["text"].endswith("%") else printed(row)
    head = f"{who(figure)}{item_name(figure)}{scope_tag(row)}"
    if value is not None and value.row["start"] != row["start"]:
        head += f"为 {printed(value.row)} [{cite(value.row)}]，"
    return f"{head}{phrase} {shown} [{cite(row)}]"
