"""Shared fixtures: real stores in temporary folders, the sample corpus, the shared dev corpus."""

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


@pytest.fixture
def settings(tmp_path):
    from gongkai.settings import get_settings

    return get_settings(data_dir=tmp_path / "data")


@pytest.fixture
def stores(settings):
    from ingest.pipeline import open_stores

    return open_stores(settings)


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory):
    """The five samples ingested once into a fresh data folder: (settings, stores, results)."""
    from gongkai.settings import get_settings
    from ingest.pipeline import expand_paths, ingest_file, open_stores

    settings = get_settings(data_dir=tmp_path_factory.mktemp("samples") / "data")
    stores = open_stores(settings)
    results = [ingest_file(p, stores, settings) for p in expand_paths([SAMPLES])]
    return settings, stores, results
