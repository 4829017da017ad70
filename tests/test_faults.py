"""Faults on the server backend: PostgreSQL or the Chroma server going down and coming back.

Each test runs its own servers (tests/servers.py), so stopping them disturbs no other test.
"""

from __future__ import annotations

import pytest

from assistant.ask import ask
from gongkai.settings import get_settings
from ingest.pipeline import ingest_file, open_stores
from tests.conftest import sample_path
from tests.servers import chroma_server, postgres_server

FIGURE = "潼南区2021年三公经费预算是多少?"
REASON = "潼南区为什么2021年支出大幅增加?"
DESCRIPTION = "潼南区政务服务管理办公室的职能职责是什么?"  # read by retrieval: needs the vectors


@pytest.fixture
def deployment(tmp_path, embedding_memo):
    """(settings, PostgreSQL server, Chroma server) with the 潼南区 sample ingested."""
    with postgres_server() as postgres, chroma_server() as chroma:
        settings = get_settings(data_dir=tmp_path / "data", sql_url=postgres.new_database(),
                                chroma_url=chroma.url)
        stores = embedding_memo(open_stores(settings))
        assert ingest_file(sample_path("004"), stores, settings).status == "ingested"
        yield settings, postgres, chroma
        stores.engine.dispose()


def test_postgres_down_is_said_in_chinese_and_recovered_from(deployment):
    settings, postgres, _ = deployment
    up = ask(FIGURE, settings=settings)
    assert "6万元" in up.answer
    postgres.stop()
    down = ask(FIGURE, settings=settings)
    assert down.route == "none" and "数据库暂时无法访问" in down.answer and not down.citations
    postgres.start()  # same data, same port: the pooled connections are dead and replaced
    assert ask(FIGURE, settings=settings).answer == up.answer


def test_chroma_down_is_said_in_chinese_and_recovered_from(deployment):
    settings, _, chroma = deployment
    up = ask(DESCRIPTION, settings=settings)
    assert up.route in ("retrieval", "both") and up.citations
    reason = ask(REASON, settings=settings)
    chroma.stop()
    down = ask(DESCRIPTION, settings=settings)
    assert down.route == "none" and "向量库暂时无法访问" in down.answer and not down.citations
    # a reason is read in the unit-year's own text, kept in SQL: it is still answered
    assert ask(REASON, settings=settings).answer == reason.answer and reason.citations
    chroma.start()
    assert ask(DESCRIPTION, settings=settings).answer == up.answer


def test_starting_while_a_server_is_down_is_said_in_chinese(deployment, tmp_path):
    settings, _, chroma = deployment
    chroma.stop()
    fresh = get_settings(data_dir=tmp_path / "other", sql_url=settings.sql_url,
                         chroma_url=settings.chroma_url)  # not yet opened by this process
    answer = ask(FIGURE, settings=fresh)
    assert answer.route == "none" and "无法连接向量库服务器" in answer.answer
    chroma.start()
    assert "6万元" in ask(FIGURE, settings=fresh).answer
