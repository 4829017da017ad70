"""Gongkai's browser app (Streamlit): the entry point. Presentation only — it asks `assistant`.

Pages (one file each under ui/): 问答 (the chat), 原文 (the source viewer, opened by citation
links `source?doc=…&start=…&end=…`), 文件库管理 (officials only). The sidebar holds sign-in and
the corpus at a glance.
"""

from __future__ import annotations

import streamlit as st

from assistant.documents import corpus_summary
from assistant.users import check_password
from gongkai.settings import get_settings

st.set_page_config(page_title="公开 · 财政公开问答", page_icon=":material/account_balance:", layout="wide")
settings = get_settings()
st.session_state.setdefault("role", "public")
st.session_state.setdefault("user_name", "")


def sign_in_box() -> None:
    if st.session_state.role == "official":
        st.sidebar.success(f"已登录：{st.session_state.user_name}（工作人员）")
        if st.sidebar.button("退出登录", key="sign_out"):
            st.session_state.role, st.session_state.user_name = "public", ""
            st.session_state.messages = []  # answers from official documents leave with the official
            st.rerun()
        return
    with st.sidebar.expander("工作人员登录"), st.form("sign_in", clear_on_submit=True):
        name = st.text_input("账号")
        password = st.text_input("密码", type="password")
        if st.form_submit_button("登录"):
            if check_password(settings, name, password):
                st.session_state.role, st.session_state.user_name = "official", name.strip()
                st.rerun()
            st.error("账号或密码不正确。")


def corpus_glance() -> None:
    summary = corpus_summary(settings, user=st.session_state.role)
    st.sidebar.subheader("文件库概况")
    left, middle, right = st.sidebar.columns(3)
    left.metric("文件", len(summary.documents))
    middle.metric("单位", len(summary.units))
    right.metric("地区", len(summary.localities))
    if summary.documents:
        st.sidebar.caption("地区：" + "、".join(summary.localities))
        st.sidebar.caption("年度：" + "、".join(str(y) for y in summary.years))
        st.sidebar.caption("类型：" + "、".join(summary.doc_types))


pages = [
    st.Page("ui/chat.py", title="问答", icon=":material/forum:", default=True),
    st.Page("ui/source.py", title="原文", icon=":material/description:", url_path="source"),
    st.Page("ui/manage.py", title="文件库管理", icon=":material/folder_managed:", url_path="manage"),
]
page = st.navigation(pages)
sign_in_box()
try:
    corpus_glance()
except Exception:  # noqa: BLE001 - a store that cannot be read must not take the page down
    st.sidebar.error("暂时无法读取文件库。")
page.run()
