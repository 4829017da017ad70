"""Plain text and Markdown: detect the encoding, normalise line ends, refuse binary content."""

from __future__ import annotations

import codecs
import unicodedata

import charset_normalizer

from gongkai.errors import CorruptFileError, EmptyFileError, UnsupportedFileError

from .builder import TextBuilder

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Chinese code pages that gb18030 is a superset of (and big5 guesses on short GB text).
_CHINESE_ENCODINGS = {"gb2312", "gbk", "gb18030", "big5", "big5hkscs", "cp950"}
_SAMPLE_CHARS = 20000
_MAX_NUL_SHARE = 0.3
_MAX_ODD_SHARE = 0.05
_ALLOWED_CONTROLS = set("\t\n\r\f\v")


def _bom_encoding(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def has_bom(data: bytes) -> bool:
    """True when the bytes start with a Unicode byte-order mark."""
    return _bom_encoding(data) is not None


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NUL bytes sit on one parity, as in UTF-16 text without BOM."""
    sample = data[:8192]
    even = sum(1 for i in range(0, len(sample), 2) if sample[i] == 0)
    odd = sum(1 for i in range(1, len(sample), 2) if sample[i] == 0)
    if len(sample) < 4 or (even + odd) < len(sample) * 0.2 or len(data) % 2:
        return None
    if odd >= 0.9 * (even + odd):
        return "utf-16-le"
    if even >= 0.9 * (even + odd):
        return "utf-16-be"
    return None


def _looks_like_gb_text(text: str) -> bool:
    """True when the non-ASCII characters are nearly all common GB2312 characters (real GB text)."""
    non_ascii = [ch for ch in text[: _SAMPLE_CHARS * 2] if ord(ch) > 127][:_SAMPLE_CHARS]
    if not non_ascii or "\x00" in text[:_SAMPLE_CHARS]:
        return False
    common = 0
    for ch in non_ascii:
        try:
            ch.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common >= 0.9 * len(non_ascii)


def _try_decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_bytes(data: bytes) -> tuple[str, str]:
    """(text, encoding) for text bytes: BOM, strict UTF-8, GB18030, then charset-normalizer's guess.

    GB18030 is preferred over GBK/GB2312 since it decodes everything they do and more.
    Raises UnsupportedFileError when no encoding fits (binary content).
    """
    for encoding in filter(None, (_bom_encoding(data), _utf16_without_bom(data), "utf-8")):
        text = _try_decode(data, encoding)
        if text is not None:
            return text, encoding
    text = _try_decode(data, "gb18030")
    if text is not None and _looks_like_gb_text(text):
        return text, "gb18030"
    best = charset_normalizer.from_bytes(data[: 2**20]).best()
    if best is not None:
        guessed = codecs.lookup(best.encoding).name
        for encoding in ("gb18030", guessed) if guessed in _CHINESE_ENCODINGS else (guessed,):
            text = _try_decode(data, encoding)
            if text is not None:
                return text, encoding
    raise UnsupportedFileError("无法识别文本编码，文件可能不是文本文件（二进制内容）")


def _odd_share(text: str) -> float:
    """Share of characters no text file holds: control, private-use, unassigned, replacement."""
    sample = text[: _SAMPLE_CHARS * 5]
    odd = 0
    for ch in sample:
        if ch in _ALLOWED_CONTROLS:
            continue
        if ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs"):
            odd += 1
    return odd / max(len(sample), 1)


def normalise_text(text: str, name: str) -> str:
    """BOM stripped, line ends made '\\n', NUL removed; refuses NUL-filled or binary content."""
    text = text.removeprefix("\ufeff")
    nul_share = text.count("\x00") / max(len(text), 1)
    if nul_share > _MAX_NUL_SHARE:
        raise CorruptFileError(f"文件内容大部分为空字节，无法作为文本读取：{name}")
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    if _odd_share(text) > _MAX_ODD_SHARE:
        raise UnsupportedFileError(f"文件含大量控制字符，看起来不是文本文件：{name}")
    return text


def load_text(data: bytes, name: str) -> tuple[TextBuilder, str]:
    """A one-page builder holding the decoded, normalised text, and the encoding used."""
    text, encoding = decode_bytes(data)
    text = normalise_text(text, name)
    if not text.strip():
        raise EmptyFileError(f"文件没有文字内容：{name}")
    builder = TextBuilder()
    builder.start_page()
    builder.add_text(text)
    builder.end_page(1)
    return builder, encoding
