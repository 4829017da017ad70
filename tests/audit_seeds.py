"""Seeded errors for the audit tests: a real document's excerpt with one printed number changed."""

from __future__ import annotations

from dataclasses import dataclass

from tests.conftest import sample_path

# (sample, first line, last line) of each excerpt, 1-based and inclusive: the prose and tables
# a rule reads, whole, so an unchanged excerpt audits clean like its document.
EXCERPTS = {"004": (1, 148), "003": (1, 80)}


@dataclass(frozen=True)
class Seed:
    rule: str  # the rule that must name the changed figure
    sample: str
    anchor: str  # text just before the number, unique in the excerpt
    old: str
    new: str


SEEDS = (
    Seed("row_total", "004", "| | 总计: | 1,932.33 | 494.82 | ", "1,437.50", "1,473.50"),
    Seed("code_rollup", "004", "| 20103 | 政府办公厅(室)及相关机构事务 | 1,866.11 | ", "428.61", "482.61"),
    Seed("column_total", "004", "| 2010301 | 行政运行 | ", "428.61", "482.61"),
    Seed("balance", "004", "| 本年收入总计 | ", "1932.33", "1923.33"),
    Seed("three_public", "004", '2021年"三公"经费预算', "6", "8"),
    Seed("prose_table", "004", "其中:基本支出 ", "494.83", "494.93"),
    Seed("stated_change", "003", "比2017年决算总收入增加270.89万元,增加了", "47.04", "74.04"),
    Seed("completion", "003", "支出决算数为846.77万元,完成年初预算的", "169.06", "196.06"),
    Seed("share", "003", "项目支出539.22万元,占年度总支出的", "63.68", "68.63"),
    Seed("basic_split", "003", "日常公用经费支出", "51.32", "53.12"),
)


def excerpt(sample: str) -> str:
    first, last = EXCERPTS[sample]
    lines = sample_path(sample).read_text(encoding="utf-8").splitlines(keepends=True)
    return "".join(lines[first - 1:last])


def seeded(seed: Seed) -> tuple[str, int, int]:
    """The excerpt with the seed's number changed, and the changed number's span."""
    text = excerpt(seed.sample)
    at = text.index(seed.anchor)
    assert text.count(seed.anchor) == 1 and text.startswith(seed.old, at + len(seed.anchor))
    start = at + len(seed.anchor)
    return text[:start] + seed.new + text[start + len(seed.old):], start, start + len(seed.new)
