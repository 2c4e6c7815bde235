"""The 通报 as printed: LibreOffice converts the Word document to PDF (reports.bulletin.pdf_bytes, as the PDF
export does) and pdftoppm renders page 1 to PNG for a person to look at (artifacts/reports/, git-ignored).

Skipped with the reason when LibreOffice Writer or poppler is missing; under CI (env CI set) that fails."""

import os
import re
import shutil
import subprocess

import pytest
from django.conf import settings
from django.urls import reverse

from reports import bulletin, selectors
from reports.models import ExportJob
from tests.reports.conftest import Q

POPPLER = all(shutil.which(tool) for tool in ("pdftoppm", "pdfinfo", "pdftotext"))
ARTIFACTS = settings.BASE_DIR / "artifacts" / "reports"


def _writer_missing() -> str | None:
    if not bulletin.pdf_available():
        return "LibreOffice is not on PATH (Debian: libreoffice-writer-nogui)"
    if not POPPLER:
        return "pdftoppm/pdfinfo/pdftotext are not on PATH (Debian: poppler-utils)"
    return None


@pytest.fixture
def renders():
    missing = _writer_missing()
    if missing and os.environ.get("CI"):
        pytest.fail(f"CI must render the 通报: {missing}")
    if missing:
        pytest.skip(missing)


def run(*command, cwd):
    return subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True, timeout=180).stdout


def test_the_bulletin_prints_on_a4_portrait_pages_and_page_1_reads_as_drafted(report_world, tmp_path, renders):
    report = selectors.quarterly_report(plan=report_world.plan, quarter=Q, user=report_world.staff)
    text = bulletin.compose(report)
    pdf = tmp_path / "bulletin.pdf"
    pdf.write_bytes(bulletin.pdf_bytes(bulletin.document_bytes(text, report)))

    info = run("pdfinfo", str(pdf), cwd=tmp_path)
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert (round(width), round(height)) == (595, 842)  # A4 portrait
    pages = run("pdftotext", "-layout", str(pdf), "-", cwd=tmp_path).split("\f")
    first = re.sub(r"\s+", "", pages[0])
    for words in (text.issuer, "〔", "关于本市2025年第2季度知识产权强市", "各牵头单位、责任单位：", "一、总体进展"):
        assert re.sub(r"\s+", "", words) in first, words
    assert "—1—" in first  # the page number
    whole = re.sub(r"\s+", "", "".join(pages))
    for heading in ("二、已完成目标", "三、滞后指标及原因", "四、督办落实", "五、下一步工作建议", "各指标状态一览表"):
        assert heading in whole

    run("pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page"), cwd=tmp_path)
    (png,) = tmp_path.glob("page-*.png")
    assert png.stat().st_size > 20_000
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(pdf, ARTIFACTS / "bulletin.pdf")
    shutil.copy(png, ARTIFACTS / "bulletin-page-1.png")


def test_one_click_gives_the_pdf_where_libreoffice_is_installed(
    report_world, renders, client, django_capture_on_commit_callbacks
):
    client.force_login(report_world.staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reports:job_create"),
            {"report_type": "bulletin_pdf", "plan": report_world.plan.code, "quarter": str(Q)},
        )
    job = ExportJob.objects.get()
    assert (job.status, job.progress, job.filename) == ("done", 100, "本市知识产权强市建设工作进展通报_2025Q2.pdf")
    download = client.get(reverse("reports:job_download", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
