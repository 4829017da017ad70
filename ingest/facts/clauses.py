"""The words of a clause before a figure: its measure, its subject, its dates.

Hand-written: the patterns are a closed vocabulary of Chinese fiscal prose (较上年增加, 占…的,
完成年初预算的 …) that no parser knows, and they work on whitespace-free text.
"""

from __future__ import annotations

import re

from ingest.facts.sentences import ENUMERATOR
from ingest.vocab import strip_fillers

OPENING, CLOSING = "（([【{", "）)]】}"

_CHANGE = re.compile(
    r"(?P<verb>增加|减少|增长|下降|降低|上升|节约|节省|压减|缩减|调减|调增|增|减|增幅|降幅|增长率|下降率)"
    r"了?(?:为|达|是)?$"
)

# A change verb with its object before the number; not a new level ('增加到', '增加至', '增加值').
_CHANGE_BEFORE_OBJECT = re.compile(
    r"(?P<verb>增加|减少|增长|下降|降低|压减|缩减|调减|调增|节约|节省)了?(?![至到为达值])"
    r"(?P<object>[^，,；;：:增减]{2,30})$"
)

# '本年数小于上年预算数 29.65 万元': a change said by comparison with its base named after the verb
_COMPARED_WITH_BASE = re.compile(
    r"(?:本年数?|本年度|今年)?(?P<verb>小于|低于|少于|大于|高于|多于|超出|超过)"
    r"(?:上年度?|去年|上一年度?|(?:19|20)\d{2}年度?|年初)(?:预算执行数|预算数?|执行数|决算数?|数)?$"
)

_DECREASE = ("减少", "下降", "降低", "节约", "节省", "压减", "缩减", "调减", "减", "降幅", "下降率",
             "小于", "低于", "少于")

_COMPARATOR = re.compile(
    r"(比|较|与|同比|相比)(上年度?|去年|上一年度?|(19|20)\d{2}年度?|年初预算|预算|计划)?"
    r"(同期)?(预算执行数|执行数|决算数?|预算数?|数)?(相比|比较|同期)?"
)

ASIDE = re.compile(r"[（(][^（()）]*[，,、][^（()）]*[）)]")  # '（上一年度，下同）'

_COMPLETION = re.compile(
    r"(完成|达到|为)了?(年初|全年|调整后)?(预算|计划|目标)(数)?的?$|执行率(为|达)?$"
)

_CUT_BEFORE = re.compile(r".*(主要原因是|原因是|主要是|主要为|主要用于|中的|其中|包括)")

_TITLE = re.compile(r"《[^《》]*》")

_LEADING = re.compile(
    r"^(?:[、，,：:；;\-—~\s]|[一二三四五六七八九十]是|其中|含|另外|此外|另|全年|累计|共计|共|合计|全部为|总共)+"
)

_TRAILING = re.compile(r"(?:[为是达约共:：、，,\s]|共计|达到|约为|分别为|分别是)+$")

_PURE_YEAR = re.compile(r"(截至|截止到?|至)?(19|20)\d{2}年(度|底|末|初)?(?!\d{1,2}月)")

_SINGLE_MONTH = re.compile(r"(19|20)\d{2}年\d{1,2}月(份|底|末)?")

_ANY_DATE = re.compile(
    r"(截至|截止到?)?(19|20)\d{2}年(\d{1,2}(-\d{1,2})?月(份|底|末)?)?(\d{1,2}日)?(度|底|末)?"
)

_INLINE_ENUMERATOR = re.compile(
    r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})、|[（(][一二三四五六七八九十\d]{1,2}[）)]"
)

EXPLICIT = re.compile(r"(19|20)\d{2}\s*年|本部门|本单位|我单位|我局|本局")

_OWN_UNIT = re.compile(r"^(本部门|本单位|我单位|我局|本局|我中心|本中心|我办|本办)")

_GENERIC = re.compile(
    r"(支出|收入|金额|资金|费用|经费|数额|执行|实际|完成|安排|当年|全年|总额|年|数|情况|的)"
)


def squeeze(text: str) -> str:
    """Text without whitespace: OCR and PDF wrapping put spaces and breaks inside words."""
    return re.sub(r"\s+", "", text)


def measure_of(phrase: str, unit: str) -> tuple[str, bool, str]:
    """(measure, is a decrease, the words naming the subject) of the clause before a number."""
    if unit == "%" and re.match(r"^[、，,\s]*占", phrase):
        return "share", False, ""
    if unit == "%" and (completion := _COMPLETION.search(phrase)):
        return "completion", False, phrase[: completion.start()]
    change = _CHANGE.search(phrase)
    if change and (change.group("verb") not in ("增", "减") or _COMPARATOR.search(phrase)):
        measure = "change_pct" if unit == "%" else "change"
        return (
            measure,
            change.group("verb") in _DECREASE,
            _COMPARATOR.sub("", phrase[: change.start()]),
        )
    if compared := _COMPARED_WITH_BASE.search(phrase):
        measure = "change_pct" if unit == "%" else "change"
        return measure, compared.group("verb") in _DECREASE, phrase[: compared.start()]
    inside = _CHANGE_BEFORE_OBJECT.search(phrase)
    if inside:
        # '基本支出增加养老保险缴费等 1447.63 万元' changes 基本支出 (its cause follows the verb);
        # '…等原因，增加基本支出 844.15 万元' changes 基本支出 (the verb comes first).
        measure = "change_pct" if unit == "%" else "change"
        before = _COMPARATOR.sub("", phrase[: inside.start()])
        words = before if clean_subject(before) else inside.group("object")
        return measure, inside.group("verb") in _DECREASE, words
    return "value", False, phrase


def clean_subject(phrase: str) -> str:
    """The metric words of a clause: without list markers, leading fillers, years and trailing verbs."""
    text = _CUT_BEFORE.sub("", _TITLE.sub("", phrase))  # a cited 《…表》 is no subject
    text = _INLINE_ENUMERATOR.split(text)[-1] or text  # '…使用情况 1、基本支出 全年基本支出'
    text = ENUMERATOR.sub("", text)
    last_year = None
    for last_year in _PURE_YEAR.finditer(text):
        pass
    if last_year is not None and last_year.end() < len(text):
        text = text[last_year.end() :]
    previous = None
    while previous != text:
        previous = text
        text = _LEADING.sub("", text)
        text = _OWN_UNIT.sub("", text)
        text = _TRAILING.sub("", text)
    return text


def is_generic(words: str) -> bool:
    """True when the words name no subject of their own ('支出决算', '费用', '年初预算数')."""
    return not _GENERIC.sub("", strip_fillers(words))


def inside_brackets(before: str) -> bool:
    depth = 0
    for char in before:
        if char in OPENING:
            depth += 1
        elif char in CLOSING and depth:
            depth -= 1
    return depth > 0


def dated(raw: str, before: str) -> str:
    """Prefix a single month ('2023年12月') the sentence dates its figures by: a month is no year."""
    dates = [match for match in _ANY_DATE.finditer(squeeze(before)) if match.group(3)]
    if dates and _SINGLE_MONTH.fullmatch(
        dates[-1].group().removeprefix("截至").removeprefix("截止")
    ):
        return f"{dates[-1].group()} {raw}"
    return raw
