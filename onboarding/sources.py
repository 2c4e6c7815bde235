"""Getting the text of a plan document out of what staff upload: .txt, .docx, a .pdf with a text layer.
Everything else, and every file that yields no Chinese text, is refused with a reason."""

import io
import re
import unicodedata
import zipfile

from defusedxml import ElementTree
from django.utils.translation import gettext as _

from core.errors import Invalid

MAX_BYTES = 10 * 1024 * 1024
"""An uploaded file: a .docx or .pdf with pictures may run to a few MB."""
MAX_TEXT_BYTES = 800 * 1024
"""The text read from it: the five seeds hold 13–38 KB. The review page posts the text back with the forms,
and Django refuses a form body over 2.5 MB (DATA_UPLOAD_MAX_MEMORY_SIZE), so the text stays well below."""
MIN_CHINESE = 20


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise Invalid(_("文件是二进制内容，不是文本：请上传 .txt、.docx 或带文字层的 .pdf。"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Invalid(_("无法识别文件的文字编码（支持 UTF-8 和 GB18030/GBK）。"))


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_DOCX_XML = 50 * 1024 * 1024
"""word/document.xml unpacked: a zip bomb is refused before it is read."""


def _paragraph(p) -> str:
    parts = []
    for node in p.iter():
        if node.tag == W + "t":
            parts.append(node.text or "")
        elif node.tag == W + "tab":
            parts.append("\t")
        elif node.tag in (W + "br", W + "cr"):
            parts.append("\n")
    return "".join(parts)


def _docx(data: bytes) -> str:
    """Paragraphs in order, and each table row by row with one cell a line ending in `|` (the form the
    seed copies use, so tables are read alike). Read with zipfile and defusedxml: no XML library that would
    change how openpyxl parses the workbooks elsewhere."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("word/document.xml")
            if info.file_size > MAX_DOCX_XML:
                raise Invalid(_("无法打开 .docx 文件：文件已损坏或不是 Word 文档。"))
            root = ElementTree.fromstring(archive.read(info))
    except Invalid:
        raise
    except Exception as exc:  # noqa: BLE001 — any failure to parse an untrusted file is the same refusal
        raise Invalid(_("无法打开 .docx 文件：文件已损坏或不是 Word 文档。")) from exc
    body = root.find(W + "body")
    lines = []
    for block in body if body is not None else []:
        if block.tag == W + "p":
            lines.append(_paragraph(block))
        elif block.tag == W + "tbl":
            for row in block.iter(W + "tr"):
                for cell in row.findall(W + "tc"):
                    text = " ".join(_paragraph(p) for p in cell.iter(W + "p")).strip()
                    lines.append(f"{text} |" if text else "|")
            lines.append("")
    return "\n".join(lines)


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:  # noqa: BLE001 — any failure to parse an untrusted file is the same refusal
        raise Invalid(_("无法读取 .pdf 文件：文件已损坏或已加密。")) from exc
    text = pdf_reflow("\n".join(pages))
    if len(re.findall(r"[\u4e00-\u9fff]", text)) < MIN_CHINESE:
        raise Invalid(_("这个 PDF 没有文字层（可能是扫描件）：请上传原文的 .docx 或 .txt，或先做文字识别。"))
    return text


def too_large(size: int) -> str:
    return _("文件过大（%(size).1f MB）：上限为 %(limit)d MB。") % {
        "size": size / 1024 / 1024,
        "limit": MAX_BYTES // 1024 // 1024,
    }


RADICALS = str.maketrans(
    {"⺠": "民", "⻓": "长", "⻔": "门", "⻋": "车", "⻜": "飞", "⻄": "西", "⻛": "风", "⻢": "马"}
)
"""Radical-block look-alikes some PDF fonts map CJK characters to (NFKC leaves these; it maps ⼀ to 一)."""
HEADING_START = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|\d{1,2}[.．、]|——|附件|[•·])"
)
SPACE_NEAR_CJK = re.compile(r"(?<=[^\x00-\x7f]) +| +(?=[^\x00-\x7f])|(?<=[(,:;%]) +| +(?=[),:;%])")


def pdf_reflow(text: str) -> str:
    """A PDF's text layer as the document reads: look-alike characters back to the common ones, the spaces
    a layout engine puts beside Chinese characters and numbers removed, and line breaks inside a sentence
    (where the page was only full) joined; a break before a heading (二、 (一) 1. ——) or after 。；：is kept."""
    text = unicodedata.normalize("NFKC", text).translate(RADICALS)
    lines = [SPACE_NEAR_CJK.sub("", line.rstrip()) for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if (
            out
            and out[-1]
            and line
            and not re.search(r"[。；;：:！!？?〕]$", out[-1])
            and not HEADING_START.match(line)
        ):
            out[-1] += line.strip()
        else:
            out.append(line)
    return "\n".join(out)


def document_text(*, name: str, data: bytes) -> str:
    """The text of an uploaded document, or Invalid naming why it cannot be read."""
    if len(data) > MAX_BYTES:
        raise Invalid(too_large(len(data)))
    if not data:
        raise Invalid(_("文件是空的。"))
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if suffix == "docx":
        text = _docx(data)
    elif suffix == "pdf" or data.startswith(b"%PDF"):
        text = _pdf(data)
    elif suffix in ("txt", "text", ""):
        text = _decode(data)
    else:
        raise Invalid(_("不支持 .%(suffix)s 文件：请上传 .txt、.docx 或 .pdf。") % {"suffix": suffix})
    return text_check(text)


def text_check(text: str) -> str:
    """Refuse a text that is empty or not Chinese: nothing could be proposed from it."""
    if not text or not text.strip():
        raise Invalid(_("文本是空的：请粘贴方案全文或上传文件。"))
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise Invalid(_("文本过长：上限为 %(kb)d KB（一份方案通常只有几十 KB）。") % {"kb": MAX_TEXT_BYTES // 1024})
    if len(re.findall(r"[\u4e00-\u9fff]", text)) < MIN_CHINESE:
        raise Invalid(_("文本不是中文的方案文件（几乎没有汉字）：请粘贴方案的中文原文。"))
    return text
