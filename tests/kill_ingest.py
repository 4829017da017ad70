"""`python tests/kill_ingest.py POINT ARGS...`: `python -m ingest ARGS...` that kills itself
(SIGKILL: no cleanup, as a crash or the OOM killer) at POINT of storing a document.

Points: embed (while embedding, nothing written yet), vectors (after some of the document's
vectors), sql (inside the SQL transaction), replace (after the new version is committed, before
the old version's vectors are deleted).
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest import store
from ingest.__main__ import main
from vectorstore import chroma_store
from vectorstore.embeddings import Embedder


def die(*_args: object, **_kwargs: object) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def arm(point: str) -> None:
    if point == "embed":
        Embedder.encode_documents = die  # what the embedding cache calls on a miss
    elif point == "vectors":
        real_add = chroma_store.add_chunks

        def add_some_then_die(collection, chunks, embeddings, fields):
            real_add(collection, chunks[:3], embeddings[:3], fields)
            die()

        chroma_store.add_chunks = add_some_then_die
    elif point == "sql":
        real_fact_row, calls = store._fact_row, []

        def fact_row_then_die(fact, doc, *rest):
            calls.append(fact)
            if len(calls) > 2:  # the document row and the first facts are in the transaction
                die()
            return real_fact_row(fact, doc, *rest)

        store._fact_row = fact_row_then_die
    elif point == "replace":
        chroma_store.delete_document = die
    else:
        raise SystemExit(f"unknown point {point!r}")


if __name__ == "__main__":
    arm(sys.argv[1])
    sys.exit(main(sys.argv[2:]))
