"""The quarterly report as printed: LibreOffice renders the workbook to PDF and pdftoppm turns its pages into
PNG files a person can look at (left in artifacts/reports/, which git ignores)."""

import re
import shutil
import subprocess

import pytest
from django.conf import settings

from reports import selectors, workbooks
from tests.reports.conftest import Q

SOFFICE = shutil.which("libreoffice") or shutil.which("soffice")
POPPLER = all(shutil.which(tool) for tool in ("pdftoppm", "pdfinfo", "pdftotext"))
ARTIFACTS = settings.BASE_DIR / "artifacts" / "reports"

pytestmark = [
    pytest.mark.skipif(not SOFFICE, reason="LibreOffice is not on PATH (Debian: libreoffice-calc-nogui)"),
    pytest.mark.skipif(not POPPLER, reason="pdftoppm/pdfinfo/pdftotext are not on PATH (Debian: poppler-utils)"),
]


def run(*command, cwd):
    return subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True, timeout=180).stdout


def test_the_quarterly_report_prints_on_a4_landscape_pages(report_world, tmp_path):
    report = selectors.quarterly_report(plan=report_world.plan, quarter=Q, user=report_world.leader)
    workbook = tmp_path / "quarterly-report.xlsx"
    workbooks.quarterly_workbook(report).save(workbook)
    # A profile of its own, so parallel test workers and a desktop LibreOffice never share one.
    run(
        SOFFICE,
        f"-env:UserInstallation=file://{tmp_path}/profile",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        str(tmp_path),
        str(workbook),
        cwd=tmp_path,
    )
    pdf = tmp_path / "quarterly-report.pdf"

    info = run("pdfinfo", str(pdf), cwd=tmp_path)
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert (round(width), round(height)) == (842, 595)  # A4 landscape
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 4  # a page or more per sheet

    text = run("pdftotext", "-layout", str(pdf), "-", cwd=tmp_path)
    for words in ("本市 2025年第2季度 知识产权强市建设工作进展通报", "有效发明专利拥有量", "滞后", "第 1 页，共"):
        assert words in text
    indicator_page = next(n for n, page in enumerate(text.split("\f"), start=1) if "文件原文" in page)
    assert "到2026年" in text.split("\f")[indicator_page - 1]  # the document's wording, wrapped in its column

    run(
        "pdftoppm",
        "-png",
        "-r",
        "80",
        "-f",
        "1",
        "-l",
        str(indicator_page),
        str(pdf),
        str(tmp_path / "page"),
        cwd=tmp_path,
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == indicator_page and all(p.stat().st_size > 10_000 for p in pages)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for path in [pdf, *pages]:
        shutil.copy(path, ARTIFACTS / path.name.replace("page-", "quarterly-report-page-"))
