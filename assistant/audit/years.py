"""Years: a 2024 决算 whose heading, 目录, scope or '截至…年12月31日' says another year.

Only years whose meaning the document's own kind fixes are read, in its prose and headings (not
in its tables):
- headings and 目录 lines (short lines, not sentences) naming the document's own 预算 / 决算;
- the 编制范围 ('纳入本部门2019年部门预算编制范围') and a sentence opening on its subject's year
  ('…财政局2024年度收入支出总计…') that names no other year;
- a year-end date ('截至2024年12月31日'): a 决算's own year; a 预算's year before, where it
  reports what the unit holds (车辆, 资产, 人员);
- the year a figure is compared with ('与2023年度相比', '比2022年预算执行数增加'): the year
  before — unless a 决算 compares with a budget or a 预算 with a 决算 (of a year the reading
  cannot fix).
The document's year is the one its title and most headings give; where they disagree, or a
heading names an execution, an adjustment or the year before, nothing is claimed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.audit.context import Sentences
from assistant.audit.findings import Finding, about_words, word
from assistant.audit.load import AuditDoc

YEAR = r"(?P<year>(?:19|20)\d{2})\s*年"
_ANY_YEAR = re.compile(r"(?:19|20)\d{2}\s*年")
_LINE = re.compile(r"[^\n]+")
_HEADING = re.compile(YEAR + r"度?(?P<rest>.*)$")
_NOT_OWN = re.compile(r"执行|调整|上年|去年|以前|历年|同期|[—\-~至到]\s*(?:19|20)\d{2}")
_SENTENCE_END = re.compile(r"[。；;，,：:！？]\s*$|[。；;！？]")
_SCOPE = re.compile(r"纳入[^，,。；;\n]{0,12}?" + YEAR + r"度?[^，,。；;\n]{0,8}?(?:部门|单位)"
                    r"[^，,。；;\n]{0,6}?(?P<kind>预算|决算)[^，,。；;\n]{0,4}?编制范围")
_SUBJECT = re.compile(
    r"(?:^|[。！？\n])(?P<subject>[^，,。；;：:！？\n\d（(]{2,25}?)\s*" + YEAR + r"度?\s*(?=(?:部门|单位)?"
    r"(?:收入、?支出|收支|收入|支出|财政拨款|一般公共预算|政府性基金|国有资本|“?三公|机关运行|政府采购)"
    r"[^。]{0,40}?\d)")
_NOT_SUBJECT = re.compile(r"上年|去年|同期|前年|以前|与|比|较|截至|截止")
_YEAR_END = re.compile(r"截[至止]到?\s*" + YEAR + r"\s*(?:12\s*月(?:\s*31\s*日|底|末)?|底|末)")
_HOLDINGS = re.compile(r"车辆|资产|房屋|设备|人员|编制|实有|共有")
_COMPARED = re.compile(r"(?:与|比|较)\s*" + YEAR + r"度?(?P<base>同期|预算执行数|执行数|预算|决算)?\s*"
                       r"(?:数)?\s*(?:相比|相较|增加|减少|增长|下降|持平|降低|上升|[，,])")


@dataclass(frozen=True)
class Mention:
    year: int
    start: int  # of the year's digits
    end: int
    expected: int  # the year this mention must name, given the document's year
    what: str  # which kind of mention, for the finding's detail


def check_years(doc: AuditDoc) -> list[Finding]:
    year = _document_year(doc)
    if year is None:
        return []
    findings = []
    seen: set[int] = set()
    for mention in _mentions(doc, year):
        if mention.year == mention.expected or mention.start in seen:
            continue
        seen.add(mention.start)
        stated = word(mention.what, doc.text[mention.start:mention.end], mention.start, mention.end)
        findings.append(about_words(
            "years", doc.id, stated, [], should_be=str(mention.expected),
            detail=f"这是{year}年度的{doc.doc_type or '文件'}，{mention.what}应为{mention.expected}年，"
                   f"却写作{mention.year}年"))
    return findings


def _final(doc: AuditDoc) -> bool:
    return bool(doc.doc_type and "决算" in doc.doc_type)


def _document_year(doc: AuditDoc) -> int | None:
    """The year the title and the headings agree on (the title's year breaks a tie)."""
    if doc.year is None:
        return None
    votes = Counter(m.year for m in _headings(doc, doc.year))
    votes[doc.year] += 1
    best, count = votes.most_common(1)[0]
    return doc.year if best == doc.year or count <= votes[doc.year] else None


def _mentions(doc: AuditDoc, year: int) -> Iterator[Mention]:
    in_table = _in_table(doc)
    own_kind = "决算" if _final(doc) else "预算"
    sentences = Sentences(doc.text)
    mentions = list(_headings(doc, year))
    for m in _SCOPE.finditer(doc.text):
        if m.group("kind") == own_kind:
            mentions.append(_mention(m, year, "编制范围的年度"))
    for m in _YEAR_END.finditer(doc.text):
        if _final(doc) or _HOLDINGS.search(sentences.sentence(sentences.index(m.start()))):
            mentions.append(_mention(m, year if _final(doc) else year - 1, "“截至”的年末日期"))
    for m in _COMPARED.finditer(doc.text):
        base = m.group("base") or ""
        if ("预算" in base and "执行" not in base) if _final(doc) else "决算" in base:
            continue  # a 决算 against a year's budget, a 预算 against a 决算: the year is not fixed
        mentions.append(_mention(m, year - 1, "比较的上一年度"))
    for m in _SUBJECT.finditer(doc.text):
        sentence = sentences.sentence(sentences.index(m.start("year")))
        if not _NOT_SUBJECT.search(m.group("subject")) and len(set(_ANY_YEAR.findall(sentence))) == 1:
            mentions.append(_mention(m, year, "所述收支的年度"))
    yield from (m for m in mentions if not in_table(m.start))


def _mention(m: re.Match[str], expected: int, what: str) -> Mention:
    return Mention(int(m.group("year")), m.start("year"), m.end("year"), expected, what)


def _in_table(doc: AuditDoc):
    spans = [(t.start, t.end) for t in doc.tables]
    return lambda offset: any(a <= offset < b for a, b in spans)


def _headings(doc: AuditDoc, year: int) -> Iterator[Mention]:
    """Years of heading and 目录 lines about the document's own kind (a 预算's, a 决算's)."""
    in_table = _in_table(doc)
    for line in _LINE.finditer(doc.text):
        text = line.group(0)
        if len(text.strip()) > 60 or _SENTENCE_END.search(text) or in_table(line.start()):
            continue
        heading = _HEADING.search(text)
        if heading is None or _NOT_OWN.search(text) or not _names_own_kind(doc, heading.group("rest")):
            continue
        yield Mention(int(heading.group("year")), line.start() + heading.start("year"),
                      line.start() + heading.end("year"), year, "标题或目录中的年度")


def _names_own_kind(doc: AuditDoc, words: str) -> bool:
    """'…部门决算表' in a 决算; '…预算…' without '决算' in a 预算."""
    return "决算" in words if _final(doc) else "预算" in words and "决算" not in words
