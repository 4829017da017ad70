"""The SQL guard: hostile SQL is refused or proven harmless on a real database; good SQL answers.

Hostile inputs live in tests/data/hostile_sql.yaml, by class. Good queries are compared with the
same SQL run unguarded on a database that holds only the rows a public user may see.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlglot
import yaml
from conftest_sql_helpers import (
    LEAK_MARKERS,
    build_fiscal_db,
    database_checksum,
    folder_listing,
    leaks,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from assistant.sql_guard import QUERYABLE, SqlRejected, check_sql
from assistant.sql_run import run_sql

HOSTILE = yaml.safe_load((Path(__file__).parent / "data" / "hostile_sql.yaml").read_text("utf-8"))
HOSTILE_CASES = [
    pytest.param(name, spec["expect"], sql, id=f"{name}-{i}")
    for name, spec in HOSTILE.items()
    for i, sql in enumerate(spec["sql"])
]
MAX_ROWS = 50


@pytest.fixture(scope="module")
def fiscal_db(tmp_path_factory):
    """(engine, path) of the full database, with a writer connection kept open as in the app."""
    path = tmp_path_factory.mktemp("fiscal") / "gongkai.db"
    engine = build_fiscal_db(path)
    writer = engine.connect()  # keeps the WAL files present, as a running app does
    yield engine, path
    writer.close()
    engine.dispose()


@pytest.fixture(scope="module")
def public_only_db(tmp_path_factory):
    """Path of a database holding only the rows a public user may see: the oracle for good SQL."""
    path = tmp_path_factory.mktemp("public") / "public.db"
    build_fiscal_db(path, visible_only=True).dispose()
    return path


def is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def assert_harmless(sql: str, engine, path: Path, *, timeout_s: float = 0.5) -> None:
    """Run `sql` through run_sql and check it changed nothing and showed nothing hidden."""
    before, files_before = database_checksum(path), folder_listing(path)
    result = run_sql(sql, engine, max_rows=MAX_ROWS, timeout_s=timeout_s)
    assert database_checksum(path) == before, f"a table changed after {sql!r}"
    assert folder_listing(path) == files_before, f"a file appeared after {sql!r}"
    assert not leaks(result.rows), f"hidden data returned for {sql!r}: {leaks(result.rows)}"
    assert len(result.rows) <= MAX_ROWS
    assert result.ok or is_chinese(result.reason)


# --- hostile SQL --------------------------------------------------------------------------------


def test_hostile_list_is_large_and_cannot_fake_a_leak():
    assert len(HOSTILE_CASES) >= 200
    for spec in HOSTILE.values():
        assert spec["expect"] in ("reject", "either")
        for sql in spec["sql"]:  # a literal marker in the SQL would make the leak check lie
            assert not any(marker in sql for marker in LEAK_MARKERS), sql


@pytest.mark.parametrize(("name", "expect", "sql"), HOSTILE_CASES)
def test_hostile_sql_is_refused_or_harmless(name, expect, sql, fiscal_db):
    engine, path = fiscal_db
    try:
        safe_sql = check_sql(sql, max_limit=MAX_ROWS)
    except SqlRejected as err:
        assert is_chinese(err.message)
        return
    assert expect == "either", f"{name}: accepted {sql!r} as {safe_sql}"
    assert_harmless(sql, engine, path)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT " + "(" * 3000 + "1" + ")" * 3000,
        "SELECT " + " + ".join(["value"] * 4000) + " FROM facts",
        "SELECT metric FROM facts WHERE " + " OR ".join(f"value = {i}" for i in range(2500)),
        "SELECT metric FROM facts WHERE metric = '" + "三" * 30_000 + "'",
        "SELECT "
        + ", ".join(f"upper(upper(upper(metric))) AS c{i}" for i in range(300))
        + " FROM facts",
    ],
    ids=["deep-parens", "long-sum", "many-ors", "too-long", "wide-select"],
)
def test_oversized_sql_is_refused_or_harmless(sql, fiscal_db):
    engine, path = fiscal_db
    try:
        check_sql(sql, max_limit=MAX_ROWS)
    except SqlRejected:
        return
    assert_harmless(sql, engine, path)


@pytest.mark.parametrize(
    ("sql", "fragment"),
    [
        ("DROP TABLE facts", "只允许查询"),
        ("SELECT 1; DROP TABLE facts", "只允许一条"),
        ("SELECT load_extension('x')", "load_extension"),
        ("SELECT * FROM pages", "pages"),
        ("SELECT * FROM main.facts", "main.facts"),
        ("SELECT text FROM documents", "列"),
        ("WITH RECURSIVE c(x) AS (SELECT 1) SELECT x FROM c", "递归"),
        ("PRAGMA table_info(facts)", "只允许查询"),
    ],
)
def test_rejections_say_why_in_chinese(sql, fragment):
    with pytest.raises(SqlRejected) as caught:
        check_sql(sql)
    assert fragment.lower() in caught.value.message.lower()
    assert caught.value.detail  # English detail for logs and for an LLM retry


# --- good SQL -----------------------------------------------------------------------------------

GOOD_SQL = [
    "SELECT locality, year, value, unit FROM facts WHERE metric = '三公经费' AND year = 2023 ORDER BY locality",
    "SELECT locality, value FROM facts WHERE metric = '三公经费' AND year = 2023 ORDER BY value DESC LIMIT 3",
    "SELECT locality, SUM(value) AS total FROM facts WHERE measure = 'value' GROUP BY locality ORDER BY total DESC",
    "SELECT metric, AVG(value) AS average, COUNT(*) AS n FROM facts GROUP BY metric ORDER BY metric",
    "SELECT d.title, f.metric, f.value FROM facts f JOIN documents d ON d.id = f.doc_id WHERE d.year = 2023 ORDER BY d.title, f.metric",
    "SELECT locality, CASE WHEN value > 10 THEN '高' ELSE '低' END AS level FROM facts WHERE metric = '三公经费' ORDER BY locality, year",
    "SELECT locality, year, value, RANK() OVER (PARTITION BY year ORDER BY value DESC) AS r FROM facts WHERE metric = '三公经费' ORDER BY year, r",
    "SELECT locality, year, value - LAG(value) OVER (PARTITION BY locality ORDER BY year) AS change FROM facts WHERE metric = '三公经费' ORDER BY locality, year",
    "SELECT doc_id, COUNT(*) FROM facts GROUP BY doc_id ORDER BY doc_id",
    "SELECT id, title, locality, year, doc_type FROM documents ORDER BY id",
    "SELECT * FROM doc_tables ORDER BY doc_id",
    "SELECT * FROM facts ORDER BY doc_id, row",
    "SELECT c.row_label, c.value FROM table_cells c JOIN doc_tables t ON t.doc_id = c.doc_id AND t.table_index = c.table_index WHERE t.title LIKE '%收支%' AND c.is_header = 0 AND c.col = 1 ORDER BY c.doc_id, c.row",
    "SELECT locality, value FROM facts WHERE doc_id IN (SELECT id FROM documents WHERE doc_type = '预算') AND metric = '三公经费' ORDER BY value",
    "SELECT title FROM documents d WHERE EXISTS (SELECT 1 FROM facts f WHERE f.doc_id = d.id AND f.metric = '公务接待费' AND f.value > 2) ORDER BY title",
    "SELECT locality FROM facts UNION SELECT locality FROM documents ORDER BY 1",
    "SELECT locality, COUNT(DISTINCT year) AS n FROM facts GROUP BY locality HAVING COUNT(DISTINCT year) > 1",
    "SELECT f.locality, ROUND(100.0 * f.value / t.total, 2) AS share FROM facts f CROSS JOIN (SELECT SUM(value) AS total FROM facts WHERE metric = '三公经费' AND year = 2023) t WHERE f.metric = '三公经费' AND f.year = 2023 ORDER BY share DESC",
    "SELECT metric_raw, value FROM facts WHERE metric_raw LIKE '%接待%' ORDER BY value",
    "SELECT locality, COALESCE(value_yuan, value) AS yuan FROM facts WHERE metric = '一般公共预算支出' ORDER BY COALESCE(value_yuan, value) DESC",
    "SELECT IIF(value > 5, 'big', 'small') AS size, NULLIF(unit, '') AS u, ABS(-value) AS a, SUBSTR(locality, 1, 3) AS p, LENGTH(metric) AS l, INSTR(metric, '经费') AS i, REPLACE(metric, '经费', '') AS r, TRIM(' ' || unit || ' ') AS t, LOWER('ABC') AS lo, UPPER(doc_type) AS up FROM facts ORDER BY doc_id, row",
    "SELECT metric, value FROM facts WHERE value BETWEEN 1 AND 20 AND year IN (2022, 2023) AND subject_code IS NULL ORDER BY value",
    "SELECT metric, TOTAL(value) AS t, MIN(value) AS lo, MAX(value) AS hi FROM facts GROUP BY metric ORDER BY metric",
    "select Metric, VALUE from FACTS where YEAR = 2022 order by value",
    'SELECT "start", "end", "row", "col" FROM facts WHERE metric = \'三公经费\' ORDER BY doc_id',
    "SELECT metric, value FROM facts ORDER BY value DESC, doc_id LIMIT 2 OFFSET 1",
    "SELECT locality, year, value, DENSE_RANK() OVER (ORDER BY value) AS dr, ROW_NUMBER() OVER (ORDER BY value) AS rn, NTILE(2) OVER (ORDER BY value) AS half FROM facts WHERE metric = '公务接待费' ORDER BY value",
    "WITH candidates AS (SELECT f.locality, f.year, f.metric, f.value, f.doc_id, f.start, ROW_NUMBER() OVER (PARTITION BY f.doc_id, f.metric ORDER BY f.source = 'prose' DESC, f.start) AS rn FROM facts AS f WHERE f.metric IN ('三公经费', '公务接待费') AND f.year IN (2023)) SELECT locality, year, metric, value, doc_id, start FROM candidates WHERE rn = 1 ORDER BY COALESCE(value, 0) DESC",
    "WITH by_year AS (SELECT year, SUM(value) AS s FROM facts WHERE metric = '三公经费' GROUP BY year) SELECT a.year, a.s, a.s - b.s AS diff FROM by_year a LEFT JOIN by_year b ON b.year = a.year - 1 ORDER BY a.year",
    "SELECT d.locality, COUNT(t.table_index) AS tables FROM documents d LEFT JOIN doc_tables t ON t.doc_id = d.id GROUP BY d.locality ORDER BY d.locality",
    "SELECT metric, GROUP_CONCAT(value, ';') AS vs FROM (SELECT metric, value FROM facts ORDER BY value) GROUP BY metric ORDER BY metric",
    "SELECT CAST(year AS TEXT) || '年' AS y, CAST(value AS INTEGER) AS v FROM facts WHERE metric = '三公经费' ORDER BY y, v",
    "SELECT metric FROM facts WHERE year = 2022 INTERSECT SELECT metric FROM facts WHERE year = 2023",
    "SELECT metric FROM facts WHERE year = 2023 EXCEPT SELECT metric FROM facts WHERE value < 5 ORDER BY metric",
    "SELECT f.metric, f.value FROM facts f WHERE f.value = (SELECT MAX(g.value) FROM facts g WHERE g.metric = f.metric) ORDER BY f.metric",
]


def normalised(rows) -> list[tuple]:
    return [tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in rows]


@pytest.mark.parametrize("sql", GOOD_SQL)
def test_good_sql_returns_what_a_public_only_database_returns(sql, fiscal_db, public_only_db):
    engine, _ = fiscal_db
    result = run_sql(sql, engine)
    assert result.ok, (result.reason, result.detail)
    assert result.rows, "a good query over the fixture should find rows"
    oracle = sqlite3.connect(public_only_db)
    try:
        expected = oracle.execute(sql).fetchall()
    finally:
        oracle.close()
    ordered = " order by " in sql.lower()
    got, want = normalised(result.rows), normalised(expected)
    assert (got if ordered else sorted(got, key=repr)) == (
        want if ordered else sorted(want, key=repr)
    )
    assert not result.truncated


@pytest.mark.parametrize("sql", GOOD_SQL)
def test_guarded_sql_passes_the_guard_again_with_the_same_rows(sql, fiscal_db):
    engine, _ = fiscal_db
    once = run_sql(sql, engine)
    twice = run_sql(check_sql(sql), engine)
    assert twice.ok and normalised(twice.rows) == normalised(once.rows)


@pytest.mark.parametrize("sql", GOOD_SQL)
def test_good_sql_transpiles_to_postgres(sql):
    safe_sql = check_sql(sql, dialect="postgres")
    statements = sqlglot.parse(safe_sql, read="postgres")
    assert len(statements) == 1 and isinstance(statements[0], exp.Query)
    assert "'complete'" in safe_sql and "visibility" in safe_sql


def test_known_answers(fiscal_db):
    engine, _ = fiscal_db
    ranking = run_sql(GOOD_SQL[1], engine)
    assert ranking.rows == (("重庆市潼南区", 12.5), ("陕西省柞水县", 8.75))
    per_doc = run_sql(
        "SELECT doc_id, COUNT(*) AS n FROM facts GROUP BY doc_id ORDER BY doc_id", engine
    )
    assert per_doc.columns == ("doc_id", "n")
    assert per_doc.rows == (("doc_tn2022", 3), ("doc_tn2023", 3), ("doc_zs2023", 3))


def test_star_expands_to_whitelisted_columns_only(fiscal_db):
    engine, _ = fiscal_db
    result = run_sql("SELECT * FROM documents", engine)
    assert result.columns == QUERYABLE["documents"]
    assert "text" not in result.columns and "path" not in result.columns


@pytest.mark.parametrize(
    ("sql", "limit"),
    [
        ("SELECT metric FROM facts", 100),
        ("SELECT metric FROM facts LIMIT 7", 7),
        ("SELECT metric FROM facts LIMIT 5000", 100),
        ("SELECT metric FROM facts LIMIT -1", 100),
        ("SELECT metric FROM facts LIMIT (SELECT 3)", 100),
        ("SELECT metric FROM facts UNION SELECT title FROM documents LIMIT 3", 3),
        ("WITH x AS (SELECT metric FROM facts LIMIT 100000) SELECT metric FROM x", 100),
    ],
)
def test_outer_limit_is_enforced(sql, limit):
    tree = sqlglot.parse_one(check_sql(sql, max_limit=100), read="sqlite")
    assert tree.args["limit"].expression.to_py() == limit


def test_postgres_input_is_accepted_when_asked():
    sql = "SELECT metric, value::numeric AS v FROM facts WHERE year = 2023 LIMIT 5"
    with pytest.raises(SqlRejected):
        check_sql("SELECT 1 FROM facts WHERE metric ILIKE 'x'", read="postgres")
    safe_sql = check_sql(sql, read="postgres", dialect="postgres")
    assert "CAST" in safe_sql and "LIMIT 5" in safe_sql


# --- visibility ---------------------------------------------------------------------------------

VISIBILITY_ATTACKS = [
    "SELECT title, visibility FROM documents",
    "SELECT * FROM facts",
    "SELECT * FROM table_cells",
    "SELECT * FROM doc_tables",
    "SELECT value FROM facts WHERE doc_id LIKE 'doc_%'",
    "SELECT f.value, d.title FROM facts f JOIN documents d ON d.id = f.doc_id",
    "SELECT f.value FROM facts f LEFT JOIN documents d ON d.id = f.doc_id WHERE d.id IS NULL",
    "SELECT value FROM facts WHERE doc_id NOT IN (SELECT id FROM documents)",
    "SELECT metric FROM facts UNION ALL SELECT title FROM documents",
    "SELECT value FROM facts UNION SELECT value FROM table_cells",
    "WITH raw AS (SELECT * FROM facts) SELECT * FROM raw",
    "WITH d AS (SELECT id FROM documents WHERE visibility = 'official') SELECT f.* FROM facts f JOIN d ON d.id = f.doc_id",
    "SELECT (SELECT MAX(value) FROM facts) AS top",
    "SELECT (SELECT GROUP_CONCAT(title) FROM documents) AS titles",
    "SELECT SUM(value) AS s FROM facts",
    "SELECT x.* FROM (SELECT * FROM (SELECT * FROM facts)) AS x",
    "SELECT value FROM facts AS documents",
    "SELECT value FROM facts AS _gk_src WHERE _gk_src.doc_id IN (SELECT id FROM documents AS _gk_doc)",
    "SELECT t.title FROM doc_tables t WHERE EXISTS (SELECT 1 FROM documents d WHERE d.status = 'pending')",
    "SELECT c.text FROM table_cells c WHERE c.value > 1000000000",
    "SELECT MAX(value) OVER () AS m FROM facts",
]


@pytest.mark.parametrize("sql", VISIBILITY_ATTACKS)
def test_hidden_documents_never_reach_a_public_user(sql, fiscal_db):
    engine, _ = fiscal_db
    result = run_sql(sql, engine)
    assert result.ok, result.detail
    assert not leaks(result.rows)


def test_official_rows_reach_an_official_user_but_pending_never(fiscal_db):
    engine, _ = fiscal_db
    result = run_sql("SELECT title FROM documents", engine, visibility=("public", "official"))
    titles = [row[0] for row in result.rows]
    assert any("OFFICIAL" in t for t in titles)
    assert not any("PENDING" in t for t in titles)
    nobody = run_sql("SELECT title FROM documents", engine, visibility=())
    assert nobody.ok and nobody.rows == ()
    quoted = run_sql("SELECT title FROM documents", engine, visibility=("public' OR '1'='1",))
    assert quoted.ok and quoted.rows == ()


# --- properties ---------------------------------------------------------------------------------

TOKENS = [
    "SELECT", "FROM", "WHERE", "facts", "documents", "pages", "sqlite_master", "text", "path",
    "metric", "value", "*", ",", ";", "\uff1b", "--", "/*", "*/", "'", '"', "(", ")", "DROP",
    "TABLE", "UNION", "ALL", "WITH", "RECURSIVE", "AS", "x", "1", "LIMIT", "99999", "=", "OR",
    "load_extension('x')", "ATTACH", "'a'", "\u200b", "JOIN", "ON", "ORDER BY", "GROUP BY",
    "count(*)", "main.", "X'00'", "PRAGMA", "IN", "?", "三公经费", "DELETE", "INSERT INTO",
]  # fmt: skip
COLUMN_EXPRS = [
    "*", "metric", "value", "text", "path", "title", "count(*)", "sum(value)", "doc_id",
    "visibility", "status", "id", "upper(title)", "load_extension('x')", "rowid",
    "(SELECT max(value) FROM facts)", "(SELECT text FROM documents LIMIT 1)", "year",
]  # fmt: skip
WHERES = [
    "", "WHERE 1 = 1", "WHERE visibility = 'official'", "WHERE value > 100", "WHERE year = 2023",
    "WHERE doc_id IN (SELECT id FROM documents)", "WHERE status <> 'complete'",
    "WHERE id IN (SELECT doc_id FROM facts)", "WHERE metric = '三公经费' OR 1 = 1",
]  # fmt: skip
TAILS = [
    "", "LIMIT 5", "LIMIT 100000", "LIMIT -1", "ORDER BY 1", "; DROP TABLE facts", "-- x",
    "UNION SELECT metric FROM facts", "UNION ALL SELECT title FROM documents", "GROUP BY 1",
]  # fmt: skip
TABLES = ["facts", "documents", "doc_tables", "table_cells", "pages", "sqlite_master", "main.facts"]


@st.composite
def select_queries(draw) -> str:
    columns = ", ".join(draw(st.lists(st.sampled_from(COLUMN_EXPRS), min_size=1, max_size=3)))
    table = draw(st.sampled_from(TABLES))
    sql = f"SELECT {columns} FROM {table} {draw(st.sampled_from(WHERES))} {draw(st.sampled_from(TAILS))}"
    wrapper = draw(
        st.sampled_from(["{}", "WITH q AS ({}) SELECT * FROM q", "SELECT * FROM ({}) AS s"])
    )
    return wrapper.format(sql)


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(st.text(max_size=200), st.lists(st.sampled_from(TOKENS), max_size=14).map(" ".join))
)
def test_check_sql_raises_nothing_but_sql_rejected(sql):
    try:
        safe_sql = check_sql(sql)
    except SqlRejected:
        return
    assert isinstance(safe_sql, str)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(select_queries())
def test_accepted_sql_changes_nothing_and_hides_hidden_rows(fiscal_db, sql):
    engine, path = fiscal_db
    try:
        check_sql(sql, max_limit=MAX_ROWS)
    except SqlRejected:
        return
    assert_harmless(sql, engine, path)


# --- bound parameters (the builder's templates) --------------------------------------------------

TEMPLATE = "SELECT locality, value FROM facts WHERE metric = :metric AND year IN (:y0, :y1) ORDER BY value"


def test_placeholders_are_refused_unless_named_as_bound():
    for sql in (TEMPLATE, "SELECT ? FROM facts", "SELECT metric FROM facts WHERE year = @y"):
        with pytest.raises(SqlRejected):
            check_sql(sql)
    with pytest.raises(SqlRejected):  # :y1 is not bound
        check_sql(TEMPLATE, params=("metric", "y0"))
    with pytest.raises(SqlRejected):  # a bare ? is never named
        check_sql("SELECT metric FROM facts WHERE metric = ?", params=("metric",))
    with pytest.raises(SqlRejected):  # OFFSET stays a literal
        check_sql("SELECT metric FROM facts LIMIT 5 OFFSET :n", params=("n",))
    assert ":y1" in check_sql(TEMPLATE, params=("metric", "y0", "y1"))


def test_bound_values_are_data_and_shown_written_in(fiscal_db):
    engine, _ = fiscal_db
    params = {"metric": "三公经费", "y0": 2023, "y1": 2022}
    bound = run_sql(TEMPLATE, engine, params=params)
    inline = run_sql(TEMPLATE.replace(":metric", "'三公经费'").replace(":y0", "2023")
                     .replace(":y1", "2022"), engine)
    assert bound.ok and bound.rows == inline.rows == (
        ("陕西省柞水县", 8.75), ("重庆市潼南区", 12.5), ("重庆市潼南区", 14.0))
    assert bound.sql == inline.sql  # the values written in, as the inline query shows them
    hostile = {"metric": "x' OR 1=1 OR metric = ':y0", "y0": 2023, "y1": "2022) OR (1=1"}
    result = run_sql(TEMPLATE, engine, params=hostile)
    assert result.ok and result.rows == ()
    assert "'x'' OR 1=1 OR metric = '':y0'" in result.sql  # quoted once, placeholder text kept
    refused = run_sql(TEMPLATE, engine, params={"metric": b"x", "y0": 1, "y1": 2})
    assert not refused.ok and is_chinese(refused.reason)


def test_builder_templates_answer_as_their_inlined_sql(fiscal_db):
    from assistant.sql_build import fact_query
    from assistant.types import Slots

    engine, _ = fiscal_db
    cases = (
        Slots(metrics=("三公经费",), years=(2023,), localities=("重庆市潼南区",)),
        Slots(metrics=("三公经费", "公务接待费"), years=(2022, 2023), scope="预算"),
        Slots(metrics=("公务接待费",), operation="rank", order="asc"),
    )
    for slots in cases:
        query = fact_query(slots)
        bound = run_sql(query.sql, engine, params=query.params)
        inline = run_sql(query.inlined(), engine)
        assert bound.ok and bound.rows and bound.rows == inline.rows
        assert not leaks(bound.rows)


def test_padded_lists_share_a_shape_and_answer_as_the_unpadded_query(fiscal_db):
    from assistant.sql_build import fact_query
    from assistant.types import Slots

    engine, _ = fiscal_db
    three = Slots(metrics=("三公经费", "公务接待费", "一般公共预算支出"), years=(2022, 2023, 2021),
                  localities=("重庆市潼南区", "陕西省柞水县", "湖南省汨罗市"))  # fmt: skip
    four = Slots(metrics=(*three.metrics, "项目支出"), years=(*three.years, 2020),
                 localities=(*three.localities, "云南省澄江市"))  # fmt: skip
    padded = fact_query(three)
    assert padded.sql == fact_query(four).sql  # 3 and 4 values: one SQL text, one guard check
    assert padded.params["locality3"] == padded.params["locality2"] == "湖南省汨罗市"
    exact = fact_query(three, pad=False)
    assert "locality3" not in exact.params and exact.sql != padded.sql
    bound = run_sql(padded.sql, engine, params=padded.params)
    unpadded = run_sql(exact.sql, engine, params=exact.params)
    assert bound.ok and len(bound.rows) == 9  # every visible figure, none twice
    assert bound.rows == unpadded.rows and not leaks(bound.rows)
