"""Evidence files: PDF, Office documents and images only, judged by extension and content alike."""

import io
import zipfile

import pytest

from tasks.evidence import EvidenceRejected, evidence_check

MB = 1024 * 1024


def ooxml(main_part: str, *extra: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<x/>")
        for name in extra:
            archive.writestr(name, "x")
    return buffer.getvalue()


PDF = b"%PDF-1.7\n..."
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 20
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 20
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 20
GIF = b"GIF89a" + b"\0" * 20
HTML = b"<!DOCTYPE html><script>alert(1)</script>"


def check(name, content, max_bytes=MB):
    return evidence_check(name=name, size=len(content), file=io.BytesIO(content), max_bytes=max_bytes)


@pytest.mark.parametrize(
    "name, content, extension",
    [
        ("总结.pdf", PDF, ".pdf"),
        ("REPORT.PDF", PDF, ".pdf"),
        ("a.doc", OLE2, ".doc"),
        ("a.xls", OLE2, ".xls"),
        ("a.ppt", OLE2, ".ppt"),
        ("a.docx", ooxml("word/document.xml"), ".docx"),
        ("a.xlsx", ooxml("xl/workbook.xml"), ".xlsx"),
        ("a.pptx", ooxml("ppt/presentation.xml"), ".pptx"),
        ("照片.png", PNG, ".png"),
        ("a.jpg", JPEG, ".jpg"),
        ("a.jpeg", JPEG, ".jpeg"),
        ("a.gif", GIF, ".gif"),
    ],
)
def test_accepted(name, content, extension):
    assert check(name, content) == extension


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("page.html", HTML, "只能是 PDF、Office 文档或图片"),
        ("run.exe", b"MZ\x90\x00", "只能是 PDF、Office 文档或图片"),
        ("script.svg", b"<svg onload=alert(1)>", "只能是 PDF、Office 文档或图片"),
        ("noextension", PDF, "只能是 PDF、Office 文档或图片"),
        ("fake.pdf", HTML, "文件内容与扩展名 .pdf 不符"),  # an HTML page renamed .pdf
        ("fake.png", PDF, "文件内容与扩展名 .png 不符"),
        ("fake.docx", b"PK\x03\x04 not a zip", "文件内容与扩展名 .docx 不符"),
        ("fake.xlsx", ooxml("word/document.xml"), "文件内容与扩展名 .xlsx 不符"),  # a Word file renamed .xlsx
        ("macro.docx", ooxml("word/document.xml", "word/vbaProject.bin"), "不能包含宏"),  # a .docm renamed
    ],
)
def test_refused(name, content, message):
    with pytest.raises(EvidenceRejected, match=message):
        check(name, content)


def test_too_large_is_refused_before_reading_it():
    with pytest.raises(EvidenceRejected, match="不能超过 1 MB"):
        evidence_check(name="big.pdf", size=MB + 1, file=io.BytesIO(PDF), max_bytes=MB)


def test_the_file_is_rewound_for_storing():
    file = io.BytesIO(ooxml("word/document.xml"))
    evidence_check(name="a.docx", size=len(file.getvalue()), file=file, max_bytes=MB)
    assert file.tell() == 0
