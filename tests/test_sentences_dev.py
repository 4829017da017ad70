"""Whole sentences over every dev PDF: no sentence, quote or chunk stops where a PDF wrapped a line.

A PDF wraps its lines at the page width, so a sentence is often cut where a line ends
('…比上年预算减少 10' / '万元，主要原因是…'), also across a page break. Every stage that cuts text —
the sentence splitter (`sentence_pieces`, `split_sentences`), the quotes of facts and answers
(`assistant.sources.sentence_span`, `assistant.extract.best_sentences`) and the chunker — must
read such a line break as soft, and every span must still cut the document's own text.

**Mid-clause**, as checked here: a boundary is mid-clause when the text before it does not end
with a sentence or clause mark (。；！？：, a closing quote or bracket after one allowed) and the
source goes on, on the next line, with text of the same paragraph. The next line is *not* the same
paragraph when it is listed in `PARAGRAPH_ENDS` below, or when the cut line is listed in
`UNFINISHED_LINES`; nothing else is excused. Each entry is a kind of line, never a file. Outside
the definition, since no prose goes on: the end of the text, a blank line, a table (its region or
a tab-separated line) next or cut. A next line opening with a particle, closing punctuation or a
unit ('的检察长，…', '万元，…') continues whatever the line before looks like.

A boundary inside a line must follow a mark: a sentence mark for sentences and quotes, also a
clause mark (，、) for a chunk cut inside a long sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import pytest

from tests.conftest import DEV_PDFS
from tests.test_facts_dev import PDFS, prepared

dev = pytest.mark.skipif(not DEV_PDFS.is_dir(), reason="dev corpus not present")

MARKS = "。；！？：;!?:"
_CLOSERS = "”’」』）)"

_ISSUER_OR_UNIT = r"\S{0,6}(?:部门|单位)(?:名称)?\s*[：:]|(?:金额)?单\s*位\s*[：:]"
_CAPTION = re.compile(rf"^\s*(?:{_ISSUER_OR_UNIT}|公开\s*\d+\s*表|公开表[一二三四五六七八九十]+|表\s*\d+|注\s*[：:])")
# A line opening with these continues the line before whatever that looks like: no title or
# paragraph starts with a particle, a conjunction, closing punctuation or a unit ('的检察长，…').
_CONTINUATION = re.compile(r"^\s*(?:[的地得之和与及或等、，,。；;：:）)”’%]|万元|元[，,。；;]|亿元)")

# What may follow a line break when the line before ends without a mark: the next line begins
# another paragraph. (name, test of the next line, reason)
_LIST_OR_SECTION = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[）)]"
    r"|\d{1,2}\s*[、.．](?!\d)|第[一二三四五六七八九十\d]+[部章节条]|[①-⑳])"
)
_PAGE_NUMBER = re.compile(r"^[-－—–\s]*(?:第\s*)?\d{1,4}(?:\s*页)?[-－—–\s]*$")
PARAGRAPH_ENDS: tuple[tuple[str, Callable[[str], bool], str], ...] = (
    ("list item or section heading", lambda line: bool(_LIST_OR_SECTION.match(line)),
     "一、 （二） 3、 4. （5） 第一部分 open an item of their own"),
    ("page number", lambda line: bool(_PAGE_NUMBER.match(line)),
     "a bare page number left in the text is no part of the sentence before it"),
    ("table caption line", lambda line: bool(_CAPTION.match(line)),
     ("a table's unit, issuer or number line ('单位：万元', '部门：…', '公开 05 表', '注：') follows "
      "the table's title")),
    ("heading", lambda line: _is_heading(line),
     "a title line (as defined in UNFINISHED_LINES) opens a section; the line before ends its paragraph"),
)

# A line that legitimately ends without a mark although prose follows. (name, test, reason)
UNFINISHED_LINES: tuple[tuple[str, Callable[[str], bool], str], ...] = (
    ("heading", lambda line: _is_heading(line),
     ("a title line ('三、支出预算情况说明', '第二部分 2019年度部门预算表', '4、研究室'): at most 40 "
      "characters without sentence punctuation, its quotes and brackets closed, and either at most "
      "12 characters or ending in what a title names (`_TITLE_END`)")),
    ("table caption line", lambda line: bool(re.match(rf"^\s*(?:{_ISSUER_OR_UNIT})", line)),
     ("a table's issuer and unit line wrapped in the table's head ('部门：中国共产党江苏省委员会办 "
      "单位：万元' / '公厅'): part of the table, which is left as printed")),
    ("chart label",
     lambda line: bool(re.fullmatch(r"[\u4e00-\u9fff\s]*(?:[,，]?\s*[\d.]+%\s*)?"
                                    r"(?:[\u4e00-\u9fff]+[,，]?\s*[\d.]+%\s*)*,?", line)),
     "the data labels of a chart drawn on the page ('项目支出, 34.20%', '预留机动经费,')"),
    ("unruled table row",
     lambda line: bool(re.fullmatch(r"\s*(?:\d{3,7}\s+)?\S+\s+-?[\d,]+\.?\d*\s*", line)),
     "a row of a table printed without rules, read as a line of text ('30101 基本工资 1,015.15')"),
)
_HEADING_MAX = 40
_HEADING_SHORT = 12
# How a longer title ends: what it names (a table, an account, a section, an office), or a closed
# bracket ('（一）一般公共服务（类）'). A wrapped line ends anywhere ('…开展思想政治教').
_TITLE_END = re.compile(
    r"(表|图|说明|情况|概况|解释|目录|职能|职责|目标|任务|公开|部分|机构|设置|构成|依据|分析|附件|处|室|局|庭|队|院|厅|"
    r"委员会|中心|社|站|所|部|[）)])$"
)


def _balanced(line: str) -> bool:
    pairs = ("“”", "（）", "()", "《》", "「」")
    return all(line.count(a) == line.count(b) for a, b in pairs)


def _is_heading(line: str) -> bool:
    line = line.strip()
    return (
        0 < len(line) <= _HEADING_MAX
        and not re.search(r"[，,；;。！？]|[：:].", line)
        and _balanced(line)
        and (len(line) <= _HEADING_SHORT or bool(_TITLE_END.search(line)))
    )


def _ends_with_mark(before: str) -> bool:
    before = before.rstrip()
    if before[-1:] in _CLOSERS and before[-2:-1] in MARKS:
        return True
    return before[-1:] in MARKS


def mid_clause(text: str, end: int, stops: Iterable[int] = ()) -> str:
    """Why a boundary at `end` cuts a sentence the source continues on the next line ('' when it
    does not). `stops`: offsets where a table starts (a sentence may end before one)."""
    before = text[:end]
    if not before.strip() or _ends_with_mark(before):
        return ""
    gap = re.match(r"[ \t\u3000]*", text[end:]).end()
    if text[end + gap:end + gap + 1] != "\n":
        return ""  # not at a line's end: checked by `cut_inside_line`
    rest = text[end + gap + 1:]
    if not rest.strip() or end + gap + 1 in stops or rest.startswith(("\n", "\r")):
        return ""  # the text or its prose ends, or a blank line ends the paragraph
    following = rest.split("\n", 1)[0]
    if "\t" in following:
        return ""  # a table line
    line = before[before.rfind("\n") + 1:]
    if _CONTINUATION.match(following):
        return f"{line[-30:]!r} ⏎ {following[:30]!r}"
    if any(test(following) for _, test, _ in PARAGRAPH_ENDS):
        return ""
    if "\t" in line or any(test(line) for _, test, _ in UNFINISHED_LINES):
        return ""
    return f"{line[-30:]!r} ⏎ {following[:30]!r}"


def cut_inside_line(text: str, end: int, marks: str = MARKS) -> str:
    """Why a boundary at `end` falls inside a line after no mark ('' when fine)."""
    gap = re.match(r"[ \t\u3000]*", text[end:]).end()
    if end + gap >= len(text) or text[end + gap] == "\n" or "\t" in text[text.rfind("\n", 0, end) + 1:end]:
        return ""
    before = text[:end].rstrip()
    if not before or before[-1] in marks or (before[-1] in _CLOSERS and before[-2:-1] in marks):
        return ""
    return f"{text[max(0, end - 30):end]!r} | {text[end:end + 20]!r}"


def _stops(name: str) -> set[int]:
    return {table.start for table in prepared(name).tables}


def _failures(name: str, spans: Iterable[tuple[int, int]]) -> list[str]:
    text, stops = prepared(name).doc.text, _stops(name)
    return [why for _, end in spans if (why := mid_clause(text, end, stops))]


# --- the splitter -----------------------------------------------------------------------------


@dev
@pytest.mark.parametrize("name", PDFS)
def test_sentence_pieces_end_where_sentences_end(name):
    from ingest.facts.sentences import prose_spans, sentence_pieces

    doc = prepared(name).doc
    pieces = [
        (start + a, start + b)
        for start, end in prose_spans(doc.text, prepared(name).tables)
        for a, b in sentence_pieces(doc.text[start:end])
    ]
    assert pieces
    assert _failures(name, pieces) == []
    assert [why for _, end in pieces if (why := cut_inside_line(doc.text, end))] == []


@dev
@pytest.mark.parametrize("name", PDFS)
def test_fact_sentences_end_where_sentences_end(name):
    """The sentences prose facts are read from (and their scope, year and change words)."""
    from ingest.facts.sentences import split_sentences

    sentences = split_sentences(prepared(name).doc.text, prepared(name).tables)
    assert sentences
    assert _failures(name, [(s.start, s.end) for s in sentences]) == []


# --- quotes -----------------------------------------------------------------------------------


@dev
@pytest.mark.parametrize("name", PDFS)
def test_every_fact_is_exact_and_quoted_in_a_whole_sentence(name):
    from assistant.sources import QUOTE_MAX, sentence_span

    item = prepared(name)
    text = item.doc.text
    assert item.facts
    assert [f for f in item.facts if text[f.start:f.end] != f.text] == []
    quotes = [(f, sentence_span(text, f.start, f.end)) for f in item.facts if f.source == "prose"]
    assert all(start <= f.start and f.end <= end for f, (start, end) in quotes)
    assert _failures(name, [span for _, span in quotes]) == []
    # a quote stops inside a line only at a mark, or at QUOTE_MAX past the figure (by design)
    inside = [why for f, (_, end) in quotes
              if end - f.end < QUOTE_MAX and (why := cut_inside_line(text, end))]
    assert inside == []


_FIGURE = re.compile(r"\d[\d,]*(?:\.\d+)?\s*(?:万元|亿元|元|%|人|个)")
_SAMPLE = 12  # sentences with figures per document


def _figure_sentences(name: str) -> list[tuple[int, int]]:
    from ingest.facts.sentences import split_sentences

    item = prepared(name)
    found = [(s.start, s.end) for s in split_sentences(item.doc.text, item.tables)
             if _FIGURE.search(item.doc.text[s.start:s.end]) and s.end - s.start >= 12]
    step = max(1, len(found) // _SAMPLE)
    return found[::step][:_SAMPLE]


@dev
@pytest.mark.parametrize("name", PDFS)
def test_answer_quotes_are_whole_sentences(name):
    """`sentence_span` around a figure and `best_sentences` over the chunks, asked with a sentence's
    own words, quote whole sentences that cut the document's text exactly."""
    from assistant.extract import best_sentences
    from assistant.sources import QUOTE_MAX, sentence_span

    item = prepared(name)
    text = item.doc.text
    passages = [(item.doc.id, c.start, c.text) for c in item.chunks if c.kind == "text"]
    sample = _figure_sentences(name)
    if not sample:
        pytest.skip("no prose sentence states a figure")  # the '_tables' PDFs: tables only
    for start, end in sample:
        figure = _FIGURE.search(text, start, end)
        quote = sentence_span(text, figure.start(), figure.end())
        # whole, but for a side running more than QUOTE_MAX past the figure (cut there by design)
        assert quote[0] <= start or quote[0] <= figure.start() - QUOTE_MAX, text[start:end]
        assert end <= quote[1] or quote[1] >= figure.end() + QUOTE_MAX, text[start:end]
        assert mid_clause(text, quote[1], _stops(name)) == ""
        question = re.sub(r"[\d,.%]+", "", text[start:end])[:30]
        for sentence in best_sentences(question, passages, limit=3):
            assert text[sentence.start:sentence.end] == sentence.text
            assert mid_clause(text, sentence.end, _stops(name)) == "", sentence.text
            assert cut_inside_line(text, sentence.end) == "", sentence.text


# --- chunks -----------------------------------------------------------------------------------


@dev
@pytest.mark.parametrize("name", PDFS)
def test_chunks_are_exact_and_end_where_sentences_end(name):
    item = prepared(name)
    text = item.doc.text
    chunks = [c for c in item.chunks if c.kind == "text"]
    assert chunks
    assert [c.index for c in chunks if text[c.start:c.end] != c.text] == []
    assert _failures(name, [(c.start, c.end) for c in chunks]) == []
    # a chunk cut inside a long sentence is cut after a clause mark
    assert [why for c in chunks if (why := cut_inside_line(text, c.end, MARKS + "，,、"))] == []


# --- the definition itself, on hand-made text --------------------------------------------------


def test_mid_clause_is_a_wrapped_line_not_a_heading_a_list_or_a_table():
    wrapped = "1．因公出国（境）费预算支出 170 万元，比上年预算减少 10\n万元，主要原因是压减。\n"
    assert mid_clause(wrapped, wrapped.index("\n"))
    assert mid_clause(wrapped, wrapped.index("。") + 1) == ""
    heading = "三、支出预算情况说明\n本表反映部门年度总体支出预算情况。\n"
    assert mid_clause(heading, heading.index("\n")) == ""
    listed = "本部门包括：\n1、办公室\n2、研究室\n"
    assert mid_clause(listed, listed.index("室") + 1) == ""
    caption = "2019年收支预算总表\n单位：万元\n"
    assert mid_clause(caption, caption.index("\n")) == ""
    tabbed = "其中拨款\n项目\t金额\n"
    assert mid_clause(tabbed, tabbed.index("\n")) == ""
    quote_open = "江苏省高级人民法院 2018 年度一般公共预算拨款安排的“三\n公”经费预算支出 100 万元。\n"
    assert mid_clause(quote_open, quote_open.index("\n"))  # an open quote is no title
    particle = "（十三）协同省委主管部门管理和考核设区市人民检察院\n的检察长，协同考核副检察长。\n"
    assert mid_clause(particle, particle.index("\n"))  # no title goes on with '的'
    chart = "项目支出, 34.20%\n基本支出, 55.98%\n"
    assert mid_clause(chart, chart.index("\n")) == ""
    line = "收入 10 万元，支出 8 万元。"
    assert cut_inside_line(line, line.index("，") + 1, MARKS + "，") == ""
    assert cut_inside_line(line, line.index("万"))
