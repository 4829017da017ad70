"""A scanned disclosure in a real headless Chromium: an official signs in and uploads an
image-only PDF (two pages of a dev 决算, turned 90° as fed sideways), a figure of its table is
asked in the chat, and its citation opens the viewer's page image with the figure's box drawn
where it is printed. Screenshots go to tests/output/.
"""

from __future__ import annotations

import re

import pytest

from bench.ui import streamlit_app
from tests.conftest import DEV_PDFS
from tests.scans import Scan, scanned_pdf
from tests.test_browser import CHROMIUM, OUTPUT, app_in_chromium

QUESTION = "上海市普陀区财政局2024年行政运行决算是多少？"
FIGURE = "1,511.89"
ACCOUNT = ("clerk", "s3cret-口令")

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium: run `make test`"),
    pytest.mark.skipif(
        not DEV_PDFS.is_dir(), reason="../shared/corpus/dev is not beside the checkout"
    ),
]


@pytest.fixture
def empty_app(tmp_path):
    from assistant.users import add_user

    accounts = tmp_path / "users.yaml"
    add_user(accounts, *ACCOUNT)
    with (
        (tmp_path / "streamlit.log").open("w") as log,
        streamlit_app(
            tmp_path / "data", log, env={"GONGKAI_AUTH_FILE": str(accounts)}, seconds=120
        ) as url,
    ):
        yield url


def test_scanned_upload_question_and_box_on_the_page_image(empty_app, tmp_path):
    from playwright.sync_api import expect

    scan = tmp_path / "普陀区财政局2024年度部门决算（扫描件）.pdf"
    scan.write_bytes(
        scanned_pdf(DEV_PDFS, Scan("sh_putuo_caizhengju_2024_dept_final.pdf", (1, 15), rotate=90))
    )
    with app_in_chromium(empty_app) as (_, page):
        page.get_by_text("工作人员登录").click(timeout=240_000)
        page.get_by_label("账号").fill(ACCOUNT[0])
        page.get_by_label("密码").fill(ACCOUNT[1])
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_text("已登录：clerk")).to_be_visible(timeout=60_000)

        page.get_by_role("link", name="文件库管理").click()
        page.locator("input[type=file]").set_input_files(str(scan))
        expect(page.get_by_role("button", name=f"Remove {scan.name}")).to_be_visible(
            timeout=30_000
        )
        page.get_by_role("button", name="开始导入").click()
        expect(page.get_by_text("导入完成：1 个成功")).to_be_visible(timeout=300_000)
        page.screenshot(path=str(OUTPUT / "scan_upload.png"))

        page.get_by_role("link", name="问答").click()
        chat_input = page.get_by_test_id("stChatInputTextArea")
        expect(chat_input).to_be_visible(timeout=240_000)
        chat_input.fill(QUESTION)
        chat_input.press("Enter")
        answer = page.get_by_test_id("stChatMessage").nth(1)
        expect(answer).to_contain_text(FIGURE, timeout=180_000)
        page.screenshot(path=str(OUTPUT / "scan_chat.png"))

        answer.get_by_role("link", name=re.compile(r"查看原文 \[1\]")).click()
        expect(page).to_have_url(
            re.compile(r"/source\?doc=\w+&start=\d+&end=\d+"), timeout=60_000
        )
        expect(page.get_by_text("此文件含扫描页")).to_be_visible(timeout=60_000)
        page.get_by_role("tab", name="页面图像").click()
        picture = page.locator(".scan-page img")
        expect(picture).to_be_visible(timeout=60_000)
        boxes = page.locator(".scan-page .ocr-box")
        expect(boxes).to_have_count(1)
        expect(page.get_by_text("红框标出引用的 1 处")).to_be_visible()
        shown, box = picture.bounding_box(), boxes.first.bounding_box()
        assert shown["height"] > shown["width"]  # the sideways scan shown upright
        # inside the picture: the 合计 column of the table, in the page's upper half
        assert shown["x"] + shown["width"] / 2 < box["x"] < shown["x"] + shown["width"]
        assert shown["y"] < box["y"] < shown["y"] + shown["height"] / 2
        boxes.first.scroll_into_view_if_needed()
        page.screenshot(path=str(OUTPUT / "scan_source_page.png"))
