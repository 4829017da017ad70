"""Ingest many files in parallel worker processes, each with its own connections to the stores.

Only server backends take several writers: embedded Chroma is not safe across processes and
SQLite takes one writer at a time, so an embedded deployment is refused (ingest it with one
process). Files with the same bytes are the same document: only the first of them is sent to a
worker, the others follow once it is stored (and are then reported unchanged), so two workers
never write one document at once.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from gongkai.errors import GongkaiError, UserFacingError
from gongkai.settings import Settings
from gongkai.types import IngestResult

log = logging.getLogger(__name__)

_worker: dict[str, Any] = {}  # this worker process's settings and stores


def check_parallel(settings: Settings) -> None:
    """Refuse parallel ingestion into embedded stores, with the reason in Chinese."""
    if settings.database_url.startswith("sqlite") or not settings.chroma_url:
        raise UserFacingError(
            "并行导入（--workers 大于 1）需要数据库服务器和向量库服务器：请设置 GONGKAI_SQL_URL"
            "（PostgreSQL）和 GONGKAI_CHROMA_URL；内置存储请用单进程导入。",
            detail="parallel ingestion needs PostgreSQL and a Chroma server",
        )


def ingest_parallel(
    files: Sequence[Path],
    stores: Any,  # ingest.store.Stores of this process, for the repeated files
    settings: Settings,
    *,
    workers: int,
    visibility: str,
    overrides: Mapping[str, object] | None = None,
    force: bool = False,
    on_result: Callable[[IngestResult], None] = lambda result: None,
) -> list[IngestResult]:
    """Ingest `files` with `workers` processes; results in the order of `files`. With `force`,
    unchanged files are ingested again (files repeating another's bytes are still skipped)."""
    check_parallel(settings)
    firsts, repeats = split_by_content(files, int(settings.max_file_mb * 2**20))
    results: dict[int, IngestResult] = {}
    threads = max(1, (os.cpu_count() or 1) // workers)  # the workers share the cores
    context = multiprocessing.get_context("spawn")  # no fork of a process holding torch threads
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(settings, threads)
    ) as pool:
        futures = {
            pool.submit(_ingest_one, files[i], visibility, dict(overrides or {}), force): i
            for i in firsts
        }
        for future in as_completed(futures):
            index = futures[future]
            try:
                results[index] = future.result()
            except BrokenProcessPool as error:  # a worker died (killed, out of memory …)
                results[index] = IngestResult(
                    str(files[index]), "failed", error=f"导入进程意外退出：{error}"
                )
            on_result(results[index])
    from ingest.pipeline import ingest_file

    for index in repeats:  # their content is stored by now: each is found unchanged
        results[index] = ingest_file(files[index], stores, settings, visibility=visibility,
                                     overrides=overrides or None)
        on_result(results[index])
    return [results[i] for i in range(len(files))]


def split_by_content(files: Sequence[Path], max_bytes: int) -> tuple[list[int], list[int]]:
    """Indexes of the first file of each content, and of the files repeating an earlier one."""
    from ingest.pipeline import file_sha256

    seen: set[str] = set()
    firsts, repeats = [], []
    for index, path in enumerate(files):
        try:
            sha = file_sha256(path, max_bytes)
        except (OSError, GongkaiError):  # the worker reports it properly
            firsts.append(index)
            continue
        (repeats if sha in seen else firsts).append(index)
        seen.add(sha)
    return firsts, repeats


def _start_worker(settings: Settings, threads: int) -> None:
    import torch

    from ingest.pipeline import open_stores

    torch.set_num_threads(threads)
    _worker["settings"] = settings
    _worker["stores"] = open_stores(settings)


def _ingest_one(
    path: Path, visibility: str, overrides: dict[str, object], force: bool = False
) -> IngestResult:
    from ingest.pipeline import ingest_file

    return ingest_file(path, _worker["stores"], _worker["settings"], visibility=visibility,
                       overrides=overrides or None, force=force)
