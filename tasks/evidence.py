"""Which evidence files a task update accepts, judged by name AND by structure.

Pure functions over a file-like object. The extension names the type; the first bytes must be that type's,
and then the file must open as one, each read by a well-kept library: a PDF parses with at least one page
(pypdf), an image decodes whole (Pillow), an Office Open XML or OFD file is a zip holding its type's main
part as well-formed XML (defusedxml) and no macro project, a legacy Office or WPS file is an OLE2 compound
file holding its type's main stream and no VBA storage (olefile). So an HTML page behind a `%PDF-` or JPEG
header, a macro workbook renamed .xlsx or a .docm renamed .doc is refused, and nothing stored can be served
as something else. README "Evidence files" lists the types and why.
"""

import warnings
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO

import olefile
from defusedxml import ElementTree
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

PDF = b"%PDF-"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.xls/.ppt, WPS .wps/.et
ZIP = b"PK\x03\x04"  # Office Open XML, OFD
PNG = b"\x89PNG\r\n\x1a\n"
JPEG = b"\xff\xd8\xff"
GIF = (b"GIF87a", b"GIF89a")

MAX_PART_BYTES = 64 * 1024 * 1024
"""The most a zip's main XML part may unpack to: a real document's is far smaller, a zip bomb's is not."""
MAX_IMAGE_PIXELS = 100_000_000
"""The most pixels an image may decode to (a 10,000 × 10,000 scan); a decompression bomb has more."""


@dataclass(frozen=True)
class EvidenceType:
    content_type: str
    magic: tuple[bytes, ...]
    zip_part: str = ""  # the main XML part every zip-packaged file of this type holds
    ole_streams: tuple[str, ...] = ()  # one of these streams every OLE2 file of this type holds
    image_format: str = ""  # Pillow's name of the format


WORD_STREAMS = ("WordDocument",)
EXCEL_STREAMS = ("Workbook", "Book")
EVIDENCE_TYPES = {
    ".pdf": EvidenceType("application/pdf", (PDF,)),
    ".ofd": EvidenceType("application/ofd", (ZIP,), zip_part="OFD.xml"),
    ".doc": EvidenceType("application/msword", (OLE2,), ole_streams=WORD_STREAMS),
    ".xls": EvidenceType("application/vnd.ms-excel", (OLE2,), ole_streams=EXCEL_STREAMS),
    ".ppt": EvidenceType("application/vnd.ms-powerpoint", (OLE2,), ole_streams=("PowerPoint Document",)),
    ".wps": EvidenceType("application/wps-office.wps", (OLE2,), ole_streams=WORD_STREAMS),
    ".et": EvidenceType("application/wps-office.et", (OLE2,), ole_streams=EXCEL_STREAMS),
    ".docx": EvidenceType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (ZIP,), "word/document.xml"
    ),
    ".xlsx": EvidenceType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP,), "xl/workbook.xml"
    ),
    ".pptx": EvidenceType(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation", (ZIP,), "ppt/presentation.xml"
    ),
    ".png": EvidenceType("image/png", (PNG,), image_format="PNG"),
    ".jpg": EvidenceType("image/jpeg", (JPEG,), image_format="JPEG"),
    ".jpeg": EvidenceType("image/jpeg", (JPEG,), image_format="JPEG"),
    ".gif": EvidenceType("image/gif", GIF, image_format="GIF"),
}

ALLOWED_EXTENSIONS = ", ".join(ext.lstrip(".") for ext in EVIDENCE_TYPES)
OOXML_EXTENSIONS = (".docx", ".xlsx", ".pptx")


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
            _("证明材料只能是 PDF、OFD、Office/WPS 文档或图片（%(allowed)s）。") % {"allowed": ALLOWED_EXTENSIONS}
        )
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if not any(head.startswith(magic) for magic in kind.magic):
        raise _mismatch(extension)
    try:
        if kind.magic == (PDF,):
            _check_pdf(file, extension)
        elif kind.image_format:
            _check_image(file, kind.image_format, extension)
        elif kind.zip_part:
            _check_zip(file, kind.zip_part, extension)
        elif kind.ole_streams:
            _check_ole(file, kind.ole_streams, extension)
    finally:
        file.seek(0)
    return extension


def _mismatch(extension: str) -> EvidenceRejected:
    return EvidenceRejected(
        _("文件内容与扩展名 %(ext)s 不符，或文件已损坏，请上传真实的 PDF、OFD、Office/WPS 文档或图片。")
        % {"ext": extension}
    )


def _check_pdf(file: BinaryIO, extension: str) -> None:
    """A PDF whose cross-reference and page tree read: an HTML page behind a %PDF- header has neither."""
    try:
        reader = PdfReader(file, strict=True)
        pages = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as error:
        raise _mismatch(extension) from error
    if pages == 0:
        raise _mismatch(extension)


def _check_image(file: BinaryIO, image_format: str, extension: str) -> None:
    """An image that decodes whole, in the format its extension names, and is no decompression bomb."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(file) as image:
                if image.format != image_format or image.width * image.height > MAX_IMAGE_PIXELS:
                    raise _mismatch(extension)
                image.verify()
            file.seek(0)
            with Image.open(file) as image:
                image.load()
        except (
            UnidentifiedImageError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
            OSError,
            SyntaxError,
            ValueError,
        ) as error:
            raise _mismatch(extension) from error


def _check_zip(file: BinaryIO, part: str, extension: str) -> None:
    """An OOXML or OFD file: a zip with its main part as well-formed XML, and no macro project."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if part not in names or (extension in OOXML_EXTENSIONS and "[Content_Types].xml" not in names):
                raise _mismatch(extension)
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise EvidenceRejected(_("证明材料不能包含宏。"))
            if archive.getinfo(part).file_size > MAX_PART_BYTES:
                raise _mismatch(extension)
            root = ElementTree.fromstring(archive.read(part))
    except EvidenceRejected:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ElementTree.ParseError, ValueError, OSError) as error:
        raise _mismatch(extension) from error
    if extension == ".ofd" and root.tag.rsplit("}", 1)[-1] != "OFD":
        raise _mismatch(extension)


def _check_ole(file: BinaryIO, streams: tuple[str, ...], extension: str) -> None:
    """A legacy Office or WPS file: an OLE2 compound file with its type's main stream and no VBA storage."""
    try:
        with olefile.OleFileIO(file) as ole:
            entries = ole.listdir(streams=True, storages=True)
    except (OSError, ValueError, IndexError, TypeError) as error:
        raise _mismatch(extension) from error
    names = {name.lower() for path in entries for name in path}
    if names & {"macros", "vba", "_vba_project_cur", "_vba_project"}:
        raise EvidenceRejected(_("证明材料不能包含宏。"))
    if not any([stream] in entries for stream in streams):
        raise _mismatch(extension)
