"""`python -m assistant.audit [--data-dir DIR] [--all] [--csv [FILE]] [--json [FILE]] [DOC_ID…]`.

On a terminal the findings are a table; otherwise (a pipe, a file) a plain report, one block per
finding with every figure's characters, that never wraps a number. `--csv` and `--json` write the
findings for machines, to FILE or (without one) to standard output instead of the report.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table as RichTable
from sqlalchemy import select

from assistant.audit.findings import Figure, Finding
from assistant.audit.runner import CHECK_NAMES, audit_all
from gongkai import db
from gongkai.db import get_engine
from gongkai.errors import UserFacingError
from gongkai.settings import get_settings

CSV_COLUMNS = ("document", "doc_id", "rule", "rule_name", "severity", "stated", "expected", "difference",
               "unit", "detail", "stated_span", "inputs")
TO_STDOUT = "-"


def number(value: float | None) -> str:
    """A computed value for display: at most 4 decimals, no trailing zeros; '' for none."""
    return "" if value is None else f"{value:,.4f}".rstrip("0").rstrip(".")


def should_be(finding: Finding) -> str:
    return finding.should_be if finding.expected is None else number(finding.expected)


def rows(findings: dict[str, list[Finding]], titles: dict[str, str]) -> Iterable[dict[str, str]]:
    for doc_id, found in findings.items():
        for f in found:
            yield {
                "document": titles.get(doc_id, doc_id), "doc_id": doc_id, "rule": f.rule,
                "rule_name": f.rule_name, "severity": f.severity, "stated": f.stated.text,
                "expected": should_be(f), "difference": number(f.difference), "unit": f.unit,
                "detail": f.detail, "stated_span": f"{f.stated.start}-{f.stated.end}",
                "inputs": "; ".join(f"{i.text}@{i.start}-{i.end}" for i in f.inputs),
            }


def _figure_json(figure: Figure) -> dict[str, Any]:
    return {"label": figure.label, "text": figure.text, "value": figure.value, "unit": figure.unit,
            "start": figure.start, "end": figure.end}


def as_json(findings: dict[str, list[Finding]], titles: dict[str, str]) -> list[dict[str, Any]]:
    return [{
        "document": titles.get(doc_id, doc_id), "doc_id": doc_id, "rule": f.rule,
        "rule_name": f.rule_name, "severity": f.severity, "stated": _figure_json(f.stated),
        "inputs": [_figure_json(i) for i in f.inputs],
        "expected": f.expected, "should_be": should_be(f), "difference": f.difference, "unit": f.unit,
        "detail": f.detail,
        "citations": [{"start": c.start, "end": c.end, "page": c.page, "quote": c.quote}
                      for c in f.citations],
    } for doc_id, found in findings.items() for f in found]


def _where(figure: Figure) -> str:
    unit = f" {figure.unit}" if figure.unit and figure.value is not None else ""
    return f"{figure.label}：{figure.text}{unit}（第 {figure.start}–{figure.end} 字）"


def report(findings: dict[str, list[Finding]], titles: dict[str, str], out: TextIO) -> None:
    """The findings as plain text: a block per finding, one fact per line."""
    found = [f for fs in findings.values() for f in fs]
    serious = sum(1 for f in found if f.severity == "严重")
    out.write(f"数据核对：{len(findings)} 份文件，{len(found)} 处问题（严重 {serious}，轻微 {len(found) - serious}）\n")
    out.write("已运行的检查：" + "、".join(CHECK_NAMES) + "\n")
    for doc_id, items in findings.items():
        if not items:
            continue
        out.write(f"\n{titles.get(doc_id, doc_id)}（{doc_id}）：{len(items)} 处\n")
        for n, f in enumerate(items, 1):
            out.write(f"  {n}. [{f.severity}] {f.rule_name}\n")
            out.write(f"     所述：{_where(f.stated)}\n")
            unit = f" {f.unit}" if f.unit else ""
            gap = f"，相差 {number(f.difference)}{unit}" if f.difference is not None else ""
            out.write(f"     应为：{should_be(f)}{unit if f.expected is not None else ''}{gap}\n")
            out.writelines(f"     依据：{_where(figure)}\n" for figure in f.inputs)
            out.write(f"     说明：{f.detail}\n")
    clean = sum(1 for items in findings.values() if not items)
    if clean:
        out.write(f"\n其余 {clean} 份文件没有发现问题。\n")


def _table(findings: dict[str, list[Finding]], titles: dict[str, str], console: Console) -> None:
    table = RichTable(title=f"数据核对：{len(findings)} 份文件，{sum(map(len, findings.values()))} 处问题")
    shown = ("document", "rule_name", "stated", "expected", "difference", "unit", "severity", "detail")
    for name in shown:
        table.add_column(name, overflow="fold")
    for row in rows(findings, titles):
        table.add_row(*(row[name] for name in shown))
    console.print(table)
    console.print("已运行的检查：" + "、".join(CHECK_NAMES))


def _write(target: str, text: str, encoding: str) -> None:
    if target == TO_STDOUT:
        sys.stdout.write(text)
    else:
        Path(target).write_text(text, encoding=encoding)


def _csv_text(findings: dict[str, list[Finding]], titles: dict[str, str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    writer.writerows(rows(findings, titles))
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.audit", description="核对财政公开文件中的数字与文字。")
    parser.add_argument("doc_ids", nargs="*", metavar="DOC_ID", help="documents to check")
    parser.add_argument("--all", action="store_true", help="check every stored document")
    parser.add_argument("--csv", nargs="?", const=TO_STDOUT, metavar="FILE",
                        help="write the findings as CSV to FILE (standard output without one)")
    parser.add_argument("--json", nargs="?", const=TO_STDOUT, metavar="FILE",
                        help="write the findings as JSON to FILE (standard output without one)")
    parser.add_argument("--data-dir", help="data folder (default: GONGKAI_DATA_DIR or ./data)")
    parser.add_argument("--user", choices=("public", "official"), default="official")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if not args.doc_ids and not args.all:
        parser.error("请给出文件编号，或用 --all 核对全部文件")
    settings = get_settings(data_dir=args.data_dir)
    engine = get_engine(settings.database_url)
    visibility = ("public", "official") if args.user == "official" else ("public",)
    console = Console()
    try:
        findings = audit_all(engine=engine, visibility=visibility, doc_ids=args.doc_ids)
    except UserFacingError as error:
        console.print(f"错误：{error.message}")
        return 1
    d = db.documents.c
    with engine.connect() as conn:
        titles = {r.id: r.filename for r in conn.execute(select(d.id, d.filename))}
    if args.csv:
        _write(args.csv, _csv_text(findings, titles), "utf-8-sig")
    if args.json:
        text = json.dumps(as_json(findings, titles), ensure_ascii=False, indent=2)
        _write(args.json, text + "\n", "utf-8")
    if TO_STDOUT in (args.csv, args.json):
        return 0  # standard output holds the machine format
    if sys.stdout.isatty():
        _table(findings, titles, console)
    else:
        report(findings, titles, sys.stdout)
    for target, kind in ((args.csv, "CSV"), (args.json, "JSON")):
        if target:
            print(f"已写入 {kind}：{target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
