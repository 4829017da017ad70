"""How one answer is shown: text with linked [n] markers, citations, result table, chart, CSV, SQL."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pandas as pd
import streamlit as st

from assistant.types import Answer, Citation, CitationGroup
from ui.links import by_document, citation_params, source_url

MEASURES = {"value": "数值", "change": "增减额", "change_pct": "增减率"}


def linked_text(answer: Answer) -> str:
    """The answer as markdown: [n] markers link to their source, line breaks kept."""
    def link(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if 1 <= n <= len(answer.citations):
            return f"[\\[{n}\\]]({source_url(citation_params([answer.citations[n - 1]]))})"
        return match.group(0)

    text = answer.answer
    for special in "\\*_$~`#":  # figures and quotes are text, never markdown
        text = text.replace(special, "\\" + special)
    return re.sub(r"\[(\d+)\]", link, text).replace("\n", "  \n")


def stream_pieces(markdown: str) -> Iterator[str]:
    """The answer in small pieces for st.write_stream; a link is never cut in two."""
    yield from re.findall(r"\[\\\[\d+\\\]\]\([^)]*\)|[^\[]{1,4}|\[", markdown)


def render_answer(answer: Answer, *, streamed: bool = False, key: str = "") -> None:
    """Everything after the text (`streamed`: the text was written already)."""
    if not streamed:
        st.markdown(linked_text(answer))
    for warning in answer.warnings:
        st.warning(warning)
    if answer.why:
        st.caption(f"回答方式：{answer.why}")
    if answer.groups:
        _render_groups(answer.groups, answer.citations)
    if answer.rows:
        _render_figures(answer, key)
    if answer.citations:
        _render_citations(answer.citations, key)


def _render_citations(citations: tuple[Citation, ...], key: str) -> None:
    st.markdown("**引用来源**")
    for n, c in enumerate(citations, 1):
        where = " · ".join(part for part in (
            c.locality or "", f"{c.year}年" if c.year else "", f"第{c.page}页" if c.page else "") if part)
        with st.container(border=True):
            st.markdown(f"**[{n}]** {c.title}  \n{where}")
            st.caption(f"“{c.quote.strip()}”")
            st.page_link("ui/source.py", label=f"查看原文 [{n}]", icon=":material/find_in_page:",
                         query_params=citation_params([c]))


def _render_groups(groups: tuple[CitationGroup, ...], citations: tuple[Citation, ...]) -> None:
    """One viewer link per group (and document) that marks all of the group's spans at once."""
    for group in groups:
        cited = [citations[n - 1] for n in group.numbers if 1 <= n <= len(citations)]
        for part in by_document(cited):
            st.page_link("ui/source.py", label=f"在原文中标出{group.label}（{len(part)} 个数字）",
                         icon=":material/find_in_page:", query_params=citation_params(part))


def figures_table(answer: Answer) -> pd.DataFrame:
    """The result rows under Chinese column names, units in the value column's name when shared."""
    rows = [dict(zip(answer.columns, r)) for r in answer.rows]
    units = {r.get("unit") or "" for r in rows}
    value_name = f"数值（{units.pop()}）" if len(units) == 1 else "数值"
    table = pd.DataFrame([{
        "地区": r.get("locality_name") or r.get("locality") or "",
        "单位": r.get("unit_name") or "",
        "年度": r.get("year"),
        "指标": r.get("metric", ""),
        "口径": r.get("scope") or "",
        "类别": MEASURES.get(r.get("measure", "value"), r.get("measure")),
        value_name: r.get("value"),
        **({} if value_name != "数值" else {"单位": r.get("unit")}),
        "原文写法": r.get("text", ""),
        "原文项目": r.get("metric_raw", ""),
    } for r in rows])
    return table


def _render_figures(answer: Answer, key: str) -> None:
    table = figures_table(answer)
    st.dataframe(table, hide_index=True, width="stretch")
    value_name = next(c for c in table.columns if c.startswith("数值"))
    if answer.chart and value_name != "数值":
        _render_chart(table, answer.chart, value_name)
    st.download_button("下载 CSV", table.to_csv(index=False).encode("utf-8-sig"),
                       file_name="gongkai.csv", mime="text/csv", key=f"csv_{key}")
    if answer.sql:
        with st.expander("查询语句（SQL）"):
            st.code(answer.sql, language="sql")


def _render_chart(table: pd.DataFrame, chart: str, value_name: str) -> None:
    data = table[table["类别"] == "数值"] if (table["类别"] == "数值").any() else table
    several = data["指标"].nunique() > 1
    if chart == "bar":  # units compared: horizontal bars keep Chinese names readable
        label = "单位" if data["单位"].nunique() > data["地区"].nunique() else "地区"
        if data.duplicated([label, "指标"]).any():  # one unit in several years
            named = label
            label = f"{named}与年度"
            data = data.assign(**{label: data[named] + data["年度"].astype(str) + "年"})
        st.bar_chart(data, x=label, y=value_name, color="指标" if several else None, horizontal=True,
                     sort=False if several else f"-{value_name}", stack=False,
                     x_label=label, y_label=value_name, height=max(160, 48 * len(data)))
    else:
        data = data.assign(年度=data["年度"].astype(str))
        st.line_chart(data, x="年度", y=value_name, color="地区" if data["地区"].nunique() > 1 else None,
                      x_label="年度", y_label=value_name)
