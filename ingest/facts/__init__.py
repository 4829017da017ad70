"""Facts: every figure a document states, with its metric, unit, scope, year and exact span.

`extract_facts(doc, tables)` reads figures from sentences outside the tables and from prose cells
(`prose`, with `sentences` and `clauses`) and from the tables' numeric cells (`from_tables`, with
`cells`); `units` reads units, scopes and years. Each fact's span is exactly the number as
printed: `doc.text[fact.start:fact.end] == fact.text`. Metrics come from `ingest.vocab`.
"""

from __future__ import annotations

from collections.abc import Sequence

from gongkai.types import Document, Fact, Table
from ingest.facts.from_tables import extract_table_facts
from ingest.facts.prose import extract_prose_facts

__all__ = ["extract_facts"]


def extract_facts(doc: Document, tables: Sequence[Table]) -> list[Fact]:
    """All facts of a document in text order; one fact per printed number."""
    facts = extract_prose_facts(doc, tables) + extract_table_facts(doc, tables)
    seen: set[tuple[int, int]] = set()
    unique = []
    for fact in sorted(facts, key=lambda fact: (fact.start, fact.end)):
        if (fact.start, fact.end) not in seen:
            seen.add((fact.start, fact.end))
            unique.append(fact)
    return unique
