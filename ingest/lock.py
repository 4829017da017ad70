"""One ingestion run at a time per deployment.

A run starts by clearing what killed runs left (`store.finish_interrupted`); a second run at the
same time would take the first one's unfinished documents for such leftovers. Parallelism comes
from `--workers` inside one run. The lock dies with its process: a PostgreSQL advisory lock held
by the run's own connection, or an flock on a file in the data folder for SQLite.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator

from sqlalchemy import Engine, text

from gongkai.errors import UserFacingError
from gongkai.settings import Settings
from ingest import store

RUN_LOCK = 0x6E676B6972  # pg_advisory_lock key: 'ngkir'


class IngestionBusy(UserFacingError):
    code = "busy"


BUSY = "另一个导入（或检查、删除）正在进行，请等它结束后再运行。"


@contextlib.contextmanager
def exclusive_run(engine: Engine, settings: Settings) -> Iterator[None]:
    """Hold the deployment's ingestion lock, or raise IngestionBusy at once."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": RUN_LOCK}).scalar()
            conn.commit()  # the lock belongs to the session, not to a transaction
            if not got:
                raise IngestionBusy(BUSY, detail="advisory lock held by another session")
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": RUN_LOCK})
                conn.commit()
        return
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.data_dir / "ingest.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise IngestionBusy(BUSY, detail=str(error)) from error
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def ingestion_run(stores: store.Stores, settings: Settings) -> Iterator[list[str]]:
    """How every ingestion starts (the CLI's and the UI's uploads): hold the run lock, then clear
    what killed runs left; yields the ids cleared. Raises IngestionBusy before anything is written."""
    with exclusive_run(stores.engine, settings):
        yield store.finish_interrupted(stores)
