"""Who is told what in the quarterly workflow: reviewers when figures are submitted, staff when a figure is
returned (with its reason, also in the downloaded template) or approved; reminders close once their cause
is gone."""

import io
from decimal import Decimal as D

import openpyxl
import pytest

from figures import imports
from figures import services as figures
from figures.rules import RowInput
from figures.selectors import figure_grid
from indicators.models import QuarterlyFigure
from notifications import keys
from notifications.models import Notification
from notifications.selectors import notifications_for, unread_count
from tests.factories import FigureFactory, NotificationFactory
from tests.figures.conftest import Q2, Q3

pytestmark = pytest.mark.django_db
Status = QuarterlyFigure.Status


def _save_and_submit(world, **values):
    entries = [
        figures.Entry(getattr(world, name), Q3.end, RowInput(value=D(str(v)), source="市统计局"))
        for name, v in values.items()
    ]
    figures.figure_entries_save(user=world.staff, plan=world.plan, entries=entries)
    return figures.figure_quarter_submit(user=world.staff, plan=world.plan, quarter=Q3)


def _titles(user):
    return [n.title for n in notifications_for(user=user)]


@pytest.fixture
def submitted(quarter_world):
    for quarter in (Q2.previous, Q2):
        FigureFactory(indicator=quarter_world.flow, period_end=quarter.end, value=1, entered_value=1)
    _save_and_submit(quarter_world, stock=1250, share=15)
    return quarter_world


def test_the_citys_reviewers_hear_that_a_quarter_was_submitted(submitted):
    [notice] = notifications_for(user=submitted.reviewer)
    assert notice.kind == Notification.Kind.TO_REVIEW
    assert notice.title == f"{submitted.plan.title} 2025年第3季度指标数据已提交，2项待审核"
    assert notice.link == f"/plans/{submitted.plan.code}/figures/{Q3}/review/"
    assert "有效发明专利拥有量" in notice.body
    assert _titles(submitted.other_reviewer) == [] and _titles(submitted.leader) == []


def test_staff_hear_of_a_return_with_its_reason_and_of_the_approvals(submitted):
    stock, share = (
        QuarterlyFigure.objects.get(indicator=i, period_end=Q3.end) for i in (submitted.stock, submitted.share)
    )
    figures.figure_review(
        user=submitted.reviewer,
        decisions=[
            figures.Decision(stock, figures.RETURN, "与统计年鉴不符，请核对"),
            figures.Decision(share, figures.APPROVE),
        ],
    )
    titles = _titles(submitted.staff)
    assert "2025年第3季度「有效发明专利拥有量」被退回：与统计年鉴不符，请核对" in titles
    assert f"{submitted.plan.title} 2025年第3季度指标数据1项审核通过" in titles
    assert _titles(submitted.staff2) == titles  # every clerk of the bureau enters the city's figures
    # Nothing is left to review in the quarter: the reviewers' notice has done its job.
    assert unread_count(user=submitted.reviewer) == 0


def test_the_returned_notice_closes_when_the_figure_is_resubmitted(submitted):
    stock = QuarterlyFigure.objects.get(indicator=submitted.stock, period_end=Q3.end)
    figures.figure_return(user=submitted.reviewer, figure=stock, reason="请核对")
    assert any("被退回" in t for t in _titles(submitted.staff))
    _save_and_submit(submitted, stock=1260)
    assert not any("被退回" in t for t in _titles(submitted.staff))
    assert len(_titles(submitted.reviewer)) == 2  # told again: the figure waits once more


def test_the_unsubmitted_reminder_closes_once_nothing_is_left_unsubmitted(quarter_world):
    key = keys.figures_reminder(plan_id=quarter_world.plan.pk, quarter=str(Q3), kind="overdue")
    reminder = NotificationFactory(recipient=quarter_world.staff, key=key, title="4项未提交")
    for quarter in (Q2.previous, Q2):
        FigureFactory(indicator=quarter_world.flow, period_end=quarter.end, value=1, entered_value=1)
    _save_and_submit(quarter_world, stock=1250)
    assert reminder.title in _titles(quarter_world.staff)  # three are still missing
    figures.figure_entries_save(
        user=quarter_world.staff,
        plan=quarter_world.plan,
        entries=[
            figures.Entry(quarter_world.flow, Q3.end, RowInput(value=D(3), source="市统计局")),
            figures.Entry(quarter_world.share, Q3.end, RowInput(value=D(15), source="市统计局")),
            figures.Entry(quarter_world.ratio, Q3.end, RowInput(numerator=D(9), denominator=D(10), source="市局")),
        ],
    )
    figures.figure_quarter_submit(user=quarter_world.staff, plan=quarter_world.plan, quarter=Q3)
    assert reminder.title not in _titles(quarter_world.staff)
    reminder.refresh_from_db()
    assert reminder.closed_at is not None


def test_the_downloaded_template_row_of_a_returned_figure_carries_the_reason(submitted):
    stock = QuarterlyFigure.objects.get(indicator=submitted.stock, period_end=Q3.end)
    figures.figure_return(user=submitted.reviewer, figure=stock, reason="与统计年鉴不符")
    grid = figure_grid(user=submitted.staff, plan=submitted.plan, quarter=Q3)
    sheet = openpyxl.load_workbook(io.BytesIO(imports.quarter_template(grid=grid))).worksheets[0]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "已退回：与统计年鉴不符" in cells


def test_a_reviewers_index_chip_of_a_quarter_with_figures_waiting_opens_the_review_page(client, submitted):
    review = f'href="/plans/{submitted.plan.code}/figures/{Q3}/review/"'
    client.force_login(submitted.reviewer)
    html = client.get("/figures/").content.decode()
    assert review in html and f'href="/plans/{submitted.plan.code}/figures/{Q2}/"' in html
    client.force_login(submitted.staff)
    assert review not in client.get("/figures/").content.decode()
