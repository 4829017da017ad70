"""Shared fixtures: real stores in temporary folders, the sample corpus, the shared dev corpus.

Stores come in two backends: "embedded" (SQLite + embedded Chroma in a temporary folder) and
"server" (a fresh database on the session's PostgreSQL and Chroma servers, see tests/servers.py).
A test module opts into both with `pytestmark = pytest.mark.backends("embedded", "server")`;
every other test that uses stores runs on "embedded" only. The servers start only when a test
needs them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SHARED = ROOT.parent / "shared" / "corpus"
SEEDS = SHARED / "seeds"
DEV_PDFS = SHARED / "dev" / "pdf"
DEV_EXCERPTS = SHARED / "dev" / "excerpts"


def sample_path(prefix: str) -> Path:
    """A sample file by its number prefix, e.g. '004'."""
    return next(SAMPLES.glob(f"{prefix}_*.txt"))


def pytest_generate_tests(metafunc):
    """Every test that needs stores gets a `backend` parameter: its module's backends, or embedded.

    Session-scoped, so pytest groups the tests by backend and builds each sample store once.
    """
    if "backend" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("backends")
        metafunc.parametrize("backend", marker.args if marker else ("embedded",), scope="session")


@pytest.fixture(scope="session")
def servers():
    """The session's PostgreSQL and Chroma servers, started on first use."""
    from tests.servers import chroma_server, postgres_server

    with postgres_server() as postgres, chroma_server() as chroma:
        yield postgres, chroma


def backend_settings(backend: str, data_dir: Path, request: pytest.FixtureRequest, **overrides):
    """Settings of a fresh, empty deployment on `backend` (environment URLs never leak in)."""
    from gongkai.settings import get_settings

    if backend == "server":
        postgres, chroma = request.getfixturevalue("servers")  # started on first use
        overrides |= {"sql_url": postgres.new_database(), "chroma_url": chroma.new_database()}
    else:
        overrides |= {"sql_url": "", "chroma_url": ""}
    return get_settings(data_dir=data_dir, **overrides)


@pytest.fixture
def settings(tmp_path, backend, request):
    from gongkai.db import get_engine

    settings = backend_settings(backend, tmp_path / "data", request)
    yield settings
    get_engine(settings.database_url).dispose()  # server connections are not left open
    if backend == "server":
        request.getfixturevalue("servers")[0].drop_database(settings.sql_url)


@pytest.fixture
def use_settings(monkeypatch):
    """Point the CLIs (which read GONGKAI_* variables) at a deployment's servers."""

    def use(settings) -> None:
        monkeypatch.setenv("GONGKAI_SQL_URL", settings.sql_url)
        monkeypatch.setenv("GONGKAI_CHROMA_URL", settings.chroma_url)

    return use


@pytest.fixture
def stores(settings, embedding_memo):
    from ingest.pipeline import open_stores

    return embedding_memo(open_stores(settings))


@pytest.fixture(scope="session")
def embedding_memo():
    """Wrap a Stores' embedder so a text the real model embedded once this session is not
    embedded again: the second backend stores the same model's vectors without paying twice."""
    from dataclasses import replace

    memo: dict[tuple[str, str], list[float]] = {}

    class MemoEmbedder:
        def __init__(self, embedder):
            self.inner, self.name = embedder, embedder.name

        def embed_documents(self, texts):
            missing = list(dict.fromkeys(t for t in texts if (self.name, t) not in memo))
            if missing:
                memo.update(zip(((self.name, t) for t in missing),
                                self.inner.embed_documents(missing), strict=True))
            return [memo[self.name, t] for t in texts]

        def __getattr__(self, attribute):
            return getattr(self.inner, attribute)

    return lambda stores: replace(stores, embedder=MemoEmbedder(stores.embedder))


@pytest.fixture(scope="session")
def sample_stores():
    """backend -> (settings, stores, results) of the five samples, each built once."""
    return {}


@pytest.fixture(scope="session")
def sample_store(sample_stores, backend, tmp_path_factory, request, embedding_memo):
    """The five samples ingested into a fresh deployment on `backend`: (settings, stores,
    results). Read only. Kept across backend switches (pytest re-runs this on a switch)."""
    from ingest.pipeline import expand_paths, ingest_file, open_stores

    if backend not in sample_stores:
        data_dir = tmp_path_factory.mktemp(f"samples-{backend}") / "data"
        settings = backend_settings(backend, data_dir, request)
        stores = embedding_memo(open_stores(settings))
        results = [ingest_file(p, stores, settings) for p in expand_paths([SAMPLES])]
        sample_stores[backend] = settings, stores, results
    return sample_stores[backend]


def ingest_texts(texts: dict[str, str], stores, settings, folder: Path):
    """Each text written to `folder` under its file name and ingested whole; returns `settings`."""
    from ingest.pipeline import ingest_file

    for name, text in texts.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        result = ingest_file(path, stores, settings)
        assert result.status == "ingested", result.error
    return settings
