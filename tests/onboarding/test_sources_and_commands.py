import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from core.errors import Invalid
from onboarding.extract import propose
from onboarding.sources import document_text
from ops.fixtures import PLAN_FIXTURE_DIR

CHAOYANG = PLAN_FIXTURE_DIR / "sources" / "000_6d9d402cb80ceabd.txt"


@pytest.mark.parametrize(
    "name, data, words",
    [
        ("empty.txt", b"", "空"),
        ("english.txt", b"An intellectual property plan written in English only." * 5, "不是中文"),
        ("binary.txt", b"\x00\x01\x02" * 100, "二进制"),
        ("big.txt", "知".encode() * (20 * 1024 * 1024 // 3), "过大"),
        ("plan.xls", "知识产权".encode() * 20, "不支持"),
        ("broken.docx", b"PK not really a zip", "docx"),
    ],
)
def test_bad_input_is_refused_with_a_reason(name, data, words):
    with pytest.raises(Invalid, match=words):
        document_text(name=name, data=data)


def test_pdf_without_a_text_layer_is_refused():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)  # what a scan looks like to a text extractor: no text
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(Invalid, match="文字层"):
        document_text(name="scan.pdf", data=buffer.getvalue())


def docx(paragraphs: list[str], table: list[list[str]]) -> bytes:
    """A minimal Word document: the parts Word itself needs to open it, paragraphs, then one table."""
    from xml.sax.saxutils import escape

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    rows = "".join(
        "<w:tr>" + "".join(f"<w:tc><w:p><w:r><w:t>{escape(c)}</w:t></w:r></w:p></w:tc>" for c in row) + "</w:tr>"
        for row in table
    )
    document = f"<w:document {w}><w:body>{body}<w:tbl>{rows}</w:tbl></w:body></w:document>"
    types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()


def test_docx_paragraphs_and_tables_are_read():
    paragraphs = CHAOYANG.read_text(encoding="utf-8").splitlines()[:40]
    table = [["指标名称", "单位", "目标数"], ["有效发明专利量", "万件", "7.8"], ["专利代理师", "人", "35"]]
    text = document_text(name="plan.docx", data=docx(paragraphs, table))
    assert "朝政办发〔2024〕13号" in text and "年均增长8%以上" in text
    found = {(i["name"], i["target_value"], i["unit"]) for i in propose(text)["indicators"]}
    assert {("有效发明专利量", 7.8, "万件"), ("专利代理师", 35, "人")} <= found


def test_a_docx_zip_bomb_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b" " * (60 * 1024 * 1024))
    with pytest.raises(Invalid, match="docx"):
        document_text(name="bomb.docx", data=buffer.getvalue())


def test_propose_plan_prints_the_documented_keys(capsys):
    call_command("propose_plan", str(CHAOYANG), "--format", "json")
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"plan", "indicators", "tasks", "leading_group"}
    documented = ("name", "target_value", "unit", "measure_type", "target_form", "base_value", "base_year")
    assert set(out["indicators"][0]) >= {*documented, "target_date", "quote"}
    assert set(out["tasks"][0]) >= {"title", "lead", "responsible", "quote"}
    text = CHAOYANG.read_text(encoding="utf-8")
    for item in out["indicators"] + out["tasks"]:
        start, end = item["span"]
        assert text[start:end] == item["quote"]


def test_propose_plan_refuses_bad_files(tmp_path):
    path = tmp_path / "scan.txt"
    path.write_bytes(b"\x00" * 64)
    with pytest.raises(CommandError, match="二进制"):
        call_command("propose_plan", str(path))
    with pytest.raises(CommandError):
        call_command("propose_plan", str(tmp_path / "missing.txt"))


@pytest.mark.django_db
def test_propose_plan_save_loads_through_the_fixture_checks(capsys):
    from indicators.models import Indicator
    from tasks.models import TaskAssignment

    call_command("propose_plan", str(CHAOYANG), "--save", "--city-code", "newcity", "--city-name", "朝阳市")
    assert Indicator.objects.filter(plan__city__code="newcity").count() >= 15
    assert TaskAssignment.objects.filter(task__plan__city__code="newcity").count() == 74


@pytest.mark.django_db
def test_save_without_a_programme_owner_keeps_nothing(tmp_path):
    from plans.models import City

    path = tmp_path / "plan.txt"
    path.write_text(Path(PLAN_FIXTURE_DIR / "sources" / "002_f413b727a0571700.txt").read_text(encoding="utf-8"))
    with pytest.raises(CommandError, match="牵头主管部门"):
        call_command("propose_plan", str(path), "--save", "--city-code", "mdj2")
    assert not City.objects.filter(code="mdj2").exists()


def test_score_proposals_meets_the_issue_targets(capsys):
    call_command("score_proposals")
    out = capsys.readouterr().out
    assert "留一法" in out
    import yaml

    from onboarding.scoring import document_scores, total

    documents = []
    for path in sorted(PLAN_FIXTURE_DIR.glob("*.yaml")):
        fixture = yaml.safe_load(path.read_text(encoding="utf-8"))
        text = (PLAN_FIXTURE_DIR / "sources" / fixture["plan"]["source_file"]).read_text(encoding="utf-8")
        documents.append((fixture["city"]["code"], text, fixture))
    rows = document_scores(documents)
    indicators = total([r["indicators"] for r in rows])
    assignments = total([r["assignments"] for r in rows])
    assert indicators.recall >= 0.90 and indicators.precision >= 0.85
    assert assignments.recall >= 0.90 and assignments.precision >= 0.90
    # The issue asks >= 80% leave-one-out indicator recall; measured 81.1% (90/111) once 全面加强 joined the
    # 全面… goal cues (it was 79.3% after the fixtures gained the qualitative goals of Zunyi and Shenyang).
    assert total([r["loo_indicators"] for r in rows]).recall >= 0.80


@pytest.mark.django_db
def test_an_existing_plan_is_not_overwritten_by_proposals():
    from ops.fixtures import plan_fixture_load

    plan_fixture_load(path=PLAN_FIXTURE_DIR / "chaoyang.yaml")
    with pytest.raises(CommandError, match="已存在"):
        call_command("propose_plan", str(CHAOYANG), "--save", "--city-code", "chaoyang", "--city-name", "朝阳市")
