"""Real servers for the test session: a throwaway PostgreSQL cluster and a `chroma run` server.

Both listen on free localhost ports and keep their data in a temporary folder removed at the end.
PostgreSQL is Debian's server (`make test` installs it); as root it runs as the `postgres` user,
because initdb and postgres refuse to run as root.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PG_SUPERUSER = "gongkai"
STARTUP_SECONDS = 60


class ServerUnavailable(RuntimeError):
    """A test server could not be started; the message says what to install or check."""


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{PG_SUPERUSER}@{self.host}:{self.port}/{database}"

    def new_database(self, prefix: str = "t") -> str:
        """A fresh, empty database; returns its SQLAlchemy URL."""
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        dsn = f"host={self.host} port={self.port} user={PG_SUPERUSER} dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@dataclass(frozen=True)
class ChromaServer:
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def new_database(self, prefix: str = "t") -> str:
        """The server's URL naming a fresh Chroma database (created on first use by the app)."""
        return f"{self.url}/{prefix}_{uuid.uuid4().hex[:12]}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise ServerUnavailable(
            "PostgreSQL server not installed: `make test` installs Debian's `postgresql` package"
        )
    return Path(found[-1]).parent


def _as_postgres_user() -> dict[str, object]:
    """Popen arguments: root may not run the server, the `postgres` system user may."""
    if os.geteuid() != 0:
        return {}
    return {"user": "postgres", "group": "postgres", "extra_groups": [], "cwd": "/tmp"}


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """A fresh cluster (trust auth on localhost, fsync off: it is thrown away) for the session."""
    bin_dir = postgres_bin()
    root = Path(tempfile.mkdtemp(prefix="gongkai-pg-"))
    data, sockets = root / "data", root / "run"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    port = free_port()
    log = root / "server.log"
    process = None
    try:
        subprocess.run(
            [
                str(bin_dir / "initdb"), "-D", str(data), "-U", PG_SUPERUSER, "--auth=trust",
                "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
            ],
            check=True, capture_output=True, text=True, **_as_postgres_user(),
        )
        with open(log, "wb") as log_file:
            process = subprocess.Popen(
                [
                    str(bin_dir / "postgres"), "-D", str(data), "-p", str(port),
                    "-h", "127.0.0.1", "-k", str(sockets), "-c", "fsync=off",
                    "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                    "-c", "max_connections=400", "-c", "shared_buffers=64MB",
                ],
                stdout=log_file, stderr=subprocess.STDOUT, **_as_postgres_user(),
            )
        server = PostgresServer("127.0.0.1", port)
        _wait(lambda: _postgres_answers(server), process, log, "PostgreSQL")
        yield server
    except subprocess.CalledProcessError as error:
        raise ServerUnavailable(f"initdb failed: {error.stderr}") from error
    finally:
        _stop(process, signal.SIGINT)  # postgres: "fast" shutdown, not waiting for clients
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def chroma_server() -> Iterator[ChromaServer]:
    """`chroma run` from this venv's chromadb, with its data in a temporary folder."""
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        raise ServerUnavailable(f"no `chroma` command next to {sys.executable}")
    root = Path(tempfile.mkdtemp(prefix="gongkai-chroma-"))
    port = free_port()
    log = root / "server.log"
    process = None
    try:
        with open(log, "wb") as log_file:
            process = subprocess.Popen(
                [str(chroma), "run", "--path", str(root / "data"), "--host", "127.0.0.1",
                 "--port", str(port)],
                stdout=log_file, stderr=subprocess.STDOUT,
            )
        server = ChromaServer("127.0.0.1", port)
        _wait(lambda: _chroma_answers(server), process, log, "Chroma")
        yield server
    finally:
        _stop(process)
        shutil.rmtree(root, ignore_errors=True)


def _postgres_answers(server: PostgresServer) -> bool:
    import psycopg

    try:
        dsn = f"host={server.host} port={server.port} user={PG_SUPERUSER} dbname=postgres"
        with psycopg.connect(dsn, connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


def _chroma_answers(server: ChromaServer) -> bool:
    try:
        with urllib.request.urlopen(f"{server.url}/api/v2/heartbeat", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _wait(answers, process: subprocess.Popen, log: Path, name: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if answers():
            return
        if process.poll() is not None:
            break
        time.sleep(0.2)
    raise ServerUnavailable(f"{name} did not start:\n{log.read_text(errors='replace')[-2000:]}")


def _stop(process: subprocess.Popen | None, sig: int = signal.SIGTERM) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
