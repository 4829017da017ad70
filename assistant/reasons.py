"""The reason or use a document gives for the asked item, read in the asked unit-year's documents.

Retrieval ranks passages of the whole library; a reason is a sentence of one document: the one
that names the item and says why it changed or what it is for ('…比上年预算减少30.8万元，主要原因
是部分执法执勤车辆转隶至省纪委等单位。'), or the sentence right after one naming the item that
opens with the reason ('主要原因是：…'). Every sentence of the unit-year's documents is read
(a disclosure is a few dozen pages), whole across a PDF's wrapped lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.extract import Sentence, terms
from ingest.catalog import fold
from ingest.facts.sentences import sentence_pieces

REASON = re.compile(r"主要原因|原因是|原因为|原因：|主要是|是由于|由于|因为|系因|主要用于|用于|用来|为了|主要包括|包括")
# '主要原因是…', '决算数小于预算数的主要原因：…', '主要用于：…'
_OPENS_WITH_REASON = re.compile(r"^\s*(?:[一二三四五六七八九十\d]+[、.．]\s*)?(?:[^，,。；;]{0,14}的)?"
                                r"(?:主要原因|原因|主要是|一是|由于|主要用于|用于)")
_USE_ASKED = re.compile(r"干嘛|干什么|做什么|用途|用于|用来|主要用|是什么|包括|花在哪|用在哪|花哪")
_UP = re.compile(r"增加|增长|上升|涨|多了|提高|超过|超出|大于|超支")
_DOWN = re.compile(r"减少|下降|降低|降|少了|压减|压缩|低于|少于|小于|节约|结余")
# What asks for a reason or a use (a description — 职责, 依据, 计划 — is read by retrieval).
ASKS_REASON = re.compile(r"为什么|为何|为啥|原因|怎么回事|咋|怎么.{0,4}(?:涨|降|多|少|增|减|超)|干嘛|干什么|做什么|"
                         r"用途|用于|用来|用在|花在|派什么用")
ASKS_USE = _USE_ASKED  # a use asked ('干嘛用'): the same across a unit's years
MAX_REASONS = 2
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_CHANGE_STATED = re.compile(r"(?:增加|减少|增长|下降|上升|降低)\s*\d")
_REFERS_BACK = re.compile(r"^\s*[^，,。；;\d]{0,24}(?:增加|减少|增长|下降|变化|上升|降低|增减)的主要原因")
_WHY_GIVEN = re.compile(r"原因|由于|因为|系因|主要是|是因")
_SUBJECTLESS = re.compile(r"^\s*(?:与上年相比|与上年度相比|比上年|较上年|同比)")
_SUBJECT_PREFIX = re.compile(r"^\s*(?:[（(]?[一二三四五六七八九十\d]+[)）、.．]\s*)*")


@dataclass(frozen=True)
class Reason:
    sentences: tuple[Sentence, ...]  # the sentence naming the item, and the one giving its reason
    score: float


def find_reasons(question: str, words: Sequence[str], documents: Sequence[tuple[str, str]],
                 also: Sequence[str] = (), figures: Sequence[str] = ()) -> list[Sentence]:
    """Sentences of `documents` ((doc_id, text)) giving the reason or use the question asks of
    the item named by `words` (when `words` is empty: the question's own content words);
    `also` are words of the question's other items, which weigh less; `figures` are the
    numbers the answer states (the reason given beside the same figures is the one asked)."""
    numbers = {n.replace(",", "") for n in figures if len(n.replace(",", "")) >= 3}
    wanted = [w for w in dict.fromkeys(words) if len(w) >= 2] or sorted(
        (t for t in terms(question) if len(t) >= 2), key=len, reverse=True)
    if not wanted:
        return []
    also = [w for w in also if len(w) >= 2 and w not in wanted]
    use = bool(_USE_ASKED.search(question))
    direction = _UP if _UP.search(question) else _DOWN if _DOWN.search(question) else None
    found: list[Reason] = []
    for doc_id, text in documents:
        pieces = [(s, e) for s, e in sentence_pieces(text) if "\t" not in text[s:e]]
        for i, (start, end) in enumerate(pieces):
            sentence = text[start:end]
            subject = _subject(sentence)
            before = pieces[i - 1] if i and _SUBJECTLESS.match(sentence) else None
            if before:  # '项目支出预算数为…。与上年相比增加…' names the item in the sentence before
                subject = text[slice(*before)] + subject
            named = [w for w in wanted if w in subject]
            if not named and not (numbers and numbers & _numbers(sentence)):
                continue
            following = pieces[i + 1] if i + 1 < len(pieces) else None
            given = [(start, end)] if REASON.search(sentence) else []
            if following:
                after = text[following[0]:following[1]]
                heading = not re.search(r"[，,；;]", sentence) and len(sentence.strip()) <= 60
                back = _REFERS_BACK.match(after) and not _CHANGE_STATED.search(sentence)  # explains another
                if not back and (_OPENS_WITH_REASON.match(after) or (heading and REASON.search(after))):
                    given = [(start, end), following]  # the item's heading or sentence, then its reason
            if not given:
                continue
            if len(given) == 1 and _REFERS_BACK.match(sentence) and (stated := _change_before(text, pieces, i)):
                given = [stated, *given]  # '…减少的主要原因是…' explains the change stated before it
            if before and named:
                given = [before, *given]
            given += _continued_after(text, pieces, pieces.index(given[-1]))
            said = " ".join(text[s:e] for s, e in given)  # the item's sentence and its reason
            score = sum(len(w) for w in named) / sum(len(w) for w in wanted)
            score += 0.3 * sum(len(w) for w in also if w in said) / max(1, sum(len(w) for w in also))
            score += 0.5 if use == bool(re.search(r"用于|用来|主要包括|包括", said)) else 0
            if direction is not None and direction.search(said):
                score += 0.5
            if numbers:
                score += len(numbers & _numbers(said)) / len(numbers)
            if words and any(w in _SUBJECT_PREFIX.sub("", sentence)[:len(w) + 4] for w in named):
                score += 0.5  # the sentence is about the item, not a list naming it among others
            if not use and not _WHY_GIVEN.search(said):
                score -= 1  # a reason asked: what the item is for does not answer it
            found.append(Reason(tuple(_sentence(doc_id, text, s, e) for s, e in given), score))
    found.sort(key=lambda r: r.score, reverse=True)
    found = _once_each(found)
    best = found[:1] + [r for r in found[1:MAX_REASONS] if r.score >= found[0].score - 0.01]
    return [s for reason in best for s in reason.sentences]


def _once_each(reasons: list[Reason]) -> list[Reason]:
    """The best-scoring of the reasons quoting one same reason sentence (a reason said twice)."""
    seen: set[str] = set()
    kept = []
    for reason in reasons:
        if reason.sentences[-1].text not in seen:
            seen.add(reason.sentences[-1].text)
            kept.append(reason)
    return kept


def _change_before(text: str, pieces: Sequence[tuple[int, int]], i: int) -> tuple[int, int] | None:
    """The nearest of the few sentences before piece `i` that states a change with its figure."""
    for piece in reversed(pieces[max(0, i - 4):i]):
        if _CHANGE_STATED.search(text[slice(*piece)]):
            return piece
    return None


def _numbers(text: str) -> set[str]:
    return set(_NUMBER.findall(text.replace(",", "")))


_NEXT_POINT = re.compile(r"^\s*[二三四五六七八九十]是")
_GOES_ON = re.compile(r"^\s*(?:同时|加之|再加上|另一方面|其次|如|例如|比如|包括)")


def _continued_after(text: str, pieces: Sequence[tuple[int, int]], last: int) -> list[tuple[int, int]]:
    """The sentences a reason goes on in: the points of an enumeration it opens ('主要原因一是…；
    二是…'), a second cause joined to it ('同时，…增加部门预算1,464.3万元'), or a use's examples
    ('如水电费、纸杯抽纸制作费…')."""
    points = []
    pattern = _NEXT_POINT if "一是" in text[pieces[last][0]:pieces[last][1]] else _GOES_ON
    for start, end in pieces[last + 1:last + 6]:
        if not pattern.match(text[start:end]):
            break
        points.append((start, end))
    return points


def _subject(sentence: str) -> str:
    """What a sentence is about: the words before the reason it gives ('主要原因是…项目支出增加'
    explains another item's change, not 项目支出's)."""
    match = REASON.search(sentence)
    return sentence[:match.start()] if match else sentence


def _sentence(doc_id: str, text: str, start: int, end: int) -> Sentence:
    raw = text[start:end]
    start += len(raw) - len(raw.lstrip())
    end -= len(raw) - len(raw.rstrip())
    return Sentence(doc_id, start, end, text[start:end], 1.0)


# A project table's cells that say what the project is for, the first found first.
_USE_HEADERS = ("项目概况", "项目基本概况", "项目简介", "项目内容", "实施内容", "主要内容", "资金用途",
                "项目总目标", "年度总体目标", "年度目标", "总体目标")
_CELL = re.compile(r"[^\t|]+")
MIN_USE_CHARS = 8  # a header's neighbour shorter than this is another header, not the use
PROJECT_SPAN = 40  # lines of a project table read after its 项目名称


def project_uses(question: str, documents: Sequence[tuple[str, str]]) -> list[Sentence]:
    """The cells of the named project's own table (绩效目标表, 项目文本) that say what it is
    for: the text beside or under its 项目概况 / 项目总目标 … cell, a repeated text once."""
    asked = fold(question)
    found: list[Sentence] = []
    for doc_id, text in documents:
        lines = _lines(text)
        for i, (start, line) in enumerate(lines):
            cells = _cells(line, start)
            name = next((cells[k + 1][2] for k, c in enumerate(cells[:-1]) if c[2] == "项目名称"), "")
            if not name or not names_project(asked, fold(name)):
                continue
            for j in range(i, min(len(lines), i + PROJECT_SPAN)):
                if j > i and "项目名称" in lines[j][1]:
                    break
                found += _use_cells(doc_id, lines, j)
    seen: set[str] = set()
    return [s for s in found if not (s.text in seen or seen.add(s.text))][:MAX_REASONS]


def _lines(text: str) -> list[tuple[int, str]]:
    lines, start = [], 0
    for line in text.split("\n"):
        lines.append((start, line))
        start += len(line) + 1
    return lines


def _cells(line: str, start: int) -> list[tuple[int, int, str]]:
    return [(start + m.start(), start + m.end(), m.group().strip()) for m in _CELL.finditer(line) if m.group().strip()]


def names_project(asked: str, name: str) -> bool:
    """The question names the project: most of its name stands in the question as one run
    ('万里街道社区公共服务中心新建工程' for 新建万里街道社区公共服务中心)."""
    longest = max((k - j for j in range(len(name)) for k in range(j + 1, len(name) + 1) if name[j:k] in asked),
                  default=0)
    return longest >= max(4, int(len(name) * 0.6))


def _use_cells(doc_id: str, lines: list[tuple[int, str]], j: int) -> list[Sentence]:
    """Line `j`'s use headers, each with the text right of it, else the longest cell below it."""
    cells = _cells(lines[j][1], lines[j][0])
    below = _cells(lines[j + 1][1], lines[j + 1][0]) if j + 1 < len(lines) else []
    uses = []
    for k, (_, _, text) in enumerate(cells):
        if text not in _USE_HEADERS:
            continue
        beside = [cells[k + 1]] if k + 1 < len(cells) and cells[k + 1][2] not in _USE_HEADERS else []
        under = sorted(below, key=lambda c: c[0] - c[1])[:1]
        cell = next((c for c in (*beside, *under) if len(c[2]) >= MIN_USE_CHARS), None)
        if cell is not None:
            uses.append(Sentence(doc_id, cell[0], cell[1], cell[2], 1.0))
    return uses
