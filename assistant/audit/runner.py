"""Run every check on a document: `audit(doc_id) -> list[Finding]`, each with its citations."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from sqlalchemy import Engine, select

from assistant.audit.completeness import check_completeness
from assistant.audit.cross_table import check_cross_table
from assistant.audit.crosscheck import check_crosscheck
from assistant.audit.findings import Finding
from assistant.audit.load import AuditDoc, load_doc
from assistant.audit.parts import check_parts
from assistant.audit.prose_total import check_prose_total
from assistant.audit.stated import check_stated
from assistant.audit.tables import check_tables
from assistant.audit.template import check_template
from assistant.audit.wording import check_wording
from assistant.audit.years import check_years
from assistant.sources import cite
from gongkai import db
from gongkai.db import get_engine
from gongkai.errors import UserFacingError
from gongkai.settings import Settings, get_settings
from ingest.tables.scanned import is_unsure

# The checks, in the order their findings are listed; a relation two checks both see is
# reported once, by the first.
CHECKS: tuple[tuple[str, Callable[[AuditDoc], list[Finding]]], ...] = (
    ("表格合计与分项", check_tables),
    ("三公经费、基本支出构成与收支平衡", check_parts),
    ("所述增减、完成率与占比", check_stated),
    ("正文与表格一致", check_crosscheck),
    ("正文总计与总表", check_prose_total),
    ("表与表之间同一数字", check_cross_table),
    ("文字所述大小、增减与数字", check_wording),
    ("年份", check_years),
    ("表格齐全", check_completeness),
    ("模板残留与录入错误", check_template),
)
CHECK_NAMES = tuple(name for name, _ in CHECKS)
EVERYONE = ("public", "official")


class AuditError(UserFacingError):
    code = "audit"


def _engine(settings: Settings | None, engine: Engine | None) -> Engine:
    return engine or get_engine((settings or get_settings()).database_url)


def audit(doc_id: str, *, settings: Settings | None = None, engine: Engine | None = None,
          visibility: Sequence[str] = EVERYONE) -> list[Finding]:
    """The findings of one stored document, in text order of the stated figure."""
    engine = _engine(settings, engine)
    d = db.documents.c
    with engine.connect() as conn:
        seen = conn.execute(select(d.visibility).where(d.id == doc_id, d.status == "complete")).first()
    if seen is None or seen.visibility not in visibility:
        raise AuditError(f"没有找到文件 {doc_id}。")
    doc = load_doc(engine, doc_id)
    findings: list[Finding] = []
    claimed: set[tuple] = set()
    unsure = _unsure_spans(doc)
    for _, run in CHECKS:
        for finding in run(doc):
            if _rests_on(finding, unsure):
                continue  # a misreading of the scan, more likely than an error of the disclosure
            key = (finding.stated.start, frozenset(f.start for f in finding.inputs), finding.should_be)
            if key in claimed:
                continue
            claimed.add(key)
            findings.append(_cited(engine, finding))
    return sorted(findings, key=lambda f: f.stated.start)


def _unsure_spans(doc: AuditDoc) -> set[tuple[int, int]]:
    """Spans of the cells recognised from a scan that are suspect or of low confidence."""
    return {
        (cell.start, cell.end)
        for table in doc.tables
        for row in table.rows
        for cell in row.cells
        if is_unsure(cell)
    }


def _rests_on(finding: Finding, unsure: set[tuple[int, int]]) -> bool:
    """Whether a finding rests on an unsure recognised cell (it proves nothing of the disclosure)."""
    return any((f.start, f.end) in unsure for f in (finding.stated, *finding.inputs))


def _cited(engine: Engine, finding: Finding) -> Finding:
    spans = [finding.stated, *finding.inputs]
    return replace(finding, citations=tuple(
        cite(engine, finding.doc_id, f.start, f.end, widen=False) for f in spans))


def audit_all(*, settings: Settings | None = None, engine: Engine | None = None,
              visibility: Sequence[str] = EVERYONE, doc_ids: Sequence[str] = ()) -> dict[str, list[Finding]]:
    """Findings per document, for every complete document the user may see (or those named)."""
    engine = _engine(settings, engine)
    d = db.documents.c
    query = select(d.id).where(d.status == "complete", d.visibility.in_(visibility)).order_by(d.filename)
    with engine.connect() as conn:
        ids = list(doc_ids) or [row.id for row in conn.execute(query)]
    return {doc_id: audit(doc_id, engine=engine, visibility=visibility) for doc_id in ids}
