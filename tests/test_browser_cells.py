"""A table figure's citation opened in a real headless Chromium: the viewer marks that one cell.

`streamlit run app.py` over the ingested samples (the fixtures of tests/test_browser.py); a
question a table answers is typed into the chat; its citation quotes "表名 · 行 · 列：数值"; clicking
it opens the source viewer with exactly the figure marked in the text, and in the table tab the
one cell at the quoted row and column marked — not its row. Screenshots go to tests/output/.
"""

from __future__ import annotations

import re

import pytest

from tests.test_browser import CHROMIUM, OUTPUT, chat_in_chromium, server  # noqa: F401 - `server` is a fixture

QUESTION = "汨罗市2018年政务大厅维修费是多少？"  # a row of 汨罗市's 项目支出明细 table
FIGURE = "25.21"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium: run `make test`")


def test_a_table_figure_citation_marks_its_cell_in_the_viewer(server):  # noqa: F811
    from playwright.sync_api import expect

    with chat_in_chromium(server) as (_, page, chat_input):
        chat_input.fill(QUESTION)
        chat_input.press("Enter")
        answer = page.get_by_test_id("stChatMessage").nth(1)
        expect(answer).to_contain_text(f"{FIGURE}万元", timeout=180_000)
        card = answer.get_by_test_id("stCaptionContainer").filter(has_text=f"：{FIGURE}")
        expect(card).to_have_count(1)
        quote = card.inner_text().strip().strip("“”")
        table_title, row_label, column = re.fullmatch(rf"(.+) · (.+) · (.+)：{FIGURE}", quote).groups()
        answer.scroll_into_view_if_needed()
        page.screenshot(path=str(OUTPUT / "cell_chat.png"))

        answer.get_by_role("link", name=re.compile(r"查看原文 \[1\]")).click()
        expect(page).to_have_url(re.compile(r"/source\?doc=\w+&start=\d+&end=\d+"), timeout=60_000)
        marks = page.frame_locator("iframe").first.locator("mark")
        expect(marks).to_have_count(1, timeout=60_000)
        expect(marks.first).to_have_text(FIGURE)  # the figure's characters, not its row's
        expect(marks.first).to_be_in_viewport()
        page.screenshot(path=str(OUTPUT / "cell_source_text.png"))

        page.get_by_role("tab", name=re.compile("表格")).click()
        table = page.locator("table.cited-table")
        expect(table).to_have_count(1, timeout=30_000)  # only the cited table is marked
        marked = table.locator("mark")
        expect(marked).to_have_count(1)  # one cell, not the row's cells
        expect(marked).to_contain_text(FIGURE)
        cell = table.locator("td:has(mark)")
        column_index = int(cell.get_attribute("data-col"))
        expect(table.locator("th").nth(column_index)).to_have_text(column)
        row = table.locator("tr:has(mark)")
        expect(row.locator("td").filter(has_text=row_label).first).to_be_visible()
        expect(row.locator("mark")).to_have_count(1)
        expect(page.get_by_text(table_title).first).to_be_visible()  # the expander's label
        marked.scroll_into_view_if_needed()
        page.screenshot(path=str(OUTPUT / "cell_source_table.png"))

