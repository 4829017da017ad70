"""`python -m bench.query`: latency of the SQL route (p50/p95) over the samples and larger corpora.

The SQL route is timed end to end as a user meets it: the catalog of stored places and years (as
ask() reads it: cached per corpus version, which each question checks), understanding the question,
building the SQL, the guard, the read-only run and composing the cited answer. Wall-clock and CPU
milliseconds are both reported: CPU time shows the work when other processes load the machine.

The headline table is the app's state: caches cleared, the start-up warm-up run and timed
(`assistant.ask.warm_queries`: the catalog loaded, the common question shapes guarded), then
every question template asked of several places and years, each question once.

The second table starts each corpus cold, with no warm-up: the
guard's cache of checked SQL, the built SQL templates and the cached source documents are cleared,
so its first round of questions pays for them ("cold" columns); later rounds ask the same
questions again with those caches warm ("warm" columns). Larger corpora are made of
synthetic disclosures (`bench.synthetic`, fictional units) run through the real in-memory stages
(load → describe → tables → facts → chunks) and stored with the real SQL writer; their vectors are
not computed, since the SQL route never reads them (`bench.query_retrieval` times retrieval).

The third table times linking alone (`assistant.linking.link`, part of every question's SQL route
above): the same questions and some naming items by words no stored label is called, which
linking looks up by meaning with the embedding model (`vectorstore.label_index`). Building the
label index (embedding the labels, or reading their cached vectors) is a one-time cost per label
set, timed on its own.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from assistant.ask import warm_queries, warm_reading
from assistant.catalog import load_catalog
from assistant.figure_answers import answer_items
from assistant.linking import link
from assistant.understand import find_years, metric_lexicon, understand
from bench.synthetic import generate
from gongkai import db
from gongkai.db import get_engine
from gongkai.settings import get_settings
from ingest.pipeline import prepare
from ingest.store import Stores, _insert_rows

QUESTIONS = (
    "{place}{year}年三公经费预算是多少?",
    "哪个地方{year}年三公经费最高?",
    "{place}{year}年项目支出占总支出多少?",
    "{place}{year}年基本支出是多少?",
    "各地{year}年公务接待费对比",
    "{year}年机关运行经费最低的前三个地方",
)


# Words no stored label is called, looked up by meaning (a phrase is embedded once per process).
LOOKED_UP = (
    "{place}{year}年无人机巡查花了多少?",
    "{place}{year}年开会和出差一共花了多少钱?",
    "{place}{year}年办公楼保洁外包多少钱?",
)


def fill_sql_store(data_dir: Path, n_docs: int, seed: int = 7) -> tuple[Stores, float]:
    """A store of `n_docs` synthetic documents (SQL rows only); returns it and seconds taken.

    Generates at most 1,000 distinct documents and stores copies under new ids beyond that, so
    10k-document runs measure query cost at scale without hours of parsing.
    """
    started = time.perf_counter()
    settings = get_settings(data_dir=data_dir)
    engine = get_engine(settings.database_url)
    files = generate(data_dir / "corpus", min(n_docs, 1000), seed=seed)
    prepared = [prepare(path, settings) for path in files]
    with engine.begin() as conn:
        for copy in range(-(-n_docs // len(prepared))):
            for p in prepared[: n_docs - copy * len(prepared)]:
                doc = p.doc
                if copy:
                    from dataclasses import replace

                    doc = replace(doc, id=f"{doc.id[:10]}{copy:06d}", sha256=f"{doc.sha256}-{copy}")
                    facts = [replace(f, doc_id=doc.id) for f in p.facts]
                else:
                    facts = p.facts
                _insert_rows(conn, doc, [], facts, [], "public", "none")
    return Stores(engine, None, None), time.perf_counter() - started


def clear_caches() -> None:
    """Forget checked SQL, built templates and loaded source documents (the answering caches)."""
    from assistant import catalog, sources, sql_build, sql_guard

    sql_guard._checked.cache_clear()
    sql_build._template.cache_clear()
    sql_build._item_template.cache_clear()
    sources._load.cache_clear()
    catalog._load_catalog.cache_clear()


def time_sql_route(stores: Stores, settings, rounds: int = 3) -> list[tuple[float, float]]:
    """(wall, CPU) milliseconds per question, round by round; the first round starts with
    cleared caches."""
    first = load_catalog(stores.engine)  # to pick the place and year asked
    place = first.localities[0].name if first.localities else ""
    year = max(first.years) if first.years else 2021
    clear_caches()
    timings = []
    for _ in range(rounds):
        for template in QUESTIONS:
            timings.append(_timed(template.format(place=place, year=year), stores, settings))
    return timings


def time_app(stores: Stores, settings, pairs: int = 10) -> tuple[float, int, list]:
    """The app's state: caches cleared, the start-up warm-up (seconds, queries it guarded), then
    each question template asked of up to `pairs` stored (place, year) pairs, once each (of the
    newest years where no document names a place, as in the synthetic corpora)."""
    first = load_catalog(stores.engine)
    stored = sorted(first.place_years, key=lambda py: (py[0], -py[1]))
    per_place = [py for i, py in enumerate(stored) if i < 2 or stored[i - 2][0] != py[0]]
    asked = [(first.short(place), year) for place, year in per_place[:pairs]] or [
        ("", year) for year in sorted(first.years, reverse=True)[:pairs]  # units without places
    ]
    clear_caches()
    started = time.perf_counter()
    warmed = warm_queries(stores.engine)
    warm_up_s = time.perf_counter() - started
    timings = []
    for place, year in asked:
        for template in QUESTIONS:
            timings.append(_timed(template.format(place=place, year=year), stores, settings))
    return warm_up_s, warmed, timings


@dataclass(frozen=True)
class LinkingTimes:
    labels: int  # distinct stored labels
    index_s: float  # building their index, the model loaded: embedding them, or reading their cached vectors
    cached: list[float]  # ms of link() per question, every phrase's vector already computed
    first: list[float]  # ms of link() for a question whose phrase is embedded on this look-up


def time_linking(stores: Stores, pairs: int = 10) -> LinkingTimes:
    """link() per question after the app's start-up warm-up (`warm_reading`): each template asked
    of up to `pairs` stored (place, year) pairs once."""
    from vectorstore import label_index

    catalog = load_catalog(stores.engine)
    label_index.get_embedder()  # the model, loaded at the app's start for retrieval anyway
    started = time.perf_counter()
    catalog.label_index()
    index_s = time.perf_counter() - started
    warm_reading(catalog)  # as the app's start-up does
    label_index._query_vector.cache_clear()
    places = [catalog.short(loc.full) for loc in catalog.localities] or [""]
    years = sorted(catalog.years, reverse=True) or [2021]
    asked = [(places[i % len(places)], years[i % len(years)]) for i in range(pairs)]
    cached, first = [], []
    for place, year in asked:
        for template in (*QUESTIONS, *LOOKED_UP):
            question = template.format(place=place, year=year)
            _, year_spans = find_years(question, catalog)
            embedded = label_index._query_vector.cache_info().misses
            started = time.perf_counter()
            link(question, catalog, year_spans, metric_lexicon())
            elapsed = (time.perf_counter() - started) * 1000
            new_phrase = label_index._query_vector.cache_info().misses > embedded
            (first if new_phrase else cached).append(elapsed)
    return LinkingTimes(len(catalog.labels), index_s, cached, first)


def _timed(question: str, stores: Stores, settings) -> tuple[float, float]:
    """(wall, CPU) milliseconds of one question over the SQL route, as ask() takes it."""
    started, cpu = time.perf_counter(), time.process_time()
    catalog = load_catalog(stores.engine)
    slots = understand(question, catalog)
    answer_items(question, slots, stores.engine, ("public",), catalog)
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.query")
    parser.add_argument("--samples-data-dir", help="a data dir holding the ingested samples")
    parser.add_argument("--sizes", default="1000,10000", help="synthetic corpus sizes")
    args = parser.parse_args(argv)
    rows, linking = [], []
    if args.samples_data_dir:
        settings = get_settings(data_dir=args.samples_data_dir)
        stores = Stores(get_engine(settings.database_url), None, None)
        linking.append(time_linking(stores))  # first: the label index built from the store's cache
        cold = time_sql_route(stores, settings, rounds=10)
        rows.append(("samples (5 docs)", _count(stores), time_app(stores, settings), cold, 0.0))
    for size in (int(s) for s in args.sizes.split(",") if s):
        with tempfile.TemporaryDirectory() as tmp:
            settings = get_settings(data_dir=Path(tmp))
            stores, build_s = fill_sql_store(Path(tmp), size)
            linking.append(time_linking(stores))  # first: the label index built from nothing
            cold = time_sql_route(stores, settings)
            rows.append((f"synthetic ({size} docs)", _count(stores), time_app(stores, settings), cold, build_s))
    print("App (after the start-up warm-up):\n")
    print("| corpus | facts | warm-up s | warm-up queries | questions | p50 ms | p95 ms | max ms "
          "| CPU p50 ms | CPU p95 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, facts, (warm_up_s, warmed, timings), _, _ in rows:
        wall, cpu = [w for w, _ in timings], [c for _, c in timings]
        print(f"| {name} | {facts} | {warm_up_s:.1f} | {warmed} | {len(wall)} | "
              f"{statistics.median(wall):.1f} | {percentile(wall, 95):.1f} | {max(wall):.1f} | "
              f"{statistics.median(cpu):.1f} | {percentile(cpu, 95):.1f} |")
    print(f"\nEach question once: the {len(QUESTIONS)} templates × up to 10 stored (place, year) "
          "pairs (2 years a place at most; the synthetic corpora name no places: 10 years), asked after clearing the caches and running the warm-up "
          "(after the cold run below: SQLite's and the OS's page caches are warm).\n")
    print("Cold start (no warm-up):\n")
    print("| corpus | facts | questions | SQL route p50 ms | p95 ms | max ms | CPU p50 ms "
          "| CPU p95 ms | cold p50 ms | cold max ms | warm p50 ms | warm p95 ms | build s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, facts, _, timings, build_s in rows:
        wall, cpu = [w for w, _ in timings], [c for _, c in timings]
        cold, warm = wall[: len(QUESTIONS)], wall[len(QUESTIONS):]
        print(f"| {name} | {facts} | {len(wall)} | {statistics.median(wall):.1f} | "
              f"{percentile(wall, 95):.1f} | {max(wall):.1f} | {statistics.median(cpu):.1f} | "
              f"{percentile(cpu, 95):.1f} | {statistics.median(cold):.1f} | {max(cold):.1f} | "
              f"{statistics.median(warm):.1f} | {percentile(warm, 95):.1f} | {build_s:.0f} |")
    print(f"\ncold: the first round of the {len(QUESTIONS)} questions after clearing the catalog's, "
          "the guard's, the SQL templates' and the source documents' caches; warm: later rounds. "
          "Process-wide "
          "caches (gazetteer, models) and SQLite's page cache are warm after the first corpus.")
    print("\nLinking alone (target p95 < 20 ms) beside the SQL route it is part of (target p95 < 50 ms):\n")
    print("| corpus | SQL route p95 ms | linking p50 ms | linking p95 ms | max ms | questions | labels "
          "| label index build s | new phrase embedded: questions | p50 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (name, _, (_, _, app), _, _), times in zip(rows, linking, strict=True):
        first = times.first or [0.0]
        print(f"| {name} | {percentile([w for w, _ in app], 95):.1f} | {statistics.median(times.cached):.1f} | "
              f"{percentile(times.cached, 95):.1f} | {max(times.cached):.1f} | {len(times.cached)} | "
              f"{times.labels} | {times.index_s:.1f} | {len(times.first)} | {statistics.median(first):.1f} | "
              f"{max(first):.1f} |")
    print(f"\nThe {len(QUESTIONS)} SQL-route templates and {len(LOOKED_UP)} naming items by words no stored "
          "label is called, each asked of up to 10 stored (place, year) pairs; SQL route p95: the app table's. "
          "A phrase looked up by meaning is embedded on its first look-up (last columns) and cached for the "
          "process; linking p50/p95/max are of the other questions.")


def _count(stores: Stores) -> int:
    from sqlalchemy import func, select

    with stores.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(db.facts)).scalar_one()


if __name__ == "__main__":
    main()
