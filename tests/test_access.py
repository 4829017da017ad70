"""A public user never receives anything of an official document — its chunks, facts, table rows,
title, place or figures — through any route of ask(), on both backends.

One sample is stored as official, two as public. For every fact of the official document the
questions that would reveal it are asked (its figure by place and year, by name alone, rankings
and comparisons of its metric), and a question made of the opening of every one of its chunks;
each answer is searched for anything that only the official document holds. An official user
asking the same questions does get the official document: the test can fail.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from assistant.ask import ask
from gongkai import db
from ingest.pipeline import ingest_file
from tests.conftest import sample_path

pytestmark = pytest.mark.backends("embedded", "server")

OFFICIAL, PUBLIC = "001", ("000", "002")


@pytest.fixture
def deployment(stores, settings):
    """(settings, official document's id, its facts, its chunk texts, its title, its place,
    texts only it holds)."""
    for prefix in PUBLIC:
        assert ingest_file(sample_path(prefix), stores, settings).status == "ingested"
    official = ingest_file(sample_path(OFFICIAL), stores, settings, visibility="official")
    assert official.status == "ingested", official.error
    with stores.engine.connect() as conn:
        doc = conn.execute(select(db.documents).where(db.documents.c.id == official.doc_id)).one()
        facts = conn.execute(select(db.facts).where(db.facts.c.doc_id == doc.id)).all()
        chunks = conn.execute(select(db.chunks.c.text).where(db.chunks.c.doc_id == doc.id)).all()
        public_text = "\n".join(conn.execute(
            select(db.documents.c.text).where(db.documents.c.id != doc.id)).scalars())
    assert facts and chunks
    # Figures as printed with their unit that no public document prints: seeing one is a leak.
    only_official = {f"{f.text}{f.unit}" for f in facts if f"{f.text}{f.unit}" not in public_text}
    assert only_official
    return settings, doc, facts, [c.text for c in chunks], only_official


def revealing_questions(doc, facts, chunk_texts) -> list[str]:
    place, year = doc.locality_name, doc.year
    questions = {f"{place}{year}年{f.metric_raw}是多少?" for f in facts}
    questions |= {f"{f.metric_raw}是多少?" for f in facts}
    for metric in {f.metric for f in facts if f.metric}:
        questions |= {f"哪个地方{metric}最高?", f"{year}年各地{metric}对比", f"{place}{metric}是多少?"}
    questions |= {text.strip().split("\n")[0][:40] for text in chunk_texts}
    questions |= {doc.title, f"{place}有哪些文件?", f"{place}为什么项目支出增加?"}
    return sorted(q for q in questions if q.strip())


def leaks(answer, doc, only_official: set[str]) -> list[str]:
    """What of the official document an answer shows."""
    found = [f"citation of {c.doc_id}" for c in answer.citations if c.doc_id == doc.id]
    found += [f"row {row}" for row in answer.rows if doc.id in row]
    shown = "\n".join([answer.answer, *(c.quote for c in answer.citations)])
    found += [f"title {doc.title}" for _ in [0] if doc.title in shown]
    found += [f"figure {figure}" for figure in only_official if figure in shown]
    stored_places = answer.answer.partition("目前收录的地区有")[2]
    found += [f"place {doc.locality_name} listed" for _ in [0] if doc.locality_name in stored_places]
    return found


def test_a_public_user_never_receives_an_official_document(deployment):
    settings, doc, facts, chunk_texts, only_official = deployment
    questions = revealing_questions(doc, facts, chunk_texts)
    assert len(questions) > 20
    leaked = {q: found for q in questions if (found := leaks(ask(q, settings=settings), doc,
                                                             only_official))}
    assert leaked == {}
    official_view = [ask(q, user="official", settings=settings) for q in questions]
    assert sum(bool(leaks(a, doc, only_official)) for a in official_view) > len(questions) // 4
