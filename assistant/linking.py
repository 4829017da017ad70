"""Link a question's words to what is stored: 科目编码, vocabulary metrics and table/prose items.

Every figure is stored with the stem of its item's name (`ingest.catalog.label_stem`), so a
question names an item when it contains a stored stem as a word: the stem itself, or with one of
its money endings ('差旅' + '费'), standing between word boundaries ('办公' in '办公用房' is not
办公费). Then, for what is left: a homophone typo of a stem ('差率费'), a contraction of one stem
('社保就业' → 社会保障和就业), a colloquial word of the
vocabulary ('开会' → 会议费), and last the embedding model's nearest stored labels, taken only above
a measured similarity (`vectorstore.label_index`); below it, the closest labels are offered.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.catalog import Catalog
from ingest.catalog import ENDINGS, fold, label_stem

MAX_WORD = 8  # longest dictionary word looked for around a match
MIN_UNEXPLAINED = 4  # characters around a short stem that make it part of a longer name
_CODE = re.compile(r"(?<![\d.])(\d{3,9})(?![\d.]|\s*年)")


@dataclass(frozen=True)
class Term:
    """A stored item a span of the question names."""

    text: str  # as written
    start: int
    end: int
    stems: frozenset[str] = frozenset()  # label stems of stored figures
    metric: str = ""  # vocabulary metric key
    code: str = ""  # 科目编码
    how: str = "exact"  # exact | code | metric | typo | contraction | similar


@dataclass(frozen=True)
class Linked:
    terms: tuple[Term, ...] = ()
    missing_codes: tuple[str, ...] = ()  # 科目编码 asked that no stored figure has
    leftover: str = ""  # the question's content words no term explains
    closest: tuple[str, ...] = field(default=())  # labels nearest the leftover, when none was close enough


def link(question: str, catalog: Catalog, taken: Sequence[tuple[int, int]] = (),
         metric_words: Sequence[tuple[str, str]] = (), similar: bool = True) -> Linked:
    """The terms of `question` (spans in `taken` — units, places, years — are skipped);
    `metric_words` are the vocabulary's (word, metric key) pairs, longest first. With `similar`,
    words nothing else explains are looked up by meaning (`vectorstore.label_index`)."""
    text = fold_keeping_length(question)
    words = [pair for pair in metric_words if len(pair[0]) > 1]
    # a homophone typo of a long name ('公物用车运行维护费') outranks the shorter names inside it
    candidates = (_code_terms(text, catalog) + _metric_terms(text, words) + _stem_terms(text, catalog)
                  + _typo_terms(text, catalog, taken))
    # a contraction may take a colloquial word's place ('公车运维费' over '公车'), never a stored name's
    candidates += _contraction_terms(text, catalog, [*taken, *((t.start, t.end) for t in candidates
                                                                if t.how != "metric")])
    terms = _non_overlapping(candidates, list(taken))
    missing = tuple(m.group(1) for m in _CODE.finditer(text)
                    if m.group(1) not in catalog.codes and _looks_like_code(m.group(1))
                    and not _inside(m.span(), taken))
    # a one-character word ('车') only where no longer name or typo of one took its place
    spans = [*taken, *((t.start, t.end) for t in terms)]
    single = [pair for pair in metric_words if len(pair[0]) == 1]
    terms += [t for t in _metric_terms(text, single) if not _inside((t.start, t.end), spans)]
    blanked = list(question)
    for t in terms:  # the runs around a short stem are what no other term explains
        if not _short_stem(t):
            blanked[t.start:t.end] = " " * (t.end - t.start)
    for s, e in taken:
        blanked[s:e] = " " * (e - s)
    runs = leftover_runs("".join(blanked), catalog)
    terms = [t for t in terms if not _inside_longer_name(t, runs)]
    for t in terms:
        blanked[t.start:t.end] = " " * (t.end - t.start)
    unexplained = _leftover_spans("".join(blanked), catalog)
    found, closest = _similar_terms(question, unexplained, catalog) if similar else ([], ())
    rest = [question[s:e] for s, e in unexplained if not any((s, e) == (t.start, t.end) for t in found)]
    return Linked(tuple(sorted(terms + found, key=lambda t: t.start)), missing,
                  max(rest, key=len, default=""), closest)


def _similar_terms(question: str, spans: Sequence[tuple[int, int]], catalog: Catalog
                   ) -> tuple[list[Term], tuple[str, ...]]:
    """Runs of words nothing else explains, linked to their nearest stored label where it is
    near enough (`similar_at` the model); the labels nearest the longest other run, offered instead."""
    index = catalog.label_index() if spans else None
    if index is None:
        return [], ()
    from vectorstore.label_index import similar_at

    threshold = similar_at(index.embedder.name)
    found, below = [], []
    for (start, end), neighbours in zip(spans, index.nearest([question[s:e] for s, e in spans]), strict=True):
        if neighbours and neighbours[0].score >= threshold:
            found.append(Term(question[start:end], start, end, frozenset({neighbours[0].stem}), how="similar"))
        else:
            below.append((end - start, neighbours))
    nearest = max(below, key=lambda pair: pair[0], default=(0, ()))[1]
    return found, tuple(dict.fromkeys(n.label for n in nearest if not re.search(r"\d", n.label)))


def _short_stem(term: Term) -> bool:
    return term.how == "exact" and len(term.text) <= 2


def _inside_longer_name(term: Term, runs: Sequence[str]) -> bool:
    """A two-character stem standing in a longer run of words nothing stored is called
    ('服务' of '政务服务工作站建设'): the question names that longer thing, not the stem."""
    return _short_stem(term) and any(term.text in run and len(run) >= len(term.text) + MIN_UNEXPLAINED for run in runs)


def _looks_like_code(number: str) -> bool:
    """A 科目编码's shape: 功能 2xx / 2xxxx / 2xxxxxx, 经济 3xx / 3xxxx or 5xx / 5xxxx."""
    return (len(number) in (3, 5, 7) and number[0] == "2") or (len(number) in (3, 5) and number[0] in "35")


def fold_keeping_length(text: str) -> str:
    """Full-width letters and digits folded one for one (offsets stay those of the question)."""
    return "".join(fold(ch) if len(fold(ch)) == 1 else ch for ch in text)


def _inside(span: tuple[int, int], taken: Sequence[tuple[int, int]]) -> bool:
    return any(s < span[1] and span[0] < e for s, e in taken)


def _code_terms(text: str, catalog: Catalog) -> list[Term]:
    return [Term(m.group(1), m.start(1), m.end(1), frozenset({catalog.codes[m.group(1)]}),
                 code=m.group(1), how="code")
            for m in _CODE.finditer(text) if m.group(1) in catalog.codes]


def _metric_terms(text: str, metric_words: Sequence[tuple[str, str]]) -> list[Term]:
    found = []
    for word, key in metric_words:
        for match in re.finditer(re.escape(word), text):
            stems = frozenset({label_stem(word), label_stem(key)})
            found.append(Term(word, match.start(), match.end(), stems, metric=key, how="metric"))
    return found


def _stem_terms(text: str, catalog: Catalog) -> list[Term]:
    """Stored stems standing as words, each extended over a money ending written after it."""
    longest = max((len(s) for s in catalog.labels), default=0)
    found = []
    for length in range(min(longest, len(text)), 1, -1):
        for start in range(len(text) - length + 1):
            stem = text[start:start + length]
            if stem not in catalog.labels:
                continue
            end = _with_ending(text, start + length)
            if _stands_alone(text, start, end):
                found.append(Term(text[start:end], start, end, frozenset({stem})))
    return found


# '服务类' asks the category 服务 as '差旅费' asks 差旅 (`label_stem` folds both away)
_QUESTION_ENDINGS = (*ENDINGS, "类")


def _with_ending(text: str, end: int) -> int:
    for _ in range(2):  # '差旅' + '费' (+ '支出')
        ending = next((e for e in _QUESTION_ENDINGS if text.startswith(e, end)), "")
        end += len(ending)
    return end


def _stands_alone(text: str, start: int, end: int) -> bool:
    """No dictionary word runs from the match on past its end ('办公' of '办公用房', '基本' of
    '基本工资') or from before it into it: the match is a word of the question, not part of one —
    or the question's own segmentation cuts it out whole ('办公用房/租赁费', though '房租' is a word)."""
    if _segmented_whole(text, start, end):
        return True
    words = _dictionary()
    if any(words.get(text[start:k]) for k in range(end + 1, min(len(text), start + MAX_WORD) + 1)):
        return False
    return not any(words.get(text[j:k]) for j in range(max(0, start - MAX_WORD + 1), start)
                   for k in range(start + 1, end))


def _segmented_whole(text: str, start: int, end: int) -> bool:
    """Whether jieba's segmentation of the question starts a word at `start` and ends one at `end`."""
    bounds = _bounds(text)
    return start in bounds and end in bounds


@lru_cache(maxsize=256)
def _bounds(text: str) -> frozenset[int]:
    from assistant.extract import _jieba

    cuts, position = {0}, 0
    for word in _jieba().cut(text):
        position += len(word)
        cuts.add(position)
    return frozenset(cuts)


def _dictionary() -> dict[str, int]:
    """jieba's word frequencies (prefixes have 0): the words of ordinary Chinese."""
    from assistant.extract import _jieba

    return _jieba().dt.FREQ


def _non_overlapping(candidates: list[Term], taken: list[tuple[int, int]]) -> list[Term]:
    """Longest first; a code before a metric before a stem on a tie; same-span terms merged."""
    rank = {"code": 0, "metric": 1, "exact": 2, "typo": 3, "contraction": 4}
    kept: list[Term] = []
    for term in sorted(candidates, key=lambda t: (-(t.end - t.start), rank.get(t.how, 9), t.start)):
        same = next((k for k in kept if (k.start, k.end) == (term.start, term.end)), None)
        if same is not None:
            kept[kept.index(same)] = _merged(same, term)
            continue
        if _inside((term.start, term.end), taken):
            continue
        taken.append((term.start, term.end))
        kept.append(term)
    return kept


def _merged(a: Term, b: Term) -> Term:
    return Term(a.text, a.start, a.end, a.stems | b.stems, a.metric or b.metric, a.code or b.code, a.how)


def _typo_terms(text: str, catalog: Catalog, taken: Sequence[tuple[int, int]]) -> list[Term]:
    """Homophone typos of stored stems in what no other term covers ('公物用车' → 公务用车)."""
    found: list[Term] = []
    spans = list(taken)
    sounds = catalog.sounds("labels")
    for length in range(8, 2, -1):
        for start in range(len(text) - length + 1):
            span = (start, start + length)
            if _inside(span, spans):
                continue
            piece = text[start:start + length]
            stems = [catalog.printed.get(n, n) for n in sounds.homophones(piece)]
            stems = [s for s in stems if s in catalog.labels]
            if stems:
                end = _with_ending(text, span[1])
                if _stands_alone(text, start, end):
                    found.append(Term(text[start:end], start, end, frozenset(stems), how="typo"))
                    spans.append((start, end))
    return found


MIN_CONTRACTION = 3  # shorter runs ('社保') are words of their own, found as stems or vocabulary


def _contraction_terms(text: str, catalog: Catalog, taken: Sequence[tuple[int, int]]) -> list[Term]:
    """Contractions of one stored stem in what no other term covers ('社保就业' of 社会保障和就业,
    '公车运维' of 公务用车运行维护): the run's characters stand in the stem in order, starting with
    its first and ending in its last word; a run that several stems contract links to none."""
    by_first = catalog.stems_by_first()
    found: list[Term] = []
    spans = list(taken)
    blanked = list(text)
    for s, e in taken:
        blanked[s:e] = " " * (e - s)
    # a contraction opens a run of words nothing else explains ('社区补贴' inside '养老服务社区补贴' is none)
    run_starts = {s for s, _ in _leftover_spans("".join(blanked), catalog)}
    for length in range(MAX_WORD, MIN_CONTRACTION - 1, -1):
        for start in sorted(run_starts):
            span = (start, start + length)
            piece = text[start:start + length]
            if _inside(span, spans) or piece in catalog.labels or not re.fullmatch(r"[\u4e00-\u9fff]+", piece):
                continue
            stems = {stem for stem in by_first.get(piece[0], ()) if len(piece) < len(stem) <= 2 * len(piece) + 1
                     and piece[-1] in stem[-2:] and in_order(piece, stem)}
            if len(stems) == 1:
                end = _with_ending(text, span[1])
                found.append(Term(text[start:end], start, end, frozenset(stems), how="contraction"))
                spans.append((start, end))
    return found


def in_order(piece: str, stem: str) -> bool:
    rest = iter(stem)
    return all(ch in rest for ch in piece)


# '不算镇街便民中心': what the question leaves out names no item asked
EXCLUDED = re.compile(r"(?:不算|不含|不包括|不包含|不计|除去|扣除)([\u4e00-\u9fff]{2,12})")


def excluded_words(question: str) -> tuple[str, ...]:
    return tuple(m.group(1) for m in EXCLUDED.finditer(question))


_ASKING_WORDS = re.compile(
    r"(?:多少|几)(?:批次|人次|件|个|人|辆|台|次|项|家|名|位|套)|比上年|比去年|较上年|增加了?|减少了?|增长了?|下降了?|多少钱|多少|是多少|有多少|几个|几|吗|呢|啊|呀|请问|一下|的|是|了|年度|年|预算|决算|安排|花了|花|一共|"
    r"总共|合计|大概|具体|数额|金额|情况|怎么样|如何|用了|用|给了|给|实际|支出|经费|费用|"
    r"各单位|各部门|单位|部门|地方|地区|哪家|哪个|哪些|各")


def leftover_words(question: str, slots: object, catalog: Catalog) -> str:
    """The longest run of the question's words that names no unit, place, year or asking word:
    what the question asked about that nothing stored is called."""
    runs = leftover_runs(question, catalog)
    return max(runs, key=len) if runs else ""


def leftover_runs(question: str, catalog: Catalog) -> list[str]:
    """Every run of the question's words that names no unit, place, year or asking word."""
    return [question[s:e] for s, e in _leftover_spans(question, catalog)]


def _leftover_spans(question: str, catalog: Catalog) -> list[tuple[int, int]]:
    """Where `leftover_runs` stand in the question."""
    text = question
    names = [a for a, ids in catalog.aliases.items() if a in text]
    names += [form for loc in catalog.localities for form in loc.forms() if form in text]
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " " * len(name))
    text = EXCLUDED.sub(_blank, text)
    text = re.sub(r"(?:(?:19|20)\d{2}|\d{2})\s*年度?|\d+", _blank, text)
    text = _ASKING_WORDS.sub(_blank, text)
    return [m.span() for m in re.finditer(r"[\u4e00-\u9fff]{2,}", text)]


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


def closest_labels(asked: str, catalog: Catalog, limit: int = 3) -> list[str]:
    """The stored labels that look most like `asked` (by characters shared)."""
    printed = [label for label in dict.fromkeys(catalog.labels.values()) if not re.search(r"\d", label)]
    return difflib.get_close_matches(asked, printed, n=limit, cutoff=0.34)
