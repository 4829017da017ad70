"""`python -m assistant "问题" [--json]`: answer one question from the command line."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from assistant.ask import ask
from gongkai.errors import UserFacingError
from gongkai.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant", description="就财政公开文件提问。")
    parser.add_argument("question", help="the question, in Chinese")
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")
    parser.add_argument("--data-dir", help="data folder (default: GONGKAI_DATA_DIR or ./data)")
    parser.add_argument("--user", choices=("public", "official"), default="public")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    try:
        answer = ask(args.question, user=args.user, settings=get_settings(data_dir=args.data_dir))
    except UserFacingError as error:
        print(f"错误：{error.message}", file=sys.stderr)
        return 1
    if args.json:
        data = answer.to_dict()
        data.pop("slots", None)
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return 0
    print(answer.answer)
    print(f"\n（{answer.why}）")
    for number, c in enumerate(answer.citations, 1):
        page = f" 第{c.page}页" if c.page else ""
        print(f"[{number}] {c.title}（{c.locality or ''} {c.year or ''}{page}，字符 {c.start}–{c.end}）：{c.quote}")
    if answer.sql:
        print(f"\nSQL: {answer.sql}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
