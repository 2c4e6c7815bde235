"""Getting the text of a plan document out of what staff upload: .txt, .docx, a .pdf with a text layer.
Everything else, and every file that yields no Chinese text, is refused with a reason."""

import io
import re
import zipfile

from core.errors import Invalid

MAX_BYTES = 10 * 1024 * 1024
"""A plan document is tens of kilobytes of text (the five seeds: 13–38 KB); a .docx with pictures a few MB."""
MIN_CHINESE = 20


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise Invalid("文件是二进制内容，不是文本：请上传 .txt、.docx 或带文字层的 .pdf。")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Invalid("无法识别文件的文字编码（支持 UTF-8 和 GB18030/GBK）。")


def _docx(data: bytes) -> str:
    import docx  # python-docx: imported here so the plain-text path needs no XML stack

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise Invalid("无法打开 .docx 文件：文件已损坏或不是 Word 文档。") from exc
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            seen = []
            for cell in row.cells:
                if cell.text not in seen:  # a merged cell repeats in python-docx
                    seen.append(cell.text)
            lines.extend(f"{text} |" for text in seen)
            lines.append("")
    return "\n".join(lines)


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise Invalid("无法读取 .pdf 文件：文件已损坏或已加密。") from exc
    text = "\n".join(pages)
    if len(re.findall(r"[\u4e00-\u9fff]", text)) < MIN_CHINESE:
        raise Invalid("这个 PDF 没有文字层（可能是扫描件）：请上传原文的 .docx 或 .txt，或先做文字识别。")
    return text


def document_text(*, name: str, data: bytes) -> str:
    """The text of an uploaded document, or Invalid naming why it cannot be read."""
    if len(data) > MAX_BYTES:
        raise Invalid(f"文件过大（{len(data) / 1024 / 1024:.1f} MB）：上限为 {MAX_BYTES // 1024 // 1024} MB。")
    if not data:
        raise Invalid("文件是空的。")
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if suffix == "docx":
        text = _docx(data)
    elif suffix == "pdf" or data.startswith(b"%PDF"):
        text = _pdf(data)
    elif suffix in ("txt", "text", ""):
        text = _decode(data)
    else:
        raise Invalid(f"不支持 .{suffix} 文件：请上传 .txt、.docx 或 .pdf。")
    return text_check(text)


def text_check(text: str) -> str:
    """Refuse a text that is empty or not Chinese: nothing could be proposed from it."""
    if not text or not text.strip():
        raise Invalid("文本是空的：请粘贴方案全文或上传文件。")
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise Invalid(f"文本过长：上限为 {MAX_BYTES // 1024 // 1024} MB。")
    if len(re.findall(r"[\u4e00-\u9fff]", text)) < MIN_CHINESE:
        raise Invalid("文本不是中文的方案文件（几乎没有汉字）：请粘贴方案的中文原文。")
    return text
