"""The optional LLM layer: SQL when the offline parser is unsure, and answers written from passages.

Off unless `GONGKAI_LLM` names a model ('openai:<model>' for any OpenAI-compatible endpoint,
'ollama:<model>'); off means nothing here is imported that could reach the network. The model's
SQL only ever runs through the guard (`run_sql`); its prose is checked against the passages it
cites. Every LLM fault (timeout, error, garbage) is caught here and comes back as None or
ok=False, so the caller gives the offline answer with `LLM_FALLBACK_NOTE`.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from sqlalchemy import Engine, select

from assistant.cell_citations import cite_at
from assistant.llm_prompts import (
    UNVERIFIED_NOTE,
    DataFence,
    Passage,
    describe_schema,
    example_queries,
    extract_sql,
    has_chinese,
    keep_known_markers,
    sql_messages,
    sql_retry_message,
    synthesis_messages,
    unverified_numbers,
)
from assistant.sources import cite, get_source
from assistant.sql_run import SqlResult, run_sql
from assistant.types import Answer, Citation, CorpusFilters
from gongkai import db
from gongkai.errors import UserFacingError

__all__ = [
    "LLM_FALLBACK_NOTE", "LlmConfig", "LlmConfigError", "Passage", "Synthesis",
    "answer_with_llm_sql", "chat_model", "describe_schema", "example_queries", "extract_sql",
    "figure_answer_or", "generate_sql", "get_chat_model", "llm_config", "synthesize",
    "synthesized_or", "with_fallback_note",
]  # fmt: skip

log = logging.getLogger(__name__)

LLM_FALLBACK_NOTE = "（大模型服务不可用，已改用离线答案）"
DEFAULT_TIMEOUT_S = 20.0
DEFAULT_OLLAMA_URL = "http://localhost:11434"
LOCAL_SERVER_KEY = "EMPTY"  # vLLM / local OpenAI-compatible servers accept any key


class LlmConfigError(UserFacingError):
    """`GONGKAI_LLM*` settings that cannot be used; `message` says how to fix them."""

    code = "llm_config"


@dataclass(frozen=True)
class LlmConfig:
    provider: str  # 'openai' | 'ollama'
    model: str
    base_url: str
    api_key: str
    timeout_s: float


def llm_config(settings: Any) -> LlmConfig | None:
    """The LLM configuration in `settings` (`llm`, `llm_base_url`, `llm_api_key`, `llm_timeout`).

    None when `llm` is empty. Attributes are read with defaults so settings without the LLM rows
    mean "off".
    """
    value = str(getattr(settings, "llm", "") or "").strip()
    if not value:
        return None
    provider, _, model = value.partition(":")
    provider, model = provider.strip().lower(), model.strip()
    if provider not in ("openai", "ollama") or not model:
        raise LlmConfigError(
            f"无法识别的大模型设置 GONGKAI_LLM={value!r}：应写成 openai:<模型名> 或 ollama:<模型名>，"
            "留空表示不使用大模型",
            detail=f"unknown LLM provider or missing model in {value!r}",
        )
    base_url = str(getattr(settings, "llm_base_url", "") or "").strip()
    api_key = str(getattr(settings, "llm_api_key", "") or "").strip()
    return LlmConfig(
        provider=provider,
        model=model,
        base_url=base_url or (DEFAULT_OLLAMA_URL if provider == "ollama" else ""),
        api_key=api_key or os.environ.get("OPENAI_API_KEY", ""),
        timeout_s=_timeout(getattr(settings, "llm_timeout", None)),
    )


def _timeout(value: object) -> float:
    try:
        seconds = float(value) if value not in (None, "") else DEFAULT_TIMEOUT_S  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise LlmConfigError(
            f"GONGKAI_LLM_TIMEOUT 应为秒数，现为 {value!r}", detail="bad LLM timeout"
        ) from None
    if seconds <= 0:
        raise LlmConfigError("GONGKAI_LLM_TIMEOUT 应大于 0", detail="non-positive LLM timeout")
    return seconds


def get_chat_model(settings: Any) -> BaseChatModel | None:
    """The configured chat model (temperature 0, time limit, one retry), or None when off.

    Builds the client only; nothing is sent until the model is called.
    """
    config = llm_config(settings)
    if config is None:
        return None
    if config.provider == "ollama":
        from langchain_ollama import ChatOllama  # imported only when configured

        return ChatOllama(
            model=config.model,
            base_url=config.base_url,
            temperature=0,
            client_kwargs={"timeout": config.timeout_s},
        )
    if not config.api_key and not config.base_url:
        raise LlmConfigError(
            "使用 openai 大模型需要 API key：请设置 GONGKAI_LLM_API_KEY（或 OPENAI_API_KEY），"
            "或用 GONGKAI_LLM_BASE_URL 指向本地服务",
            detail="no API key for the OpenAI endpoint",
        )
    from langchain_openai import ChatOpenAI  # imported only when configured

    return ChatOpenAI(
        model=config.model,
        base_url=config.base_url or None,
        api_key=config.api_key or LOCAL_SERVER_KEY,
        temperature=0,
        timeout=config.timeout_s,
        max_retries=1,
    )


# --- calling the model -------------------------------------------------------------------------


def _reply(model: BaseChatModel, messages: list[BaseMessage]) -> str | None:
    """The model's reply text, or None on any fault: the one place LLM errors are caught."""
    try:
        message = model.invoke(messages)
    except Exception:  # timeouts, HTTP and client errors, bad payloads: all mean "no LLM now"
        log.warning("LLM call failed", exc_info=True)
        return None
    text = message.text if isinstance(message, AIMessage) else str(getattr(message, "content", ""))
    return text.strip() or None


# --- (a) SQL -----------------------------------------------------------------------------------


def generate_sql(
    question: str,
    model: BaseChatModel,
    *,
    schema_description: str,
    examples: Sequence[tuple[str, str]] = (),
) -> str | None:
    """The model's SQL for `question` (unchecked: run it only through `run_sql`), or None."""
    reply = _reply(model, sql_messages(question, schema_description, examples))
    return extract_sql(reply) if reply else None


def answer_with_llm_sql(
    question: str,
    model: BaseChatModel,
    engine: Engine,
    visibility: Collection[str] = ("public",),
    *,
    schema_description: str,
    examples: Sequence[tuple[str, str]] = (),
    max_rows: int = 200,
    filters: CorpusFilters | None = None,
) -> SqlResult:
    """Generate SQL, run it through the guard; once more with the error if that fails.
    `filters` (the user's corpus filters) restrict every table the SQL reads."""
    messages = sql_messages(question, schema_description, examples)
    result = SqlResult(ok=False, sql="", reason="大模型未能生成查询", detail="no reply")
    for _attempt in range(2):
        reply = _reply(model, messages)
        if reply is None:  # the endpoint is down or silent: a retry would wait as long again
            return SqlResult(ok=False, sql="", reason="大模型服务不可用", detail="no LLM reply")
        sql = extract_sql(reply)
        if sql is None:
            result = SqlResult(
                ok=False, sql="", reason="回复中没有 SQL 查询", detail="no SQL in reply"
            )
        else:
            result = run_sql(sql, engine, visibility=visibility, max_rows=max_rows, filters=filters)
            if result.ok:
                return result
            log.info("LLM SQL refused or failed: %s (%s)\n%s", result.reason, result.detail, sql)
        messages = [*messages, AIMessage(reply), sql_retry_message(result.reason, result.detail)]
    return result


# --- (b) synthesis -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Synthesis:
    """An answer written by the model from numbered passages, after checking."""

    answer: str  # Chinese, with [n] markers that all point at passages
    cited: tuple[int, ...]  # passage numbers the answer cites, in order of first use
    unverified_numbers: tuple[str, ...] = ()  # figures found in no cited passage, as written
    dropped_markers: tuple[int, ...] = ()  # markers that pointed at no passage


def synthesize(
    question: str, passages: Sequence[Passage], model: BaseChatModel
) -> Synthesis | None:
    """An answer to `question` in Chinese citing `passages` as [n], checked; None if unusable.

    Unusable: the call failed, or the reply is empty, has no Chinese, or cites no passage.
    """
    if not passages:
        return None
    reply = _reply(model, synthesis_messages(question, passages, DataFence.new()))
    if reply is None or not has_chinese(reply):
        return None
    numbers = {p.number for p in passages}
    text, cited, dropped = keep_known_markers(reply, numbers)
    if not cited:
        log.info("LLM answer cites no passage: %r", reply[:200])
        return None
    by_number = {p.number: p for p in passages}
    unverified = unverified_numbers(text, [by_number[n].text for n in cited])
    if unverified:
        text = text.rstrip() + UNVERIFIED_NOTE.format("、".join(unverified))
    return Synthesis(text, tuple(cited), tuple(unverified), tuple(dropped))


# --- the two places ask() uses the LLM ----------------------------------------------------------

MAX_PASSAGES = 6
MAX_SHOWN_ROWS = 20
UNTRACED_NOTE = "（未在原文中核实）"
UNTRACED_WARNING = "大模型查询的部分结果未能在原文中核实出处"


@lru_cache(maxsize=4)
def chat_model(settings: Any) -> BaseChatModel | None:
    """`get_chat_model`, built once per settings (clients keep their connection pools)."""
    return get_chat_model(settings)


def with_fallback_note(answer: Answer) -> Answer:
    """The offline answer, saying that the LLM was tried and could not be used."""
    return replace(
        answer,
        answer=f"{answer.answer}\n{LLM_FALLBACK_NOTE}".strip(),
        warnings=(*answer.warnings, LLM_FALLBACK_NOTE),
    )


def figure_answer_or(
    question: str,
    offline: Callable[[], Answer],
    model: BaseChatModel | None,
    engine: Engine,
    visibility: Collection[str],
    catalog: Any,
    filters: CorpusFilters | None = None,
) -> Answer:
    """For a figure question the offline parser could not answer from SQL: the LLM's guarded
    query when it finds rows, else `offline()` (with LLM_FALLBACK_NOTE when the LLM failed).
    `filters` (the UI's sidebar) narrow what the model is shown and what its SQL can read."""
    if model is None:
        return offline()
    filters = filters or CorpusFilters()
    localities = [loc.full for loc in catalog.localities
                  if not filters.localities or loc.full in filters.localities]
    years = [y for y in catalog.years if not filters.years or y in filters.years]
    result = answer_with_llm_sql(
        question, model, engine, visibility,
        schema_description=describe_schema(localities, years),
        examples=example_queries(localities, years), filters=filters,
    )  # fmt: skip
    if not result.ok:
        return with_fallback_note(offline())
    if not result.rows:
        return offline()
    try:
        answer = _answer_from_rows(result, engine, visibility, filters)
    except Exception:  # rows of the model's making: odd types must not break the answer
        log.warning("LLM rows could not be shown", exc_info=True)
        return with_fallback_note(offline())
    return answer if answer.answer.strip() else offline()  # rows with nothing to show


def _answer_from_rows(
    result: SqlResult, engine: Engine, visibility: Collection[str], filters: CorpusFilters
) -> Answer:
    """Rows of the LLM's query as lines. A row is cited only when it names a span (doc_id, start,
    end) of a document the user may see and, for a fact row, that span holds its printed number:
    a query can select literals, so a figure is shown as the documents' only once traced."""
    rows = [dict(zip(result.columns, values)) for values in result.rows[:MAX_SHOWN_ROWS]]
    visible = _visible_doc_ids(engine, {r.get("doc_id") for r in rows}, visibility, filters)
    citations: list[Citation] = []
    lines, untraced = [], 0
    for row in rows:
        line = _row_line(row)
        if _traced(engine, row, visible):
            citations.append(cite_at(engine, row["doc_id"], int(row["start"]), int(row["end"])))
            line += f" [{len(citations)}]"
        elif "text" in row:
            line += UNTRACED_NOTE
            untraced += 1
        lines.append(line)
    if not any(lines):
        return Answer("", "none", "大模型查询的结果没有可显示的内容")
    if len(result.rows) > MAX_SHOWN_ROWS or result.truncated:
        lines.append(f"（只列出前 {MAX_SHOWN_ROWS} 行）")
    warnings = [UNTRACED_WARNING] if untraced or not citations else []
    return Answer(
        "\n".join(lines), "sql", "离线解析未能回答，由大模型生成查询（已经过安全检查）",
        tuple(citations), sql=result.sql, columns=result.columns, rows=result.rows,
        warnings=tuple(warnings),
    )  # fmt: skip


def _visible_doc_ids(
    engine: Engine, ids: set[Any], visibility: Collection[str], filters: CorpusFilters
) -> set[str]:
    wanted = [i for i in ids if isinstance(i, str)]
    if not wanted:
        return set()
    d = db.documents.c
    query = select(d.id).where(
        d.id.in_(wanted), d.visibility.in_(list(visibility)), d.status == "complete"
    )
    for column, values in ((d.locality, filters.localities), (d.year, filters.years),
                           (d.doc_type, filters.doc_types)):
        query = query.where(column.in_(values)) if values else query  # a literal doc_id too
    with engine.connect() as conn:
        return set(conn.execute(query).scalars())


def _traced(engine: Engine, row: dict[str, Any], visible: set[str]) -> bool:
    """The row names a visible span, and holds its printed number when it carries one."""
    if row.get("doc_id") not in visible:
        return False
    start, end = row.get("start"), row.get("end")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end):
        return False
    if "text" not in row:
        return True
    return (
        bool(str(row["text"]))
        and str(row["text"]) in get_source(engine, row["doc_id"]).text[start:end]
    )


def _row_line(row: dict[str, Any]) -> str:
    """A fact row as 地区 年度 指标：数字单位 (the number as printed); other rows column by column."""
    if {"metric", "text", "unit"} <= row.keys():
        place = row.get("locality_name") or row.get("locality") or ""
        year = f"{row['year']}年" if row.get("year") else ""
        return f"{place}{year}{row['metric']}：{row['text']}{row['unit']}"
    shown = {k: v for k, v in row.items() if k not in ("doc_id", "start", "end")}
    return "，".join(f"{name}：{_cell(value)}" for name, value in shown.items())


def _cell(value: Any) -> str:
    if isinstance(value, float):  # computed by SQL (sums …): no float noise, no lost digits
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return "" if value is None else str(value)


def synthesized_or(
    question: str, hits: Sequence[Any], offline: Answer, model: BaseChatModel | None, engine: Engine
) -> Answer:
    """The LLM's answer written from the retrieved `hits` (vectorstore Hit), cited and checked;
    else `offline` (with LLM_FALLBACK_NOTE when the LLM failed)."""
    if model is None:
        return offline
    passages = [
        Passage(i, h.doc_id, h.start, h.end, h.text, h.title)
        for i, h in enumerate(hits[:MAX_PASSAGES], 1)
    ]
    synthesis = synthesize(question, passages, model)
    if synthesis is None:
        return with_fallback_note(offline)
    # Cited passages become citations 1..m, in order of first use.
    order = {number: i for i, number in enumerate(synthesis.cited, 1)}
    text = re.sub(r"\[(\d+)\]", lambda m: f"[{order[int(m.group(1))]}]", synthesis.answer)
    citations = tuple(
        cite(
            engine, passages[n - 1].doc_id, passages[n - 1].start, passages[n - 1].end, widen=False
        )
        for n in synthesis.cited
    )
    warnings = tuple(f"未在引用原文中找到：{n}" for n in synthesis.unverified_numbers)
    return replace(
        offline,
        answer=text,
        why=f"{offline.why}；由大模型根据原文归纳",
        citations=citations,
        warnings=(*offline.warnings, *warnings),
    )
