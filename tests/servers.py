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
from pathlib import Path
from typing import Any

PG_SUPERUSER = "gongkai"
STARTUP_SECONDS = 60


class ServerUnavailable(RuntimeError):
    """A test server could not be started; the message says what to install or check."""


class PostgresServer:
    """A throwaway cluster in `root` (trust auth on localhost, fsync off), stoppable and
    restartable on the same port and data."""

    host = "127.0.0.1"

    def __init__(self, root: Path) -> None:
        self.root, self.bin_dir = root, postgres_bin()
        self.data, self.sockets, self.log = root / "data", root / "run", root / "server.log"
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.sockets.mkdir()
        if os.geteuid() == 0:
            shutil.chown(root, "postgres")
            shutil.chown(self.sockets, "postgres")
        try:
            subprocess.run(
                [
                    str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", PG_SUPERUSER,
                    "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
                ],
                check=True, capture_output=True, text=True, **_as_postgres_user(),
            )
        except subprocess.CalledProcessError as error:
            raise ServerUnavailable(f"initdb failed: {error.stderr}") from error

    def start(self) -> None:
        with open(self.log, "ab") as log_file:
            self.process = subprocess.Popen(
                [
                    str(self.bin_dir / "postgres"), "-D", str(self.data), "-p", str(self.port),
                    "-h", self.host, "-k", str(self.sockets), "-c", "fsync=off",
                    "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                    "-c", "max_connections=400", "-c", "shared_buffers=64MB",
                ],
                stdout=log_file, stderr=subprocess.STDOUT, **_as_postgres_user(),
            )
        _wait(self.answers, self.process, self.log, "PostgreSQL")

    def stop(self) -> None:
        _stop(self.process, signal.SIGINT)  # "fast" shutdown: clients are disconnected

    def answers(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(self._dsn("postgres"), connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{PG_SUPERUSER}@{self.host}:{self.port}/{database}"

    def new_database(self, prefix: str = "t") -> str:
        """A fresh, empty database; returns its SQLAlchemy URL."""
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self._dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database `new_database` made, closing whatever still connects to it."""
        import psycopg

        name = url.rsplit("/", 1)[-1]
        with psycopg.connect(self._dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _dsn(self, database: str) -> str:
        return f"host={self.host} port={self.port} user={PG_SUPERUSER} dbname={database}"


class ChromaServer:
    """`chroma run` from this venv's chromadb with its data in `root`, stoppable and restartable
    on the same port and data."""

    host = "127.0.0.1"

    def __init__(self, root: Path) -> None:
        self.command = Path(sys.executable).parent / "chroma"
        if not self.command.exists():
            raise ServerUnavailable(f"no `chroma` command next to {sys.executable}")
        self.root, self.log, self.port = root, root / "server.log", free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def new_database(self, prefix: str = "t") -> str:
        """The server's URL naming a fresh Chroma database (created on first use by the app)."""
        return f"{self.url}/{prefix}_{uuid.uuid4().hex[:12]}"

    def start(self) -> None:
        with open(self.log, "ab") as log_file:
            self.process = subprocess.Popen(
                [str(self.command), "run", "--path", str(self.root / "data"), "--host", self.host,
                 "--port", str(self.port)],
                stdout=log_file, stderr=subprocess.STDOUT,
            )
        _wait(self.answers, self.process, self.log, "Chroma")

    def stop(self) -> None:
        _stop(self.process)

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False


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
def _throwaway(server_class: type, prefix: str) -> Iterator[Any]:
    """A running server of `server_class` with its data in a temporary folder, removed at the end."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    server = None
    try:
        server = server_class(root)
        server.start()
        yield server
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(root, ignore_errors=True)


def postgres_server() -> contextlib.AbstractContextManager[PostgresServer]:
    """A running throwaway cluster, removed at the end."""
    return _throwaway(PostgresServer, "gongkai-pg-")


def chroma_server() -> contextlib.AbstractContextManager[ChromaServer]:
    """A running `chroma run` server with its data in a temporary folder, removed at the end."""
    return _throwaway(ChromaServer, "gongkai-chroma-")


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
