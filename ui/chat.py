"""The chat: questions in Chinese, answers with citations, figures, charts; sidebar filters."""

from __future__ import annotations

import logging

import streamlit as st

from assistant.ask import ask
from assistant.corpus import warm_up
from assistant.documents import CorpusSummary, corpus_summary, example_questions
from assistant.types import CorpusFilters
from gongkai.errors import UserFacingError
from gongkai.settings import get_settings
from ui.answer_view import linked_text, render_answer, stream_pieces

log = logging.getLogger(__name__)
settings = get_settings()
role = st.session_state.get("role", "public")
st.session_state.setdefault("messages", [])  # {"role": "user", "text": …} | {"role": "assistant", "answer": …}


@st.cache_resource(show_spinner="正在加载检索模型（首次启动需要一点时间）…")
def _warm(data_dir: str) -> bool:
    warm_up(settings)
    return True


def sidebar_filters(summary: CorpusSummary) -> CorpusFilters:
    st.sidebar.subheader("筛选")
    places = st.sidebar.multiselect("地区", summary.localities, key="filter_localities",
                                    placeholder="全部地区")
    names = dict(summary.units)
    units = st.sidebar.multiselect("单位", list(names), key="filter_units", placeholder="全部单位",
                                   format_func=names.get)
    years = st.sidebar.multiselect("年度", summary.years, key="filter_years", placeholder="全部年度",
                                   format_func=lambda y: f"{y}年")
    types = st.sidebar.multiselect("类型", summary.doc_types, key="filter_types", placeholder="全部类型")
    return CorpusFilters(tuple(places), tuple(years), tuple(types), tuple(units))


def pick(example: str) -> None:
    """An example question clicked: asked on this rerun (callbacks run before the script)."""
    st.session_state.pending = example


def answer_question(question: str, filters: CorpusFilters) -> None:
    history = [m["answer"] for m in st.session_state.messages if m["role"] == "assistant"]
    st.session_state.messages.append({"role": "user", "text": question})
    with st.chat_message("user"):
        st.markdown(question)
    with st.chat_message("assistant"):
        try:
            with st.spinner("正在查找…"):
                answer = ask(question, history, role, settings=settings, filters=filters)
        except UserFacingError as error:
            st.error(error.message)
            return
        except Exception:  # the page must survive any failure
            log.exception("answering %r failed", question)
            st.error("回答这个问题时出错了，请换个问法或稍后再试。")
            return
        st.write_stream(stream_pieces(linked_text(answer)))
        render_answer(answer, streamed=True, key=str(len(st.session_state.messages)))
    st.session_state.messages.append({"role": "assistant", "answer": answer})


st.title("公开 · 财政公开问答")
summary = corpus_summary(settings, user=role)
if not summary.documents:
    st.info("还没有导入任何文件。工作人员登录后可在“文件库管理”上传，或运行 `python -m ingest 文件或文件夹` 导入。")
    st.stop()
filters = sidebar_filters(summary)
if st.sidebar.button("新对话", icon=":material/add_comment:", key="new_chat"):
    st.session_state.messages = []
    st.session_state.pop("pending", None)
try:
    _warm(str(settings.data_dir))
except Exception:  # questions still get an answer or a clear error; the page stays up
    log.exception("warming the retriever failed")
    st.warning("检索模型暂时无法加载，回答可能较慢或不完整。")

typed = st.chat_input("请输入问题，例如：某地某年的三公经费是多少？")
question = typed or st.session_state.pop("pending", None)
if not st.session_state.messages and not question:
    st.markdown(
        "可以询问已收录的部门预算、决算、三公经费、项目文本和绩效目标中的**数字**（例如某地某年的经费是多少、"
        "各地比较、比上年的变化），也可以问**原因和说明**（为什么增加、项目做什么）。  \n"
        "每个回答都标注来源 [1] [2]，点击即可查看原文中的对应段落。"
    )
    st.caption("试试这些问题：")
    for i, example in enumerate(example_questions(settings, user=role)):
        st.button(example, key=f"example_{i}", on_click=pick, args=(example,))

for n, message in enumerate(st.session_state.messages):
    with st.chat_message(message["role"]):
        if message["role"] == "user":
            st.markdown(message["text"])
        else:
            render_answer(message["answer"], key=str(n))

if question:
    answer_question(question, filters)
