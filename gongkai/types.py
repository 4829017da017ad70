"""Typed records passed between stages: loaded files, documents, tables, facts, chunks.

Every span (start, end) is a half-open character range into `Document.text`, the text we
store; cutting `text[start:end]` gives the characters a record came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    """A page of the source (PDF page, XLSX sheet); plain text files have one page."""

    number: int  # 1-based
    start: int
    end: int
    scanned: bool = False  # its text was recognised from the page image (OCR)
    rotation: int = 0  # degrees the scanned image was turned counter-clockwise to read it


@dataclass(frozen=True)
class PageBox:
    """Where something is printed on a page: fractions (0..1) of the page's width and height,
    measured from its top-left corner, so it can be drawn on the page rendered at any size."""

    page: int  # 1-based
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(frozen=True)
class OcrSpan:
    """Characters recognised on a scanned page: text[start, end), their box, and the recogniser's
    confidence (0..1) in them."""

    start: int
    end: int
    box: PageBox
    confidence: float


@dataclass(frozen=True)
class SourceCell:
    """A table cell a loader already knows structurally, written into the text at [start, end)."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class SourceTable:
    """A table read structurally by a loader (PDF, DOCX, XLSX, HTML), already laid into the text."""

    rows: tuple[tuple[SourceCell, ...], ...]
    start: int
    end: int
    page: int | None
    kind: str  # 'pdf' | 'docx' | 'xlsx' | 'html' | 'ocr' (recognised from a scan)
    title: str | None = None  # sheet name or <caption> when the source names the table


@dataclass(frozen=True)
class LoadedFile:
    """What a loader returns: the file's text and what it knows of its structure."""

    path: str
    file_type: str  # 'txt' | 'md' | 'pdf' | 'docx' | 'xlsx' | 'html' | 'image'
    text: str
    sha256: str  # of the file's bytes
    size: int
    pages: tuple[Page, ...] = ()
    source_tables: tuple[SourceTable, ...] = ()
    encoding: str | None = None
    ocr_spans: tuple[OcrSpan, ...] = ()  # text recognised from scanned pages, in text order


@dataclass(frozen=True)
class Locality:
    """A place: 重庆市潼南区 (full) / 潼南区 (name) / 潼南 (bare)."""

    full: str
    name: str
    bare: str
    level: str  # 'province' | 'city' | 'district' | 'county'
    province: str | None = None
    city: str | None = None


@dataclass(frozen=True)
class DocumentMeta:
    title: str
    locality: Locality | None
    unit_name: str | None  # issuing unit as written, e.g. 柞水县政务服务中心
    unit_kind: str | None  # normalised kind, e.g. 政务服务中心 / 政务服务管理局 / 行政审批局
    year: int | None  # fiscal year the document is about
    doc_type: str | None  # 预算 / 决算 / 项目文本 / 绩效目标 / 绩效自评 / 预算说明
    published: str | None = None  # publication date when stated (YYYY-MM-DD)
    scope: str = ""  # 部门 (a department with its units) / 单位 (one unit alone) / '' when unsaid


@dataclass(frozen=True)
class Document:
    id: str
    path: str
    file_type: str
    sha256: str
    text: str
    pages: tuple[Page, ...] = ()
    source_tables: tuple[SourceTable, ...] = ()
    meta: DocumentMeta | None = None
    ocr_spans: tuple[OcrSpan, ...] = ()

    def page_at(self, offset: int) -> int | None:
        """The page number holding character `offset`, if pages are known."""
        for page in self.pages:
            if page.start <= offset < page.end:
                return page.number
        return self.pages[-1].number if self.pages and offset >= self.pages[-1].end else None


@dataclass(frozen=True)
class Cell:
    row: int  # 0-based within the table, header rows included
    col: int
    text: str  # as printed, stripped
    start: int
    end: int
    value: float | None = None  # parsed number; None when empty or not numeric
    # Cells recognised from a scan: their box, the lowest confidence of their characters, and
    # whether a sum check of their table failed through them (a likely misreading).
    box: PageBox | None = None
    confidence: float | None = None
    suspect: bool = False


@dataclass(frozen=True)
class Row:
    index: int
    cells: tuple[Cell, ...]
    is_header: bool = False
    label: str = ""  # the row's name, e.g. 科目名称 or first text cell
    code: str | None = None  # 科目编码, e.g. '2010301'
    is_rollup: bool = False  # 合计/小计/总计 or a parent 科目编码 row


@dataclass(frozen=True)
class Table:
    doc_id: str
    index: int  # order within the document
    title: str  # caption line, e.g. 一般公共预算财政拨款支出预算表
    unit: str | None  # 万元 / 元 / 亿元 from a 单位 line or header
    kind: str  # 'markdown' | 'tsv' | 'ocr_pipe' | 'pdf' | 'docx' | 'xlsx' | 'html' | 'ocr'
    start: int
    end: int
    page: int | None
    columns: tuple[str, ...]  # header path per column, levels joined by ' / '
    rows: tuple[Row, ...]  # header rows first (is_header=True), then body rows


@dataclass(frozen=True)
class Fact:
    """One figure stated by a document, normalised for computing."""

    doc_id: str
    metric_raw: str  # metric as written, e.g. 一般公共预算“三公”经费预算支出
    metric: str  # canonical metric key from ingest.vocab, '' when none fits
    value: float
    text: str  # the number as printed, e.g. '1,932.33'
    unit: str  # 万元, 元, 人, 个, 件, 项, 平方米, %, 分 …
    start: int  # span in Document.text containing `text`
    end: int
    source: str  # 'prose' | 'table'
    measure: str = "value"  # 'value' | 'change' | 'change_pct' | 'share' | 'completion'
    scope: str = ""  # 预算 / 决算 / 目标 / 实际 / ''
    year: int | None = None  # year the figure is for (may differ from the document's)
    value_yuan: float | None = None  # money values converted to 元
    subject_code: str | None = None  # 科目编码 when the figure is a classified row
    is_rollup: bool = False
    table_index: int | None = None
    row: int | None = None
    col: int | None = None
    label: str = ""  # the item's own name: a table row's label, or the column naming it
    parent: str = ""  # what the item is part of: the 科目 row its code rolls into, or header levels
    column: str = ""  # a table figure's column header path ('“三公”经费 / 公务接待费')
    row_texts: tuple[str, ...] = ()  # the text cells of the figure's row before it ('服务', '信息化建设经费')


@dataclass(frozen=True)
class Chunk:
    doc_id: str
    index: int
    text: str  # for kind='text', exactly Document.text[start:end]
    start: int
    end: int
    page: int | None = None
    heading: str = ""  # heading path, levels joined by ' > '
    kind: str = "text"  # 'text' | 'table' (a linearised table: title, headers, rows)
    table_index: int | None = None


@dataclass(frozen=True)
class IngestResult:
    path: str
    status: str  # 'ingested' | 'unchanged' | 'replaced' | 'failed'
    doc_id: str | None = None
    chunks: int = 0
    tables: int = 0
    facts: int = 0
    seconds: float = 0.0
    error: str | None = None  # Chinese message for users when status == 'failed'
    timings: dict[str, float] = field(default_factory=dict)
    texts_embedded: int = 0  # distinct texts the model embedded for the chunks
    texts_cached: int = 0  # distinct texts whose vectors came from the embedding cache
