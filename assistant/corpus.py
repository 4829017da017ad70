"""Start-up warming for the UI. (What the stores hold is `assistant.documents.corpus_summary`,
which filters by the user's role in its query.)"""

from __future__ import annotations

from gongkai.settings import Settings


def warm_up(settings: Settings) -> None:
    """Load the embedding model, build the retrieval index and check the common SQL shapes now,
    so the first question is fast."""
    from assistant.ask import _retriever, warm_sql

    _retriever(settings).warm()
    warm_sql(settings)
