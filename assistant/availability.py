"""A store that is down or restarting becomes an answer that says so in Chinese, not a crash.

Nothing is cached from a failed call (engines ping their connections before use, an HTTP Chroma
client opens a new connection per request), so the next question after the server is back is
answered as usual.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from gongkai.errors import StoreError

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])
SQL_DOWN = "数据库暂时无法访问（服务器可能正在重启），请稍后再问一次。"
VECTORS_DOWN = "向量库暂时无法访问（服务器可能正在重启），请稍后再问一次。"


def unavailable_store(error: BaseException) -> str | None:
    """The Chinese message for an error that means a store cannot be reached, else None."""
    import httpx
    from sqlalchemy.exc import DBAPIError, OperationalError

    if isinstance(error, StoreError):
        return error.message
    if isinstance(error, OperationalError) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    ):
        return SQL_DOWN
    if isinstance(error, httpx.TransportError):  # chromadb.HttpClient speaks httpx
        return VECTORS_DOWN
    return None


def answer_when_stores_down(make_answer: Callable[[str, str], Any]) -> Callable[[F], F]:
    """Decorate a function so a store outage returns `make_answer(message, detail)` instead."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except Exception as error:
                message = unavailable_store(error)
                if message is None:
                    raise
                log.warning("store unavailable: %s: %s", type(error).__name__, error)
                return make_answer(message, f"{type(error).__name__}: {error}")

        return wrapper  # type: ignore[return-value]

    return decorate
