"""The Streamlit app, run headless with AppTest: chat over the ingested samples, filters, the
source viewer, sign-in, corpus management, and what public users are refused."""

from __future__ import annotations

import re

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
    _upload_while_the_cli_ingests(app, tmp_path / "data")
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


# --- an audit finding's spans, marked at once in the viewer -------------------------------------


@pytest.fixture(scope="module")
def seeded_store(tmp_path_factory):
    """A copy of the 潼南区 sample's excerpt whose 三公经费 total reads 8 instead of 6."""
    from gongkai.settings import get_settings
    from ingest.pipeline import ingest_file, open_stores
    from tests.audit_seeds import SEEDS, seeded

    folder = tmp_path_factory.mktemp("seeded")
    settings = get_settings(data_dir=folder / "data", sql_url="", chroma_url="")
    text, start, end = seeded(next(s for s in SEEDS if s.rule == "three_public"))
    path = folder / "seeded_three_public.txt"
    path.write_text(text, encoding="utf-8")
    result = ingest_file(path, open_stores(settings), settings)
    assert result.status == "ingested", result.error
    return settings, result.doc_id, (start, end)


def test_an_audit_finding_links_to_all_its_spans_marked_in_the_viewer(seeded_store, monkeypatch):
    from urllib.parse import parse_qs

    settings, doc_id, changed = seeded_store
    app = _app(settings.data_dir, monkeypatch).run()
    _ask(app, "潼南区的三公经费合计对吗?")
    assert "【三公经费 = 因公出国(境) + 公务用车购置及运行 + 公务接待】" in _last_answer(app)
    answer = app.session_state["messages"][-1]["answer"]
    group = answer.groups[0]
    cited = [answer.citations[n - 1] for n in group.numbers]
    assert len(cited) >= 3 and {c.doc_id for c in cited} == {doc_id}
    assert (cited[0].start, cited[0].end) == changed  # the stated figure first: the seeded 8

    link = next(link for link in app.chat_message[-1].get("page_link")
                if link.proto.label.startswith("在原文中标出第1处"))
    params = {k: v[0] for k, v in parse_qs(link.proto.query_string).items()}
    marks = [tuple(int(n) for n in span.split("-")) for span in params["marks"].split(",")]
    assert params["doc"] == doc_id and marks == [(c.start, c.end) for c in cited]

    app.switch_page("ui/source.py")
    app.query_params.update(params)
    app.run()
    assert not app.exception and not app.warning
    assert f"标出了 {len(cited)} 处" in app.info[0].value
    html = app.get("iframe")[0].proto.srcdoc
    marked = re.findall(r"<mark[^>]*>(.*?)</mark>", html)
    assert all(c.quote in marked for c in cited)
    first = html.split('<mark id="cited">')[1].split("</mark>")[0]
    assert first == cited[0].quote == "8"  # the stated figure is scrolled into view


def test_a_malformed_marks_link_opens_the_document_unmarked(seeded_store, monkeypatch):
    settings, doc_id, _ = seeded_store
    app = _app(settings.data_dir, monkeypatch)
    app.switch_page("ui/source.py")
    app.query_params.update({"doc": doc_id, "marks": "5-x,<script>"})
    app.run()
    assert not app.exception and "标记位置无效" in app.warning[0].value
    assert "<mark" not in app.get("iframe")[0].proto.srcdoc


@pytest.mark.parametrize(("params", "spans"), [
    ({"start": "3", "end": "9"}, ((3, 9),)),
    ({"marks": "120-126,300-309"}, ((120, 126), (300, 309))),
    ({"marks": "990-1200,1500-1600,5-5"}, ((990, 1000),)),  # clipped to the text; empty ones dropped
    ({"marks": ",".join(f"{n}-{n + 1}" for n in range(80))}, tuple((n, n + 1) for n in range(60))),
    ({"marks": "1-2;3-4"}, None),
    ({"marks": "１-２"}, None),  # full-width digits are not offsets
    ({"start": "²", "end": "9"}, None),
    ({}, ()),
])
def test_viewer_links_are_validated_bounded_and_clipped(params, spans):
    from ui.links import spans_from

    assert spans_from(params, 1000) == spans


def test_viewer_links_round_trip():
    from assistant.types import Citation
    from ui.links import citation_params, source_url, spans_from

    cites = [Citation("d", "t", None, None, None, s, e, "x") for s, e in ((300, 309), (120, 126))]
    assert source_url(citation_params(cites)) == "source?doc=d&marks=300-309,120-126"
    assert spans_from(citation_params(cites), 1000) == ((300, 309), (120, 126))
    assert spans_from(citation_params(cites[:1]), 1000) == ((300, 309),)
    with pytest.raises(ValueError):
        citation_params([*cites, Citation("other", "t", None, None, None, 1, 2, "x")])


def _upload_while_the_cli_ingests(app: AppTest, data_dir) -> None:
    """A second ingestion while one runs: a Chinese message in the page, nothing written."""
    from assistant.ask import _stores
    from gongkai.settings import get_settings
    from ingest.lock import exclusive_run

    settings = get_settings(data_dir=data_dir)
    sample = sample_path("003")
    with exclusive_run(_stores(settings).engine, settings):  # as `python -m ingest` holds it
        app.file_uploader[0].set_value([(sample.name, sample.read_bytes(), "text/plain")])
        next(b for b in app.button if b.label == "开始导入").click().run()
    assert not app.exception
    assert "另一个导入" in app.error[0].value
    assert not (data_dir / "uploads" / sample.name).exists()
    assert len(app.dataframe[0].value) == 1  # the documents list: still only the first upload
