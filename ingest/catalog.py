"""The names of what is stored, in the form questions are matched against.

A row of a table is printed '行政运行（项）', '30211 差旅费', '“三公”经费'; prose names the same
item '人大事务（款）行政运行（项）支出' or '差旅费支出'. `item_label` picks the item's own name out of
such a phrase (the deepest 类/款/项 part) and its parents; `label_stem` folds width, brackets,
quotes, classification suffixes and the money endings (支出 / 经费 / 费用 / 费) away, so every way
of printing one item has one stem: the key of the catalog, stored with every figure.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Money endings an item's name may carry or drop, longest first ('差旅费支出' → '差旅').
ENDINGS = ("支出", "经费", "费用", "资金", "费")
_CLASS_SUFFIX = re.compile(r"[（(]\s*[类款项]\s*[）)]")
_CODE = re.compile(r"^\s*\d{3,9}\s*")
_QUOTES = re.compile(r"[“”\"'‘’「」《》【】\s]")
_PARTS = re.compile(r"\s*/\s*|[（(]\s*[类款项]\s*[）)]")
# Stems too general to name an item on their own.
GENERIC_STEMS = frozenset(
    "合计 小计 总计 其中 其他 项目 科目 金额 收入 支出 本年 上年 预算 决算 基本 人员 公用 一般公共预算 "
    "财政拨款 收支总计 合计数 本级".split()
)


@lru_cache(maxsize=65536)  # pure, and called per stored label and question word on every answer
def fold(text: str) -> str:
    """Width folded (NFKC), quotes and spaces dropped, brackets made ASCII."""
    return _QUOTES.sub("", unicodedata.normalize("NFKC", text))


@lru_cache(maxsize=65536)
def label_stem(label: str) -> str:
    """'行政运行（项）' → '行政运行'; '差旅费支出' → '差旅'; '“三公”经费' → '三公'; '30211差旅费' → '差旅'."""
    text = _CLASS_SUFFIX.sub("", fold(label))
    text = _CODE.sub("", text)
    text = re.sub(r"^(?:\d+|[一二三四五六七八九十]+)[、.．]\s*|^[(][一二三四五六七八九十\d]+[)]\s*", "", text)
    text = re.sub(r"(?<=[\u4e00-\u9fff])\s*[A-Z]$", "", text)  # a 政府采购 category's letter ('货物 A')
    text = re.sub(r"[:：]$", "", text)
    if len(text) >= 3 and text.endswith("类"):  # '服务类' is the category 服务
        text = text[:-1]
    changed = True
    while changed:  # '公务接待费支出' drops both endings
        changed = False
        for ending in ENDINGS:
            if text.endswith(ending) and len(text) - len(ending) >= 2:
                text, changed = text[: -len(ending)], True
                break
    return text


_MARKED = re.compile(r"[^（()）/]+?[（(]\s*[类款项]\s*[）)]")


def item_label(phrase: str) -> tuple[str, tuple[str, ...]]:
    """The item a phrase names and the parents before it:
    '人大事务（款）行政运行（项）支出' → ('行政运行', ('人大事务',)); in a 类/款/项 chain the
    deepest classified part is the item, whatever words follow it ('…政务公开审批（项） 年初预算')."""
    folded = fold(phrase)
    marked = [m.group() for m in _MARKED.finditer(folded)]
    if marked:
        names = [_CLASS_SUFFIX.sub("", m).strip(" /") for m in marked]
        names = [n for n in names if n]
        if names:
            return names[-1], tuple(names[:-1])
    parts = [p for p in (part.strip() for part in _PARTS.split(folded)) if p]
    parts = [p for p in parts if label_stem(p) and p not in ("支出", "收入")]
    if not parts:
        return "", ()
    return parts[-1], tuple(parts[:-1])


def is_specific(stem: str) -> bool:
    """A stem that names an item by itself (not '合计', not one character)."""
    return len(stem) >= 2 and stem not in GENERIC_STEMS
