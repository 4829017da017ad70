"""The audit's word, year, table and template rules on planted copies of four real dev PDFs: every
planted defect is found by its rule, citing exactly the planted span, and nothing else is found
but what the unchanged copy finds (the document's own slips). The chat answers questions about
one kind of error with the findings of that kind."""

from __future__ import annotations

from collections import Counter

import pytest

from assistant.ask import ask
from assistant.audit import RULES, audit
from assistant.audit.answer import asked_kind
from tests.audit_planted import PLANTS, planted, real_text
from tests.conftest import DEV_PDFS

pytestmark = pytest.mark.skipif(not DEV_PDFS.is_dir(), reason="../shared/corpus/dev is not beside the checkout")

NEW_RULES = ("wording", "explicit_base", "years", "completeness", "cross_table", "prose_total", "template")


@pytest.fixture(scope="module")
def planted_store(tmp_path_factory):
    """Each document's unchanged text and its planted copy, as .txt files in one real store."""
    from gongkai.settings import get_settings
    from ingest.pipeline import ingest_file, open_stores

    folder = tmp_path_factory.mktemp("planted")
    settings = get_settings(data_dir=folder / "data", sql_url="", chroma_url="")
    stores = open_stores(settings)
    docs = {}
    for name in PLANTS:
        stem = name.removesuffix(".pdf")
        copy, spans = planted(name)
        ids = []
        for path, text in ((folder / f"{stem}.txt", real_text(name)),
                           (folder / f"{stem}_planted.txt", copy)):
            path.write_text(text, encoding="utf-8")
            result = ingest_file(path, stores, settings)
            assert result.status == "ingested", result.error
            ids.append(result.doc_id)
        docs[name] = (*ids, spans)
    return settings, stores, docs


def _key(finding):
    return finding.rule, finding.stated.text, finding.should_be, finding.detail


def _cites(finding, start, end):
    return (start, end) in {(c.start, c.end) for c in finding.citations}


def test_every_new_rule_has_at_least_three_planted_defects_in_three_documents():
    count = Counter(plant.rule for plants in PLANTS.values() for plant in plants if plant.rule)
    assert set(NEW_RULES) <= set(RULES) and all(count[rule] >= 3 for rule in NEW_RULES), count
    assert len(PLANTS) >= 3


@pytest.mark.parametrize("name", sorted(PLANTS))
def test_every_planted_defect_is_found_citing_its_span_and_nothing_else(planted_store, name):
    _, stores, docs = planted_store
    clean_id, copy_id, spans = docs[name]
    own = {_key(f) for f in audit(clean_id, engine=stores.engine)}  # the document's own slips
    found = audit(copy_id, engine=stores.engine)
    copy = planted(name)[0]
    for plant, start, end in spans:
        if not plant.rule:
            continue
        named = [f for f in found if f.rule == plant.rule and _cites(f, start, end)]
        assert named, f"{plant.rule} missed {copy[start:end]!r}"
        assert all(c.quote == copy[c.start:c.end] for f in named for c in f.citations)
    planted_spans = [(s, e) for p, s, e in spans if p.rule]
    stray = [_key(f) for f in found
             if _key(f) not in own and not any(_cites(f, s, e) for s, e in planted_spans)]
    assert stray == []
    # the copy keeps the document's own slips (their detail may name a planted figure)
    assert {(f.rule, f.stated.text) for f in found} >= {key[:2] for key in own}


def test_a_finding_about_words_says_what_the_figures_imply(planted_store):
    _, stores, docs = planted_store
    _, copy_id, _ = docs["sh_putuo_caizhengju_2024_dept_final.pdf"]
    found = {(f.rule, f.stated.text): f for f in audit(copy_id, engine=stores.engine)}
    bigger = found["wording", "大于"]
    assert bigger.expected is None and bigger.difference is None and bigger.should_be == "小于"
    assert [i.text for i in bigger.inputs] == ["1511.89", "1560.05"]  # 决算, then 预算
    year = next(f for (rule, _), f in found.items() if rule == "years" and "截至" in f.detail)
    assert (year.stated.text, year.should_be) == ("2023", "2024")


@pytest.mark.parametrize("question,rules", [
    ("这份决算有没有年份写错的地方?", ("years",)),
    ("表格齐全吗?", ("completeness",)),
    ("有没有文字和数字对不上的?", ("wording", "prose_total", "prose_table")),
])
def test_the_chat_answers_with_the_findings_of_the_kind_asked(planted_store, question, rules):
    settings, stores, docs = planted_store
    assert asked_kind(question)[0] == rules
    answer = ask(question, settings=settings, user="official")
    assert answer.route == "sql" and answer.why.startswith("核对数据")
    expected = []
    for clean_id, copy_id, _ in docs.values():
        for doc_id in (clean_id, copy_id):
            if "决算" in question and doc_id not in docs["sh_putuo_caizhengju_2024_dept_final.pdf"]:
                continue  # the only 决算
            expected += [f for f in audit(doc_id, engine=stores.engine) if f.rule in rules]
    assert expected and len(answer.rows) == len(expected)
    assert {row[1] for row in answer.rows} == {RULES[f.rule] for f in expected}
    shown = {(c.doc_id, c.start, c.end) for c in answer.citations}
    assert any((f.doc_id, f.stated.start, f.stated.end) in shown for f in expected)
