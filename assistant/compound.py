"""A question asking two things at once ('有几个项目实行绩效目标管理？涉及的资金合计多少', '会议费开了
多少，开了几次会'): each part answered in turn, the later as a follow-up of the earlier (so it keeps
the unit, year and item), and the two answers joined with their citations renumbered.

A part that is only an operation on the first ('谁多？多多少', '是多少？为什么增加') is no question of
its own: the whole question is read as one, as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from assistant.types import Answer

_ASKS = re.compile(r"多少|几|吗|哪|谁|什么|是否|怎样|如何|多大")
# What a second part says when it only operates on the first one's figure.
_OPERATION_ONLY = re.compile(r"^(?:那|那么|又|再|一共|总共|分别|各)?(?:多多少|少多少|差多少|差了多少|相差多少|多几[个辆人家项次]?|"
                             r"少几[个辆人家项次]?|几倍|是多少倍|占多少|占比多少|占几成|为什么|为啥|为何|什么原因|原因是什么|"
                             r"比上年呢|跟上年比呢|增加了多少|减少了多少|增长了多少|变化多少|排个序|排一下)[?？。!！]*$")
# '比最少的那家多多少', '跟上年比呢', '为什么增加': the first part's figure set against another, or
# its reason asked — one question
_ON_FIRST = re.compile(r"^(?:那|那么)?(?:比|较|跟|和|与|同|为什么|为何|为啥|什么原因|原因|主要原因)")
_SPLIT = re.compile(r"[？?；;]|，(?=[^，]*$)")
MIN_PART = 4  # characters a part needs to be a question of its own


def question_parts(question: str) -> list[str]:
    """The question's two parts where it asks two things, else []."""
    pieces = [p.strip(" ，,。") for p in _SPLIT.split(question)]
    pieces = [p for p in pieces if p]
    if len(pieces) != 2:
        return []
    first, second = pieces
    if len(first) < MIN_PART or len(second) < MIN_PART or not (_ASKS.search(first) and _ASKS.search(second)):
        return []
    if _OPERATION_ONLY.match(second) or _ON_FIRST.match(second):
        return []
    return [first, second]


def answer_parts(question: str, history: Sequence[Answer],
                 answer: Callable[[str, Sequence[Answer]], Answer]) -> Answer | None:
    """Both parts answered and joined, or None when the question is one question or a part finds
    nothing (the whole is then read as one)."""
    parts = question_parts(question)
    if not parts:
        return None
    first = answer(parts[0], history)
    second = answer(parts[1], (*history, first))
    if "none" in (first.route, second.route):
        return None
    return joined(first, second)


def joined(first: Answer, second: Answer) -> Answer:
    """One answer of two: the second's citations renumbered after the first's, one cited by both
    kept once."""
    citations = list(first.citations)
    number: dict[int, int] = {}
    for i, citation in enumerate(second.citations, 1):
        if citation not in citations:
            citations.append(citation)
        number[i] = citations.index(citation) + 1
    text = re.sub(r"\[(\d+)\]", lambda m: f"[{number.get(int(m.group(1)), int(m.group(1)))}]", second.answer)
    return replace(first, answer=f"{first.answer}\n{text}", citations=tuple(citations),
                   why=f"{first.why}；{second.why}", warnings=first.warnings + second.warnings,
                   slots=second.slots or first.slots, check=first.check if first.check != "ok" else second.check)
