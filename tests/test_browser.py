"""End to end in a real headless Chromium: `streamlit run app.py` over the ingested samples, a
question typed into the chat, its figure and citation, the citation clicked, the highlighted span
in the source viewer. Screenshots go to tests/output/.

Needs Debian's chromium at /usr/bin/chromium and the `playwright` package; `make test` installs both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bench.ui import ARGS, streamlit_app
from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = ROOT / "tests" / "output"
QUESTION = "柞水县2023年三公经费是多少？"
FIGURE = "0.07万元"  # as printed in 柞水县's 2023 budget
COMPARISON = "哪个地方的三公经费最高？"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium: run `make test`")


@pytest.fixture
def server(sample_store, tmp_path):
    settings, _, _ = sample_store
    with (tmp_path / "streamlit.log").open("w") as log, streamlit_app(
        settings.data_dir, log, env={"GONGKAI_AUTH_FILE": str(tmp_path / "users.yaml")}, seconds=120
    ) as url:
        yield url


@contextmanager
def app_in_chromium(url: str) -> Iterator[tuple[Any, Any]]:
    """(browser, page) of headless Chromium opened on the app at `url`."""
    from playwright.sync_api import sync_playwright

    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100}, locale="zh-CN")
            page.goto(url)
            yield browser, page
        finally:
            browser.close()


@contextmanager
def chat_in_chromium(url: str) -> Iterator[tuple[Any, Any, Any]]:
    """(browser, page, chat input) of headless Chromium on the app at `url`, the input shown."""
    from playwright.sync_api import expect

    with app_in_chromium(url) as (browser, page):
        chat_input = page.get_by_test_id("stChatInputTextArea")
        expect(chat_input).to_be_visible(timeout=240_000)  # the first load warms the model
        yield browser, page, chat_input


def test_question_citation_and_source_viewer_in_chromium(server):
    from playwright.sync_api import expect

    with chat_in_chromium(server) as (browser, page, chat_input):
        expect(page.get_by_text("试试这些问题")).to_be_visible()
        page.screenshot(path=str(OUTPUT / "first.png"))
        chat_input.fill(COMPARISON)  # places compared: a chart
        chat_input.press("Enter")
        compared = page.get_by_test_id("stChatMessage").nth(1)
        expect(compared.get_by_test_id("stVegaLiteChart")).to_be_visible(timeout=240_000)
        compared.screenshot(path=str(OUTPUT / "comparison.png"))

        chat_input.fill(QUESTION)
        chat_input.press("Enter")

        messages = page.get_by_test_id("stChatMessage")
        # two questions, two answers: else `.last` may still be the comparison, which names 0.07 too
        expect(messages).to_have_count(4, timeout=180_000)
        answer = messages.nth(3)
        expect(answer).to_contain_text(FIGURE, timeout=180_000)
        expect(answer.get_by_text("引用来源")).to_be_visible()
        citation = answer.get_by_role("link", name=re.compile(r"查看原文 \[1\]"))
        expect(citation).to_be_visible()
        expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
        answer.scroll_into_view_if_needed()  # the page stays where the comparison was read
        page.screenshot(path=str(OUTPUT / "chat.png"))

        citation.click()
        expect(page).to_have_url(re.compile(r"/source\?doc=\w+&start=\d+&end=\d+"), timeout=60_000)
        mark = page.frame_locator("iframe").first.locator("mark#cited")
        expect(mark).to_be_visible(timeout=60_000)
        expect(mark).to_contain_text("0.07")
        expect(mark).to_be_in_viewport()  # scrolled into view
        expect(page.get_by_test_id("stAlertContentInfo")).to_contain_text("0.07")
        page.screenshot(path=str(OUTPUT / "source.png"))

        shared = browser.new_page(viewport={"width": 1400, "height": 1100})
        shared.goto(page.url)  # the citation's URL opens on its own, in a fresh session
        expect(shared.frame_locator("iframe").first.locator("mark#cited")).to_contain_text(
            "0.07", timeout=120_000)

