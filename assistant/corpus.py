"""Start-up warming for the UI. (What the stores hold is `assistant.documents.corpus_summary`,
which filters by the user's role in its query.)"""

from __future__ import annotations

import logging

from gongkai.settings import Settings

log = logging.getLogger(__name__)


def warm_up(settings: Settings) -> None:
    """Load the embedding model, build the retrieval index and check the common SQL shapes now,
    so the first question is fast."""
    from assistant.ask import _retriever, _stores, warm_sql
    from ingest.aliases import sync_aliases

    for problem in sync_aliases(_stores(settings).engine, settings.data_dir):  # officials' aliases
        log.warning("aliases.yaml: %s (not applied)", problem)
    _retriever(settings).warm()
    warm_sql(settings)
