"""The document's main kind (预算 / 决算 / 项目文本 / 绩效目标 / 绩效自评) from its title words."""

from __future__ import annotations

import re

from ingest.describe._text import normalize, squeeze_cjk

BUDGET, FINAL_ACCOUNTS, PROJECT_TEXT = "预算", "决算", "项目文本"
PERFORMANCE_TARGETS, SELF_EVALUATION = "绩效目标", "绩效自评"

# Title words → kind, most specific first: a 项目支出绩效自评表 is a self-evaluation, and a
# 部门预算重点领域财政项目文本 is a project text, though both name other kinds too.
TITLE_WORDS: tuple[tuple[str, str], ...] = (
    ("自评", SELF_EVALUATION),
    ("绩效目标", PERFORMANCE_TARGETS),
    ("项目文本", PROJECT_TEXT),
    ("决算", FINAL_ACCOUNTS),
    ("预算", BUDGET),
)
# A project text states why the project exists; a title ending in 项目 plus this means 项目文本.
_PROJECT_MARKERS = ("立项依据",)
_PROJECT_TITLE = re.compile(r"项目\s*$")


def type_from_title(title: str, text: str = "") -> str | None:
    """The kind the title names; '…经费项目' titles count as 项目文本 when the text has 立项依据."""
    title = squeeze_cjk(normalize(title))
    for word, kind in TITLE_WORDS:
        if word in title:
            return kind
    if _PROJECT_TITLE.search(title) and any(marker in text for marker in _PROJECT_MARKERS):
        return PROJECT_TEXT
    return None


def type_from_text(text: str) -> str | None:
    """Without a telling title: 项目文本 if it states 立项依据, else 决算 or 预算 by frequency."""
    text = squeeze_cjk(normalize(text))
    if any(marker in text for marker in _PROJECT_MARKERS) and "项目名称" in text:
        return PROJECT_TEXT
    if "自评" in text and "绩效" in text and text.count("自评") >= 2:
        return SELF_EVALUATION
    finals, budgets = text.count("决算"), text.count("预算")
    if finals or budgets:
        # Final accounts keep naming 预算 (一般公共预算…决算表, 年初预算数), so 决算 weighs double.
        return FINAL_ACCOUNTS if 2 * finals >= budgets else BUDGET
    return None


def document_type(title: str, text: str) -> str | None:
    """The main kind from the title, else from the text's words."""
    return type_from_title(title, text) or type_from_text(text)


DEPARTMENT, UNIT = "部门", "单位"
# '部门预算' covers a department and its subordinate units; '单位预算' one unit alone. A title
# may say both ('…政务服务中心单位部门决算'): the department's word wins, as it names the kind.
_SCOPE_WORDS = ((re.compile(r"部门(?:综合)?(?:预算|决算)"), DEPARTMENT),
                (re.compile(r"单位(?:预算|决算)"), UNIT))


def document_scope(title: str, text: str) -> str:
    """部门 or 单位, from the title's words, else from the opening text; '' when neither says."""
    for source in (squeeze_cjk(normalize(title)), squeeze_cjk(normalize(text[:3000]))):
        for pattern, scope in _SCOPE_WORDS:
            if pattern.search(source):
                return scope
    return ""
