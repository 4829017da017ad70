"""Checks made before parsing a file: size, real type from magic bytes, zip bombs."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from gongkai.errors import (
    CorruptFileError,
    EmptyFileError,
    FileTooLargeError,
    UnsupportedFileError,
)

EXTENSION_TYPES = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".pdf": "pdf",
    ".docx": "docx",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".tif": "image",
    ".tiff": "image",
}
SUPPORTED = ".txt .md .pdf .docx .xlsx .html .png .jpg .tif"
MAX_ZIP_UNCOMPRESSED = 200 * 2**20
MAX_ZIP_RATIO = 100
MAX_ZIP_MEMBERS = 10000
_RATIO_CHECK_MIN_BYTES = 2**20  # small members compress very well without being a threat
_PDF_MAGIC = b"%PDF-"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc / .xls
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")  # PNG JPEG TIFF
_HTML_START = re.compile(
    rb"^(\xef\xbb\xbf)?\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)[\s>]",
    re.IGNORECASE | re.DOTALL,
)


def check_size(path: Path, max_bytes: int) -> int:
    """The file's size from stat, refusing missing, empty and oversized files before reading."""
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise UnsupportedFileError(f"找不到文件：{path.name}", detail=str(exc)) from exc
    if not path.is_file():
        raise UnsupportedFileError(f"不是普通文件：{path.name}")
    if size == 0:
        raise EmptyFileError(f"文件为空：{path.name}")
    if size > max_bytes:
        raise FileTooLargeError(
            f"文件过大：{path.name}（{size / 2**20:.1f} MB，上限 {max_bytes / 2**20:.0f} MB）",
            detail=f"size={size} max_bytes={max_bytes}",
        )
    return size


def _zip_members(data: bytes, name: str) -> list[zipfile.ZipInfo]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise CorruptFileError(
            f"文件已损坏，无法作为压缩文档打开：{name}", detail=repr(exc)
        ) from exc


def check_zip_bomb(members: list[zipfile.ZipInfo], name: str) -> None:
    """Refuse zips inflating beyond MAX_ZIP_UNCOMPRESSED, or with a member over MAX_ZIP_RATIO."""
    total = sum(member.file_size for member in members)
    if total > MAX_ZIP_UNCOMPRESSED or len(members) > MAX_ZIP_MEMBERS:
        raise FileTooLargeError(
            f"文档解压后过大（{total / 2**20:.0f} MB，{len(members)} 个部件），已拒绝：{name}",
            detail=f"uncompressed={total} members={len(members)}",
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size >= _RATIO_CHECK_MIN_BYTES and ratio > MAX_ZIP_RATIO:
            raise FileTooLargeError(
                f"文档压缩比异常（{ratio:.0f} 倍），疑似压缩炸弹，已拒绝：{name}",
                detail=f"member={member.filename} ratio={ratio:.0f}",
            )


def _office_type(data: bytes, name: str) -> str:
    """'docx' or 'xlsx' for a safe Office Open XML zip; other zips are refused."""
    members = _zip_members(data, name)
    check_zip_bomb(members, name)
    names = {member.filename for member in members}
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    raise UnsupportedFileError(f"不支持的压缩文件类型（仅支持 .docx 和 .xlsx）：{name}")


def sniff_type(data: bytes, path: Path) -> str:
    """The file type from its content, the extension deciding only between text and HTML.

    A file whose extension lies is loaded by what it really is (PDF, DOCX, XLSX, HTML); a file
    claiming a binary format but holding something else is refused.
    """
    extension = path.suffix.lower()
    claimed = EXTENSION_TYPES.get(extension)
    if _PDF_MAGIC in data[:1024]:  # the spec tolerates junk before the header
        return "pdf"
    if data.startswith(_ZIP_MAGIC):
        return _office_type(data, path.name)
    if data.startswith(_IMAGE_MAGIC):
        return "image"
    if data.startswith(_OLE_MAGIC):
        raise UnsupportedFileError(
            f"不支持旧版 Office 文件（.doc/.xls），请另存为 .docx 或 .xlsx：{path.name}"
        )
    if claimed in ("pdf", "docx", "xlsx", "image"):
        shown = "图片" if claimed == "image" else claimed.upper()
        raise CorruptFileError(
            f"文件扩展名为 {extension}，但内容不是有效的 {shown} 文件：{path.name}"
        )
    if claimed is None:
        shown = extension or "（无扩展名）"
        raise UnsupportedFileError(f"不支持的文件类型 {shown}（支持 {SUPPORTED}）：{path.name}")
    if claimed == "html" or _HTML_START.match(data[:4096]):
        return "html"
    return claimed
