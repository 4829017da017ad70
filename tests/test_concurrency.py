"""Many users at once, and users asking while a document is being ingested, on both backends.

Latency under load is measured by `python -m bench.load`; here only correctness is checked: no
errors, the same answers as one user gets, and a document either fully visible or not at all.
"""

from __future__ import annotations

import threading

import pytest

from assistant.ask import ask
from bench.eval import load_questions
from bench.load import answer_text, run_level
from ingest.pipeline import ingest_file
from tests.conftest import sample_path

pytestmark = pytest.mark.backends("embedded", "server")


def test_fifty_users_at_once_get_the_answers_one_user_gets(sample_store, backend):
    settings = sample_store[0]
    questions = load_questions()[:25]
    expected = {q.id: answer_text(q, settings) for q in questions}
    level = run_level(backend, settings, questions, expected, users=50, per_user=1)
    assert level.requests == 50
    assert level.errors == []
    assert level.changed == []


def test_a_document_being_ingested_is_seen_whole_or_not_at_all(stores, settings):
    for prefix in ("000", "002"):
        assert ingest_file(sample_path(prefix), stores, settings).status == "ingested"
    questions = ("潼南区2021年三公经费预算是多少?", "2021年各地三公经费预算对比")
    before = {q: ask(q, settings=settings).answer for q in questions}
    seen: list[tuple[str, str]] = []
    done = threading.Event()

    def keep_asking() -> None:
        while not done.is_set():
            for question in questions:
                seen.append((question, ask(question, settings=settings).answer))

    askers = [threading.Thread(target=keep_asking) for _ in range(3)]
    for thread in askers:
        thread.start()
    try:
        result = ingest_file(sample_path("004"), stores, settings)
    finally:
        done.set()
        for thread in askers:
            thread.join()
    assert result.status == "ingested", result.error
    after = {q: ask(q, settings=settings).answer for q in questions}
    assert before != after and "6万元" in after[questions[0]]
    assert seen
    assert all(answer in (before[q], after[q]) for q, answer in seen)
