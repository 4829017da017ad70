"""Years: a 2024 决算 whose heading, 目录, scope or '截至…年12月31日' says another year.

Only years whose meaning the document's own kind fixes are read:
- headings and 目录 lines (short lines, not sentences) naming the document's 预算 / 决算;
- the 编制范围 ('纳入本部门2019年部门预算编制范围') and a sentence opening on its subject's year
  ('…财政局2024年度收入支出总计…');
- a year-end date ('截至2024年12月31日'): a 决算's own year, a 预算's year before;
- the year a figure is compared with ('与2023年度相比', '比2022年预算执行数增加'): the year before.
The document's year is the one its title and most headings give; where they disagree among
themselves, or a heading names an execution, an adjustment or the year before, nothing is claimed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.audit.findings import Finding, about_words, word
from assistant.audit.load import AuditDoc

YEAR = r"(?P<year>(?:19|20)\d{2})\s*年"
_LINE = re.compile(r"[^\n]+")
# A heading about the document itself: '第二部分 2024年度部门决算表', '2023年部门收入预算总表'.
_HEADING = re.compile(YEAR + r"度?(?P<rest>.*)$")
_OWN_KIND = re.compile(r"预算|决算")
_NOT_OWN = re.compile(r"执行|调整|上年|去年|以前|历年|同期|[—\-~至到]\s*(?:19|20)\d{2}")
_SENTENCE_END = re.compile(r"[。；;，,：:！？]\s*$|[。；;！？]")
_SCOPE = re.compile(r"纳入[^，,。；;\n]{0,12}?" + YEAR + r"度?[^，,。；;\n]{0,8}?(?:部门|单位)[^，,。；;\n]{0,6}?"
                    r"(?:预算|决算)[^，,。；;\n]{0,4}?编制范围")
_SUBJECT = re.compile(r"(?:^|[。！？\n])(?P<subject>[^，,。；;：:！？\n\d（(]{2,25}?)\s*" + YEAR +
                      r"度?\s*(?=(?:部门|单位)?(?:收入、?支出|收支|收入|支出|财政拨款|一般公共预算|政府性基金|"
                      r"国有资本|“?三公|机关运行|政府采购)[^。]{0,40}?\d)")
_NOT_SUBJECT = re.compile(r"上年|去年|同期|前年|以前|与|比|较|截至|截止")
_YEAR_END = re.compile(r"截[至止]到?\s*" + YEAR + r"\s*(?:12\s*月(?:\s*31\s*日|底|末)?|底|末)")
_COMPARED = re.compile(r"(?:与|比|较)\s*" + YEAR + r"度?(?:同期|预算|决算|执行数|预算执行数)?\s*"
                       r"(?:相比|相较|增加|减少|增长|下降|持平|降低|上升|[，,])")


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


def _document_year(doc: AuditDoc) -> int | None:
    """The year the title and the headings agree on (the title's year breaks a tie)."""
    if doc.year is None:
        return None
    votes = Counter(m.year for m in _headings(doc, doc.year))
    votes[doc.year] += 1
    best, count = votes.most_common(1)[0]
    return doc.year if best == doc.year or count <= votes[doc.year] else None


def _mentions(doc: AuditDoc, year: int) -> Iterator[Mention]:
    yield from _headings(doc, year)
    before = year - 1
    end_year = year if doc.doc_type and "决算" in doc.doc_type else before
    patterns = ((_SCOPE, year, "编制范围的年度"), (_YEAR_END, end_year, "“截至”的年末日期"),
                (_COMPARED, before, "比较的上一年度"))
    for pattern, expected, what in patterns:
        for m in pattern.finditer(doc.text):
            yield Mention(int(m.group("year")), m.start("year"), m.end("year"), expected, what)
    for m in _SUBJECT.finditer(doc.text):
        if not _NOT_SUBJECT.search(m.group("subject")):
            yield Mention(int(m.group("year")), m.start("year"), m.end("year"), year, "所述收支的年度")


def _headings(doc: AuditDoc, year: int) -> Iterator[Mention]:
    """Years of heading and 目录 lines about the document's own 预算 / 决算."""
    for line in _LINE.finditer(doc.text):
        text = line.group(0)
        if len(text.strip()) > 60 or _SENTENCE_END.search(text):
            continue
        heading = _HEADING.search(text)
        if heading is None or not _OWN_KIND.search(heading.group("rest")) or _NOT_OWN.search(text):
            continue
        yield Mention(int(heading.group("year")), line.start() + heading.start("year"),
                      line.start() + heading.end("year"), year, "标题或目录中的年度")
