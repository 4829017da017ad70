"""Audit questions in the chat: '这份决算的数据有没有对不上的地方?', '潼南区的三公经费合计对吗?',
'这份决算有没有年份写错的地方?', '表格齐全吗?', '有没有文字和数字对不上的?'.

The documents are those the question names (place, year, 预算/决算) among the ones the user may
see, else those the conversation last cited; a question about one kind of error (years, missing
tables, words against figures, template leftovers, tables against tables) is answered with the
findings of that kind. The findings are written out with a citation of every span, or the answer
says the checks found nothing and names the checks that ran.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import Engine, select

from assistant.audit.findings import RULES, Finding
from assistant.audit.runner import CHECK_NAMES, audit
from assistant.types import Answer, Citation, CitationGroup, Slots
from gongkai import db

_AUDIT = re.compile(
    r"对不上|对得上|有没有错|有无错|是否有误|有误|错误|出错|算错|写错|矛盾|不符|不一致|是否一致|一致吗|核对|核查|"
    r"校验|勾稽|对吗|对不对|正确吗|是否正确|准不准|准确吗|平衡吗|是否平衡|有没有问题.{0,4}数|数据.{0,6}问题|"
    r"加起来.{0,6}(?:等于|对)|齐全|齐不齐|表.{0,4}(?:完整|全吗|全不全)|缺.{0,4}表|漏.{0,3}表|少了?.{0,2}表|模板|占位|笔误|错别字|标点"
)
# A question about one kind of error: its words, the rules that answer it, and how to name what
# was not found.
KINDS: tuple[tuple[re.Pattern[str], tuple[str, ...], str], ...] = (
    (re.compile(r"年份|年度.{0,3}(?:写错|错|不对)"), ("years",), "年份写错的地方"),
    (re.compile(r"齐全|齐不齐|完整|缺.{0,4}表|漏.{0,3}表|少了?.{0,2}表"), ("completeness",), "缺少的表格"),
    (re.compile(r"文字.{0,6}数字|文字.{0,4}(?:对不上|不符|矛盾)|表述|说法|措辞"),
     ("wording", "prose_total", "prose_table"), "文字和数字对不上的地方"),
    (re.compile(r"模板|占位|笔误|错别字|标点|录入"), ("template",), "模板残留或录入错误"),
    (re.compile(r"表.{0,3}[与和跟].{0,3}表|表间|表之间|两张表|各表"), ("cross_table",), "表与表之间对不上的数字"),
)
MAX_DOCS = 30
MAX_FINDINGS = 8  # written out; the rest stay in the result table
_RULES_OF_METRIC = {
    "三公经费": ("three_public",), "因公出国(境)费": ("three_public",), "公务接待费": ("three_public",),
    "公务用车购置及运行费": ("three_public",), "公务用车运行维护费": ("three_public",),
    "公务用车购置费": ("three_public",), "基本支出": ("basic_split",), "人员经费": ("basic_split",),
    "公用经费": ("basic_split",),
}
COLUMNS = ("文件", "核对规则", "所述", "应为", "差额", "单位", "严重程度")
_CORRECTED = ("wording", "years")  # findings about words whose correct word the figures give


def asks_audit(question: str) -> bool:
    """A question asking whether the figures are right, not what they are.

    >>> asks_audit("这份决算的数据有没有对不上的地方?"), asks_audit("潼南区2021年三公经费预算是多少?")
    (True, False)
    """
    return bool(_AUDIT.search(question))


def asked_kind(question: str) -> tuple[tuple[str, ...], str] | None:
    """The rules a question about one kind of error asks for, and that kind's name.

    >>> asked_kind("这份决算有没有年份写错的地方?"), asked_kind("表格齐全吗?")[0]
    ((('years',), '年份写错的地方'), ('completeness',))
    >>> asked_kind("这份决算的数据有没有对不上的地方?") is None
    True
    """
    return next(((rules, name) for pattern, rules, name in KINDS if pattern.search(question)), None)


def answer_audit(question: str, slots: Slots, engine: Engine, visibility: Sequence[str],
                 history: Sequence[Answer] = ()) -> Answer:
    docs = _documents(slots, question, engine, visibility, history)
    if not docs:
        return Answer("已收录的文件中没有找到要核对的文件。", "none", "核对数据：没有符合条件的文件", slots=slots)
    wanted = {rule for metric in slots.metrics for rule in _RULES_OF_METRIC.get(metric, ())}
    kind = asked_kind(question)
    found: list[tuple[str, Finding]] = []
    for doc_id, title in docs:
        found += [(title, f) for f in audit(doc_id, engine=engine, visibility=visibility)
                  if (kind is None or f.rule in kind[0])
                  and (kind is not None or not wanted or f.rule in wanted or _mentions(f, slots.metrics))]
    scope = "、".join(title for _, title in docs[:3]) + (f"等 {len(docs)} 份文件" if len(docs) > 3 else "")
    checks = "、".join(RULES[r] for r in kind[0]) if kind else "、".join(CHECK_NAMES)
    why = f"核对数据：{len(docs)} 份文件，运行了{checks}"
    if not found:
        if kind:
            return Answer(f"核对了{scope}，没有发现{kind[1]}（已运行的检查：{checks}）。", "sql", why, slots=slots)
        what = f"（{'、'.join(slots.metrics)}）" if wanted else ""
        return Answer(f"核对了{scope}{what}，没有发现对不上的数字（已运行的检查：{checks}；"
                      f"允许误差为每个数字最后一位的半个单位）。", "sql", why, slots=slots)
    citations: list[Citation] = []
    groups: list[CitationGroup] = []
    lines = [f"核对了{scope}，发现 {len(found)} 处{kind[1] if kind else '问题'}："]
    for number, (title, finding) in enumerate(found[:MAX_FINDINGS], 1):
        first = len(citations) + 1
        citations += finding.citations
        numbers = tuple(range(first, len(citations) + 1))
        lines.append(f"{number}. {_line(title, finding, [f'[{n}]' for n in numbers])}")
        groups.append(CitationGroup(f"第{number}处：{finding.rule_name}", numbers))
    if len(found) > MAX_FINDINGS:
        lines.append(f"另有 {len(found) - MAX_FINDINGS} 处见结果表。")
    rows = tuple((title, f.rule_name, f.stated.text, _should_be(f), _number(f.difference), f.unit,
                  f.severity) for title, f in found)
    return Answer("\n".join(lines), "sql", why, tuple(citations), columns=COLUMNS, rows=rows, slots=slots,
                  groups=tuple(groups))


def _line(title: str, finding: Finding, marks: Sequence[str]) -> str:
    stated_mark, input_marks = marks[0], marks[1:]
    inputs = "、".join(f"{f.label} {f.text}{f.unit if f.value is not None else ''}{mark}"
                       for f, mark in zip(finding.inputs, input_marks))
    if finding.expected is None:  # a finding about words: what is written, and what it should say
        grounds = f"，依据：{inputs}" if inputs else ""
        should = f"，应为“{finding.should_be}”" if finding.rule in _CORRECTED else ""
        return (f"【{finding.rule_name}】{title}：{finding.detail}。原文“{finding.stated.text}”{stated_mark}"
                f"{should}{grounds}（{finding.severity}）。")
    return (f"【{finding.rule_name}】{title}：{finding.stated.label} 所述为 {finding.stated.text}"
            f"{finding.stated.unit}{stated_mark}，按 {inputs} 应为 {_number(finding.expected)}{finding.unit}，"
            f"相差 {_number(finding.difference)}{finding.unit}（{finding.severity}）。{finding.detail}。")


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:,.4f}".rstrip("0").rstrip(".")


def _should_be(finding: Finding) -> str:
    return finding.should_be if finding.expected is None else _number(finding.expected)


def _mentions(finding: Finding, metrics: Sequence[str]) -> bool:
    labels = [finding.stated.label, *(f.label for f in finding.inputs), finding.detail]
    return any(m.replace("(境)", "") in label for m in metrics for label in labels)


def _documents(slots: Slots, question: str, engine: Engine, visibility: Sequence[str],
               history: Sequence[Answer]) -> list[tuple[str, str]]:
    d = db.documents.c
    query = select(d.id, d.title).where(d.status == "complete", d.visibility.in_(tuple(visibility)))
    named = bool(slots.localities or slots.years)
    if slots.localities:
        query = query.where(d.locality.in_(slots.localities))
    if slots.years:
        query = query.where(d.year.in_(slots.years))
    if not named and (cited := _last_cited(history)):
        query = query.where(d.id.in_(cited))
    for kind in ("决算", "预算"):
        if kind in question:
            query = query.where(d.doc_type.contains(kind))
            break
    with engine.connect() as conn:
        rows = conn.execute(query.add_columns(d.unit_name).order_by(d.locality, d.year).limit(MAX_DOCS)).all()
    named_unit = [r for r in rows if r.unit_name and r.unit_name in question]
    return [(r.id, r.title) for r in named_unit or rows]


def _last_cited(history: Sequence[Answer]) -> list[str]:
    for previous in reversed(history):
        if previous.citations:
            return list(dict.fromkeys(c.doc_id for c in previous.citations))
    return []
