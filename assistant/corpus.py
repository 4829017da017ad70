"""What the stores hold, for the UI: documents and their counts (read-only), and start-up warming."""

from __future__ import annotations

from typing import Any

from gongkai.db import get_engine
from gongkai.settings import Settings
from ingest.store import count_rows, list_documents


def corpus_overview(settings: Settings) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Stored documents (without their text) and row counts per SQL table."""
    engine = get_engine(settings.database_url)
    return list_documents(engine), count_rows(engine)


def warm_up(settings: Settings) -> None:
    """Load the embedding model, build the retrieval index and check the common SQL shapes now,
    so the first question is fast."""
    from assistant.ask import _retriever, warm_sql

    _retriever(settings).warm()
    warm_sql(settings)
