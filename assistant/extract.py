"""Extractive answers from retrieved chunks: the sentences that best match, quoted exactly."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from ingest.facts.sentences import sentence_pieces

_STOP = frozenset(
    ["的", "了", "是", "在", "和", "与", "及", "等", "为", "有", "多少", "什么", "哪些", "怎么", "如何", "为什么", "原因", "吗", "呢", "年", "请问", "一下", "情况", "主要", "那", "这", "该", "其", "中", "对", "把", "被", "给", "都", "也", "还", "就", "以", "之", "所", "于", "个", "上", "下", "去年", "今年", "哪个", "地方", "用于", "用来", "介绍"]
)


@dataclass(frozen=True)
class Sentence:
    doc_id: str
    start: int  # in the document text
    end: int
    text: str
    score: float


@lru_cache(maxsize=1)
def _jieba():
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
    (re.compile(r"问题|不足|困难|短板"), re.compile(r"问题|不足|误差|差距|有待|还需|仍需|欠缺|不够")),
)
_HEADING_LIKE = 25  # a line shorter than this without end punctuation is a heading, not an answer
# A section number opening a line or sentence: 一、 （二） (3) 4、 5.
_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．](?!\d))\s*")
_FIGURE_LINE = re.compile(r"\d\s*(?:万?元|亿元|人次|人|名|个|件|项|%|平方米|家|批次|辆|台)")


def best_sentences(
    question: str,
    passages: Sequence[tuple[str, int, str]],
    limit: int = 3,
    *,
    figure_lines: bool = False,
) -> list[Sentence]:
    """The sentences of `passages` (doc_id, start offset, exact text) sharing most words with the
    question, best first; a sentence sharing none is never returned. Headings are skipped, and a
    sentence that says what the question asks for (a reason, a use …) comes first. With
    `figure_lines`, a short line stating a count or amount (a table's line) is no heading."""
    cues = [answer for asked, answer in _ANSWER_CUES if asked.search(question)]
    wanted = terms(question)
    if not wanted:
        return []
    found: list[Sentence] = []
    seen: set[tuple[str, int]] = set()
    for doc_id, offset, text in passages:
        carried = 0.0  # a heading naming what is asked lends its score to its paragraph
        previous_end, after_heading = 0, False
        for piece_start, piece_end in sentence_pieces(text):
            raw = text[piece_start:piece_end]
            sentence = raw.strip()
            if "\n" in text[previous_end:piece_start] and not after_heading:
                carried = 0.0  # a new paragraph, not under the heading just read
            previous_end = piece_end
            if len(sentence) < 6 or _is_heading(sentence, figure_lines):
                heading_terms = wanted & terms(sentence) if sentence else set()
                if heading_terms:
                    carried = sum(len(t) for t in heading_terms)
                elif not after_heading:  # a heading of another matter; a subheading keeps it
                    carried = 0.0
                after_heading = True
                continue
            after_heading = False
            start = offset + piece_start + (len(raw) - len(raw.lstrip()))
            key = (doc_id, start)
            if key in seen:
                continue
            seen.add(key)
            shared = wanted & terms(sentence)
            if not shared and not carried:
                continue
            score = (sum(len(t) for t in shared) + carried) / (1 + 0.002 * len(sentence))
            score += sum(3 for cue in cues if cue.search(sentence))
            found.append(Sentence(doc_id, start, start + len(sentence), sentence, score))
    found.sort(key=lambda s: s.score, reverse=True)
    return found[:limit]


def _is_heading(sentence: str, figure_lines: bool) -> bool:
    """A short line without end punctuation, or a short numbered sentence ('1、存在问题。')."""
    if len(sentence) >= _HEADING_LIKE:
        return False
    if _NUMBERED.match(sentence) and not _FIGURE_LINE.search(_NUMBERED.sub("", sentence, 1)):
        return True
    if sentence[-1] in "。！？；;":
        return False
    return not (figure_lines and _FIGURE_LINE.search(sentence))


def coverage(question: str, sentence: Sentence) -> float:
    """Share of the question's content words (by characters) a sentence holds or its score carries."""
    wanted = terms(question)
    if not wanted:
        return 0.0
    shared = sum(len(t) for t in wanted & terms(sentence.text))
    return min(1.0, max(shared, sentence.score) / sum(len(t) for t in wanted))


_CLAUSE = re.compile(r"(?:[^，,；;、：:。！？\n]|(?<=\d),(?=\d))+")  # a comma between digits is a number's


_CHANGE_WORDS = re.compile(r"增加|减少|增长|下降|持平|比上年|较上年")


def clauses_stating(sentence: Sentence, words: Sequence[str], figure: re.Pattern[str], *,
                    change: bool = False) -> list[Sentence]:
    """The clauses of `sentence` that name one of `words` and state a figure: a long sentence
    listing many figures is quoted only where it speaks of what was asked. With `change`, a
    clause stating a change right after such a clause ('…受理工单11137件，比上年增加3712件')
    is taken with it."""
    found: list[Sentence] = []
    clauses = list(_CLAUSE.finditer(sentence.text))
    for i, match in enumerate(clauses):
        clause = match.group().strip()
        if not clause or not figure.search(clause):
            continue
        named = any(w and w in clause for w in words)
        follows = change and i and _CHANGE_WORDS.search(clause) and any(
            f.end == sentence.start + clauses[i - 1].end() for f in found)
        if named or follows:
            start = sentence.start + match.start() + (len(match.group()) - len(match.group().lstrip()))
            found.append(Sentence(sentence.doc_id, start, start + len(clause), clause, sentence.score))
    return found
