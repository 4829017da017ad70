"""The Streamlit app, run headless with AppTest: chat over the ingested samples, filters, the
source viewer, sign-in, corpus management, and what public users are refused."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, sample_path

TIMEOUT = 300  # the first run loads the embedding model and builds the retrieval index


def _app(data_dir, monkeypatch, **env) -> AppTest:
    monkeypatch.setenv("GONGKAI_DATA_DIR", str(data_dir))
    for name, value in env.items():
        monkeypatch.setenv(name, str(value))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)


def _ask(app: AppTest, question: str) -> AppTest:
    app.chat_input[0].set_value(question).run()
    assert not app.exception
    return app


def _last_answer(app: AppTest) -> str:
    message = app.chat_message[-1]
    assert message.name == "assistant"
    return "\n".join(m.value for m in message.markdown)


def _figures(app: AppTest):
    return app.chat_message[-1].dataframe[0].value


@pytest.fixture
def chat(sample_store, monkeypatch):
    settings, _, _ = sample_store
    return _app(settings.data_dir, monkeypatch).run()


def test_first_screen_explains_and_offers_questions_from_the_corpus(chat):
    assert not chat.exception
    assert chat.sidebar.metric[0].value == "5"  # documents
    examples = [b.label for b in chat.button if b.key and b.key.startswith("example_")]
    assert 4 <= len(examples) <= 6
    stored_places = ("澄江", "呈贡", "柞水", "汨罗", "潼南")
    assert all(any(p in q for p in stored_places) or "哪个地方" in q for q in examples)
    assert any(p in "".join(examples) for p in stored_places)


def test_an_example_question_is_clickable_and_answered_with_a_citation(chat):
    label = chat.button(key="example_0").label
    chat.button(key="example_0").click().run()
    assert not chat.exception
    assert chat.chat_message[0].markdown[0].value == label
    assert "[\\[1\\]](source?doc=" in _last_answer(chat)


def test_figure_question_shows_figure_table_citation_and_sql(chat):
    _ask(chat, "柞水县2023年三公经费是多少？")
    answer = _last_answer(chat)
    assert "0.07万元" in answer  # as printed in the 2023 budget of 柞水县
    table = _figures(chat)
    assert "数值（万元）" in table.columns
    assert list(table["地区"]) == ["柞水县"]
    assert list(table["原文写法"]) == ["0.07"]
    assert "柞水县" in answer and "第1页" in answer  # the citation names locality and page
    assert chat.chat_message[-1].expander[0].label == "查询语句（SQL）"
    assert "SELECT" in chat.chat_message[-1].code[0].value.upper()


def test_follow_up_keeps_the_question_and_changes_the_place(chat):
    _ask(chat, "柞水县2023年三公经费是多少？")
    _ask(chat, "那潼南区呢？")
    assert len(chat.chat_message) == 4
    assert "潼南区" in _last_answer(chat) and "三公经费" in _last_answer(chat)
    assert set(_figures(chat)["地区"]) == {"潼南区"}
    chat.button(key="new_chat").click().run()
    assert not chat.chat_message  # 新对话 clears the conversation


def test_why_question_answers_from_the_text_with_quotes(chat):
    _ask(chat, "潼南区运行经费为什么减少？")
    answer = _last_answer(chat)
    assert "主要原因" in answer  # the reason, quoted from the document
    assert "source?doc=" in answer


def test_filter_narrows_the_figures_compared(chat):
    _ask(chat, "哪个地方的三公经费最高？")
    assert len(set(_figures(chat)["地区"])) > 1
    assert chat.chat_message[-1].get("vega_lite_chart")  # localities compared: a bar chart
    chat.multiselect(key="filter_types").set_value(["决算"]).run()
    _ask(chat, "哪个地方的三公经费最高？")
    figures = _figures(chat)
    assert set(figures["口径"]) == {"决算"} and len(figures) < 3


def test_source_viewer_opens_a_citation_link(chat):
    _ask(chat, "柞水县2023年三公经费是多少？")
    link = chat.chat_message[-1].get("page_link")[0]
    assert link.proto.label == "查看原文 [1]"
    chat.switch_page("ui/source.py")
    chat.query_params.update(_last_answer_citation(chat))
    chat.run()
    assert not chat.exception
    assert "柞水县" in chat.title[0].value
    assert "0.07" in chat.info[0].value  # the cited span, quoted above the highlighted text
    assert "第1页" in chat.info[0].value
    html = chat.get("iframe")[0].proto.srcdoc
    assert '<mark id="cited">' in html and "0.07" in html.split('<mark id="cited">')[1].split("</mark>")[0]


def _last_answer_citation(app: AppTest) -> dict[str, str]:
    import re

    text = _last_answer(app)
    found = re.search(r"source\?doc=(\w+)&start=(\d+)&end=(\d+)", text)
    assert found, text
    return {"doc": found.group(1), "start": found.group(2), "end": found.group(3)}


def test_an_llm_endpoint_that_is_down_leaves_the_offline_answer(sample_store, monkeypatch):
    settings, _, _ = sample_store
    app = _app(settings.data_dir, monkeypatch, GONGKAI_LLM="openai:any-model",
               GONGKAI_LLM_BASE_URL="http://127.0.0.1:9/v1", GONGKAI_LLM_API_KEY="unused").run()
    _ask(app, "潼南区运行经费为什么减少？")
    answer = _last_answer(app)
    assert "主要原因" in answer and "大模型服务不可用" in answer


def test_a_question_the_documents_cannot_answer_is_said_so(chat):
    _ask(chat, "北京市海淀区2021年三公经费是多少？")
    assert "没有" in _last_answer(chat) and not chat.chat_message[-1].dataframe


def test_first_page_explains_an_empty_store(tmp_path, monkeypatch):
    app = _app(tmp_path / "empty", monkeypatch).run()
    assert not app.exception
    assert "还没有导入" in app.info[0].value


# --- officials and public users, on a corpus of their own ---------------------------------------


@pytest.fixture
def accounts(tmp_path):
    from assistant.users import add_user

    path = tmp_path / "users.yaml"
    add_user(path, "clerk", "s3cret-口令")
    return path


def _sign_in(app: AppTest, name: str, password: str) -> AppTest:
    app.sidebar.text_input[0].input(name)
    app.sidebar.text_input[1].input(password)
    next(b for b in app.sidebar.button if b.label == "登录").click().run()
    assert not app.exception
    return app


def test_wrong_password_stays_public(tmp_path, accounts, monkeypatch):
    app = _app(tmp_path / "data", monkeypatch, GONGKAI_AUTH_FILE=accounts).run()
    _sign_in(app, "clerk", "wrong")
    assert app.session_state["role"] == "public"
    assert "不正确" in app.sidebar.error[0].value


def test_official_uploads_sets_visibility_and_deletes_public_is_refused(tmp_path, accounts, monkeypatch):
    app = _app(tmp_path / "data", monkeypatch, GONGKAI_AUTH_FILE=accounts).run()
    app.switch_page("ui/manage.py").run()
    assert "只有登录的工作人员" in app.warning[0].value  # public users are refused
    assert not app.file_uploader

    _sign_in(app, "clerk", "s3cret-口令")
    assert app.session_state["role"] == "official"
    app.switch_page("ui/manage.py").run()
    sample = sample_path("004")
    app.file_uploader[0].set_value([
        (f"../../{sample.name}", sample.read_bytes(), "text/plain"),
        ("坏文件.pdf", b"this is not a PDF", "application/pdf"),
    ])
    next(b for b in app.button if b.label == "开始导入").click().run()
    assert not app.exception
    results = app.dataframe[0].value
    assert list(results["结果"]) == ["已导入", "失败"]
    assert results["说明"][1]  # a Chinese reason for the broken file
    assert all("\u4e00" <= ch <= "\u9fff" for ch in results["说明"][1][:2])
    assert (tmp_path / "data" / "uploads" / sample.name).is_file()  # the ../ was dropped
    assert not list((tmp_path / "data").glob("*.txt"))
    assert app.progress[0].value == 100

    documents = app.dataframe[1].value
    assert len(documents) == 1 and documents["可见范围"][0] == "公开"
    doc_id = documents["编号"][0]
    app.selectbox(key="manage_doc").select_index(0).run()
    app.button(key="set_visibility").click().run()
    assert app.dataframe[0].value["可见范围"][0] == "仅工作人员"

    # a public user neither sees nor can open nor query the official document
    visitor = _app(tmp_path / "data", monkeypatch, GONGKAI_AUTH_FILE=accounts).run()
    assert visitor.sidebar.metric[0].value == "0"
    assert "还没有导入" in visitor.info[0].value
    visitor.switch_page("ui/source.py")
    visitor.query_params["doc"] = doc_id
    visitor.run()
    assert "仅对工作人员可见" in visitor.error[0].value
    from assistant.ask import ask
    from gongkai.settings import get_settings

    settings = get_settings(data_dir=tmp_path / "data")
    assert ask("潼南区2021年三公经费是多少？", user="public", settings=settings).route == "none"
    assert "6万元" in ask("潼南区2021年三公经费是多少？", user="official", settings=settings).answer

    # the official sees it in the viewer, then deletes it
    app.switch_page("ui/source.py")
    app.query_params["doc"] = doc_id
    app.run()
    assert not app.error and "潼南区" in app.title[0].value
    app.switch_page("ui/manage.py").run()
    app.selectbox(key="manage_doc").select_index(0).run()
    app.checkbox(key="confirm_delete").check().run()
    app.button(key="delete").click().run()
    assert not app.exception
    assert "文件库是空的" in app.info[0].value
