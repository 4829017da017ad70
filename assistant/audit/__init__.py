"""Consistency checks of the disclosures' own figures: totals, parts, stated changes and shares.

`audit(doc_id)` reads the stored tables and facts of a document (nothing is parsed again) and
returns `Finding`s, each naming the stated figure, the figures that contradict it, the value they
imply, the difference and a severity, with a citation of every figure's exact characters.
"""

from assistant.audit.findings import RULES, Figure, Finding
from assistant.audit.runner import CHECK_NAMES, AuditError, audit, audit_all

__all__ = ["CHECK_NAMES", "RULES", "AuditError", "Figure", "Finding", "audit", "audit_all"]
