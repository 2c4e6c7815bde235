import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from core.errors import Invalid
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


def test_docx_paragraphs_and_tables_are_read(tmp_path):
    import docx

    document = docx.Document()
    for line in CHAOYANG.read_text(encoding="utf-8").splitlines()[:40]:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    text = document_text(name="plan.docx", data=buffer.getvalue())
    assert "朝政办发〔2024〕13号" in text and "年均增长8%以上" in text


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
    assert total([r["loo_indicators"] for r in rows]).recall >= 0.80
