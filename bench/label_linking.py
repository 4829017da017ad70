"""`python -m bench.label_linking --data-dir DIR`: the similarity threshold of label linking, measured.

Linking's last step (`assistant.linking`, `vectorstore.label_index`) links words nothing else
explains to the nearest stored label by the embedding model's cosine. This prints precision and
recall of that step over thresholds on two sets of (phrase → expected stored label) pairs:

- leftover words of the blind set's non-holdout questions (never the holdout's): every phrase
  linking looks up by meaning while the question is understood as `ask()` understands it, with
  the labels the question's expected figures are stored under (rows of the expected document
  holding the expected value) as what a link may reach. A phrase of a question whose item no
  other term names should be linked (it counts for recall); a link to a label no expected figure
  is stored under is wrong whatever the phrase, since it would state another row's figure.
- the vocabulary's colloquial words these questions use ('开会', '出差', '公车'): each word alone
  against the stems the vocabulary links it to, as if the vocabulary did not know it.

DIR must hold the blind set's documents ingested (`python -m ingest samples … --data-dir DIR`).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from assistant.catalog import Catalog, load_catalog
from assistant.understand import ASKED_WORDS, understand
from bench.blind import BlindItem, doc_stems, load_items
from gongkai import db
from gongkai.settings import get_settings
from vectorstore import label_index
from vectorstore.label_index import LabelIndex, Neighbour, build_label_index

THRESHOLDS = (0.50, 0.80, 0.90, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99)


@dataclass(frozen=True)
class Pair:
    """A phrase linking looks up by meaning, what it may be linked to, and its neighbour."""

    source: str  # 'leftover' | 'vocabulary'
    item: str  # blind item id
    phrase: str
    expected: frozenset[str]  # label stems a link may reach; empty: any link is wrong
    should_link: bool  # counts for recall: nothing else names the expected item
    nearest: Neighbour | None

    @property
    def asked(self) -> str:
        """What recall counts: a leftover question once, however many phrases it leaves."""
        return self.item if self.source == "leftover" else self.phrase


def expected_stems(item: BlindItem, engine, stems_of_docs: dict[str, str]) -> frozenset[str]:
    """Stems of the stored rows holding an expected figure's value in its expected document."""
    ids = {stem: doc_id for doc_id, stem in stems_of_docs.items()}
    f = db.facts.c
    found: set[str] = set()
    with engine.connect() as conn:
        for figure in item.figures:
            doc_id = ids.get(figure.doc or "")
            if doc_id is None:
                continue
            rows = conn.execute(select(f.label_stem, f.value, f.value_yuan, f.unit)
                                .where(f.doc_id == doc_id, f.label_stem != "")).all()
            for amount in (figure.amount, *figure.alternatives):
                found |= {r.label_stem for r in rows if _holds(r, amount)}
    return frozenset(found)


def _holds(row, amount) -> bool:
    if amount.family == "money":
        return row.value_yuan is not None and abs(Decimal(str(row.value_yuan)) - abs(amount.base())) <= amount.step()
    return abs(Decimal(str(row.value)) - abs(amount.value)) <= amount.step()


def leftover_pairs(items: Sequence[BlindItem], catalog: Catalog, index: LabelIndex, engine,
                   stems_of_docs: dict[str, str]) -> list[Pair]:
    """Every phrase looked up by meaning while each item's turns are understood, no link made."""
    looked_up: list[tuple[str, tuple[Neighbour, ...]]] = []
    nearest = index.nearest

    def recording(phrases: Sequence[str], k: int = 3) -> list[tuple[Neighbour, ...]]:
        found = nearest(phrases, k)
        looked_up.extend(zip(phrases, found, strict=True))
        return found

    index.nearest = recording  # type: ignore[method-assign]
    saved = dict(label_index.SIMILAR_AT)
    label_index.SIMILAR_AT.clear()  # no model measured: nothing linked, every phrase looked up
    pairs = []
    try:
        for item in items:
            looked_up.clear()
            previous, named = None, set()
            for turn in item.turns:
                previous = understand(turn, catalog, previous)
                named |= {s for i in previous.items for s in i.stems}
            expected = expected_stems(item, engine, stems_of_docs)
            unnamed = bool(expected) and not named & expected and not item.expect_none
            pairs += [Pair("leftover", item.id, phrase, expected, unnamed, found[0] if found else None)
                      for phrase, found in looked_up]
    finally:
        index.nearest = nearest  # type: ignore[method-assign]
        label_index.SIMILAR_AT.update(saved)
    return pairs


def vocabulary_pairs(items: Sequence[BlindItem], catalog: Catalog, index: LabelIndex, engine) -> list[Pair]:
    """The colloquial words of the vocabulary (`understand.ASKED_WORDS`) the questions use, each
    alone against the stems of every stored figure the vocabulary counts as its metric."""
    seen: dict[str, Pair] = {}
    for item in items:
        for turn in item.turns:
            for term in understand(turn, catalog).items:
                if term.how != "metric" or term.text not in ASKED_WORDS or term.text in seen:
                    continue
                stored = metric_stems(engine, term.metric) & set(catalog.labels)
                if stored:
                    found = index.nearest([term.text])[0]
                    seen[term.text] = Pair("vocabulary", item.id, term.text, frozenset(stored), True,
                                           found[0] if found else None)
    return list(seen.values())


def metric_stems(engine, metric: str) -> set[str]:
    f = db.facts.c
    with engine.connect() as conn:
        return set(conn.execute(select(f.label_stem).where(f.metric == metric).distinct()).scalars())


@dataclass(frozen=True)
class Row:
    threshold: float
    links: int
    right: int
    should: int
    reached: int

    @property
    def precision(self) -> float:
        return self.right / self.links if self.links else 1.0

    @property
    def recall(self) -> float:
        return self.reached / self.should if self.should else 0.0


def score(pairs: Sequence[Pair], threshold: float) -> Row:
    linked = [p for p in pairs if p.nearest is not None and p.nearest.score >= threshold]
    right = [p for p in linked if p.nearest.stem in p.expected]
    return Row(threshold, len(linked), len(right), len({p.asked for p in pairs if p.should_link}),
               len({p.asked for p in right if p.should_link}))


def table(pairs: Sequence[Pair], thresholds: Sequence[float]) -> str:
    sources = ("leftover", "vocabulary")
    head = "| threshold | " + " | ".join(f"{s}: links | right | precision | recall" for s in sources)
    lines = [head + " |", "|---:|" + "---:|" * 4 * len(sources)]
    for t in thresholds:
        cells = []
        for source in sources:
            row = score([p for p in pairs if p.source == source], t)
            cells.append(f"{row.links} | {row.right} | {row.precision:.2f} | {row.reached}/{row.should}")
        lines.append(f"| {t:.2f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.label_linking", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="a store holding the blind set's documents")
    parser.add_argument("--labels-as", choices=("query", "passage"), default="query",
                        help="embed the stored labels as queries (as linking does) or as passages")
    parser.add_argument("--show", action="store_true", help="list every pair with its nearest label")
    args = parser.parse_args(argv)
    settings = get_settings(data_dir=args.data_dir)
    engine = db.get_engine(settings.database_url)
    catalog = load_catalog(engine)
    index = catalog.label_index()
    if index is None:
        raise SystemExit("no embedding model loads: nothing to measure")
    if args.labels_as == "passage":
        index = build_label_index(catalog.labels, index.embedder, engine, queries=False)
        object.__setattr__(catalog, "_label_index", [index])
    items = load_items(holdout=False)
    stems_of_docs = doc_stems(settings)
    pairs = leftover_pairs(items, catalog, index, engine, stems_of_docs) + vocabulary_pairs(items, catalog, index, engine)
    print(f"{len(catalog.labels)} stored labels; {len(items)} non-holdout questions; labels embedded as "
          f"{args.labels_as}; model {index.embedder.name}, linking at cosine >= "
          f"{label_index.similar_at(index.embedder.name)}\n")
    print(table(pairs, THRESHOLDS))
    if args.show:
        for p in sorted(pairs, key=lambda p: -(p.nearest.score if p.nearest else 0)):
            near = f"{p.nearest.label} {p.nearest.score:.3f}" if p.nearest else "-"
            mark = "ok" if p.nearest and p.nearest.stem in p.expected else "  "
            print(f"{mark} {p.source:10} {p.item:12} {p.phrase} → {near} | should={p.should_link} "
                  f"expected={sorted(p.expected)[:4]}")


if __name__ == "__main__":
    main()
