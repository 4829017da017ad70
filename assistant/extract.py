"""Extractive answers from retrieved chunks: the sentences that best match, quoted exactly."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

_SENTENCE = re.compile(r"[^。！？；;\n]+[。！？；;]?")
_STOP = frozenset(
    "的 了 是 在 和 与 及 等 为 有 多少 什么 哪些 怎么 如何 为什么 原因 吗 呢 年 请问 一下 情况 主要 "
    "那 这 该 其 中 对 把 被 给 都 也 还 就 以 之 所 于 个 上 下 去年 今年 哪个 地方 用于 用来 介绍".split()
)


@dataclass(frozen=True)
class Sentence:
    doc_id: str
    start: int  # in the document text
    end: int
    text: str
    score: float


@lru_cache(maxsize=1)
def _jieba():  # noqa: ANN202 - the jieba module
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def terms(text: str) -> set[str]:
    """Content words of a question or sentence (jieba search-mode tokens, no stop words)."""
    tokens = _jieba().lcut_for_search(text)
    return {t for t in tokens if t.strip() and t not in _STOP and not re.fullmatch(r"\W+", t)}


# What a sentence that answers a kind of question says: a reason, a use, a measure.
_ANSWER_CUES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (re.compile(r"为什么|为何|原因|怎么会"), re.compile(r"原因|因为|由于|主要是|主要用于|纳入")),
    (re.compile(r"用途|用于|用来|做什么|干什么"), re.compile(r"用于|用来|保障|主要包括")),
    (re.compile(r"措施|做法|怎么做|如何|哪些工作"), re.compile(r"推进|加强|完善|开展|实施|优化|提升")),
    (re.compile(r"职责|职能|负责什么"), re.compile(r"负责|职责|承担|宗旨|指导|监督")),
)
_HEADING_LIKE = 25  # a line shorter than this without end punctuation is a heading, not an answer


def best_sentences(
    question: str, passages: Sequence[tuple[str, int, str]], limit: int = 3
) -> list[Sentence]:
    """The sentences of `passages` (doc_id, start offset, exact text) sharing most words with the
    question, best first; a sentence sharing none is never returned. Headings are skipped, and a
    sentence that says what the question asks for (a reason, a use …) comes first."""
    cues = [answer for asked, answer in _ANSWER_CUES if asked.search(question)]
    wanted = terms(question)
    if not wanted:
        return []
    found: list[Sentence] = []
    seen: set[tuple[str, int]] = set()
    for doc_id, offset, text in passages:
        carried = 0.0  # a heading line naming what is asked lends its score to the text below it
        for match in _SENTENCE.finditer(text):
            sentence = match.group().strip()
            if len(sentence) < 6 or (len(sentence) < _HEADING_LIKE and sentence[-1] not in "。！？；;"):
                heading_terms = wanted & terms(sentence) if sentence else set()
                carried = sum(len(t) for t in heading_terms) if heading_terms else carried
                continue
            start = offset + match.start() + (len(match.group()) - len(match.group().lstrip()))
            key = (doc_id, start)
            if key in seen:
                continue
            seen.add(key)
            shared = wanted & terms(sentence)
            if not shared and not carried:
                continue
            score = (sum(len(t) for t in shared) + carried) / (1 + 0.002 * len(sentence))
            carried = 0.0
            score += sum(3 for cue in cues if cue.search(sentence))
            found.append(Sentence(doc_id, start, start + len(sentence), sentence, score))
    found.sort(key=lambda s: s.score, reverse=True)
    return found[:limit]


def coverage(question: str, sentence: Sentence) -> float:
    """Share of the question's content words (by characters) a sentence holds or its score carries."""
    wanted = terms(question)
    if not wanted:
        return 0.0
    shared = sum(len(t) for t in wanted & terms(sentence.text))
    return min(1.0, max(shared, sentence.score) / sum(len(t) for t in wanted))
