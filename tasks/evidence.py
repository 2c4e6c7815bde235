"""Which evidence files a task update accepts: PDF, Office documents and images, judged by name AND content.

Pure functions over a file-like object. A file whose extension and first bytes disagree (an HTML page
renamed .pdf, a macro workbook renamed .xlsx) is refused, so nothing stored can be served as something else.
"""

import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO

from django.utils.translation import gettext as _

PDF = b"%PDF-"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.xls/.ppt
ZIP = b"PK\x03\x04"  # Office Open XML
PNG = b"\x89PNG\r\n\x1a\n"
JPEG = b"\xff\xd8\xff"
GIF = (b"GIF87a", b"GIF89a")


@dataclass(frozen=True)
class EvidenceType:
    content_type: str
    magic: tuple[bytes, ...]
    ooxml_part: str = ""  # the part every file of this OOXML type contains


EVIDENCE_TYPES = {
    ".pdf": EvidenceType("application/pdf", (PDF,)),
    ".doc": EvidenceType("application/msword", (OLE2,)),
    ".xls": EvidenceType("application/vnd.ms-excel", (OLE2,)),
    ".ppt": EvidenceType("application/vnd.ms-powerpoint", (OLE2,)),
    ".docx": EvidenceType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (ZIP,), "word/document.xml"
    ),
    ".xlsx": EvidenceType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP,), "xl/workbook.xml"
    ),
    ".pptx": EvidenceType(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation", (ZIP,), "ppt/presentation.xml"
    ),
    ".png": EvidenceType("image/png", (PNG,)),
    ".jpg": EvidenceType("image/jpeg", (JPEG,)),
    ".jpeg": EvidenceType("image/jpeg", (JPEG,)),
    ".gif": EvidenceType("image/gif", GIF),
}

ALLOWED_EXTENSIONS = ", ".join(ext.lstrip(".") for ext in EVIDENCE_TYPES)


class EvidenceRejected(ValueError):
    """The file may not be stored; the message says why, in the user's words."""


def evidence_extension(name: str) -> str:
    return PurePath(name or "").suffix.lower()


def evidence_check(*, name: str, size: int, file: BinaryIO, max_bytes: int) -> str:
    """Return the normalised extension of an acceptable evidence file, or raise EvidenceRejected."""
    if size > max_bytes:
        raise EvidenceRejected(
            _("证明材料不能超过 %(mb)s MB（当前 %(size).1f MB）。")
            % {"mb": max_bytes // (1024 * 1024), "size": size / (1024 * 1024)}
        )
    extension = evidence_extension(name)
    kind = EVIDENCE_TYPES.get(extension)
    if kind is None:
        raise EvidenceRejected(
            _("证明材料只能是 PDF、Office 文档或图片（%(allowed)s）。") % {"allowed": ALLOWED_EXTENSIONS}
        )
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if not any(head.startswith(magic) for magic in kind.magic):
        raise EvidenceRejected(
            _("文件内容与扩展名 %(ext)s 不符，请上传真实的 PDF、Office 文档或图片。") % {"ext": extension}
        )
    if kind.ooxml_part:
        _check_ooxml(file, kind.ooxml_part, extension)
    return extension


def _check_ooxml(file: BinaryIO, part: str, extension: str) -> None:
    """An OOXML file must hold its main part and no macro project (a .docm renamed .docx)."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        names = set()
    finally:
        file.seek(0)
    if "[Content_Types].xml" not in names or part not in names:
        raise EvidenceRejected(
            _("文件内容与扩展名 %(ext)s 不符，请上传真实的 PDF、Office 文档或图片。") % {"ext": extension}
        )
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise EvidenceRejected(_("证明材料不能包含宏。"))
