"""`python -m ingest PATH...`: ingest files and folders, with a progress bar and a summary table."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from gongkai.errors import UserFacingError
from gongkai.settings import get_settings
from ingest import store
from ingest.aliases import FILE_NAME, sync_aliases
from ingest.lock import exclusive_run, ingestion_run
from ingest.parallel import check_parallel, ingest_parallel
from ingest.pipeline import expand_paths, ingest_file, open_stores

OVERRIDES = ("locality", "unit_name", "year", "doc_type", "title")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="把财政公开文件导入 Gongkai。")
    parser.add_argument("paths", nargs="*", help="files or folders to ingest")
    parser.add_argument("--data-dir", help="data folder (default: GONGKAI_DATA_DIR or ./data)")
    parser.add_argument("--visibility", choices=("public", "official"), help="who may see the documents")
    parser.add_argument("--locality", help="override the locality, e.g. 重庆市潼南区")
    parser.add_argument("--unit-name", help="override the issuing unit")
    parser.add_argument("--year", type=int, help="override the fiscal year")
    parser.add_argument("--doc-type", help="override the document type (预算/决算/项目文本/绩效自评 …)")
    parser.add_argument("--title", help="override the title")
    parser.add_argument("--list", action="store_true", help="list stored documents")
    parser.add_argument("--delete", metavar="ID", action="append", help="delete a stored document")
    parser.add_argument("--if-empty", action="store_true",
                        help="ingest only when the store holds no document yet (first run)")
    parser.add_argument("--force", action="store_true",
                        help="re-ingest files even when unchanged (after an upgrade: rebuilds their "
                             "chunks, figures and vectors with the current pipeline)")
    parser.add_argument("--check", action="store_true",
                        help="check that SQL and vectors agree, and repair them")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="ingest with N parallel processes (PostgreSQL and Chroma server only)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    console = Console()
    settings = get_settings(data_dir=args.data_dir, visibility=args.visibility)
    try:
        if args.workers > 1:
            check_parallel(settings)  # before loading anything
        stores = open_stores(settings)
        if args.list:
            return _list(console, stores)
        if args.delete or args.check:
            with exclusive_run(stores.engine, settings):  # writers: one run at a time
                return _delete(console, stores, args.delete) if args.delete else _check(console, stores)
        if not args.paths:
            console.print("请给出要导入的文件或文件夹。")
            return 2
        with ingestion_run(stores, settings) as cleared:
            if cleared:
                console.print(f"已清理上次中断的导入：{' '.join(cleared)}")
            if args.if_empty and store.list_documents(stores.engine):
                console.print("数据库中已有文件，跳过导入。")
                return 0
            overrides = {k: getattr(args, k) for k in OVERRIDES if getattr(args, k) is not None}
            return _ingest(console, stores, settings, args.paths, overrides, args.workers, args.force)
    except UserFacingError as error:
        console.print(f"[red]错误：[/red]{error.message}")
        return 1


def _ingest(console, stores, settings, paths, overrides, workers=1, force=False) -> int:
    files = list(expand_paths(paths))
    results = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("导入中", total=len(files))
        if workers > 1:
            progress.update(task, description=f"导入中（{workers} 个进程）")
            results = ingest_parallel(
                files, stores, settings, workers=workers, visibility=settings.visibility,
                overrides=overrides, force=force, on_result=lambda _: progress.advance(task),
            )
        for path in files if workers <= 1 else ():
            progress.update(task, description=f"导入 {path.name}")
            results.append(ingest_file(path, stores, settings, visibility=settings.visibility,
                                       overrides=overrides or None, force=force))
            progress.advance(task)
    summary = RichTable(title="导入结果")
    summary.add_column("file", overflow="fold")
    summary.add_column("status", overflow="fold")
    for name in ("chunks", "tables", "facts", "seconds"):
        summary.add_column(name, justify="right")
    for r in results:
        status = r.status if not r.error else f"[red]failed[/red]: {r.error}"
        summary.add_row(Path(r.path).name, status, str(r.chunks), str(r.tables), str(r.facts), f"{r.seconds:.2f}")
    console.print(summary)
    problems = sync_aliases(stores.engine, settings.data_dir)
    for problem in problems:
        console.print(f"[red]{FILE_NAME}[/red] {problem}（别名文件未生效）")
    return 1 if any(r.status == "failed" for r in results) or problems else 0


def _list(console, stores) -> int:
    table = RichTable(title="已导入文件")
    fields = ("id", "locality", "unit_name", "year", "doc_type", "visibility", "chunks", "tables", "facts",
              "filename")
    for name in fields:
        table.add_column(name)
    for doc in store.list_documents(stores.engine):
        table.add_row(*("" if doc[f] is None else str(doc[f]) for f in fields))
    console.print(table)
    return 0


def _delete(console, stores, ids) -> int:
    missing = [i for i in ids if not store.delete_document(stores, i)]
    for doc_id in ids:
        console.print(f"{doc_id}: {'不存在' if doc_id in missing else '已删除'}")
    return 1 if missing else 0


def _check(console, stores) -> int:
    report = store.check(stores, repair=True)
    for problem, doc_ids in report.items():
        console.print(f"{problem}: {len(doc_ids)} {' '.join(doc_ids)}")
    console.print("已修复。" if any(report.values()) else "SQL 与向量库一致。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
