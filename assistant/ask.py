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
from types import SimpleNamespace
from typing import Any

from assistant import llm
from assistant.audit.answer import answer_audit, asks_audit
from assistant.availability import answer_when_stores_down
from assistant.catalog import Catalog, load_catalog
from assistant.compound import answer_parts
from assistant.conversation import answer_against_previous, answer_difference
from assistant.extract import Sentence, best_sentences, clauses_stating, coverage, terms
from assistant.faithful import checked
from assistant.figure_answers import answer_items, count_units
from assistant.figures import UnitYear, asked_units, fetch, labels, qualifies, unit_years
from assistant.filters import narrow
from assistant.linking import (
    closest_labels,
    excluded_words,
    in_order,
    leftover_runs,
    leftover_words,
)
from assistant.projects import money_citation, project_money
from assistant.reasons import ASKS_REASON, ASKS_USE, find_reasons, project_uses
from assistant.sources import cite, get_source, ingest_stamps
from assistant.sql_build import common_item_shapes, item_query
from assistant.text_figures import figure_in_clauses
from assistant.types import Answer, Citation, CorpusFilters, Item, Slots
from assistant.understand import metric_words, understand
from assistant.units import closest_units
from gongkai.settings import Settings, get_settings
from ingest.catalog import fold
from ingest.facts.sentences import sentence_pieces

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
    (the UI's locality / unit / year / type choices) narrow both the SQL and the retrieval."""
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

    def one(asked: str, before: Sequence[Answer]) -> Answer:
        return checked(_answer(asked, before, context, filters), context.catalog)
    return answer_parts(text, history, one) or one(text, history)


def _answer(text: str, history: Sequence[Answer], context: Context, filters: CorpusFilters | None) -> Answer:
    """ask's work once the question is clean and the catalog loaded."""
    stores = context.stores
    previous = next((a.slots for a in reversed(history) if a.slots is not None), None)
    slots = understand(text, context.catalog, previous)
    if previous is not None and (difference := answer_difference(
            text, history, stores.engine, context.catalog, names_items="item" not in slots.carried)):
        return difference
    slots = _with_base_year_asked(slots, history)
    if previous and previous.years == slots.years and _lacks_carried_year(slots, context.catalog):
        slots = replace(slots, years=())  # a year carried over to where no document is of it: ask their own
    slots = narrow(slots, filters, context.catalog)
    if isinstance(slots, Answer):
        return slots
    slots = _counted_units_holding(slots, context)
    if refusal := (_not_stored(slots, context.catalog) or _kind_not_stored(text, slots, context.catalog)
                   or _count_unclear(slots, context.catalog)):
        return refusal
    if slots.years and not set(slots.years) & set(context.catalog.years):
        return _answer_unstored_years(text, slots, context)
    if (project := _answer_project_money(text, slots, context)) is not None:
        return project
    if asks_audit(text):  # whether the figures are right, not what they are
        return answer_audit(text, slots, context.stores.engine, context.visibility, history)
    figure_question = bool(slots.items) and not ((slots.why or _ASKS_LIST.search(text)) and slots.operation == "lookup"
                                                 and not _asks_figure(text))
    if figure_question:
        answer = answer_items(text, slots, context.stores.engine, context.visibility, context.catalog,
                              read_text=lambda item, uy, units: _text_figure(text, item, uy, units, context))
        if answer is not None and previous is not None and slots.operation == "compare" and (
                against := answer_against_previous(text, answer, history, stores.engine, context.catalog)):
            return against
        if answer is not None:
            return _with_reasons(text, answer, slots, context) if slots.why else answer
        return llm.figure_answer_or(
            text,
            lambda: _not_found(text, slots, context),
            llm.chat_model(context.settings), context.stores.engine, context.visibility, context.catalog,
            filters=filters,
        )
    if _asks_figure(text) and not slots.why and not slots.items:
        return _not_found(text, slots, context)
    if ASKS_REASON.search(text) and (reasons := _answer_reasons(text, slots, context)) is not None:
        return reasons
    return _answer_retrieval(text, slots, context, reason="说明类问题，检索原文")


_MONEY_OF_PROJECT = re.compile(r"多少钱|给了多少|安排了?多少|花了?多少|资金|经费|预算多少|多少万")


def _units_named(slots: Slots, catalog: Catalog) -> set[str]:
    """The ids of the units a question names, by name or by place (none when it names neither)."""
    return {u.id for u in asked_units(slots, catalog)} if slots.units or slots.localities else set()


def _docs_of(units: set[str], years: set[int] | None, catalog: Catalog) -> list[str]:
    """The documents of `units` of `years` (of every year with None), latest first."""
    return [d.id for d in sorted(catalog.docs.values(), key=lambda d: -(d.year or 0))
            if d.unit_id in units and (years is None or d.year in years)]


def _unit_year_docs(slots: Slots, context: Context) -> list[str]:
    """The asked units' documents of the asked years (all their years, latest first, when none is named)."""
    return _docs_of(_units_named(slots, context.catalog), set(slots.years) or None, context.catalog)


def _answer_project_money(question: str, slots: Slots, context: Context) -> Answer | None:
    """'万里街道社区公共服务中心新建那个项目23年给了多少钱': the money the named project's own form
    states — when the question's items are only words of the project's name."""
    if not _MONEY_OF_PROJECT.search(question) or (slots.why and not _asks_figure(question)):
        return None
    money = project_money(context.stores.engine, _unit_year_docs(slots, context), question)
    if money is None or any(fold(i.text) not in fold(money.project) and i.metric != "项目经费" for i in slots.items):
        return None
    return _project_money_answer(money, slots, context)


def _project_money_answer(money: Any, slots: Slots, context: Context, lead: str = "") -> Answer:
    doc = context.catalog.docs.get(money.doc_id)
    unit = context.catalog.unit(doc.unit_id) if doc else None
    who = f"{context.catalog.display(unit)}{doc.year}年" if unit and doc and doc.year else ""
    line = f"{who}“{money.project}”{money.label}为 {money.printed}{money.unit} [1]（{money.table_title}）"
    return Answer(lead + line, "sql", f"按项目表查询：{money.project} × {money.label}",
                  (money_citation(context.stores.engine, money),), slots=slots)


def _with_base_year_asked(slots: Slots, history: Sequence[Answer]) -> Slots:
    """'18年培训费多少 → 19年呢 → 增加了多少': the change is between the two years the
    conversation asked, so both figures are said."""
    if slots.operation != "change" or "year" not in slots.carried or len(slots.years) != 1:
        return slots
    base = slots.years[0] - 1
    if any(a.slots and base in a.slots.years and a.slots.units == slots.units and a.slots.items == slots.items
           for a in history):
        return replace(slots, years=(base, slots.years[0]))
    return slots


def _lacks_carried_year(slots: Slots, catalog: Catalog) -> bool:
    """Whether the places or units a follow-up names have no document of the years carried over."""
    if slots.units:
        return "year" in slots.carried and not any(
            set(slots.years) & set(u.years) for uid in slots.units if (u := catalog.unit(uid)))
    return bool(slots.localities) and not any(catalog.covers(place, slots.years) for place in slots.localities)


def _answer_reasons(question: str, slots: Slots, context: Context, figures: Sequence[str] = ()) -> Answer | None:
    """The reason or use the asked unit-year's documents give for the asked item (beside the
    `figures` the answer states, where it states some), quoted."""
    units = _units_named(slots, context.catalog)
    if not units:
        return None
    years = set(slots.years) or {max(context.catalog.unit(u).years) for u in units if context.catalog.unit(u).years}
    if not slots.years and ASKS_USE.search(question):  # what an item is for holds across years: latest first
        years = {y for u in units for y in context.catalog.unit(u).years}
    docs = _docs_of(units, years, context.catalog)
    stamps = ingest_stamps(context.stores.engine, docs)
    texts = [(doc_id, get_source(context.stores.engine, doc_id, stamps).text) for doc_id in docs]
    named = [[w for w in (item.text, *item.stems, item.metric) if w] for item in (*slots.items, *slots.within)]
    uses = project_uses(question, texts) if ASKS_USE.search(question) else []
    sentences = uses or find_reasons(
        question, named[0] if named else [], texts, [w for ws in named[1:] for w in ws], figures)
    if not sentences:
        return None
    citations = tuple(cite(context.stores.engine, s.doc_id, s.start, s.end, widen=False, stamps=stamps)
                      for s in sentences)
    lines = [f"“{s.text}” [{i}]" for i, s in enumerate(sentences, 1)]
    if uses and (money := project_money(context.stores.engine, docs, question)):  # the project's money beside its use
        citations += (money_citation(context.stores.engine, money),)
        lines.append(f"该项目{money.label.removeprefix('项目')}为 {money.printed}{money.unit} [{len(citations)}]（{money.table_title}）")
    offline = Answer("原文的说明：\n" + "\n".join(lines), "retrieval", "在所问单位该年度的文件中找到说明原因或用途的句子",
                     citations, slots=slots)
    passages = [SimpleNamespace(doc_id=s.doc_id, start=s.start, end=s.end, text=s.text, title=c.title)
                for s, c in zip(sentences, citations[:len(sentences)], strict=True)]  # what an LLM may write from
    return llm.synthesized_or(question, passages, offline, llm.chat_model(context.settings),
                              context.stores.engine)


def warm_sql(settings: Settings | None = None, users: Sequence[str] = ("public",)) -> int:
    """Ready the SQL route before anyone asks (the app runs it at start-up): each user kind's
    catalog is loaded, the question reader's word lists too, and the common question shapes'
    SQL built and checked by the guard.
    Returns how many queries were checked."""
    engine = _stores(settings or get_settings()).engine
    return sum(warm_queries(engine, VISIBILITY.get(user, ("public",))) for user in users)


def warm_queries(engine: Any, visibility: tuple[str, ...] = ("public",)) -> int:
    """warm_sql on one engine and visibility: the catalog loaded and read with, the common shapes
    guarded."""
    from assistant.sql_run import guarded_sql

    catalog = load_catalog(engine, visibility)
    warm_reading(catalog)
    queries: dict[str, tuple[str, ...]] = {}  # SQL text -> its parameter names, one per shape
    for shape in common_item_shapes():
        query = item_query(*shape[:2], **shape[2])
        queries[query.sql] = tuple(query.params)
    for sql, params in queries.items():
        guarded_sql(sql, engine, visibility=visibility, params=params)
    return len(queries)


def warm_reading(catalog: Catalog) -> None:
    """Load what reading a question needs once, not in the first question's time: its word lists,
    jieba's dictionary (over a second) and the labels' index (the labels embedded, or their cached
    vectors read)."""
    from assistant.extract import _jieba

    catalog.label_index()
    _jieba()
    understand("各地2021年三公经费预算是多少?", catalog)


def _text_figure(question: str, item: Item, unit_year: UnitYear, units: tuple[str, ...],
                 context: Context) -> dict[str, Any] | None:
    """A count of `item` for `unit_year` read from a line of its own documents that states one
    next to the item's name, or None. Every line is read: a disclosure is a few dozen pages."""
    docs = [d.id for d in context.catalog.docs.values() if d.unit_id == unit_year.unit.id
            and d.year in (unit_year.year, unit_year.year + 1)]
    docs.sort(key=lambda d: context.catalog.docs[d].year != unit_year.year)  # its own year first
    # the words naming the item, the question's last first (a Chinese phrase ends in its head);
    # the unit's own name's words name no item
    named_unit = unit_year.unit.name
    words = [w for w in dict.fromkeys((item.text, *item.stems, *metric_words((item.metric,))))
             if len(w) >= 2 and w not in named_unit]
    words.sort(key=lambda w: (w != item.text, -question.rfind(w)))
    stamps = ingest_stamps(context.stores.engine, docs)
    texts = [(doc_id, get_source(context.stores.engine, doc_id, stamps).text) for doc_id in docs]
    month_asked = bool(_ONE_MONTH.search(question))
    left_out = excluded_words(question)
    of_a_month = None
    for word in words:
        for doc_id, text in texts:
            pieces = list(sentence_pieces(text))
            for i, (start, end) in enumerate(pieces):
                sentence = Sentence(doc_id, start, end, text[start:end], 1.0)
                if row := figure_in_clauses(sentence, (word,), units, unit_year.unit.id, unit_year.year):
                    # '其中，…' speaks of the time its sentence before names
                    said_from = pieces[i - 1][0] if i and text[start:end].lstrip().startswith("其中") else start
                    own = text[start:row["start"]]
                    own = own[own.rfind("其中"):] if "其中" in own else own  # '…，其中政务服务中心…'
                    if any(in_order(word, own) for word in left_out):
                        continue  # the figure counts what the question leaves out
                    if month_asked or not _ONE_MONTH.search(text[said_from:row["start"]]):
                        return row
                    of_a_month = of_a_month or row
    # a month's figure ('2023年12月，…受理业务5,198件') answers no question of the whole year
    return None if _WHOLE_YEAR.search(question) else of_a_month


_ONE_MONTH = re.compile(r"(?<![\d\-—~～至到])(?:1[0-2]|[1-9])月(?![底末]|\d|份?\s*[\-—~～至到]|\s*31日)")
_WHOLE_YEAR = re.compile(r"全年|全年度|一年|年度")


def _naming_figure(question: str, slots: Slots) -> str:
    """A follow-up that leaves its figure unsaid ('呈贡区呢?') is searched with the figure's name."""
    names = [item.text for item in slots.items]
    if all(name in question for name in names):
        return question
    return f"{question} {' '.join(names)}"


# '有哪些内设机构': which ones, a list the text gives — not how many
_ASKS_LIST = re.compile(r"(?:有|包括|是|设了?|设置了?)哪些|都有什么|有什么|哪几个")


def _asks_figure(text: str) -> bool:
    return bool(re.search(r"多少|几|数额|金额|是多少|多大|比例|占", text))


def _not_stored(slots: Slots, catalog: Catalog) -> Answer | None:
    """What the question names that the library does not hold, said as such."""
    stored_places = "、".join(loc.name for loc in catalog.localities) or "无"
    if slots.unknown_places and not slots.localities and not slots.units:
        places = "、".join(slots.unknown_places)
        return Answer(f"已收录的文件中没有{places}的内容，无法回答。目前收录的地区有：{stored_places}。",
                      "none", f"地区不在文件库中：{places}", slots=slots)
    if slots.ambiguous_units and not slots.units:
        name, ids = slots.ambiguous_units[0]
        choices = "、".join(catalog.unit(i).name for i in ids)
        return Answer(f"“{name}”可能指：{choices}。请说明是哪一个单位。", "none",
                      f"单位名称有歧义：{name}", slots=slots)
    if slots.unknown_units and not slots.units:
        units = "、".join(slots.unknown_units)
        nearby = [u for p in slots.localities for u in catalog.units_in(p)] or list(catalog.units)
        closest = closest_units(slots.unknown_units[0], nearby) or nearby[:10]  # none alike: some of them
        where = "该地区" if slots.localities else "资料库中"
        listed = f"{where}已收录的单位有：{'、'.join(u.name for u in closest)}。" if closest else f"{where}尚未收录任何单位的文件。"
        return Answer(f"资料库中没有{units}的文件，无法回答。{listed}",
                      "none", f"单位不在文件库中：{units}", slots=slots)
    if slots.units and slots.years:
        missing = [catalog.unit(u) for u in slots.units
                   if not any(y in catalog.unit(u).years or y + 1 in catalog.unit(u).years
                              for y in slots.years)]
        if missing and len(missing) == len(slots.units) and set(slots.years) & set(catalog.years):
            unit = missing[0]
            years = "、".join(f"{y}年" for y in slots.years)
            stored = "、".join(f"{y}年" for y in unit.years)
            return Answer(f"资料库中没有{unit.name}{years}的文件，无法回答。已收录该单位{stored}的文件。",
                          "none", f"该单位没有该年度的文件：{unit.name} {years}", slots=slots)
    if slots.missing_codes and not slots.items:
        codes = "、".join(slots.missing_codes)
        return Answer(f"已收录的文件中没有科目编码{codes}的数字。", "none", f"科目编码不在文件库中：{codes}",
                      slots=slots)
    return None


_FINAL_ACCOUNTS = re.compile(r"决算|实际(?:花|支出|用|发生)")


def _kind_not_stored(question: str, slots: Slots, catalog: Catalog) -> Answer | None:
    """决算 figures asked of units whose documents of the year are all budgets: not in the library
    (a budget states what was planned, not what was spent)."""
    if not _FINAL_ACCOUNTS.search(question) or not slots.items:
        return None
    units = asked_units(slots, catalog)
    docs = [d for d in catalog.docs.values() if d.unit_id in {u.id for u in units}
            and (not slots.years or d.year in slots.years)]
    if not docs or any("决算" in d.doc_type for d in docs):
        return None
    names = "、".join(u.name for u in units[:3])
    years = "、".join(f"{y}年" for y in slots.years)
    return Answer(f"资料库中只有{names}{years}的预算文件，没有决算文件，无法回答实际支出。", "none",
                  "该单位年度没有决算文件", slots=slots)


def _counted_units_holding(slots: Slots, context: Context) -> Slots:
    """'19年两家基本支出里的差旅费（30211）谁多': naming no unit, the two are the units whose
    documents of that year hold the item at all — when exactly that many do."""
    if not slots.unit_count or slots.units or not slots.items:
        return slots
    years = unit_years(slots, context.catalog)
    rows, _ = fetch(context.stores.engine, context.visibility, years, (*slots.items, *slots.within))
    holding = {r["unit_id"] for r in rows if any(labels(r, i) for i in slots.items)
               and all(any(qualifies(w, r) for w in (i.text, *i.stems)) for i in slots.within)
               and any(uy.holds(r, context.catalog) for uy in years)}
    if len(holding) != slots.unit_count:
        return slots
    return replace(slots, units=tuple(u.id for u in context.catalog.units if u.id in holding))


def _count_unclear(slots: Slots, catalog: Catalog) -> Answer | None:
    """'两家…谁多' naming no unit, where the library holds more: which two is asked back, never
    guessed (all units' figures would answer another question)."""
    if not slots.unit_count or slots.units:
        return None
    units = [u for u in asked_units(slots, catalog) if not slots.years or set(u.years) & set(slots.years)]
    if len(units) <= slots.unit_count:
        return None
    names = "、".join(u.name for u in units[:12])
    count = "一两三四五六七八九十"[slots.unit_count - 1] if slots.unit_count <= 10 else str(slots.unit_count)
    return Answer(f"问题说的是{count}家单位，资料库中收录的单位有：{names}。请说明是哪{count}家。",
                  "none", "问题中的单位家数与资料库不符，需要说明是哪几家", slots=slots)


def _not_found(question: str, slots: Slots, context: Context) -> Answer:
    """No stored figure answers: say what was looked for, what the asked units' documents hold
    that comes closest, and quote a sentence only if it states such a figure."""
    leftover = leftover_words(question, slots, context.catalog)
    words = tuple(w for i in slots.items for w in (i.text, *i.stems)) or tuple(
        t for run in leftover_runs(question, context.catalog) for t in terms(run) if len(t) >= 2)
    if leftover and not slots.items and (counted := _count_named(question, leftover, slots, context)):
        return counted
    if words:
        found = _answer_retrieval(_naming_figure(question, slots), slots, context,
                                  reason="数据表中没有找到对应数字，改为检索原文", figure_words=words)
        if found.route != "none":
            return found
    asked = "、".join(i.text for i in slots.items) or slots.unlinked or leftover
    units = "、".join(u.name for u in asked_units(slots, context.catalog)[:3])
    # the labels nearest by meaning, found while linking; by characters shared without a model
    nearest = slots.closest if asked == slots.unlinked else ()
    closest = nearest or (closest_labels(asked, context.catalog) if asked else [])
    hint = f"最接近的是：{'、'.join(closest)}。" if closest else ""
    return Answer(f"已收录的{units or ''}文件中没有找到“{asked or question}”的数字。{hint}", "none",
                  "数据表和原文中都没有找到对应数字", slots=slots)


def _count_named(question: str, leftover: str, slots: Slots, context: Context) -> Answer | None:
    """A count asked of something no stored figure is named ('几个处室', '几次常委会'): read
    from the asked unit-year's own lines, as an item named by the question's words."""
    item = Item(leftover, tuple(t for t in dict.fromkeys((leftover, *terms(leftover))) if len(t) >= 2))
    if not count_units(item, question) or not (slots.units or slots.localities):
        return None
    return answer_items(question, replace(slots, items=(item,)), context.stores.engine, context.visibility,
                        context.catalog, read_text=lambda i, uy, units: _text_figure(question, i, uy, units, context))


def _answer_unstored_years(question: str, slots: Slots, context: Context) -> Answer:
    """No document is of the asked year, but another may state its figures (a 2021 project text
    gives 2020's caseload): quoted when a sentence names the year, else no answer."""
    figure_words = tuple(w for item in slots.items for w in (item.text, *item.stems))
    found = _answer_retrieval(question, slots, context, reason="该年度没有文件，检索其他年度文件中写到该年的原文",
                              figure_words=figure_words)
    if found.route != "none":
        return found
    years = "、".join(f"{y}年" for y in slots.years)
    stored = "、".join(f"{y}年" for y in context.catalog.years)
    return Answer(f"已收录的文件中没有{years}的数据，无法回答。目前收录的年度有：{stored}。",
                  "none", f"年度不在文件库中：{years}", slots=slots)


def _retrieve(question: str, slots: Slots, context: Context, k: int = 8) -> list[Any]:
    from vectorstore.retrieval import Filters

    retriever = _retriever(context.settings)
    filters = Filters(localities=slots.localities, years=slots.years, doc_types=slots.doc_types,
                      visibility=context.visibility, doc_ids=_unit_documents(slots, context.catalog))
    return retriever.search(question, filters, k=k)


def _unit_documents(slots: Slots, catalog: Catalog) -> tuple[str, ...]:
    """The documents of the units named (of the years asked): a reason is read in the asked
    unit-year's own documents only."""
    if not slots.units:
        return ()
    years = set(slots.years)
    return tuple(sorted(d.id for d in catalog.docs.values()
                        if d.unit_id in slots.units and (not years or d.year in years)))


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
    if figure_words:  # a figure question falls back only to the clauses that state such a figure
        sentences = _with_year([c for s in sentences for c in clauses_stating(
            s, figure_words, _FIGURE, change=slots.operation == "change")], sentences, named_years)
    sentences = sentences[:3]
    if not sentences or coverage(focus, sentences[0]) < MIN_COVERAGE:
        return Answer("已收录的文件中没有找到能回答这个问题的内容。", "none", f"{reason}；未找到相关原文",
                      slots=slots)
    citations = tuple(cite(context.stores.engine, s.doc_id, s.start, s.end, widen=False) for s in sentences)
    lines = [f"“{s.text}” [{i}]" for i, s in enumerate(sentences, 1)]
    offline = Answer("根据原文：\n" + "\n".join(lines), "retrieval", f"检索原文：{reason}", citations,
                     slots=slots)
    return llm.synthesized_or(question, hits, offline, llm.chat_model(context.settings), context.stores.engine)


def _with_year(clauses: list[Sentence], sentences: list[Sentence], years: tuple[int, ...]) -> list[Sentence]:
    """Clauses quoted from where their sentence names the asked year (another year's document
    read for it): '2020年全区…办件43184件，公共服务事项办件…' keeps its year; a clause whose
    sentence names no asked year before it is dropped, and one inside another is not repeated."""
    if not years:
        return clauses
    kept: list[Sentence] = []
    for clause in clauses:
        sentence = next(s for s in sentences if s.doc_id == clause.doc_id and s.start <= clause.start < s.end)
        head = sentence.text[:clause.end - sentence.start]
        mentions = [m.start() for y in years for m in re.finditer(rf"(?<!\d){y}\s*年", head)]
        if not mentions:
            continue
        start = sentence.start + min(max(mentions), clause.start - sentence.start)
        kept.append(Sentence(clause.doc_id, start, clause.end, sentence.text[start - sentence.start:
                                                                             clause.end - sentence.start],
                             clause.score))
    return [c for c in kept if not any(o is not c and o.doc_id == c.doc_id and o.start <= c.start
                                       and c.end <= o.end for o in kept)]


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
    named = [alias for alias, ids in catalog.aliases.items() if ids & set(slots.units)]
    for alias in sorted(named, key=len, reverse=True):
        without_unit = without_unit.replace(alias, " ")
    focus, without_unit = (_without_place(text, slots, catalog) for text in (question, without_unit))
    return without_unit if len([t for t in terms(without_unit) if len(t) > 1]) >= 2 else focus


def _without_place(question: str, slots: Slots, catalog: Catalog) -> str:
    for full in slots.localities:
        found = catalog.locality(full)
        for form in found.forms() if found else (full,):
            question = question.replace(form, " ")
    return re.sub(r"(?:(?:19|20)\d{2}|\d{2})\s*年度?", " ", question)


def _with_reasons(question: str, answer: Answer, slots: Slots, context: Context) -> Answer:
    stated = re.findall(r"\d[\d,]*(?:\.\d+)?", re.sub(r"\[\d+\]|(?:19|20)\d{2}年", "", answer.answer))
    reasons = (_answer_reasons(question, slots, context, stated) if ASKS_REASON.search(question) else None
               ) or _answer_retrieval(question, slots, context, reason="原因说明")
    if reasons.route == "none":
        return Answer(f"{answer.answer}\n文件中没有找到说明原因的句子。", answer.route, answer.why,
                      answer.citations, answer.sql, answer.columns, answer.rows, answer.chart, slots)
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
