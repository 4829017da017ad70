"""Chunks and their vectors in Chroma: embedded `PersistentClient` by default, `HttpClient` by URL.

One collection holds every chunk; its embedding function records the model it was built with
(`vectorstore.embeddings`), and vectors of another model are refused: mixing two models' vectors
makes every distance meaningless.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlparse

from gongkai.errors import StoreError
from gongkai.settings import Settings
from gongkai.types import Chunk

COLLECTION = "gongkai_chunks"
UPSERT_BATCH = 1000  # Chroma caps one request's size; servers prefer moderate batches


def get_client(settings: Settings) -> Any:
    """Chroma's embedded persistent client, or an HTTP client when `chroma_url` is set.

    `http://host:port/name` uses the server's database `name` (created when missing), so one
    server can hold several deployments; without a path, the server's default database.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        server = {"host": url.hostname or "localhost", "port": url.port or 8000,
                  "ssl": url.scheme == "https"}
        database = url.path.strip("/")
        try:
            if database:
                _ensure_database(database, server)
            return chromadb.HttpClient(
                **server, settings=chroma_settings, **({"database": database} if database else {})
            )
        except Exception as error:  # chromadb raises ValueError/httpx errors for a dead server
            raise StoreError(
                f"无法连接向量库服务器 {settings.chroma_url}，请检查它是否在运行。",
                detail=f"{type(error).__name__}: {error}",
            ) from error
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


def _ensure_database(name: str, server: dict[str, Any]) -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from chromadb.errors import ChromaError, NotFoundError

    admin = chromadb.AdminClient(ChromaSettings(
        chroma_api_impl="chromadb.api.fastapi.FastAPI", chroma_server_host=server["host"],
        chroma_server_http_port=server["port"], chroma_server_ssl_enabled=server["ssl"],
        anonymized_telemetry=False,
    ))
    try:
        admin.get_database(name)
    except NotFoundError:
        try:
            admin.create_database(name)
        except ChromaError:  # another process created it first
            admin.get_database(name)


def get_collection(client: Any, embedding_function: Any) -> Any:
    """The chunk collection; refuses one built with another embedding model."""
    from vectorstore.embeddings import collection_model

    wanted = embedding_function.get_config()["model"]
    try:
        collection = client.get_or_create_collection(COLLECTION, embedding_function=embedding_function)
    except ValueError as error:  # Chroma refuses an embedding function that conflicts with the stored one
        raise StoreError(
            f"向量库由另一个嵌入模型建立，当前配置为 {wanted}，不能混用；请改回配置或重建向量库。",
            detail=str(error),
        ) from error
    stored = collection_model(collection.configuration_json)
    if stored != wanted:
        raise StoreError(
            f"向量库由嵌入模型 {stored} 建立，当前配置为 {wanted}，不能混用；请改回配置或重建向量库。",
            detail=f"collection model {stored!r} != configured {wanted!r}",
        )
    return collection


def chunk_id(chunk: Chunk) -> str:
    return f"{chunk.doc_id}:{chunk.index}"


def add_chunks(
    collection: Any,
    chunks: Sequence[Chunk],
    embeddings: Sequence[Sequence[float]],
    document_fields: dict[str, Any],
) -> None:
    """Upsert chunks with their vectors; ids are content-derived so a repeated run adds nothing."""
    batch_size = UPSERT_BATCH
    for offset in range(0, len(chunks), batch_size):
        batch = chunks[offset:offset + batch_size]
        collection.upsert(
            ids=[chunk_id(c) for c in batch],
            documents=[c.text for c in batch],
            embeddings=[list(e) for e in embeddings[offset:offset + batch_size]],
            metadatas=[_metadata(c, document_fields) for c in batch],
        )


def _metadata(chunk: Chunk, document_fields: dict[str, Any]) -> dict[str, Any]:
    fields = {
        **document_fields,
        "doc_id": chunk.doc_id,
        "chunk_index": chunk.index,
        "kind": chunk.kind,
        "start": chunk.start,
        "end": chunk.end,
        "page": chunk.page,
        "heading": chunk.heading,
        "table_index": chunk.table_index,
    }
    return {k: v for k, v in fields.items() if v is not None}  # Chroma stores no None


def delete_document(collection: Any, doc_id: str) -> None:
    collection.delete(where={"doc_id": doc_id})


def document_ids(collection: Any, batch_size: int = 5000) -> set[str]:
    """Every doc_id that has at least one vector."""
    ids: set[str] = set()
    offset = 0
    while True:
        page = collection.get(include=["metadatas"], limit=batch_size, offset=offset)
        ids.update(m["doc_id"] for m in page["metadatas"])
        if len(page["ids"]) < batch_size:
            return ids
        offset += batch_size
