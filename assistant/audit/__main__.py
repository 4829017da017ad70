"""`python -m assistant.audit [--data-dir DIR] [--all] [--csv FILE] [DOC_ID…]`: check documents' figures."""

from __future__ import annotations

import argparse
import csv
import logging
import sys
from collections.abc import Iterable
from pathlib import Path

from rich.console import Console
from rich.table import Table as RichTable
from sqlalchemy import select

from assistant.audit.findings import Finding
from assistant.audit.runner import CHECK_NAMES, audit_all
from gongkai import db
from gongkai.db import get_engine
from gongkai.errors import UserFacingError
from gongkai.settings import get_settings

CSV_COLUMNS = ("document", "doc_id", "rule", "rule_name", "severity", "stated", "expected", "difference",
               "unit", "detail", "stated_span", "inputs")


def number(value: float) -> str:
    """A computed value for display: at most 4 decimals, no trailing zeros."""
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def rows(findings: dict[str, list[Finding]], titles: dict[str, str]) -> Iterable[dict[str, str]]:
    for doc_id, found in findings.items():
        for f in found:
            yield {
                "document": titles.get(doc_id, doc_id), "doc_id": doc_id, "rule": f.rule,
                "rule_name": f.rule_name, "severity": f.severity, "stated": f.stated.text,
                "expected": number(f.expected), "difference": number(f.difference), "unit": f.unit,
                "detail": f.detail, "stated_span": f"{f.stated.start}-{f.stated.end}",
                "inputs": "; ".join(f"{i.text}@{i.start}-{i.end}" for i in f.inputs),
            }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.audit", description="核对财政公开文件中的数字。")
    parser.add_argument("doc_ids", nargs="*", metavar="DOC_ID", help="documents to check")
    parser.add_argument("--all", action="store_true", help="check every stored document")
    parser.add_argument("--csv", type=Path, help="also write the findings to this CSV file")
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
    table = RichTable(title=f"数据核对：{len(findings)} 份文件，{sum(map(len, findings.values()))} 处不一致")
    for name in ("document", "rule_name", "stated", "expected", "difference", "unit", "severity", "detail"):
        table.add_column(name, overflow="fold")
    found = list(rows(findings, titles))
    for row in found:
        table.add_row(row["document"], row["rule_name"], row["stated"], row["expected"], row["difference"],
                      row["unit"], row["severity"], row["detail"])
    console.print(table)
    console.print("已运行的检查：" + "、".join(CHECK_NAMES))
    if args.csv:
        with args.csv.open("w", newline="", encoding="utf-8-sig") as out:
            writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
            writer.writeheader()
            writer.writerows(found)
        console.print(f"已写入 {args.csv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
