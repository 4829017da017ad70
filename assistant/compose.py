"""Answer text from SQL rows: every figure as printed, with its unit and a citation marker.

Sums, averages and shares are computed here with `Decimal` on the printed figures, so a result
never carries float noise, and every row it was computed from is cited.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from assistant.types import Slots
from ingest.numbers import parse_number
from ingest.vocab import unit_kind

OPERATION_NAMES = {
    "lookup": "查询", "rank": "排名", "total": "合计", "average": "平均", "compare": "对比",
    "change": "变化", "share": "占比",
}
_TO_WAN = {"元": Decimal("0.0001"), "千元": Decimal("0.1"), "万元": Decimal(1), "亿元": Decimal(10000)}

MAX_LINES = 20  # figures written out (and cited) in the text; the rest are in the result table
Row = dict[str, Any]
Cite = Callable[[Row], int]  # registers a row's citation, returns its 1-based marker


def figure(row: Row) -> str:
    """The figure as printed with its unit: '6万元', '1,932.33万元', '100.00%'."""
    unit = row["unit"]
    return f"{row['text']}{'' if unit == '%' and row['text'].endswith('%') else unit}"


def where_when(row: Row, place: str) -> str:
    scope = f"（{row['scope']}）" if row.get("scope") else ""
    return f"{place}{row['year'] or ''}{'年' if row['year'] else ''}{row['metric']}{scope}"


def _decimal(row: Row) -> Decimal:
    value = parse_number(row["text"])
    return Decimal(str(value if value is not None else row["value"]))


def _in_wan(row: Row) -> Decimal | None:
    factor = _TO_WAN.get(row["unit"])
    return None if factor is None else _decimal(row) * factor


def _places(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


def _decimals_of(rows: Sequence[Row]) -> int:
    return max((len(r["text"].split(".")[1]) if "." in r["text"] else 0) for r in rows)


def _more(rows: Sequence[Row]) -> list[str]:
    extra = len(rows) - MAX_LINES
    return [f"……另有 {extra} 条，见结果表。"] if extra > 0 else []


def lookup_lines(rows: Sequence[Row], place: Callable[[Row], str], cite: Cite,
                 said: Callable[[Row], str] = lambda row: "") -> list[str]:
    """One line per figure; `said` adds the source's own words about it ('较上年持平')."""
    shown = rows[:MAX_LINES]
    return [f"{where_when(r, place(r))}为 {figure(r)}{f'，{w}' if (w := said(r)) else ''} [{cite(r)}]"
            for r in shown] + _more(rows)


def rank_lines(rows: Sequence[Row], slots: Slots, place: Callable[[Row], str], cite: Cite) -> list[str]:
    top = rows[: slots.top] if slots.top else rows
    head = "最低" if slots.order == "asc" else "最高"
    lines = [f"{i}. {place(r)}{r['year'] or ''}{'年' if r['year'] else ''}：{figure(r)} [{cite(r)}]"
             for i, r in enumerate(rows[:MAX_LINES], 1)] + _more(rows)
    if slots.top == 1 and top:
        first = top[0]
        return [f"{head}的是{place(first)}：{where_when(first, '')} {figure(first)} [{cite(first)}]。",
                "全部排序：", *lines]
    return lines


def total_lines(rows: Sequence[Row], slots: Slots, place: Callable[[Row], str], cite: Cite,
                average: bool = False) -> list[str]:
    money = all(unit_kind(r["unit"]) == "money" for r in rows)
    units = {r["unit"] for r in rows}
    if not money and len(units) > 1:
        return ["这些数字单位不同（" + "、".join(sorted(units)) + "），无法合计。"]
    values = [_in_wan(r) if money else _decimal(r) for r in rows]
    unit = "万元" if money else rows[0]["unit"]
    decimals = _decimals_of(rows) + (2 if average else 0)
    total = sum(values, Decimal(0))
    result = (total / len(values)) if average else total
    result = result.quantize(_places(min(decimals, 6)), rounding=ROUND_HALF_UP)
    parts = " + ".join(f"{figure(r)} [{cite(r)}]" for r in rows)
    name = "平均" if average else "合计"
    note = "（按万元换算）" if money and units != {"万元"} else ""
    return [f"{name}为 {result}{unit}{note}，由以下 {len(rows)} 个数字计算：{parts}"]


def share_lines(rows: Sequence[Row], slots: Slots, place: Callable[[Row], str], cite: Cite) -> list[str]:
    part_key, whole_key = slots.metrics[0], slots.metrics[1]
    by_doc: dict[tuple[str, Any], dict[str, Row]] = {}
    for r in rows:
        by_doc.setdefault((r["doc_id"], r["year"]), {}).setdefault(r["metric"], r)
    lines = []
    for pair in by_doc.values():
        part, whole = pair.get(part_key), pair.get(whole_key)
        if not part or not whole:
            continue
        a, b = _in_wan(part) or _decimal(part), _in_wan(whole) or _decimal(whole)
        if not b:
            continue
        share = (a / b * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        lines.append(f"{place(part)}{part['year'] or ''}年{part_key} {figure(part)} [{cite(part)}] 占"
                     f"{whole_key} {figure(whole)} [{cite(whole)}] 的 {share}%")
    return lines


def change_lines(rows: Sequence[Row], place: Callable[[Row], str], cite: Cite,
                 lead_in: Callable[[Row], str]) -> list[str]:
    """Stated changes, worded as the source words them ('比年初预算增加'), not assumed to be yearly."""
    lines = []
    for r in rows:
        if r["measure"] not in ("change", "change_pct"):
            continue
        phrase = lead_in(r) or ("比上年减少" if r["value"] < 0 else "比上年增加")
        shown = f"{r['text']}%" if r["measure"] == "change_pct" else figure(r)
        lines.append(f"{where_when(r, place(r))}{phrase} {shown} [{cite(r)}]")
    return lines


def year_change_lines(rows: Sequence[Row], place: Callable[[Row], str], cite: Cite) -> list[str]:
    """Changes computed between the years stored for the same locality and metric."""
    lines = []
    by_place: dict[tuple[Any, str], list[Row]] = {}
    for r in rows:
        by_place.setdefault((r["locality"], r["metric"]), []).append(r)
    for series in by_place.values():
        series = sorted(series, key=lambda r: r["year"] or 0)
        for before, after in zip(series, series[1:]):
            if before["unit"] != after["unit"] or before["year"] == after["year"]:
                continue
            delta = _decimal(after) - _decimal(before)
            verb = "减少" if delta < 0 else "增加"
            lines.append(f"{place(after)}{after['metric']}由{before['year']}年 {figure(before)} "
                         f"[{cite(before)}] 到{after['year']}年 {figure(after)} [{cite(after)}]，"
                         f"{verb} {abs(delta)}{after['unit']}")
    return lines
