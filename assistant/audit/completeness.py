"""Completeness: the tables a document lists, must publish, and prints without its figures.

- a table its 目录 lists that the body lacks;
- one of the tables its kind of document must publish (`required_tables.yaml`) that it lacks;
- a table printed with its header and no figures while the prose states figures of it.
Absence is claimed only of a document that publishes tables itself and does not say they are
attached elsewhere ('附后', '见附件'): a text-only part whose tables are a separate file lacks
nothing. A required table is claimed missing only from a whole 部门/单位 预算 or 决算 (its title
says so, or it prints the 收支总表) holding at least half of the tables its kind requires: a
"三公" disclosure is not a 部门预算, and a copy cut short is not a document that left tables out. A table is present when it was read, or when its title
is printed as a line of the body (its figures may be an image). A 目录 entry is matched to the
body by its kind, so '政府性基金财政拨款支出预算表' is found as '政府性基金预算财政拨款支出预算表';
an entry of no known kind is not claimed. An empty table is held against prose figures of the
scope its columns print (预算数, 决算数), or of the document's own scope.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from assistant.audit.context import is_money
from assistant.audit.findings import Figure, Finding, about_words, of_fact, word
from assistant.audit.kinds import Kind, Required, kind_of, kinds, required_tables, source
from assistant.audit.load import AuditDoc
from gongkai.types import Table

_TOC = re.compile(r"^\s*目\s*录\s*$", re.MULTILINE)
_TOC_LINES = 120
_LONG_LINE = 60
_PART = re.compile(r"^第[一二三四五六七八九十]+部分")
_LEADER = re.compile(r"[.．·…\s]*\d*\s*$")  # dot leaders and page numbers after an entry
_ELSEWHERE = re.compile(r"附后|见附件|详见附件|另行公开|另附")
_WHOLE = re.compile(r"(?:部门|单位)(?:综合)?(?:预算|决算)|(?:部门|单位)预决算")


@dataclass(frozen=True)
class Entry:
    text: str
    start: int
    end: int
    kind: Kind | None


def check_completeness(doc: AuditDoc) -> list[Finding]:
    read = {k.id for t in doc.tables if (k := kind_of(t.title))}
    findings = _empty_tables(doc, read)
    toc = _toc(doc)
    required = required_tables(doc.doc_type, doc.year)
    if not read & ({r.kind for r in required} | {e.kind.id for e in toc if e.kind}):
        return findings  # publishes none of its tables itself
    if _ELSEWHERE.search(doc.text):
        return findings
    present = read | _captions(doc, toc)
    listed = {}
    for entry in toc:
        if entry.kind and entry.kind.id not in present:
            listed.setdefault(entry.kind.id, entry)
    for entry in listed.values():
        stated = word("目录所列表格", entry.text, entry.start, entry.end)
        findings.append(about_words(
            "completeness", doc.id, stated, [], should_be=entry.text,
            detail=f"目录列出了《{entry.text}》，正文中没有这张表"))
    title = _title_span(doc)
    if title is None or not _whole(doc, title, read, required):
        return findings
    for table in required:
        if table.kind in present or table.kind in listed:
            continue
        findings.append(about_words(
            "completeness", doc.id, title, [], should_be=table.name,
            detail=f"{doc.doc_type}应公开《{table.name}》（{source()}），文件中没有这张表"))
    return findings


def _whole(doc: AuditDoc, title: Figure, read: set[str], required: Sequence[Required]) -> bool:
    """A whole 部门/单位 预算 or 决算 with its tables: named so (or printing the 收支总表), and
    holding at least half of what its kind requires."""
    named = _WHOLE.search(title.text) is not None or "total" in read
    return named and 2 * sum(1 for r in required if r.kind in read) >= len(required)


def _toc(doc: AuditDoc) -> list[Entry]:
    """The 目录's lines, up to the first heading the body repeats (or a line of prose)."""
    found = _TOC.search(doc.text)
    if found is None:
        return []
    entries: list[Entry] = []
    seen: set[str] = set()
    for line in list(re.finditer(r"[^\n]+", doc.text[found.end():]))[:_TOC_LINES]:
        text = _LEADER.sub("", line.group(0)).strip()
        key = re.sub(r"\s+", "", text)
        if not key:
            continue
        if key in seen or len(text) > _LONG_LINE:
            break
        seen.add(key)
        start = found.end() + line.start() + line.group(0).index(text[0])
        is_table = text.endswith("表") and not _PART.match(key)
        entries.append(Entry(text, start, start + len(text), kind_of(text) if is_table else None))
    return entries


def _captions(doc: AuditDoc, toc: Sequence[Entry]) -> set[str]:
    """Kinds whose title the body prints as a line of its own (outside the 目录)."""
    toc_end = toc[-1].end if toc else 0
    kinds_printed = set()
    for line in re.finditer(r"[^\n]+", doc.text):
        text = _LEADER.sub("", line.group(0)).strip()
        if line.start() < toc_end or not text.endswith("表") or len(text) > _LONG_LINE:
            continue
        if kind := kind_of(text):
            kinds_printed.add(kind.id)
    return kinds_printed


def _title_span(doc: AuditDoc) -> Figure | None:
    """The document's first line, which names what it is (the 部门决算 of a year)."""
    line = re.search(r"\S[^\n]*", doc.text)
    return word("文件标题", line.group(0).strip(), line.start(), line.start() + len(line.group(0).strip())) \
        if line else None


def _empty_tables(doc: AuditDoc, present: set[str]) -> list[Finding]:
    """A table with its header and no figure at all, while the prose states its figures."""
    findings = []
    for kind in kinds():
        if not kind.metrics or kind.id not in present:
            continue
        parts = [i for i, t in enumerate(doc.tables) if (k := kind_of(t.title)) and k.id == kind.id]
        if any(_has_figures(t) for t in _with_continuations(doc.tables, parts)):
            continue
        table = doc.tables[parts[0]]
        scopes = _scopes(doc, table)
        stated_in_prose = [f for f in doc.facts if f.source == "prose" and f.measure == "value"
                           and f.metric in kind.metrics and is_money(f) and f.value
                           and (not f.scope or f.scope in scopes)
                           and not (doc.year and f.year and f.year != doc.year)][:3]
        if not stated_in_prose:
            continue
        stated = _caption(doc, table)
        inputs = [of_fact(f) for f in stated_in_prose]
        findings.append(about_words(
            "completeness", doc.id, stated, inputs, should_be="表中应列出数字",
            detail=f"《{table.title}》只有表头、没有数字，正文却写明了"
                   f"{inputs[0].label} {inputs[0].text}{inputs[0].unit}"))
    return findings


def _with_continuations(tables: Sequence[Table], parts: Sequence[int]) -> Iterator[Table]:
    """The parts, and a table right after one that has no title of its own (its next page)."""
    for i in parts:
        yield tables[i]
        if i + 1 < len(tables) and i + 1 not in parts and kind_of(tables[i + 1].title) is None:
            yield tables[i + 1]


def _scopes(doc: AuditDoc, table: Table) -> set[str]:
    """The scopes a table's header prints (预算数 / 决算数), else the document's own. An empty
    table's header may be read as rows: their words count too."""
    words = (c.text for r in table.rows for c in r.cells if c.value is None)
    header = " ".join([*table.columns, *words])
    printed = {scope for scope in ("预算", "决算") if f"{scope}数" in header}
    return printed or {"决算" if doc.doc_type and "决算" in doc.doc_type else "预算"}


def _has_figures(table: Table) -> bool:
    return any(c.value is not None for row in table.rows if not row.is_header for c in row.cells)


def _caption(doc: AuditDoc, table: Table) -> Figure:
    """The table's title where it is printed, just before (or at the start of) the table."""
    window_start = max(0, table.start - 300)
    window_end = table.start + len(table.title) + 80
    at = doc.text.rfind(table.title, window_start, window_end) if table.title else -1
    if at < 0:
        first = next((c for r in table.rows for c in r.cells if c.text), None)
        start, end = (first.start, first.end) if first else (table.start, table.start)
        return word("表格", doc.text[start:end], start, end)
    return word("表格标题", table.title, at, at + len(table.title))
