"""Killing ingestion (SIGKILL, no cleanup) at several points of storing a document leaves stores
readers can trust, and the next run completes the work with no duplicates — on both backends."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ingest import store
from ingest.pipeline import document_id, ingest_file
from tests.conftest import sample_path
from vectorstore import chroma_store

pytestmark = pytest.mark.backends("embedded", "server")

KILLER = Path(__file__).resolve().parent / "kill_ingest.py"
CLEAN = {"vectors_without_rows": [], "rows_without_vectors": []}


def ingest_until_killed(point: str, path: Path, settings) -> subprocess.CompletedProcess:
    env = {**os.environ, "GONGKAI_SQL_URL": settings.sql_url,
           "GONGKAI_CHROMA_URL": settings.chroma_url}
    return subprocess.run(
        [sys.executable, str(KILLER), point, str(path), "--data-dir", str(settings.data_dir)],
        check=False, env=env, capture_output=True, text=True, timeout=600,
    )


def visible_documents(stores) -> list[dict]:
    return [d for d in store.list_documents(stores.engine) if d["status"] == "complete"]


@pytest.mark.parametrize("point", ["embed", "vectors", "sql", "replace"])
def test_a_killed_ingestion_is_completed_by_the_next_run(point, stores, settings, tmp_path):
    path = tmp_path / "in" / "doc.txt"
    path.parent.mkdir()
    text = sample_path("000").read_text(encoding="utf-8")[:2500]  # a few chunks: quick to embed
    path.write_text(text, encoding="utf-8")
    if point == "replace":  # the version the killed run was replacing
        first = ingest_file(path, stores, settings)
        path.write_text(text + "\n附注：本文件已更新。\n", encoding="utf-8")
    killed = ingest_until_killed(point, path, settings)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]

    # Readers see whole documents only: the old version until the new one committed, then it.
    visible = visible_documents(stores)
    new_id = document_id(hashlib.sha256(path.read_bytes()).hexdigest())
    if point == "replace":
        assert [d["id"] for d in visible] == [new_id]
        assert chroma_store.document_ids(stores.collection) >= {first.doc_id, new_id}
    else:
        assert visible == []
    assert store.check(stores)["rows_without_vectors"] == []

    # The next run (what `python -m ingest` does first, then the file again).
    assert store.finish_interrupted(stores) == ([] if point == "embed" else
                                                [first.doc_id] if point == "replace" else [new_id])
    result = ingest_file(path, stores, settings)
    assert result.status == ("unchanged" if point == "replace" else "ingested"), result.error
    docs = store.list_documents(stores.engine)
    assert [(d["id"], d["status"]) for d in docs] == [(new_id, "complete")]
    assert store.check(stores) == CLEAN
    assert stores.collection.count() == docs[0]["chunks"]  # no duplicate, no leftover vector
