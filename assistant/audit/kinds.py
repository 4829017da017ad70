"""Table kinds: which standard disclosure table a title names, and which a document must publish.

The kinds, their title patterns and the required lists per document kind are data
(`required_tables.yaml`, with the 财政部 rules they follow), not code.

>>> kind_of("公开 05 表：财政拨款支出预算表").id, kind_of("2023年部门“三公”经费和机关运行经费预算表").id
('appropriation', 'three_public')
>>> kind_of("十、2017 年度江苏省高级人民法院部门一般公共预算机关运行经费支出预算表").id
'running_costs'
>>> kind_of("项目名称") is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

DATA = Path(__file__).with_name("required_tables.yaml")
_NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|\d+\s*[、.．]|[（(][一二三四五六七八九十\d]+[）)]|公开\s*\d+\s*表\s*[:：]?|"
    r"表\s*\d+\s*[:：]?|附表\s*\d*\s*[:：]?)")
_YEAR = re.compile(r"^\d{4}年度?")
_QUOTES = re.compile(r"[\s“”\"'‘’「」《》]")


@dataclass(frozen=True)
class Kind:
    id: str
    name: str
    match: re.Pattern[str]
    exclude: re.Pattern[str] | None
    metrics: tuple[str, ...]


@dataclass(frozen=True)
class Required:
    kind: str  # a Kind id
    name: str  # the table's name in the rules, for messages
    since: int | None  # first fiscal year the table is required for


def normalise_title(title: str) -> str:
    """A title without spaces, quotes, its numbering or a leading year.

    >>> normalise_title("九、2018 年江苏省高级人民法院“三公”经费支出预算表")
    '江苏省高级人民法院三公经费支出预算表'
    """
    text = _QUOTES.sub("", title)
    text = _NUMBERING.sub("", text)
    return _YEAR.sub("", text)


@cache
def _data() -> dict:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


@cache
def kinds() -> tuple[Kind, ...]:
    return tuple(
        Kind(k["id"], k["name"], re.compile(k["match"]),
             re.compile(k["exclude"]) if k.get("exclude") else None, tuple(k.get("metrics", ())))
        for k in _data()["kinds"])


def kind_of(title: str) -> Kind | None:
    """The first kind whose pattern finds the title (and whose exclusion does not)."""
    text = normalise_title(title)
    if not text:
        return None
    for kind in kinds():
        if kind.match.search(text) and not (kind.exclude and kind.exclude.search(text)):
            return kind
    return None


def kind_by_id(kind_id: str) -> Kind:
    return next(k for k in kinds() if k.id == kind_id)


def required_tables(doc_type: str | None, year: int | None) -> tuple[Required, ...]:
    """The tables a document of this type and year must publish (none for other types)."""
    for kind, entries in _data()["required"].items():
        if doc_type and kind in doc_type:
            return tuple(Required(e["kind"], e["name"], e.get("since")) for e in entries
                         if not (e.get("since") and (year is None or year < e["since"])))
    return ()


def source() -> str:
    """The rules the required lists follow, for messages: '财政部《…》（财预〔2016〕143号）'."""
    s = _data()["source"]
    return f"{s['by']}《{s['title']}》（{s['number']}）"
