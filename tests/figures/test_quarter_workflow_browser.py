"""The quarterly workflow in headless Chromium, each job done by its role and checked by what the user reads:
the bureau clerk enters a 20-row quarter by keyboard, and another by pasting a block copied from a real .xlsx
(the tab-separated text a spreadsheet puts on the clipboard); the reviewer is told, returns one figure with a
reason and approves the rest in one action; the clerk reads the reason and the notices; a department clerk
reports a task. The keystrokes and the time of both ways of entering are printed for the note."""

import datetime as dt
import io
import os
import time
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.test import Client

from indicators.models import MeasureType, QuarterlyFigure
from tasks.models import TaskAssignment, TaskUpdate
from tests.factories import AssignmentFactory, IndicatorFactory, TaskFactory
from tests.figures.conftest import Q2, Q3

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ROWS = 20
RATES = (4, 11)  # rows whose indicator is a share in %: one pasted as the text "94.12%", one as a % cell
SOURCE = "市统计局年报"


@pytest.fixture
def world(standing):
    """Twenty quantitative indicators (two of them shares in %), and a task led by the department user's
    department."""
    indicators = []
    for n in range(ROWS):
        rate = n in RATES
        indicators.append(
            IndicatorFactory(
                plan=standing.plan,
                code=f"Q-{n + 1:02d}",
                order=n,
                name=f"季度指标{n + 1:02d}",
                unit="%" if rate else "件",
                measure_type=MeasureType.RATE if rate else MeasureType.STOCK,
                target_value=Decimal("95") if rate else Decimal("2000"),
            )
        )
    task = TaskFactory(plan=standing.plan, title="完善知识产权公共服务体系", due_date=dt.date(2026, 12, 31))
    AssignmentFactory(task=task, department=standing.department, role=TaskAssignment.Role.LEAD)
    standing.indicators, standing.task = indicators, task
    return standing


@pytest.fixture
def open_as(browser, live_server):
    """A page logged in as a user, at a width, in the session's one Chromium."""
    contexts = []

    def open_page(user, width=1366):
        client = Client()
        client.force_login(user)
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(context)
        page = context.new_page()
        page.base = live_server.url
        return page

    yield open_page
    for context in contexts:
        context.close()


def _value(n: int, quarter) -> str:
    return "93.5" if n in RATES else str(1000 + 10 * n + quarter.number)


def clipboard_text(workbook_bytes: bytes) -> str:
    """The cells of the first sheet as Excel or WPS copy them: the displayed text, tab between cells,
    newline after every row (a cell formatted as a percentage shows, and copies, as 94.12%)."""
    sheet = openpyxl.load_workbook(io.BytesIO(workbook_bytes)).active
    lines = []
    for row in sheet.iter_rows():
        cells = []
        for cell in row:
            if cell.value is None:
                cells.append("")
            elif isinstance(cell.value, float | int) and "%" in cell.number_format:
                places = len(cell.number_format.split(".")[1].rstrip("%")) if "." in cell.number_format else 0
                cells.append(f"{cell.value * 100:.{places}f}%")
            else:
                cells.append(str(cell.value))
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


def clerks_workbook() -> bytes:
    """The clerk's own Q3 sheet: value, comment, source per indicator; one share typed as text with %, one
    stored as 0.9412 in a cell formatted as a percentage."""
    book = openpyxl.Workbook()
    sheet = book.active
    for n in range(ROWS):
        if n == RATES[0]:
            value = "94.12%"
        elif n == RATES[1]:
            value = 0.9412
        else:
            value = int(_value(n, Q3))
        sheet.append([value, "季度快报" if n % 5 == 0 else None, SOURCE])
        if n == RATES[1]:
            sheet.cell(row=n + 1, column=1).number_format = "0.00%"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def paste(page, selector: str, text: str) -> None:
    page.evaluate(
        """([selector, text]) => {
            const data = new DataTransfer();
            data.setData('text/plain', text);
            document.querySelector(selector).dispatchEvent(
                new ClipboardEvent('paste', {clipboardData: data, bubbles: true}));
        }""",
        [selector, text],
    )


def test_a_quarter_entered_submitted_reviewed_and_a_task_reported(world, open_as):
    first, returned, rate_text, rate_cell = (world.indicators[i] for i in (0, 7, *RATES))

    # --- The bureau clerk enters Q2 by keyboard: value and Enter down the column, then the source column.
    clerk = open_as(world.staff)
    clerk.goto(f"{clerk.base}/plans/{world.plan.code}/figures/{Q2}/")
    keys = 0
    started = time.monotonic()
    clerk.locator(f"input[name='r{first.pk}-value']").click()
    for n in range(ROWS):
        text = _value(n, Q2)
        clerk.keyboard.type(text)
        clerk.keyboard.press("Enter")
        keys += len(text) + 1
    clerk.locator(f"input[name='r{first.pk}-source']").click()
    for _n in range(ROWS):
        clerk.keyboard.type(SOURCE)  # an IME commits the phrase; counted as its characters
        clerk.keyboard.press("Enter")
        keys += len(SOURCE) + 1
    with clerk.expect_navigation():
        clerk.get_by_role("button", name="保存并提交本季度").click()
    by_keyboard = time.monotonic() - started
    assert "本季度数据已提交审核" in clerk.inner_text(".messages")
    assert QuarterlyFigure.objects.filter(period_end=Q2.end, status="submitted").count() == ROWS

    # --- Q3 by pasting the block copied from the clerk's workbook into the first value cell.
    clerk.goto(f"{clerk.base}/plans/{world.plan.code}/figures/{Q3}/")
    started = time.monotonic()
    paste(clerk, f"input[name='r{first.pk}-value']", clipboard_text(clerks_workbook()))
    assert clerk.locator(f"input[name='r{rate_text.pk}-value']").input_value() == "94.12%"
    assert clerk.locator(f"input[name='r{rate_cell.pk}-value']").input_value() == "94.12%"
    with clerk.expect_navigation():
        clerk.get_by_role("button", name="保存并提交本季度").click()
    by_paste = time.monotonic() - started
    assert "本季度数据已提交审核" in clerk.inner_text(".messages")
    q3 = {f.indicator_id: f for f in QuarterlyFigure.objects.filter(period_end=Q3.end)}
    assert len(q3) == ROWS and {f.status for f in q3.values()} == {"submitted"}
    assert q3[rate_text.pk].value == Decimal("94.12") and q3[rate_cell.pk].value == Decimal("94.12")
    assert q3[first.pk].comment == "季度快报" and q3[first.pk].source == SOURCE

    # --- The reviewer is told, opens the notice, returns one with a reason and approves the rest.
    reviewer = open_as(world.reviewer)
    reviewer.goto(f"{reviewer.base}/notifications/")
    notice = reviewer.get_by_role("link", name=f"{world.plan.title} 2025年第3季度指标数据已提交，20项待审核")
    with reviewer.expect_navigation():
        notice.click()
    assert reviewer.url.endswith(f"/plans/{world.plan.code}/figures/{Q3}/review/")
    assert reviewer.locator("textarea.reason").first.bounding_box()["width"] >= 150  # room to write a reason
    figure = q3[returned.pk]
    reviewer.select_option(f"select[name='decision-{figure.pk}']", "return")
    reviewer.fill(f"textarea[name='reason-{figure.pk}']", "与统计年鉴不符，请核对")
    with reviewer.expect_navigation():
        reviewer.get_by_role("button", name="其余未标记异常的全部通过").click()
    assert "已审核通过19条，退回1条" in reviewer.inner_text(".messages")
    figure.refresh_from_db()
    assert figure.status == "returned"
    assert QuarterlyFigure.objects.filter(period_end=Q3.end, status="approved").count() == ROWS - 1

    # --- The clerk reads the notices and, on the grid's row, the reason.
    clerk.goto(f"{clerk.base}/notifications/")
    inbox = clerk.inner_text("ul.notifications")
    assert f"2025年第3季度「{returned.name}」被退回：与统计年鉴不符，请核对" in inbox
    assert f"{world.plan.title} 2025年第3季度指标数据19项审核通过" in inbox
    with clerk.expect_navigation():
        clerk.get_by_role("link", name=f"2025年第3季度「{returned.name}」被退回：与统计年鉴不符，请核对").click()
    row = clerk.locator("tr[data-row]", has_text=returned.name)
    assert "reviewer 退回：与统计年鉴不符，请核对" in row.inner_text()

    # --- The department clerk reports the task from 我的任务, on a phone.
    department = open_as(world.department_user, width=390)
    department.goto(f"{department.base}/tasks/mine/")
    assert department.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    with department.expect_navigation():
        department.get_by_role("link", name=world.task.title).click()
    assert department.locator("select[name='state']").input_value() == ""  # a first report chooses its state
    department.select_option("select[name='state']", "in_progress")
    department.fill("textarea[name='text']", "已完成公共服务网点布局方案，正在征求意见。")
    with department.expect_navigation():
        department.get_by_role("button", name="报送").click()
    assert "任务进展已报送" in department.inner_text(".messages")
    assert department.evaluate("document.documentElement.scrollWidth") <= 390
    update = TaskUpdate.objects.get(task=world.task)
    assert (update.state, update.department) == ("in_progress", world.department)
    assert department.locator("select[name='state']").input_value() == "in_progress"  # the next one starts here

    print(
        f"\n20-row quarter by keyboard: {keys} keystrokes and 3 clicks, {by_keyboard:.1f} s in the browser"
        f"\n20-row quarter by paste: 1 click, 1 paste (Ctrl+V), 1 click, {by_paste:.1f} s in the browser"
    )


def test_an_entered_base_is_reviewed_before_it_counts(world, open_as):
    unknown = IndicatorFactory(plan=world.plan, code="B-01", name="知识产权服务机构数量", base_value=None)
    clerk = open_as(world.staff, width=390)
    clerk.goto(f"{clerk.base}/indicators/{unknown.pk}/figures/")
    clerk.fill("input[name='base_value']", "36")
    clerk.fill("input[name='base_source']", "2023年市知识产权服务业统计")
    with clerk.expect_navigation():
        clerk.get_by_role("button", name="保存基期值").click()
    assert "基期值已录入，待审核通过后计入进度" in clerk.inner_text(".messages")
    assert "待审核" in clerk.inner_text("#base-entry")
    assert clerk.evaluate("document.documentElement.scrollWidth") <= 390

    reviewer = open_as(world.reviewer)
    reviewer.goto(f"{reviewer.base}/notifications/")
    with reviewer.expect_navigation():
        reviewer.get_by_role("link", name="「知识产权服务机构数量」录入了基期值36（2023年），待审核").click()
    reviewer.goto(f"{reviewer.base}/plans/{world.plan.code}/figures/{Q3}/review/")
    section = reviewer.locator("section", has_text="待审核的基期值")
    assert "2023年市知识产权服务业统计" in section.inner_text()
    with reviewer.expect_navigation():
        section.get_by_role("button", name="通过").click()
    assert "基期值已审核通过" in reviewer.inner_text(".messages")
    unknown.refresh_from_db()
    assert unknown.base_value == 36

    clerk.goto(f"{clerk.base}/notifications/")
    assert "「知识产权服务机构数量」的基期值36审核通过，进度将重新计算" in clerk.inner_text("ul.notifications")
