"""The blind eval: questions written by people who saw only the documents (`tests/eval/blind/`).

Each item (see `tests/eval/blind/README.md`) gives the question or turns, the figures the answer
must state with the document and page each is printed on, computed results with their operands,
reason keywords, a ranking order, the documents to cite, or `expect_none`. Every answer gets one
outcome, the worst that applies:

- `error`: asking raised.
- `wrong figure`: a figure stated for a question the library cannot answer; a figure read from a
  document of another unit or year than those asked; a figure of the question's kind stated where
  an expected one is missing; or a figure no citation quotes and no cited figures give.
- `refused`: no figure and no answer where the documents hold one.
- `citation`: right, but a document to cite is not cited, or an expected figure's number is in no
  citation of its document (a disclosure published as a text file and a tables file is one: a
  citation of either file of the unit-year counts).
- `incomplete`: an expected figure, keyword or order missing, nothing wrong stated.
- `right`.

A number matches only as a whole number of the same value (13 is not found in 2013 or 13.5); money
is compared in 元 (45.00万元 = 450,000元); a computed result matches within the rounding of both.
Items of `*_holdout.yaml` files are scored as an aggregate only.

Apart from the outcome, every answer's citations of table figures are checked to mark exactly
their cell (`assistant.cell_citations.check_cell_citations`), reported as "citations marking their
cell: n/m".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from bench.eval import NOT_COVERED

ROOT = Path(__file__).resolve().parent.parent
BLIND = ROOT / "tests" / "eval" / "blind"
LIBRARY = BLIND / "library.yaml"
KINDS = ("lookup", "cross-unit", "share", "change", "why", "follow-up", "absent")
OUTCOMES = ("right", "wrong figure", "refused", "citation", "incomplete", "error")
OPERATIONS = ("sum", "difference", "share", "ratio", "average", "growth")

_MONEY = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10000), "亿元": Decimal(100000000)}
_SAME_UNIT = {"名": "人", "位": "人", "台（套）": "台", "台(套)": "台", "套": "台"}
_UNITS = sorted(
    (*_MONEY, *_SAME_UNIT, "%", "人", "个", "辆", "台", "件", "万件", "家", "次", "人次", "项", "批次", "分",
     "平方米", "倍", "处", "场", "天", "小时", "工作日", "户", "条", "万人次"),
    key=len, reverse=True,
)
_NUMBER = r"(?<![\d.])(?<!\d,)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d])"
_FIGURE = re.compile(_NUMBER + r"\s*(" + "|".join(map(re.escape, _UNITS)) + r")?")
_EXPECTED = re.compile(r"^\s*(-?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?))\s*(\S*)\s*$")
_MARKER = re.compile(r"\[\d+\]")


# ---------------------------------------------------------------- figures


@dataclass(frozen=True)
class Amount:
    """A number with its unit, comparable across money units."""

    number: str  # as printed, e.g. '1,733.30' (an expected change may carry its sign)
    unit: str

    @property
    def value(self) -> Decimal:
        return Decimal(self.number.replace(",", ""))

    @property
    def decimals(self) -> int:
        return len(self.number.split(".")[1]) if "." in self.number else 0

    @property
    def family(self) -> str:
        return "money" if self.unit in _MONEY else _SAME_UNIT.get(self.unit, self.unit)

    def base(self) -> Decimal:
        """The value in 元 for money, else as printed."""
        return self.value * _MONEY.get(self.unit, Decimal(1))

    def step(self) -> Decimal:
        """Half a unit of the last printed digit, in the base unit."""
        return Decimal(1).scaleb(-self.decimals) / 2 * _MONEY.get(self.unit, Decimal(1))


def parse_amount(text: str) -> Amount:
    match = _EXPECTED.match(str(text))
    if not match:
        raise ValueError(f"not a number with its unit: {text!r}")
    return Amount(match.group(1), match.group(2))


_COUNTING = re.compile(r"\s*个数字")  # "由以下 3 个数字计算" counts operands: no figure


def stated_amounts(text: str) -> list[Amount]:
    """The figures an answer states: numbers with a unit, and bare numbers with decimals or
    thousands separators (a bare integer is a year, a code or a list number)."""
    text = _MARKER.sub(" ", text)
    found = []
    for match in _FIGURE.finditer(text):
        number, unit = match.group(1), match.group(2) or ""
        if unit == "个" and _COUNTING.match(text, match.end() - 1):
            continue
        if unit or "." in number or "," in number:
            found.append(Amount(number, unit))
    return found


def numbers_in(text: str) -> set[Decimal]:
    return {Decimal(m.group(1).replace(",", "")) for m in re.finditer(_NUMBER, text)}


def same_figure(stated: Amount, expected: Amount) -> bool:
    """Exactly the same value (money in any unit)."""
    return stated.family == expected.family and stated.base() == expected.base()


def same_result(stated: Amount, expected: Amount) -> bool:
    """A computed result: the same value within the rounding of both, at no coarser precision
    than one digit less than expected; a difference may be stated without its sign."""
    if stated.family != expected.family or stated.decimals < expected.decimals - 1:
        return False
    return abs(stated.base() - abs(expected.base())) <= stated.step() + expected.step()


# ---------------------------------------------------------------- items


@dataclass(frozen=True)
class Expected:
    amount: Amount
    alternatives: tuple[Amount, ...]
    doc: str | None
    page: int | None

    def matched_by(self, stated: Amount) -> bool:
        return any(same_figure(stated, a) for a in (self.amount, *self.alternatives))


@dataclass(frozen=True)
class Computed:
    amount: Amount
    op: str
    of: tuple[int, ...]  # 1-based positions in the item's figures; () = all


@dataclass(frozen=True)
class BlindItem:
    id: str
    kind: str
    turns: tuple[str, ...]
    figures: tuple[Expected, ...] = ()
    computed: tuple[Computed, ...] = ()
    keywords: tuple[str, ...] = ()
    order: tuple[str, ...] = ()
    cites: tuple[str, ...] = ()
    expect_none: bool = False
    holdout: bool = False
    note: str = ""


def _item(entry: dict[str, Any]) -> BlindItem:
    unknown = set(entry) - {"id", "kind", "question", "turns", "figures", "computed", "keywords",
                            "order", "cites", "expect_none", "holdout", "note"}
    if unknown:
        raise ValueError(f"{entry.get('id')}: unknown fields {sorted(unknown)}")
    if entry.get("kind") not in KINDS:
        raise ValueError(f"{entry.get('id')}: unknown kind {entry.get('kind')}")
    figures = tuple(
        Expected(parse_amount(f["value"]), tuple(parse_amount(a) for a in f.get("alt") or ()),
                 f.get("doc"), f.get("page"))
        for f in entry.get("figures") or ()
    )
    computed = tuple(Computed(parse_amount(c["value"]), c["op"], tuple(c.get("of") or ()))
                     for c in entry.get("computed") or ())
    if any(c.op not in OPERATIONS for c in computed):
        raise ValueError(f"{entry['id']}: unknown operation")
    return BlindItem(
        id=entry["id"], kind=entry["kind"], turns=tuple(entry.get("turns") or [entry["question"]]),
        figures=figures, computed=computed, keywords=tuple(entry.get("keywords") or ()),
        order=tuple(entry.get("order") or ()), cites=tuple(entry.get("cites") or ()),
        expect_none=bool(entry.get("expect_none")), holdout=bool(entry.get("holdout")),
        note=str(entry.get("note") or ""),
    )


def load_items(folder: Path = BLIND, *, holdout: bool | None = None) -> list[BlindItem]:
    """The blind items of every question file; `holdout` True/False keeps one part only.

    A holdout file's items must all say `holdout: true` and the others `false`, so a part is
    never read by mistake."""
    items = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name == LIBRARY.name:
            continue
        held = path.stem.endswith("_holdout")
        if holdout is not None and held != holdout:
            continue
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            item = _item(entry)
            if item.holdout != held:
                raise ValueError(f"{path.name}: {item.id} says holdout: {item.holdout}")
            items.append(item)
    if len({i.id for i in items}) != len(items):
        raise ValueError("blind item ids must be unique")
    return items


def load_library(path: Path = LIBRARY) -> dict[str, dict[str, Any]]:
    """File stem → its unit, place, year and document kind."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- scoring


@dataclass
class Scored:
    item: BlindItem
    answer: Any  # assistant.types.Answer of the last turn, None when asking raised
    outcome: str
    problems: list[str] = field(default_factory=list)
    cells: Any = None  # assistant.cell_citations.CellCheck of the answer's table-figure citations

    def first_line(self) -> str:
        if self.answer is None:
            return ""
        return next((line for line in self.answer.answer.splitlines() if line.strip()), "")


def score_item(item: BlindItem, answer: Any, stems: dict[str, str],
               library: dict[str, dict[str, Any]]) -> Scored:
    """The outcome of `answer` for `item`; `stems` maps stored doc ids to file stems."""
    text = _MARKER.sub("", answer.answer)
    stated = stated_amounts(answer.answer)
    problems: list[str] = []
    wrong = _wrong_figures(item, answer, stated, stems, library)
    if wrong:
        return Scored(item, answer, "wrong figure", wrong)
    if item.expect_none:
        if NOT_COVERED.search(text):
            return Scored(item, answer, "right")
        return Scored(item, answer, "incomplete", ["does not say the library does not hold it"])
    for expected in item.figures:
        if not any(expected.matched_by(s) for s in stated):
            problems.append(f"lacks {expected.amount.number}{expected.amount.unit}")
    for computed in item.computed:
        if not any(same_result(s, computed.amount) for s in stated):
            problems.append(f"lacks computed {computed.amount.number}{computed.amount.unit}")
    problems += [f"lacks 「{k}」" for k in item.keywords if not any(w in text for w in k.split("|"))]
    if item.order:
        positions = [min((p for w in entry.split("|") if (p := text.find(w)) >= 0), default=-1)
                     for entry in item.order]
        if -1 in positions or positions != sorted(positions):
            problems.append(f"order is not {' > '.join(item.order)}")
    if problems:
        refused = not stated and (answer.route == "none" or NOT_COVERED.search(text))
        return Scored(item, answer, "refused" if refused else "incomplete", problems)
    citation = _citation_problems(item, answer, stems, library)
    return Scored(item, answer, "citation" if citation else "right", citation)


def _wrong_figures(item: BlindItem, answer: Any, stated: Sequence[Amount], stems: dict[str, str],
                   library: dict[str, dict[str, Any]]) -> list[str]:
    if item.expect_none:
        return [f"states {s.number}{s.unit} where the library holds no answer" for s in stated
                if s.unit]
    expected = [*item.figures]
    results = [c.amount for c in item.computed]

    def anticipated(s: Amount) -> bool:
        return any(e.matched_by(s) for e in expected) or any(same_result(s, r) for r in results)

    problems = []
    asked = _asked_unit_years(item, library)
    for citation in answer.citations:
        stem = stems.get(citation.doc_id, citation.doc_id)
        if _unit_year(library, stem) in asked:
            continue
        quoted = numbers_in(citation.quote)
        for s in stated:
            if s.value in quoted and not anticipated(s):
                problems.append(f"{s.number}{s.unit} read from {stem} (another unit or year)")
    missing = [e for e in expected if not any(e.matched_by(s) for s in stated)]
    missing += [r for r in results if not any(same_result(s, r) for s in stated)]
    if missing:
        families = {e.amount.family for e in item.figures} | {r.family for r in results}
        problems += [f"states {s.number}{s.unit} instead" for s in stated
                     if (s.family in families or not s.unit) and not anticipated(s)]
    problems += [f"{s.number}{s.unit} is neither quoted nor computed" for s in unsupported(answer)
                 if not anticipated(s)]
    return list(dict.fromkeys(problems))


def unsupported(answer: Any) -> list[Amount]:
    """Figures of an answer that no citation quotes (as printed, or the same money in another
    unit) and that are no sum, difference, share or average of quoted figures on the same line."""
    quoted = {n for c in answer.citations for n in numbers_in(c.quote)}

    def is_quoted(s: Amount) -> bool:
        if s.value in quoted:
            return True
        return s.family == "money" and any(s.base() / factor in quoted for factor in _MONEY.values())

    found = []
    for line in answer.answer.splitlines():
        stated = stated_amounts(line)
        cited = [s for s in stated if is_quoted(s)]
        found += [s for s in stated if not is_quoted(s) and not _derived(s, cited)]
    return found


def _derived(figure: Amount, operands: Sequence[Amount]) -> bool:
    values = [o.base() for o in operands]
    candidates = [sum(values, Decimal(0))] + ([sum(values, Decimal(0)) / len(values)] if values else [])
    for i, a in enumerate(values):
        for j, b in enumerate(values):
            if i != j:
                candidates += [a - b, a + b] + ([a / b * 100, a / b, (a - b) / b * 100] if b else [])
    tolerance = figure.step() * 2
    return any(abs(abs(figure.base()) - abs(c)) <= tolerance for c in candidates)


_CN_YEAR = re.compile(r"[〇零○一二三四五六七八九]{4}")
_CN_DIGIT = dict(zip("〇零○一二三四五六七八九", "000123456789", strict=True))


def question_years(turns: Sequence[str]) -> set[int]:
    """Years the question's turns write ('19年', '2018年', '17到19年', '二〇一九年')."""
    years = set()
    for turn in turns:
        turn = _CN_YEAR.sub(lambda m: "".join(_CN_DIGIT[c] for c in m.group()), turn)
        for token in re.findall(r"(?<!\d)((?:19|20)\d{2}|\d{2})(?=\s*(?:年|[、，,到至-]))", turn):
            value = int(token)
            years.add(value if value > 1900 else 2000 + value)
    return years


def _asked_unit_years(item: BlindItem, library: dict[str, dict[str, Any]]) -> set:
    """The unit-years the item is about: its documents' units in their years and in every year
    its question names (a change between two years reads both years' documents)."""
    units = {library[stem]["unit"] for stem in item.cites if stem in library}
    years = {library[stem]["year"] for stem in item.cites if stem in library} | question_years(item.turns)
    return {(unit, year) for unit in units for year in years} | set(item.cites)


def _unit_year(library: dict[str, dict[str, Any]], stem: str) -> tuple[str, int] | str:
    entry = library.get(stem)
    return (entry["unit"], entry["year"]) if entry else stem


def _citation_problems(item: BlindItem, answer: Any, stems: dict[str, str],
                       library: dict[str, dict[str, Any]]) -> list[str]:
    """Documents to cite that no citation cites, and figures no citation quotes. A disclosure
    published as two files (说明 + 公开表) is one: either file of the unit-year counts."""
    cited: dict[Any, list[str]] = {}
    for citation in answer.citations:
        stem = stems.get(citation.doc_id, citation.doc_id)
        cited.setdefault(_unit_year(library, stem), []).append(citation.quote)
    problems = [f"does not cite {stem}" for stem in item.cites if _unit_year(library, stem) not in cited]
    for expected in item.figures:
        quotes = cited.get(_unit_year(library, expected.doc), []) if expected.doc else [
            q for qs in cited.values() for q in qs]
        values = {a.value for a in (expected.amount, *expected.alternatives)}
        if not any(values & numbers_in(q) for q in quotes):
            problems.append(f"no citation of {expected.doc} quotes {expected.amount.number}")
    return problems


# ---------------------------------------------------------------- report


@dataclass
class BlindReport:
    scored: list[Scored]

    def part(self, holdout: bool) -> list[Scored]:
        return [s for s in self.scored if s.item.holdout == holdout]

    def right(self, holdout: bool = False) -> float:
        part = self.part(holdout)
        return sum(s.outcome == "right" for s in part) / len(part) if part else 0.0

    def wrong_figures(self) -> int:
        return sum(s.outcome == "wrong figure" for s in self.scored)

    def cells_marking(self, holdout: bool = False) -> tuple[int, int]:
        """Of the part's table-figure citations: those marking exactly their cell, and all."""
        checks = [s.cells for s in self.part(holdout) if s.cells is not None]
        return sum(c.marking for c in checks), sum(c.checked for c in checks)

    def markdown(self, verbose: bool = False) -> str:
        header = "| kind | n | " + " | ".join(OUTCOMES) + " | right % |"
        lines = [header, "|---|" + "---:|" * (len(OUTCOMES) + 2)]
        visible = self.part(False)
        for kind in KINDS:
            lines.append(_row(kind, [s for s in visible if s.item.kind == kind]))
        lines.append(_row("**overall**", visible))
        held = self.part(True)
        if held:
            lines.append(_row("**holdout (aggregate)**", held))
        checked = [s for s in self.scored if s.answer is not None and getattr(s.answer, "check", "").startswith("dropped")]
        lines += ["", f"Answers the faithfulness check cut a figure from: {len(checked)} of {len(self.scored)}"]
        cells = "{}/{}".format(*self.cells_marking(False))
        cells += " (holdout, aggregate: {}/{})".format(*self.cells_marking(True)) if held else ""
        lines += ["", f"Citations marking their cell: {cells}"]
        for s in visible:
            if s.cells is not None and s.cells.problems:
                lines.append(f"- `{s.item.id}` cell citations: {'; '.join(s.cells.problems)[:300]}")
        lines += ["", f"Failures outside the holdout ({sum(s.outcome != 'right' for s in visible)}):"]
        for s in visible:
            if s.outcome == "right":
                continue
            lines.append(f"- `{s.item.id}` [{s.outcome}] {' → '.join(s.item.turns)} — "
                         f"{'; '.join(s.problems)[:200]} — 「{s.first_line()[:90]}」")
            if verbose and s.answer is not None:
                lines.append(f"    - route={s.answer.route} why={s.answer.why}")
                lines += [f"    - {line}" for line in s.answer.answer.splitlines()[1:6]]
        return "\n".join(lines)


def _row(label: str, part: Sequence[Scored]) -> str:
    counts = Counter(s.outcome for s in part)
    share = f"{counts['right'] / len(part):.0%}" if part else "–"
    return f"| {label} | {len(part)} | " + " | ".join(str(counts[o]) for o in OUTCOMES) + f" | {share} |"


def doc_stems(settings: Any) -> dict[str, str]:
    """Stored document id → file stem."""
    from sqlalchemy import select

    from gongkai import db

    with db.get_engine(settings.database_url).connect() as conn:
        rows = conn.execute(select(db.documents.c.id, db.documents.c.filename)).all()
    return {r.id: Path(r.filename).stem for r in rows}


def run_blind(settings: Any, items: Sequence[BlindItem]) -> BlindReport:
    """Ask every item (earlier turns as history) and score the last answer."""
    from assistant.ask import ask
    from assistant.cell_citations import check_cell_citations
    from gongkai import db

    stems, library = doc_stems(settings), load_library()
    engine = db.get_engine(settings.database_url)
    scored = []
    for item in items:
        try:
            history: list[Any] = []
            for turn in item.turns:
                history.append(ask(turn, tuple(history), settings=settings))
        except Exception as error:  # noqa: BLE001 - one crashing question is one outcome
            scored.append(Scored(item, None, "error", [f"{type(error).__name__}: {error}"]))
            continue
        outcome = score_item(item, history[-1], stems, library)
        outcome.cells = check_cell_citations(engine, history[-1])
        scored.append(outcome)
    return BlindReport(scored)


def corpus_paths() -> list[Path]:
    """The documents the blind set was written against: the samples and the dev PDFs."""
    dev = ROOT.parent / "shared" / "corpus" / "dev" / "pdf"
    return [*sorted((ROOT / "samples").glob("*.txt")), *sorted(dev.glob("*.pdf"))]
