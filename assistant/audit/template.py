"""Template leftovers and typing slips in the prose: placeholders ('XX局', '××', '某某', '＊＊'),
doubled punctuation ('。。', '，，') and a rate printed without its '%'.

Tables are not read here (a blank cell is not a slip), nor digits masked on purpose
('1397302****': a phone number withheld), nor '○' writing a zero ('二○○九年'); '□' is not
read at all (it is what a missing glyph extracts as).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.audit.findings import SEVERITIES, Finding, about_words, word
from assistant.audit.load import AuditDoc

_PLACEHOLDER = re.compile(
    r"(?<![A-Za-z\d*＊])(?:[XＸ]{2,}|[xｘ]{2,}(?=[一-龥])|×{2,}|某某|＊{2,}|\*{2,}"
    r"|(?<![一二三四五六七八九〇零])○{2,}(?![一二三四五六七八九〇○零年]))(?![A-Za-z\d*＊])")
_DOUBLED = re.compile(r"(?<![，。；、：！？])([，。；、：！？])\1(?![，。；、：！？])|[，、][。；]|[。；][，、]")
# a rate word and its number with no '%' (nor any other unit) before the clause ends
_RATE_WITHOUT_PERCENT = re.compile(
    r"(?:增长|下降|增幅|降幅|减幅|增长率|下降率|比重|占[^，,。；;\d]{0,15}?|完成[^，,。；;\d]{0,10}?的)"
    r"(?:了|为|达)?\s*(?P<number>\d+(?:\.\d+)?)\s*(?=[，,。；;、）)]|$)", re.MULTILINE)
_MARKDOWN_BOLD = re.compile(r"\*\*[^*\n]+\*\*")


def check_template(doc: AuditDoc) -> list[Finding]:
    findings = []
    for what, start, end, severity, fix in _slips(doc):
        stated = word(what, doc.text[start:end], start, end)
        findings.append(about_words(
            "template", doc.id, stated, [], should_be=fix, severity=severity,
            detail=f"{what}：“{_around(doc.text, start, end)}”"))
    return findings


def _around(text: str, start: int, end: int) -> str:
    """A dozen characters either side, on one line."""
    return re.sub(r"\s+", " ", text[max(0, start - 12):end + 12]).strip()


def _slips(doc: AuditDoc) -> Iterator[tuple[str, int, int, str, str]]:
    tables = [(t.start, t.end) for t in doc.tables]
    bold = [(m.start(), m.end()) for m in _MARKDOWN_BOLD.finditer(doc.text)]

    def prose(start: int) -> bool:
        return not any(a <= start < b for a, b in tables)

    for m in _PLACEHOLDER.finditer(doc.text):
        emphasis = m.group(0).startswith("*") and any(a <= m.start() < b for a, b in bold)
        if prose(m.start()) and not emphasis:
            yield "模板占位符未替换", m.start(), m.end(), SEVERITIES[0], "实际名称或数字"
    for m in _DOUBLED.finditer(doc.text):
        if prose(m.start()):
            yield "标点重复", m.start(), m.end(), SEVERITIES[1], "删去多余的标点"
    for m in _RATE_WITHOUT_PERCENT.finditer(doc.text):
        if prose(m.start()):
            yield "百分比缺少“%”", m.start("number"), m.end("number"), SEVERITIES[1], m.group("number") + "%"
