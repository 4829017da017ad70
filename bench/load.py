"""`python -m bench.load`: N concurrent users asking the eval questions of one shared store.

Each simulated user is a thread calling `assistant.ask.ask` — as the Streamlit server does, one
process serving every visitor — and asks a rotating mix of the questions in
`tests/eval/questions.yaml` (a conversation is one request, its turns asked in order). Per backend
(embedded: SQLite + embedded Chroma; server: PostgreSQL + a Chroma server) and per N it prints
throughput, latency percentiles and errors. An error is an exception out of `ask`, or an answer
that differs from the one a single user got for the same question (answers must not depend on
load).

Server backend: the deployment named by GONGKAI_SQL_URL and GONGKAI_CHROMA_URL, or else
throwaway servers started as the tests start them (tests/servers.py). Either store is filled with
the samples first when it holds no document.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.eval import SAMPLES, Question, load_questions

DEFAULT_USERS = (1, 10, 50)


@dataclass
class Level:
    backend: str
    users: int
    latencies: list[float] = field(default_factory=list)  # of every request that returned
    errors: list[str] = field(default_factory=list)  # exceptions out of ask
    changed: list[str] = field(default_factory=list)  # answers unlike the single-user one
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies) + len(self.errors)

    def percentile(self, p: float) -> float:
        """Latency in ms at percentile `p` (nearest rank)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def answer_text(question: Question, settings: Any) -> str:
    """The last turn's answer, earlier turns asked first as its history."""
    from assistant.ask import ask

    history: list[Any] = []
    for turn in question.turns:
        history.append(ask(turn, tuple(history), settings=settings))
    return history[-1].answer


def run_level(
    backend: str, settings: Any, questions: Sequence[Question], expected: dict[str, str],
    users: int, per_user: int,
) -> Level:
    """`users` threads, each asking `per_user` questions, all started at once."""
    level = Level(backend, users)
    lock = threading.Lock()
    start = threading.Barrier(users + 1)

    def user(index: int) -> None:
        start.wait()
        for i in range(per_user):
            question = questions[(index * 7 + i) % len(questions)]
            began = time.perf_counter()
            try:
                text = answer_text(question, settings)
            except Exception as error:  # noqa: BLE001 - counted and reported, never raised
                with lock:
                    level.errors.append(f"{question.id}: {type(error).__name__}: {error}")
                continue
            elapsed = time.perf_counter() - began
            with lock:
                level.latencies.append(elapsed)
                if text != expected[question.id]:
                    level.changed.append(f"{question.id}: answer differs from the single-user one")

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(users)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    level.seconds = time.perf_counter() - began
    return level


@contextlib.contextmanager
def deployment(backend: str, data_dir: Path) -> Iterator[Any]:
    """Settings of the deployment to load: a fresh embedded one, or a server one."""
    from gongkai.settings import get_settings

    if backend == "embedded":
        yield get_settings(data_dir=data_dir / "embedded", sql_url="", chroma_url="")
        return
    if os.environ.get("GONGKAI_SQL_URL") and os.environ.get("GONGKAI_CHROMA_URL"):
        yield get_settings(data_dir=data_dir / "server")
        return
    from tests.servers import chroma_server, postgres_server

    with postgres_server() as postgres, chroma_server() as chroma:
        yield get_settings(data_dir=data_dir / "server", sql_url=postgres.new_database("load"),
                           chroma_url=chroma.url)


def fill(settings: Any) -> int:
    """Ingest the samples when the store is empty; the number of stored documents."""
    from ingest import store
    from ingest.pipeline import expand_paths, ingest_file, open_stores

    stores = open_stores(settings)
    if not store.list_documents(stores.engine):
        for path in expand_paths([SAMPLES]):
            ingest_file(path, stores, settings)
    return len(store.list_documents(stores.engine))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n")[0])
    parser.add_argument("--backends", default="embedded,server", help="comma-separated")
    parser.add_argument("--users", default=",".join(map(str, DEFAULT_USERS)), help="levels of N")
    parser.add_argument("--requests", type=int, default=200,
                        help="requests per level, at least 2 per user")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    console = Console(width=max(100, Console().width))  # the table must never be cut
    questions = load_questions()
    table = Table(title="bench.load: concurrent users asking the eval questions")
    columns = ("backend", "users", "requests", "errors", "changed", "req/s", "p50 ms", "p95 ms",
               "p99 ms")
    for name in columns:
        table.add_column(name, justify="right" if name != "backend" else "left")
    with tempfile.TemporaryDirectory(prefix="gongkai-load-") as tmp:
        for backend in args.backends.split(","):
            with deployment(backend, Path(tmp)) as settings:
                documents = fill(settings)
                console.print(f"{backend}: {documents} documents; single-user answers first")
                expected = {q.id: answer_text(q, settings) for q in questions}  # and warms caches
                for users in (int(n) for n in args.users.split(",")):
                    per_user = max(2, -(-args.requests // users))
                    level = run_level(backend, settings, questions, expected, users, per_user)
                    table.add_row(
                        backend, str(users), str(level.requests), str(len(level.errors)),
                        str(len(level.changed)), f"{level.requests / level.seconds:.1f}",
                        *(f"{level.percentile(p):.0f}" for p in (50, 95, 99)),
                    )
                    for problem in (level.errors + level.changed)[:5]:
                        console.print(f"  [red]{backend} N={users}[/red] {problem}")
                    console.print(f"{backend} N={users}: {level.requests} requests in "
                                  f"{level.seconds:.1f} s")
    console.print(table)


if __name__ == "__main__":
    main()
