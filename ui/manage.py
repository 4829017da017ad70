"""Corpus management for officials: upload and ingest, list, delete, re-ingest, visibility.

Everything goes through `assistant.documents`, which runs the same ingestion code as the CLI.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from assistant.documents import (
    SUPPORTED_SUFFIXES,
    add_unit_alias,
    alias_file_problems,
    corpus_summary,
    delete_document,
    ingest_uploads,
    reingest_document,
    set_visibility,
    unit_aliases,
)
from gongkai.errors import UserFacingError
from gongkai.settings import get_settings

settings = get_settings()
role = st.session_state.get("role", "public")
STATUS = {"ingested": "已导入", "replaced": "已更新（替换旧版本）", "unchanged": "未变化（已在库中）",
          "failed": "失败"}
VISIBILITY = {"public": "公开", "official": "仅工作人员"}

st.title("文件库管理")
if role != "official":
    st.warning("只有登录的工作人员可以管理文件库。请在侧栏“工作人员登录”后再来。")
    st.stop()


def upload_section() -> None:
    st.subheader("上传文件")
    with st.form("upload", clear_on_submit=True):
        files = st.file_uploader("选择一个或多个文件", accept_multiple_files=True,
                                 type=[s.lstrip(".") for s in SUPPORTED_SUFFIXES],
                                 max_upload_size=max(1, math.ceil(settings.max_file_mb)),
                                 help=f"每个文件不超过 {settings.max_file_mb:g} MB；同名文件的新版本会替换旧版本。")
        visibility = st.radio("可见范围", list(VISIBILITY), format_func=VISIBILITY.get, horizontal=True)
        submitted = st.form_submit_button("开始导入")
    if not submitted:
        return
    if not files:
        st.warning("请先选择文件。")
        return
    bar = st.progress(0.0, text="准备导入…")

    def progress(done: int, total: int, name: str) -> None:
        bar.progress(done / total, text=f"正在导入 {name}（{done + 1}/{total}）" if name else "导入完成")

    try:
        results = ingest_uploads([(f.name, f.getvalue()) for f in files], settings, user=role,
                                 visibility=visibility, progress=progress)
    except UserFacingError as error:
        st.error(error.message)
        return
    st.dataframe(pd.DataFrame([{
        "文件": r.path, "结果": STATUS.get(r.status, r.status), "说明": r.error or "",
        "片段": r.chunks, "表格": r.tables, "数据点": r.facts, "用时（秒）": round(r.seconds, 1),
    } for r in results]), hide_index=True, width="stretch")
    failed = [r for r in results if r.status == "failed"]
    for r in failed:
        st.error(f"{r.path}：{r.error}")
    if len(failed) < len(results):
        st.success(f"导入完成：{len(results) - len(failed)} 个成功，{len(failed)} 个失败。")


def documents_section() -> None:
    st.subheader("已收录的文件")
    documents = corpus_summary(settings, user=role).documents
    if not documents:
        st.info("文件库是空的。")
        return
    st.dataframe(pd.DataFrame([{
        "编号": d["id"], "标题": d["title"], "地区": d["locality"], "年度": d["year"],
        "类型": d["doc_type"], "可见范围": VISIBILITY.get(d["visibility"], d["visibility"]),
        "片段": d["chunks"], "表格": d["tables"], "数据点": d["facts"], "文件名": d["filename"],
        "导入时间": d["ingested_at"],
    } for d in documents]), hide_index=True, width="stretch")
    chosen = st.selectbox("选择要操作的文件", documents, index=None, key="manage_doc",
                          format_func=lambda d: f"{d['title']}（{d['id']}）", placeholder="选择文件")
    if not chosen:
        return
    left, middle, right = st.columns(3)
    other = "official" if chosen["visibility"] == "public" else "public"
    try:
        if left.button(f"设为{VISIBILITY[other]}", key="set_visibility"):
            set_visibility(chosen["id"], other, settings, user=role)
            st.toast(f"已设为{VISIBILITY[other]}")
            st.rerun()
        if middle.button("重新导入", key="reingest"):
            with st.spinner("正在重新导入…"):
                result = reingest_document(chosen["id"], settings, user=role)
            if result.status == "failed":
                st.error(result.error)
            else:
                st.success(f"已重新导入：{result.chunks} 个片段，{result.tables} 个表格，{result.facts} 个数据点。")
        confirm = right.checkbox("确认删除", key="confirm_delete")
        if right.button("删除", key="delete", disabled=not confirm, type="primary"):
            delete_document(chosen["id"], settings, user=role)
            st.session_state.pop("manage_doc", None)
            st.rerun()
    except UserFacingError as error:
        st.error(error.message)


upload_section()
documents_section()


def aliases_section() -> None:
    """Names people use for a unit that the rules do not make ('区府办' …), kept in aliases.yaml."""
    st.subheader("单位别名")
    for problem in alias_file_problems(settings):
        st.error(f"别名文件 aliases.yaml：{problem}（别名文件未生效）")
    summary = corpus_summary(settings, user=role)
    names = [name for _, name in summary.units]
    with st.form("alias", clear_on_submit=True):
        alias = st.text_input("别名", placeholder="例如：区府办")
        unit = st.selectbox("单位", names, index=None, placeholder="选择单位")
        if st.form_submit_button("添加别名") and alias and unit:
            problems = add_unit_alias(alias, unit, settings, user=role)
            for problem in problems:
                st.error(problem)
            if not problems:
                st.success(f"已添加：“{alias}”指{unit}")
    known = unit_aliases(settings, user=role)
    if known:
        st.dataframe(pd.DataFrame(known, columns=["别名", "单位"]), hide_index=True)


aliases_section()
