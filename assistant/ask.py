"""`ask(question) -> Answer`: route a question to SQL over the figures, to retrieval, or to both.

Figures and comparisons go to SQL over the facts; reasons, descriptions and measures go to
retrieval; a figure question whose figure is missing falls back to retrieval and then to an
honest "not found". Places and years no document covers are answered as such, naming what is
stored — never with an invented number.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from assistant import compose, llm
from assistant.audit.answer import answer_audit, asks_audit
from assistant.availability import answer_when_stores_down
from assistant.catalog import Catalog, load_catalog
from assistant.extract import best_sentences, coverage, terms
from assistant.filters import narrow
from assistant.sources import cite, comparison_before, get_source, ingest_stamps, unchanged_after
from assistant.sql_build import common_slots, fact_query, measures_for
from assistant.text_figures import figure_row, with_text_figures
from assistant.types import Answer, Citation, CorpusFilters, Slots
from assistant.understand import metric_words, understand
from gongkai.settings import Settings, get_settings

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 500
MIN_COVERAGE = 0.34  # below this share of the question's words, retrieval says "not covered"
_FIGURE = re.compile(r"\d[\d,.]*\s*(?:万?元|亿元|人次|人|名|个|件|项|%|平方米|家|批次|辆|台)")
VISIBILITY = {"public": ("public",), "official": ("public", "official")}


@dataclass
class Context:
    settings: Settings
    stores: Any  # ingest.store.Stores
    visibility: tuple[str, ...]
    catalog: Catalog
    years_chosen: bool = False  # the user's filters fix the years: never read other years


@lru_cache(maxsize=4)
def _stores(settings: Settings) -> Any:
    from ingest.pipeline import open_stores

    return open_stores(settings)


def clean_question(question: str) -> str:
    """Control characters out, width folded, length bounded."""
    text = "".join(ch for ch in question if unicodedata.category(ch)[0] != "C" or ch in "\n\t")
    return unicodedata.normalize("NFKC", text).strip()[:MAX_QUESTION_CHARS]


@answer_when_stores_down(lambda message, detail: Answer(message, "none", f"存储不可用：{detail}"[:200]))
def ask(
    question: str,
    history: Sequence[Answer] = (),
    user: str = "public",
    *,
    settings: Settings | None = None,
    filters: CorpusFilters | None = None,
) -> Answer:
    """Answer one question; `history` holds the previous answers of the conversation; `filters`
    (the UI's locality / year / type choices) narrow both the SQL and the retrieval."""
    settings = settings or get_settings()
    text = clean_question(question)
    if not text:
        return Answer("请输入一个问题，例如：“潼南区2021年三公经费预算是多少？”", "none", "空问题")
    stores = _stores(settings)
    visibility = VISIBILITY.get(user, ("public",))
    context = Context(settings, stores, visibility, load_catalog(stores.engine, visibility),
                      years_chosen=bool(filters and filters.years))
    if not context.catalog.documents:
        return Answer("还没有导入任何文件，无法回答。请先导入财政公开文件。", "none", "文件库为空")
    previous = next((a.slots for a in reversed(history) if a.slots is not None), None)
    slots = understand(text, context.catalog, previous)
    if previous and previous.years == slots.years and slots.localities and not any(
        context.catalog.covers(place, slots.years) for place in slots.localities
    ):  # a year carried over to a place with no document of that year: ask about the place's own
        slots = replace(slots, years=())
    slots = narrow(slots, filters, context.catalog)
    if isinstance(slots, Answer):
        return slots
    if refusal := _not_stored(slots, context.catalog):
        return refusal
    if slots.years and not set(slots.years) & set(context.catalog.years):
        return _answer_unstored_years(text, slots, context)
    if asks_audit(text):  # whether the figures are right, not what they are
        return answer_audit(text, slots, context.stores.engine, context.visibility, history)
    if slots.metrics and not (slots.why and slots.operation == "lookup" and not _asks_figure(text)):
        answer = _answer_sql(text, slots, context, read_text=True)
        if answer.route == "none":  # the figures say the question cannot be answered as asked
            return answer
        if answer.rows:
            if slots.why:
                return _with_reasons(text, answer, slots, context)
            return answer
        return llm.figure_answer_or(
            text,
            lambda: _answer_retrieval(_naming_figure(text, slots), slots, context,
                                      reason="数据表中没有找到对应数字，改为检索原文",
                                      figure_words=metric_words(slots.metrics)),
            llm.chat_model(context.settings), context.stores.engine, context.visibility, context.catalog,
            filters=filters,
        )
    return _answer_retrieval(text, slots, context, reason="说明类问题，检索原文")


def warm_sql(settings: Settings | None = None, users: Sequence[str] = ("public",)) -> int:
    """Ready the SQL route before anyone asks (the app runs it at start-up): each user kind's
    catalog is loaded, the question reader's word lists too, and the common question shapes'
    SQL built and checked by the guard.
    Returns how many queries were checked."""
    engine = _stores(settings or get_settings()).engine
    return sum(warm_queries(engine, VISIBILITY.get(user, ("public",))) for user in users)


def warm_queries(engine: Any, visibility: tuple[str, ...] = ("public",)) -> int:
    """warm_sql on one engine and visibility: the catalog loaded, the common shapes guarded."""
    from assistant.sql_run import guarded_sql

    catalog = load_catalog(engine, visibility)
    understand("各地2021年三公经费预算是多少?", catalog)  # loads its word lists (~0.7 s) once
    queries: dict[str, tuple[str, ...]] = {}  # SQL text -> its parameter names, one per shape
    for slots in common_slots():
        # _answer_sql's queries: the asked measures, and for a change the values as well
        for measures in dict.fromkeys((measures_for(slots), ("value",))):
            query = fact_query(slots, measures=measures)
            queries[query.sql] = tuple(query.params)
    for sql, params in queries.items():
        guarded_sql(sql, engine, visibility=visibility, params=params)
    return len(queries)


def _naming_figure(question: str, slots: Slots) -> str:
    """A follow-up that leaves its figure unsaid ('呈贡区呢?') is searched with the figure's name."""
    if any(word in question for word in metric_words(slots.metrics)):
        return question
    return f"{question} {' '.join(slots.metrics)}"


def _asks_figure(text: str) -> bool:
    return bool(re.search(r"多少|几|数额|金额|是多少|多大|比例|占", text))


def _not_stored(slots: Slots, catalog: Catalog) -> Answer | None:
    stored_places = "、".join(loc.name for loc in catalog.localities) or "无"
    if slots.unknown_units and not slots.units:
        units = "、".join(slots.unknown_units)
        stored = "、".join(dict.fromkeys(u for p in slots.localities for u in catalog.units_in(p)))
        return Answer(f"已收录的文件中没有{units}的文件，无法回答。该地区已收录的单位有：{stored}。",
                      "none", f"单位不在文件库中：{units}", slots=slots)
    if slots.unknown_places and not slots.localities:
        places = "、".join(slots.unknown_places)
        return Answer(f"已收录的文件中没有{places}的内容，无法回答。目前收录的地区有：{stored_places}。",
                      "none", f"地区不在文件库中：{places}", slots=slots)
    return None


def _answer_unstored_years(question: str, slots: Slots, context: Context) -> Answer:
    """No document is of the asked year, but another may state its figures (a 2021 project text
    gives 2020's caseload): quoted when a sentence names the year, else no answer."""
    figure_words = metric_words(slots.metrics) if slots.metrics else ()
    found = _answer_retrieval(question, slots, context, reason="该年度没有文件，检索其他年度文件中写到该年的原文",
                              figure_words=figure_words)
    if found.route != "none":
        return found
    years = "、".join(f"{y}年" for y in slots.years)
    stored = "、".join(f"{y}年" for y in context.catalog.years)
    return Answer(f"已收录的文件中没有{years}的数据，无法回答。目前收录的年度有：{stored}。",
                  "none", f"年度不在文件库中：{years}", slots=slots)


def _answer_sql(question: str, slots: Slots, context: Context, *, read_text: bool = False) -> Answer:
    """The figures' answer from SQL; with `read_text`, places the facts miss are read from text."""
    from assistant.sql_run import run_sql

    query = fact_query(slots, measures=measures_for(slots))
    result = run_sql(query.sql, context.stores.engine, visibility=context.visibility,
                     params=query.params)
    rows = [dict(zip(result.columns, r)) for r in result.rows] if result.ok else []
    if slots.operation == "change" and not rows:  # no stated change: compute it from the years
        query = fact_query(slots)
        result = run_sql(query.sql, context.stores.engine, visibility=context.visibility,
                         params=query.params)
        rows = [dict(zip(result.columns, r)) for r in result.rows] if result.ok else []
    if not result.ok:
        log.warning("SQL refused or failed: %s", result.reason)
    citations: list[Citation] = []
    markers: dict[tuple[str, int], int] = {}
    stamps = ingest_stamps(context.stores.engine, (r["doc_id"] for r in rows))  # one query

    def add(row: dict[str, Any]) -> int:
        key = (row["doc_id"], row["start"])
        if key not in markers:
            citations.append(cite(context.stores.engine, row["doc_id"], row["start"], row["end"],
                                  stamps=stamps))
            markers[key] = len(citations)
        return markers[key]

    def place(row: dict[str, Any]) -> str:  # the unit, where a place has several
        if not row["locality"]:
            return ""
        if row.get("unit_name") and len(context.catalog.units_in(row["locality"])) > 1:
            return row["unit_name"]
        return context.catalog.short(row["locality"])

    def lead_in(row: dict[str, Any]) -> str:
        return comparison_before(context.stores.engine, row["doc_id"], row["start"], stamps)

    if slots.operation == "change" and re.search(r"(?:比|较|与)(?:上年|去年|上一年)|同比", question):
        # asked against last year: a change stated against another base (年初预算) does not answer
        stated = rows
        rows = [r for r in rows if r["measure"] not in ("change", "change_pct")
                or re.search(r"上年|去年|\d{4}年|同期", lead_in(r) or "比上年")]
        if stated and not rows:
            metrics = "、".join(slots.metrics)
            return Answer(f"已收录的文件没有说明{metrics}比上年的变化（文件中的变化是相对其他基数说的）。",
                          "none", "数据表中只有相对其他基数的变化", slots=slots)
    filled: tuple[str, ...] = ()
    if read_text and rows:
        rows, filled = with_text_figures(
            rows, slots, context.catalog, result.columns,
            lambda at: _text_figure(question, slots, at, rows[0]["unit"], result.columns, context),
        )
    if slots.operation == "rank" and not slots.years:
        rows = _latest_per_locality(rows)
    def unchanged(row: dict[str, Any]) -> str:
        return unchanged_after(context.stores.engine, row["doc_id"], row["end"], stamps)

    lines = _lines(slots, rows, place, add, lead_in, unchanged) if rows else []
    if not lines:
        return Answer("", "sql", "数据表中没有找到对应数字", sql=result.sql or query.sql, slots=slots)
    header = _route_line(slots, context.catalog)
    if filled:
        header += f"；{'、'.join(context.catalog.short(p) for p in filled)}的数字数据表未收录，读自原文"
    chart = "bar" if len({r["locality"] for r in rows}) > 1 else "line" if len({r["year"] for r in rows}) > 1 else None
    return Answer(
        "\n".join(lines), "sql", header, tuple(citations), sql=result.sql,
        columns=tuple(result.columns), rows=tuple(tuple(r.values()) for r in rows), chart=chart,
        slots=slots,
    )


def _lines(slots: Slots, rows: list[dict[str, Any]], place: Any, add: Any, lead_in: Any,
           unchanged: Any) -> list[str]:
    if slots.operation == "rank":
        return compose.rank_lines(rows, slots, place, add)
    if slots.operation in ("total", "average"):
        return compose.total_lines(rows, slots, place, add, average=slots.operation == "average")
    if slots.operation == "share" and len(slots.metrics) >= 2:
        return compose.share_lines(rows, slots, place, add) or compose.lookup_lines(rows, place, add)
    if slots.operation == "change":
        stated = compose.change_lines(rows, place, add, lead_in)
        return (stated or compose.year_change_lines(rows, place, add)
                or compose.lookup_lines(rows, place, add, said=unchanged))
    return compose.lookup_lines(rows, place, add)


def _text_figure(
    question: str, slots: Slots, place: str, unit: str, columns: Sequence[str], context: Context
) -> dict[str, Any] | None:
    """A row for `place`'s figure read from the best retrieved line that states it, or None."""
    hits = _retrieve(_naming_figure(question, slots), replace(slots, localities=(place,)), context)
    focus = _focus(question, slots, context.catalog)
    words = metric_words(slots.metrics)
    for sentence in best_sentences(focus, _passages(hits, context, tables=True), limit=6,
                                   figure_lines=True):
        source = get_source(context.stores.engine, sentence.doc_id)
        row = figure_row(sentence, slots.metrics[0], words, unit, columns, source,
                         context.catalog.short(place))
        if row:
            return row
    return None


def _latest_per_locality(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One figure per place for a ranking over all years: the latest year's, in the given order."""
    latest: dict[Any, int] = {}
    for row in rows:
        latest[row["locality"]] = max(latest.get(row["locality"], 0), row["year"] or 0)
    seen: set[Any] = set()
    kept = []
    for row in rows:
        if (row["year"] or 0) == latest[row["locality"]] and row["locality"] not in seen:
            seen.add(row["locality"])
            kept.append(row)
    return kept


def _route_line(slots: Slots, catalog: Catalog) -> str:
    places = "、".join(slots.units or [catalog.short(p) for p in slots.localities]) or "全部地区"
    years = "、".join(str(y) for y in slots.years) or "全部年度"
    metrics = "、".join(slots.metrics)
    return f"按数据表查询：{metrics} × {places} × {years} × {compose.OPERATION_NAMES[slots.operation]}"


def _retrieve(question: str, slots: Slots, context: Context, k: int = 8) -> list[Any]:
    from vectorstore.retrieval import Filters

    retriever = _retriever(context.settings)
    filters = Filters(localities=slots.localities, years=slots.years, doc_types=slots.doc_types,
                      visibility=context.visibility)
    return retriever.search(question, filters, k=k)


@lru_cache(maxsize=4)
def _retriever(settings: Settings) -> Any:
    from vectorstore.retrieval import HybridRetriever

    return HybridRetriever(_stores(settings))


def _answer_retrieval(
    question: str, slots: Slots, context: Context, *, reason: str, figure_words: tuple[str, ...] = ()
) -> Answer:
    hits = _retrieve(question, slots, context)
    named_years: tuple[int, ...] = ()
    if not hits and slots.years and not context.years_chosen:
        # a year is written about in other years' documents too (a 2024 project text reports
        # 2023's caseload): read those, keeping only sentences that name the year
        hits = _retrieve(question, replace(slots, years=()), context)
        named_years = slots.years
    passages = _passages(hits, context, tables=bool(figure_words))
    focus = _focus(question, slots, context.catalog)
    titles = {h.title for h in hits}
    sentences = [s for s in best_sentences(focus, passages, limit=6, figure_lines=bool(figure_words))
                 if s.text not in titles and _names_year(s.text, named_years)]
    if figure_words:  # a figure question falls back only to sentences that state such a figure
        sentences = [s for s in sentences
                     if _FIGURE.search(s.text) and any(w in s.text for w in figure_words)]
    sentences = sentences[:3]
    if not sentences or coverage(focus, sentences[0]) < MIN_COVERAGE:
        return Answer("已收录的文件中没有找到能回答这个问题的内容。", "none", f"{reason}；未找到相关原文",
                      slots=slots)
    citations = tuple(cite(context.stores.engine, s.doc_id, s.start, s.end, widen=False) for s in sentences)
    lines = [f"“{s.text}” [{i}]" for i, s in enumerate(sentences, 1)]
    offline = Answer("根据原文：\n" + "\n".join(lines), "retrieval", f"检索原文：{reason}", citations,
                     slots=slots)
    return llm.synthesized_or(question, hits, offline, llm.chat_model(context.settings), context.stores.engine)


def _names_year(text: str, years: tuple[int, ...]) -> bool:
    """Whether `text` names one of `years` ("2023年", "2023 年度"); true when `years` is empty."""
    return not years or any(re.search(rf"(?<!\d){year}\s*年", text) for year in years)


def _passages(hits: list[Any], context: Context, *, tables: bool) -> list[tuple[str, int, str]]:
    """(doc_id, start, exact text) of text hits, and with `tables` of table hits too: a figure may
    stand in a table's line (an indicator's name), quoted from the source, not the rendering."""
    passages = [(h.doc_id, h.start, h.text) for h in hits if h.kind == "text"]
    if tables:
        passages += [(h.doc_id, h.start, get_source(context.stores.engine, h.doc_id).text[h.start:h.end])
                     for h in hits if h.kind == "table"]
    return passages


def _focus(question: str, slots: Slots, catalog: Catalog) -> str:
    """The question without its place, year and issuing unit's words, which every sentence of a
    document shares — the unit's kept when little else is asked ('…检察院的主要职能是什么')."""
    without_unit = question
    for place, unit, kind in catalog.units:
        if not slots.localities or place in slots.localities:
            for word in (unit, kind):
                without_unit = without_unit.replace(word, " ") if word else without_unit
    focus, without_unit = (_without_place(text, slots, catalog) for text in (question, without_unit))
    return without_unit if len([t for t in terms(without_unit) if len(t) > 1]) >= 2 else focus


def _without_place(question: str, slots: Slots, catalog: Catalog) -> str:
    for full in slots.localities:
        found = catalog.locality(full)
        for form in found.forms() if found else (full,):
            question = question.replace(form, " ")
    return re.sub(r"(?:19|20)\d{2}\s*年?", " ", question)


def _with_reasons(question: str, answer: Answer, slots: Slots, context: Context) -> Answer:
    reasons = _answer_retrieval(question, slots, context, reason="原因说明")
    if reasons.route == "none":
        return answer
    citations, numbers = _merged_citations(answer.citations, reasons.citations)
    offset = len(answer.citations)
    text = re.sub(r"\[(\d+)\]", lambda m: f"[{numbers.get(int(m.group(1)), int(m.group(1)) + offset)}]",
                  reasons.answer)
    return Answer(f"{answer.answer}\n{text}", "both", f"{answer.why}；并检索原因说明",
                  citations, answer.sql, answer.columns, answer.rows, answer.chart, slots)


def _merged_citations(
    first: tuple[Citation, ...], more: tuple[Citation, ...]
) -> tuple[tuple[Citation, ...], dict[int, int]]:
    """`first` then those of `more` that no kept citation overlaps (same document, overlapping
    span): a reason quoted from the figure's own sentence keeps the figure's number. Returns the
    citations and each of `more`'s numbers (1-based) → its number among them."""
    kept = list(first)
    numbers = {}
    for n, citation in enumerate(more, 1):
        same = next((i for i, k in enumerate(kept, 1) if k.doc_id == citation.doc_id
                     and k.start < citation.end and citation.start < k.end), None)
        if same is None:
            kept.append(citation)
            same = len(kept)
        numbers[n] = same
    return tuple(kept), numbers
