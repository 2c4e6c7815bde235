"""Evidence files: PDF, OFD, Office/WPS documents and images only, judged by extension and by structure
(tests/evidence_files.py builds each real file)."""

import io
import zipfile

import pytest

from tasks.evidence import EvidenceRejected, evidence_check
from tests import evidence_files as files

MB = 1024 * 1024

PDF = files.pdf()
HTML = b"<!DOCTYPE html><script>alert(1)</script>"
DOC = files.ole2({"WordDocument": b"\xec\xa5word", "1Table": b"t"})
XLS = files.ole2({"Workbook": b"\x09\x08biff"})
PPT = files.ole2({"PowerPoint Document": b"ppt"})


def check(name, content, max_bytes=MB):
    return evidence_check(name=name, size=len(content), file=io.BytesIO(content), max_bytes=max_bytes)


@pytest.mark.parametrize(
    "name, content, extension",
    [
        ("总结.pdf", PDF, ".pdf"),
        ("REPORT.PDF", PDF, ".pdf"),
        ("公文.ofd", files.ofd(), ".ofd"),
        ("a.doc", DOC, ".doc"),
        ("a.xls", XLS, ".xls"),
        ("旧表.xls", files.ole2({"Book": b"biff5"}), ".xls"),
        ("a.ppt", PPT, ".ppt"),
        ("金山文字.wps", DOC, ".wps"),
        ("金山表格.et", XLS, ".et"),
        ("a.docx", files.ooxml("word/document.xml"), ".docx"),
        ("a.xlsx", files.ooxml("xl/workbook.xml"), ".xlsx"),
        ("a.pptx", files.ooxml("ppt/presentation.xml"), ".pptx"),
        ("照片.png", files.image("PNG"), ".png"),
        ("a.jpg", files.image("JPEG"), ".jpg"),
        ("a.jpeg", files.image("JPEG"), ".jpeg"),
        ("a.gif", files.image("GIF"), ".gif"),
    ],
)
def test_accepted(name, content, extension):
    assert check(name, content) == extension


MISMATCH = "文件内容与扩展名 %s 不符"


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("page.html", HTML, "只能是 PDF、OFD、Office/WPS 文档或图片"),
        ("run.exe", b"MZ\x90\x00", "只能是 PDF"),
        ("script.svg", b"<svg onload=alert(1)>", "只能是 PDF"),
        ("noextension", PDF, "只能是 PDF"),
        ("fake.pdf", HTML, MISMATCH % ".pdf"),  # an HTML page renamed .pdf
        ("header.pdf", b"%PDF-1.7\n" + HTML, MISMATCH % ".pdf"),  # HTML after a PDF header
        ("no-pages.pdf", b"%PDF-1.4\n%%EOF\n", MISMATCH % ".pdf"),
        ("fake.png", PDF, MISMATCH % ".png"),
        ("header.jpg", b"\xff\xd8\xff\xe0" + HTML, MISMATCH % ".jpg"),  # a JPEG header followed by HTML
        ("cut.png", files.image("PNG")[:40], MISMATCH % ".png"),  # a truncated image
        ("gif.png", files.image("GIF"), MISMATCH % ".png"),
        ("fake.docx", b"PK\x03\x04 not a zip", MISMATCH % ".docx"),
        ("fake.xlsx", files.ooxml("word/document.xml"), MISMATCH % ".xlsx"),  # a Word file renamed .xlsx
        ("broken.docx", files.ooxml("word/document.xml", xml="<w:document"), MISMATCH % ".docx"),
        (
            "entity.docx",
            files.ooxml("word/document.xml", xml='<!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>'),
            MISMATCH % ".docx",
        ),
        ("macro.docx", files.ooxml("word/document.xml", "word/vbaProject.bin"), "不能包含宏"),  # a .docm renamed
        ("no-ofd.ofd", files.ooxml("word/document.xml"), MISMATCH % ".ofd"),
        ("html.ofd", files.ofd("<html><body>x</body></html>"), MISMATCH % ".ofd"),
        ("fake.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + HTML, MISMATCH % ".doc"),
        ("excel.doc", XLS, MISMATCH % ".doc"),  # a workbook renamed .doc
        ("macro.doc", files.ole2({"WordDocument": b"w", "Macros/VBA/dir": b"v"}), "不能包含宏"),
        ("macro.xls", files.ole2({"Workbook": b"b", "_VBA_PROJECT_CUR/VBA/dir": b"v"}), "不能包含宏"),
        ("macro.et", files.ole2({"Workbook": b"b", "_VBA_PROJECT_CUR/PROJECT": b"v"}), "不能包含宏"),
    ],
)
def test_refused(name, content, message):
    with pytest.raises(EvidenceRejected, match=message):
        check(name, content)


def test_a_decompression_bomb_image_is_refused(monkeypatch):
    monkeypatch.setattr("tasks.evidence.MAX_IMAGE_PIXELS", 63)
    with pytest.raises(EvidenceRejected, match=MISMATCH % ".png"):
        check("bomb.png", files.image("PNG", size=(8, 8)))


def test_a_zip_bomb_main_part_is_refused_before_unpacking(monkeypatch):
    monkeypatch.setattr("tasks.evidence.MAX_PART_BYTES", 1000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<x>" + " " * 5000 + "</x>")
    with pytest.raises(EvidenceRejected, match=MISMATCH % ".docx"):
        check("bomb.docx", buffer.getvalue())


def test_too_large_is_refused_before_reading_it():
    with pytest.raises(EvidenceRejected, match="不能超过 1 MB"):
        evidence_check(name="big.pdf", size=MB + 1, file=io.BytesIO(PDF), max_bytes=MB)


@pytest.mark.parametrize(
    "name, content", [("a.docx", files.ooxml("word/document.xml")), ("a.pdf", PDF), ("a.doc", DOC)]
)
def test_the_file_is_rewound_for_storing(name, content):
    file = io.BytesIO(content)
    evidence_check(name=name, size=len(content), file=file, max_bytes=MB)
    assert file.tell() == 0
