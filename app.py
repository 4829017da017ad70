"""Gongkai's browser app (Streamlit). Presentation only: it asks `assistant` for everything.

Until the chat lands, the first page shows what has been ingested.
"""

from __future__ import annotations

import streamlit as st

from assistant.corpus import corpus_overview
from gongkai.settings import get_settings

st.set_page_config(page_title="公开 · 财政公开问答", page_icon="📊", layout="wide")
st.title("公开 Gongkai")
st.caption("面向政府部门预算、决算、三公经费、项目文本和绩效自评的问答助手。问答功能即将上线，下面是已导入的文件。")

documents, counts = corpus_overview(get_settings())
if not documents:
    st.info("还没有导入任何文件。请运行 `python -m ingest 文件或文件夹` 导入。")
else:
    cols = st.columns(4)
    cols[0].metric("文件", len(documents))
    cols[1].metric("表格", counts["doc_tables"])
    cols[2].metric("数据点", counts["facts"])
    cols[3].metric("文本片段", counts["chunks"])
    st.dataframe(
        [
            {"地区": d["locality"], "单位": d["unit_name"], "年度": d["year"], "类型": d["doc_type"],
             "标题": d["title"], "表格": d["tables"], "数据点": d["facts"], "片段": d["chunks"]}
            for d in documents
        ],
        use_container_width=True,
        hide_index=True,
    )
