"""The source viewer: a stored document's text with the cited spans highlighted, its tables (the
cells a span marks marked in their table: a figure's citation, its one cell), its metadata.
Opened by shareable links `source?doc=<id>&start=<offset>&end=<offset>` (one span) or
`source?doc=<id>&marks=120-126,300-309` (several; the first scrolled into view), see ui/links.py."""

from __future__ import annotations

import base64
import html
import io

import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from assistant.documents import DocumentView, TableView, corpus_summary, get_document
from assistant.page_image import render_page
from gongkai.settings import get_settings
from gongkai.types import PageBox
from ui.links import Span, merged, spans_from

settings = get_settings()
role = st.session_state.get("role", "public")
META = (("locality", "地区"), ("unit_name", "单位"), ("year", "年度"), ("doc_type", "类型"),
        ("published", "发布日期"), ("filename", "文件名"), ("pages", "页数"), ("visibility", "可见范围"))


def text_html(doc: DocumentView, spans: tuple[Span, ...]) -> str:
    """The text, page by page, escaped, each span in <mark>; the first span's <mark id="cited">."""
    numbers = [n for n, _, _ in doc.pages] or [1]
    starts = [0] + [s for _, s, _ in doc.pages[1:]]  # contiguous, so no character is left out
    pages = zip(numbers, starts, [*starts[1:], len(doc.text)], strict=True)
    marks = merged(spans)
    parts = []
    named = False  # a span across a page break is two <mark>s; the id goes on the first
    for number, page_start, page_end in pages:
        parts.append(f'<div class="page">第 {number} 页</div>')
        at = page_start
        for s, e, first in marks:
            if s >= page_end or e <= page_start:
                continue
            s, e = max(s, page_start), min(e, page_end)
            parts.append(html.escape(doc.text[at:s]))
            tag = '<mark id="cited">' if first and not named else "<mark>"
            named = named or first
            parts.append(f"{tag}{html.escape(doc.text[s:e])}</mark>")
            at = e
        parts.append(html.escape(doc.text[at:page_end]))
    style = ("body{font-family:'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei',sans-serif;"
             "white-space:pre-wrap;line-height:1.7;font-size:15px;margin:8px}"
             "mark{background:#ffe066;padding:2px 0}.page{color:#888;border-top:1px solid #ddd;"
             "margin:12px 0 4px;font-size:12px}")
    # scroll this frame only (scrollIntoView would scroll the page around the frame too)
    scroll = ("<script>const m=document.getElementById('cited');"
              "if(m){window.scrollTo(0,m.offsetTop-window.innerHeight/3);}</script>")
    return f"<html><head><style>{style}</style></head><body>{''.join(parts)}{scroll}</body></html>"


def table_html(table: TableView, marked: tuple[tuple[int, int], ...]) -> str:
    """A cited table as an HTML table, the cells the citation marks in <mark> (a figure's
    citation: its one cell), the first with id="cited-cell"; each cell says its row and column."""
    head = "".join(f"<th>{html.escape(name)}</th>" for name in unique(table.columns))
    body = []
    for r, row in enumerate(table.rows):
        cells = []
        for c, text in enumerate(row):
            shown = html.escape(text)
            if (r, c) in marked:
                anchor = ' id="cited-cell"' if (r, c) == marked[0] else ""
                shown = f'<mark{anchor} data-row="{r}" data-col="{c}">{shown}</mark>'
            cells.append(f'<td data-row="{r}" data-col="{c}">{shown}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    style = ("<style>.cited-table{border-collapse:collapse;font-size:14px;width:100%}"
             ".cited-table th,.cited-table td{border:1px solid #ddd;padding:4px 8px;white-space:pre-wrap}"
             ".cited-table th{background:#f6f6f6;font-weight:600}.cited-table mark{background:#ffe066;"
             "padding:2px 0}</style>")
    return (f'{style}<div style="overflow:auto;max-height:560px"><table class="cited-table">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


def page_html(png: bytes, boxes: list[PageBox]) -> str:
    """A page image with each cited box outlined where it is printed (positions in percent)."""
    marks = "".join(
        f'<div class="ocr-box" style="left:{b.x0 * 100:.2f}%;top:{b.top * 100:.2f}%;'
        f'width:{(b.x1 - b.x0) * 100:.2f}%;height:{(b.bottom - b.top) * 100:.2f}%"></div>'
        for b in boxes
    )
    source = base64.b64encode(png).decode()
    style = ("<style>.scan-page{position:relative;display:inline-block;max-width:100%}"
             ".scan-page img{max-width:100%;display:block}.ocr-box{position:absolute;"
             "border:3px solid #e62828;background:rgba(255,224,102,.35);margin:-3px}</style>")
    return (f'{style}<div class="scan-page"><img alt="扫描页" src="data:image/png;base64,{source}">'
            f"{marks}</div>")


def show_scan(doc: DocumentView, spans: tuple[Span, ...]) -> None:
    """The scanned page holding the first citation (or the first scanned page), boxes drawn."""
    boxes = doc.boxes_of(spans)
    cited = sorted(boxes)
    pages = sorted(doc.scanned)
    number = st.selectbox("页", pages, index=pages.index(cited[0]) if cited else 0,
                          format_func=lambda n: f"第 {n} 页" + ("（含引用）" if n in boxes else ""))
    image = render_page(doc.meta.get("path", ""), doc.meta.get("file_type", ""), number,
                        doc.scanned[number])
    if image is None:
        st.warning("原文件已不在存储位置，无法显示页面图像。")
        return
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    st.caption(f"扫描件第 {number} 页；红框标出引用的 {len(boxes.get(number, []))} 处识别文字。")
    st.html(page_html(buffer.getvalue(), boxes.get(number, [])))


def unique(names: tuple[str, ...]) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        result.append(name if seen[name] == 1 else f"{name}（{seen[name]}）")
    return result


def quoted(doc: DocumentView, span: Span) -> str:
    page = doc.page_at(span[0])
    return (f"第{page}页" if page else "") + f"“{doc.text[span[0]:span[1]].strip()}”"


def show(doc: DocumentView, spans: tuple[Span, ...]) -> None:
    st.title(doc.title)
    meta = {label: doc.meta.get(key) for key, label in META if doc.meta.get(key) not in (None, "")}
    if "可见范围" in meta:
        meta["可见范围"] = "公开" if meta["可见范围"] == "public" else "仅工作人员"
    st.caption(" · ".join(f"{k}：{v}" for k, v in meta.items()))
    if len(spans) == 1:
        page = doc.page_at(spans[0][0])
        quote = doc.text[spans[0][0]:spans[0][1]].strip()
        st.info(f"引用片段（第{page}页）：“{quote}”" if page else f"引用片段：“{quote}”")
    elif spans:
        st.info(f"标出了 {len(spans)} 处：" + "；".join(quoted(doc, span) for span in spans))
    if doc.scanned:
        st.warning("此文件含扫描页，其文字由扫描件识别（OCR），引用的数字请对照页面图像核对原件。")
    names = ["原文", f"表格（{len(doc.tables)}）"] + (["页面图像"] if doc.scanned else [])
    text_tab, tables_tab, *scan_tab = st.tabs(names)
    if scan_tab:
        with scan_tab[0]:
            show_scan(doc, spans)
    with text_tab:
        components.html(text_html(doc, spans), height=640, scrolling=True)
    with tables_tab:
        for table in doc.tables:
            marked = table.cells_marked(spans)
            cited = bool(marked) or any(table.start <= start < table.end for start, _ in spans)
            label = f"{table.title or f'表{table.index + 1}'}" + (f"（单位：{table.unit}）" if table.unit else "")
            label += f" · 第{table.page}页" if table.page else ""
            with st.expander((":material/push_pin: " if cited else "") + label, expanded=cited):
                if marked:  # the cited cells marked where they stand
                    st.html(table_html(table, marked))
                else:
                    st.dataframe(pd.DataFrame(list(table.rows), columns=unique(table.columns)),
                                 hide_index=True, width="stretch")


doc_id = st.query_params.get("doc", "")
if not doc_id:
    st.title("原文")
    documents = [d for d in corpus_summary(settings, user=role).documents if d["status"] == "complete"]
    if not documents:
        st.info("还没有导入任何文件。")
        st.stop()
    chosen = st.selectbox("选择文件", documents, format_func=lambda d: d["title"], index=None,
                          placeholder="选择要查看的文件")
    if chosen:
        st.query_params["doc"] = chosen["id"]
        st.rerun()
    st.stop()
document = get_document(doc_id, settings, user=role)
if document is None:
    st.error("找不到这个文件，或者它仅对工作人员可见（请先登录）。")
    st.stop()
spans = spans_from(st.query_params.to_dict(), len(document.text))
if spans is None:
    st.warning("链接中的标记位置无效，已忽略。")
show(document, spans or ())
