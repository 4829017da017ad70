"""Describe a document: title, locality, issuing unit, fiscal year, kind and publication date.

Everything is inferred from the text (mostly its first ~2000 characters: title lines, metadata
fields such as 发布机构 / 生成日期, and the unit's name where it recurs); `overrides` from the CLI
('locality', 'unit_name', 'year', 'doc_type', 'title', 'published') win over inference.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from gongkai.errors import IngestError
from gongkai.types import DocumentMeta, Locality
from ingest.describe._text import HEAD_CHARS, SCAN_CHARS, clean_line, squeeze_cjk
from ingest.describe.doctype import document_scope, document_type
from ingest.describe.headers import (
    Field,
    header_fields,
    is_field_line,
    published_date,
    unit_field_values,
)
from ingest.describe.locality import locality_from, most_mentioned_locality, parse_locality
from ingest.describe.title import TitleFound, find_title, is_caption
from ingest.describe.unit import first_unit, most_frequent_unit, unit_kind
from ingest.describe.year import fiscal_year

__all__ = ["OVERRIDE_KEYS", "describe", "parse_locality"]

OVERRIDE_KEYS = ("locality", "unit_name", "year", "doc_type", "title", "published")


@dataclass(frozen=True)
class _Head:
    """What the text's first part offers: fields, title lines, the title, the scan window."""

    fields: list[Field]
    lines: list[str]  # cleaned non-empty lines, metadata lines removed
    title: TitleFound | None
    scan: str  # the first SCAN_CHARS characters


def _read_head(text: str) -> _Head:
    raw_lines = text[:HEAD_CHARS].splitlines()
    lines = [clean_line(raw) for raw in raw_lines if raw.strip() and not is_field_line(raw)]
    lines = [line for line in lines if line]
    return _Head(header_fields(raw_lines), lines, find_title(lines), text[:SCAN_CHARS])


def describe(
    text: str, *, path: str = "", overrides: Mapping[str, object] | None = None
) -> DocumentMeta:
    """Infer the document's metadata; non-None `overrides` win (a locality string is parsed)."""
    given = _checked_overrides(overrides)
    head = _read_head(text)
    printed_title = head.title.text if head.title else ""

    unit_name = given.get("unit_name") or _infer_unit(head, printed_title)
    locality = given.get("locality") or _infer_locality(head, printed_title, unit_name)
    year = given.get("year") or fiscal_year(printed_title, head.scan, file_stem=Path(path).stem)
    doc_type = given.get("doc_type") or document_type(printed_title, head.scan)
    published = given.get("published") or published_date(head.fields, _cover_lines(head))
    made_title = _fallback_title(unit_name, locality, year, doc_type, path)
    if is_caption(printed_title) and unit_name:  # a tables-only file: its first caption says little
        printed_title = ""
    title = given.get("title") or printed_title or made_title
    return DocumentMeta(
        title=title,
        locality=locality,
        unit_name=unit_name,
        unit_kind=unit_kind(unit_name) if unit_name else None,
        year=year,
        doc_type=doc_type,
        published=published,
        scope=document_scope(printed_title or title, text),
    )


def _checked_overrides(overrides: Mapping[str, object] | None) -> dict[str, object]:
    """Overrides with None dropped, the year made an int and a locality string parsed."""
    given = {k: v for k, v in (overrides or {}).items() if v is not None and v != ""}
    unknown = set(given) - set(OVERRIDE_KEYS)
    if unknown:
        raise ValueError(f"unknown describe overrides {sorted(unknown)}; allowed: {OVERRIDE_KEYS}")
    if "year" in given:
        given["year"] = _override_year(given["year"])
    if isinstance(given.get("locality"), str):
        given["locality"] = parse_locality(str(given["locality"]))
    elif "locality" in given and not isinstance(given["locality"], Locality):
        raise ValueError("the locality override must be a str or a Locality")
    for key in ("unit_name", "doc_type", "title", "published"):
        if key in given:
            given[key] = str(given[key]).strip()
    return given


def _override_year(value: object) -> int:
    try:
        year = int(str(value).strip().removesuffix("年度").removesuffix("年"))
    except ValueError:
        year = 0
    if not 1990 <= year <= 2100:
        raise IngestError(
            f"年份“{value}”无效，请填写四位年份，例如 2023。", detail=f"bad year override {value!r}"
        )
    return year


def _infer_unit(head: _Head, title: str) -> str | None:
    """The unit named by the title, else by a unit field, else the one recurring most."""
    titled = first_unit(title, allow_placeless=True) if title else None
    if titled and titled.has_place:
        return titled.name
    for value in unit_field_values(head.fields):
        if unit := first_unit(value, allow_placeless=True):
            return unit.name
    if titled:
        return titled.name
    return most_frequent_unit(head.scan.splitlines())


def _infer_locality(head: _Head, title: str, unit_name: str | None) -> Locality | None:
    """The place of the unit, else of the title, else of a field value, else the most mentioned."""
    sources = [unit_name or "", title, *unit_field_values(head.fields)]
    for source in sources:
        if source and (found := locality_from(source, context=head.scan)):
            return found
    return most_mentioned_locality(head.scan)


def _cover_lines(head: _Head) -> list[str]:
    """Lines right after the title, where a cover page prints its date."""
    if head.title is None:
        return head.lines[:3]
    return head.lines[head.title.last_line + 1 : head.title.last_line + 3]


def _fallback_title(
    unit_name: str | None,
    locality: Locality | None,
    year: int | None,
    doc_type: str | None,
    path: str,
) -> str:
    """Without a printed title: '<unit> <year>年 <kind>', else the file name."""
    who = unit_name or (locality.full if locality else "")
    parts = [part for part in (who, f"{year}年" if year else "", doc_type or "") if part]
    if who and len(parts) > 1:
        return " ".join(parts)
    return squeeze_cjk(Path(path).stem) if path else " ".join(parts)
