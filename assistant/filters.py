"""The user's corpus filters applied to what a question asks: the narrowed slots then drive both
the SQL (`sql_build`) and the retrieval filters, so the stores' queries do the filtering."""

from __future__ import annotations

from dataclasses import replace

from assistant.catalog import Catalog
from assistant.types import Answer, CorpusFilters, Slots


def narrow(slots: Slots, filters: CorpusFilters | None, catalog: Catalog) -> Slots | Answer:
    """`slots` restricted to `filters`, or an answer saying the filters exclude what was asked."""
    if not filters:
        return slots
    localities, years = slots.localities, slots.years
    if filters.localities:
        localities = tuple(p for p in localities if p in filters.localities) if localities else filters.localities
        if slots.localities and not localities:
            asked = "、".join(catalog.short(p) for p in slots.localities)
            chosen = "、".join(catalog.short(p) for p in filters.localities)
            return Answer(f"问题问的是{asked}，但侧栏只筛选了{chosen}。请调整筛选条件后再问。", "none",
                          "筛选条件排除了问题中的地区", slots=slots)
    if filters.years:
        years = tuple(y for y in years if y in filters.years) if years else filters.years
        if slots.years and not years:
            asked = "、".join(f"{y}年" for y in slots.years)
            chosen = "、".join(f"{y}年" for y in filters.years)
            return Answer(f"问题问的是{asked}，但侧栏只筛选了{chosen}。请调整筛选条件后再问。", "none",
                          "筛选条件排除了问题中的年度", slots=slots)
    units = slots.units
    if filters.units:
        units = tuple(u for u in units if u in filters.units) if units else filters.units
        if slots.units and not units:
            asked = "、".join(catalog.unit(u).name for u in slots.units if catalog.unit(u))
            chosen = "、".join(catalog.unit(u).name for u in filters.units if catalog.unit(u))
            return Answer(f"问题问的是{asked}，但侧栏只筛选了{chosen}。请调整筛选条件后再问。", "none",
                          "筛选条件排除了问题中的单位", slots=slots)
    return replace(slots, localities=localities, years=years, doc_types=filters.doc_types, units=units)
