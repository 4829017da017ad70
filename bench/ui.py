"""`python -m bench.ui [--data-dir DIR]`: what a browser user waits for, measured in headless Chromium.

Starts `streamlit run app.py` on a free port over an ingested data folder (default: the
GONGKAI_DATA_DIR setting), then times: the server's start, the first screen (chat input shown,
which includes loading the embedding model and building the retrieval index once), each example
question from typing to the complete answer with its citation, and opening the first citation's
source viewer. Needs /usr/bin/chromium and the playwright package (`make test` installs them).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from rich.console import Console
from rich.table import Table

from gongkai.settings import get_settings

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, server: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"streamlit did not answer at {url}")


@contextmanager
def streamlit_app(data_dir: Path, log: IO[str], env: dict[str, str] | None = None,
                  seconds: float = 300) -> Iterator[str]:
    """`streamlit run app.py` over `data_dir` on a free local port, its output to `log`; yields
    its URL once healthy (the browser test uses it too), and stops it on exit."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "GONGKAI_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", **(env or {})},
    )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, server, seconds)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def measure(url: str) -> list[tuple[str, float, str]]:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect, sync_playwright

    rows: list[tuple[str, float, str]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        started = time.perf_counter()
        page.goto(url)
        chat_input = page.get_by_test_id("stChatInputTextArea")
        expect(chat_input).to_be_visible(timeout=600_000)
        examples = page.locator(".stButton button").filter(has_not_text="新对话")
        expect(examples.first).to_be_visible(timeout=60_000)
        rows.append(("first screen (model warm-up included)", time.perf_counter() - started, ""))
        questions = [t for t in examples.all_inner_texts() if t not in ("登录", "退出登录", "新对话")]
        for question in questions:  # each in a new conversation, as a first question
            page.get_by_role("button", name="新对话").click()
            expect(page.get_by_test_id("stChatMessage")).to_have_count(0)
            started = time.perf_counter()
            chat_input.fill(question)
            chat_input.press("Enter")
            answer = page.get_by_test_id("stChatMessage").nth(1)
            expect(answer.get_by_text("回答方式").or_(answer.get_by_test_id("stAlert"))).to_be_visible(
                timeout=300_000)
            cited = answer.get_by_role("link", name="查看原文 [1]")
            try:
                cited.wait_for(timeout=30_000)
                note = "with citation"
            except PlaywrightTimeout:
                note = answer.inner_text()[:40].replace("\n", " ")
            seconds = time.perf_counter() - started
            rows.append((f"answer: {question}", seconds, note))
        links = page.get_by_role("link", name="查看原文 [1]")
        if links.count():
            started = time.perf_counter()
            links.first.click()
            expect(page.frame_locator("iframe").first.locator("mark#cited")).to_be_visible(timeout=120_000)
            rows.append(("source viewer at the cited span", time.perf_counter() - started, ""))
        browser.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ui", description=__doc__)
    parser.add_argument("--data-dir", help="an ingested data folder (default: GONGKAI_DATA_DIR)")
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir or get_settings().data_dir).resolve()
    with tempfile.TemporaryFile("w+") as log:
        started = time.perf_counter()
        with streamlit_app(data_dir, log) as url:
            rows = [("server start", time.perf_counter() - started, ""), *measure(url)]
    table = Table(title=f"browser waits over {data_dir}")
    table.add_column("step")
    table.add_column("seconds", justify="right")
    table.add_column("note")
    for step, seconds, note in rows:
        table.add_row(step, f"{seconds:.2f}", note)
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
