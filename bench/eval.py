"""The answering eval: `python -m bench.eval [--set original|blind] [--data-dir DIR] [--only ID ...] [--verbose]`.

`--set blind` runs the blind set instead (`bench.blind`: questions written by people who saw only
the documents, over the samples and the dev PDFs), printing outcomes per kind and the holdout
part as an aggregate.

Ingests the five samples (into a temporary folder, or reuses/fills `--data-dir`), asks every
question of `tests/eval/questions.yaml` (follow-ups through `history`), scores each answer against
figures, computed results, keywords, order, route, cited documents and refusals read off the
documents, and prints a markdown table: accuracy per category and overall, the failures with the
answer's first line, and the count of invented figures — numbers in an answer that are neither in
any citation's quote nor computed (sum / share / difference / average) from cited numbers on the
same line.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import permutations
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
QUESTIONS = ROOT / "tests" / "eval" / "questions.yaml"
CATEGORIES = ("lookup", "rank", "compare", "total", "share", "change", "why", "followup", "unanswerable")
PLACES = ("澄江", "呈贡", "柞水", "汨罗", "潼南")  # the samples' places, for order checks

_UNITS = sorted(
    ("元", "千元", "万元", "亿元", "%", "平方米", "分", "工作日", "天", "小时", "人", "名", "位", "个",
     "家", "件", "万件", "项", "辆", "台", "套", "批次", "批", "人次", "万人次", "次", "场", "场次", "条",
     "篇", "本", "户", "处", "间", "份", "张", "笔", "类", "万人"),
    key=len, reverse=True,
)
_TO_WAN = {"元": Decimal("0.0001"), "千元": Decimal("0.1"), "万元": Decimal(1), "亿元": Decimal(10000)}
FIGURE = re.compile(
    r"(?<![\d.])(?<!\d,)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(" + "|".join(map(re.escape, _UNITS)) + r")?"
)
MARKER = re.compile(r"\s*\[(\d+)\]")
_LIST_NUMBER = re.compile(r"^\s*\d+[.、]\s*")
_YEAR_WORDS = re.compile(r"^\s*(?:年|-|—|–|至)")
_COUNTING_WORDS = re.compile(r"^\d+\s*个数字")  # "由以下 3 个数字计算" counts operands, it is no figure
_COMPUTED_CUE = re.compile(r"合计|平均|占|增加|减少|增长|下降|相差|由")
NOT_COVERED = re.compile(r"没有|未找到|无法回答|不在|未收录|不包含|未涉及|未提供")


# ---------------------------------------------------------------- figures in text


@dataclass(frozen=True)
class Figure:
    text: str  # the number as printed, e.g. '1,866.11'
    unit: str  # '' when none follows
    start: int
    end: int

    @property
    def value(self) -> Decimal:
        return Decimal(self.text.replace(",", ""))

    @property
    def decimals(self) -> int:
        return len(self.text.split(".")[1]) if "." in self.text else 0

    def in_wan(self) -> Decimal:
        """Money in 万元 (other kinds unchanged), so figures of mixed money units can be added."""
        return self.value * _TO_WAN.get(self.unit, Decimal(1))


def figures_in(text: str) -> list[Figure]:
    """Every number in `text` with the unit printed after it (if any)."""
    return [Figure(m.group(1), m.group(2) or "", m.start(), m.end()) for m in FIGURE.finditer(text)]


def parse_expected(figure: str) -> Figure:
    """An expected figure as written in questions.yaml, e.g. '6万元' or '3,000.00平方米'."""
    found = figures_in(figure)
    if len(found) != 1 or found[0].start != 0 or found[0].end != len(figure.strip()):
        raise ValueError(f"not one figure with its unit: {figure!r}")
    return found[0]


def _is_year(text: str, fig: Figure) -> bool:
    if fig.unit or "." in fig.text or "," in fig.text or not 1990 <= int(fig.text) <= 2035:
        return False
    return len(fig.text) == 4 and (bool(_YEAR_WORDS.match(text[fig.end:])) or fig.end == len(text)
                                   or not text[fig.end].isdigit())


def stated_figures(line: str) -> list[Figure]:
    """The figures a line of an answer states: not years, [n] markers, list numbers or counts."""
    text = MARKER.sub(lambda m: " " * len(m.group()), line)
    numbering = _LIST_NUMBER.match(text)
    skip_until = numbering.end() if numbering else 0
    return [f for f in figures_in(text) if f.start >= skip_until and not _is_year(text, f)
            and not _COUNTING_WORDS.match(text[f.start:])]


def _same(a: Decimal, b: Decimal, decimals: int) -> bool:
    """Equal once rounded to the printed precision of the figure being checked."""
    step = Decimal(1).scaleb(-decimals)
    try:
        return a.quantize(step, rounding=ROUND_HALF_UP) == b.quantize(step, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return False


def quote_values(quotes: Iterable[str]) -> list[Decimal]:
    return [f.value for quote in quotes for f in figures_in(quote)]


def _derivable(fig: Figure, operands: Sequence[Figure]) -> bool:
    """A figure equal to a sum, average, share or difference of the operands (within rounding)."""
    values = [o.in_wan() if o.unit in _TO_WAN else o.value for o in operands]
    target = fig.in_wan() if fig.unit in _TO_WAN else fig.value
    candidates = [sum(values, Decimal(0))] + ([sum(values, Decimal(0)) / len(values)] if values else [])
    for a, b in permutations(values, 2):
        candidates += [a + b, a - b] + ([a / b * 100] if b else [])
    decimals = fig.decimals if fig.unit not in _TO_WAN or fig.unit == "万元" else fig.decimals + 4
    return any(_same(target, c, decimals) for c in candidates)


def invented_figures(answer: Any) -> list[str]:
    """Figures of an answer that no citation quotes and that are not computed from cited ones."""
    quoted = quote_values(c.quote for c in answer.citations)
    invented = []
    for line in answer.answer.splitlines():
        stated = stated_figures(line)
        cited = [f for f in stated if f.value in quoted]
        for fig in stated:
            if fig.value in quoted:
                continue
            operands = [o for o in cited if o is not fig]
            if _COMPUTED_CUE.search(line) and operands and _derivable(fig, operands):
                continue
            invented.append(f"{fig.text}{fig.unit}")
    return invented


def marked_figures(answer: Any) -> list[tuple[str, int]]:
    """(number as printed, citation number) for every figure written right before an [n] marker."""
    pattern = re.compile(FIGURE.pattern + r"\s*\[(\d+)\]")
    return [(m.group(1), int(m.group(3))) for m in pattern.finditer(answer.answer)]


def quotes_number(quote: str, number: str) -> bool:
    """True when `quote` holds `number` exactly as printed, as a whole number token."""
    return any(f.text == number for f in figures_in(quote))


# ---------------------------------------------------------------- questions and scoring


@dataclass(frozen=True)
class Question:
    id: str
    category: str
    turns: tuple[str, ...]
    figures: tuple[str, ...] = ()
    computed: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    order: tuple[str, ...] = ()
    route: str | None = None
    cites: tuple[str, ...] = ()
    expect_none: bool = False


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    """The eval questions, validated (unknown fields, categories and malformed figures fail)."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    questions = []
    for entry in entries:
        turns = entry.pop("turns", None) or [entry.pop("question")]
        entry.pop("question", None)
        question = Question(turns=tuple(turns), **{
            k: tuple(v) if isinstance(v, list) else v for k, v in entry.items()})
        if question.category not in CATEGORIES:
            raise ValueError(f"{question.id}: unknown category {question.category}")
        for figure in (*question.figures, *question.computed):
            parse_expected(figure)
        questions.append(question)
    if len({q.id for q in questions}) != len(questions):
        raise ValueError("question ids must be unique")
    return questions


@dataclass
class Outcome:
    question: Question
    answer: Any  # assistant.types.Answer of the last turn (None when asking raised)
    problems: list[str] = field(default_factory=list)
    invented: list[str] = field(default_factory=list)

    @property
    def correct(self) -> bool:
        return not self.problems

    def first_line(self) -> str:
        if self.answer is None:
            return ""
        return next((line for line in self.answer.answer.splitlines() if line.strip()), "")


def _answer_has(answer_text: str, expected: Figure, *, rounded: bool) -> bool:
    for fig in figures_in(answer_text):
        if fig.unit != expected.unit:
            continue
        if rounded and _same(fig.value, expected.value, expected.decimals):
            return True
        if not rounded and fig.value == expected.value:
            return True
    return False


def score(question: Question, answer: Any, prefixes: dict[str, str]) -> list[str]:
    """Every expectation of `question` that `answer` misses, in words (empty: correct)."""
    text = MARKER.sub("", answer.answer)
    problems = []
    quoted = quote_values(c.quote for c in answer.citations)
    for raw in question.figures:
        expected = parse_expected(raw)
        if not _answer_has(text, expected, rounded=False):
            problems.append(f"answer lacks {raw}")
        elif expected.value not in quoted:
            problems.append(f"no citation quotes {raw}")
    for raw in question.computed:
        if not _answer_has(text, parse_expected(raw), rounded=True):
            problems.append(f"answer lacks computed {raw}")
    for entry in question.keywords:
        if not any(word in text for word in entry.split("|")):
            problems.append(f"answer lacks 「{entry}」")
    if question.order:
        positions = [text.find(place) for place in question.order]
        if -1 in positions or positions != sorted(positions):
            problems.append(f"order is not {'>'.join(question.order)}")
    if question.route and answer.route != question.route:
        problems.append(f"route {answer.route}, expected {question.route}")
    cited = {prefixes.get(c.doc_id, c.doc_id) for c in answer.citations}
    missing = [p for p in question.cites if p not in cited]
    if missing:
        problems.append(f"does not cite {','.join(missing)}")
    if question.expect_none:
        if not NOT_COVERED.search(text):
            problems.append("does not say the documents do not cover it")
        stated = [f"{f.text}{f.unit}" for line in answer.answer.splitlines() for f in stated_figures(line)]
        if stated:
            problems.append(f"states figures {','.join(stated[:4])} for an unanswerable question")
    return problems


# ---------------------------------------------------------------- running


@dataclass
class EvalReport:
    outcomes: list[Outcome]

    def by_category(self) -> dict[str, tuple[int, int]]:
        """category → (correct, total), in the order of CATEGORIES."""
        totals = Counter(o.question.category for o in self.outcomes)
        right = Counter(o.question.category for o in self.outcomes if o.correct)
        return {c: (right[c], totals[c]) for c in CATEGORIES if totals[c]}

    @property
    def accuracy(self) -> float:
        return sum(o.correct for o in self.outcomes) / len(self.outcomes) if self.outcomes else 0.0

    @property
    def invented_count(self) -> int:
        return sum(len(o.invented) for o in self.outcomes)

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.correct]

    def markdown(self, verbose: bool = False) -> str:
        lines = ["| category | correct | total | accuracy |", "|---|---:|---:|---:|"]
        for category, (right, total) in self.by_category().items():
            lines.append(f"| {category} | {right} | {total} | {right / total:.0%} |")
        right = sum(o.correct for o in self.outcomes)
        lines.append(f"| **overall** | **{right}** | **{len(self.outcomes)}** | **{self.accuracy:.1%}** |")
        cut = sum(1 for o in self.outcomes if o.answer is not None
                  and getattr(o.answer, "check", "").startswith("dropped"))
        lines += ["", f"Invented figures: {self.invented_count}",
                  f"Answers the faithfulness check cut a figure from: {cut}"]
        for o in self.outcomes:
            if o.invented:
                lines.append(f"- `{o.question.id}`: {', '.join(o.invented)}")
        lines += ["", f"Failures ({len(self.failures())}):"]
        for o in self.failures():
            lines.append(f"- `{o.question.id}` {' → '.join(o.question.turns)} — {'; '.join(o.problems)}"
                         f" — 「{o.first_line()[:80]}」")
            if verbose and o.answer is not None:
                lines.append(f"    - route={o.answer.route} why={o.answer.why} slots={o.answer.slots}")
                lines += [f"    - {line}" for line in o.answer.answer.splitlines()[1:8]]
        return "\n".join(lines)


def doc_prefixes(settings: Any) -> dict[str, str]:
    """Stored document id → sample prefix ('004'), from the file names of the stored documents."""
    from sqlalchemy import select

    from gongkai import db

    with db.get_engine(settings.database_url).connect() as conn:
        rows = conn.execute(select(db.documents.c.id, db.documents.c.filename)).all()
    return {r.id: re.split(r"[_.]", r.filename)[0] for r in rows}


def build_store(data_dir: Path, paths: Sequence[Path] = (SAMPLES,)) -> Any:
    """Ingest `paths` (the samples) into `data_dir` (already stored files are skipped); its settings."""
    from gongkai.settings import get_settings
    from ingest.pipeline import expand_paths, ingest_file, open_stores

    settings = get_settings(data_dir=data_dir)
    stores = open_stores(settings)
    for path in expand_paths(list(paths)):
        result = ingest_file(path, stores, settings)
        if result.status == "failed":
            print(f"warning: {path.name} failed to ingest: {result.error}", file=sys.stderr)
    return settings


def ask_question(question: Question, settings: Any) -> Any:
    """The answer to the last turn, earlier turns answered first and passed as history."""
    from assistant.ask import ask

    history: list[Any] = []
    for turn in question.turns:
        history.append(ask(turn, tuple(history), settings=settings))
    return history[-1]


def run_eval(settings: Any, questions: Sequence[Question] | None = None) -> EvalReport:
    """Ask and score every question against the store of `settings`."""
    questions = list(questions) if questions is not None else load_questions()
    prefixes = doc_prefixes(settings)
    outcomes = []
    for question in questions:
        try:
            answer = ask_question(question, settings)
        except Exception as error:  # noqa: BLE001 - one crashing question is one failure
            outcomes.append(Outcome(question, None, [f"raised {type(error).__name__}: {error}"]))
            continue
        outcomes.append(Outcome(question, answer, score(question, answer, prefixes),
                                invented_figures(answer)))
    return EvalReport(outcomes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eval", description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("original", "blind"), default="original", dest="which",
                        help="original: tests/eval/questions.yaml; blind: tests/eval/blind/")
    parser.add_argument("--data-dir", help="store to reuse (the documents are ingested into it if missing)")
    parser.add_argument("--only", nargs="*", help="question ids to run")
    parser.add_argument("--verbose", action="store_true", help="show route, slots and answer of failures")
    args = parser.parse_args(argv)
    import logging

    logging.basicConfig(level=logging.ERROR)
    if args.which == "blind":
        return _main_blind(args)
    questions = [q for q in load_questions() if not args.only or q.id in args.only]
    with tempfile.TemporaryDirectory(prefix="gongkai-eval-") as tmp:
        settings = build_store(Path(args.data_dir) if args.data_dir else Path(tmp) / "data")
        report = run_eval(settings, questions)
        print(report.markdown(verbose=args.verbose))
    return 0


def _main_blind(args: argparse.Namespace) -> int:
    from bench.blind import corpus_paths, load_items, run_blind

    items = [i for i in load_items() if not args.only or i.id in args.only]
    with tempfile.TemporaryDirectory(prefix="gongkai-blind-") as tmp:
        settings = build_store(Path(args.data_dir) if args.data_dir else Path(tmp) / "data", corpus_paths())
        print(run_blind(settings, items).markdown(verbose=args.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
