"""Numbers through every door: the entry grid, the quarter workbook and the history workbook read the same
spellings, refuse the same ones with the same message, and a percentage means the same in each."""

import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from figures import excel, numbers
from figures.numbers import NumberRefused, PercentCell, parse_number
from indicators.models import QuarterlyFigure
from tests.factories import FigureFactory
from tests.figures.conftest import Q2, Q3
from tests.figures.test_excel import HCOL, NAMES, download, fill, history_upload, save, upload
from tests.figures.test_figure_pages import grid_data, grid_url

pytestmark = pytest.mark.django_db
COL = {c.field: i for i, c in enumerate(excel.QUARTER_COLUMNS, start=1)}


def grid_outcome(client, world, indicator, value):
    """(saved value, message) after typing `value` into the grid's row of `indicator`."""
    data = grid_data(world, client, {indicator: {"value": value, "source": "省局"}})
    response = client.post(grid_url(world), data)
    figure = QuarterlyFigure.objects.filter(indicator=indicator, period_end=Q3.end).first()
    if figure is not None:
        return figure.value, None
    rows = {r.indicator.pk: r for r in response.context["grid"].rows}
    return None, rows[indicator.pk].form.errors["value"][0]


def quarter_outcome(client, world, indicator, value, number_format=None):
    """(value the preview would save, message) after writing `value` into the quarter workbook."""
    workbook = download(client, world)
    sheet = workbook.worksheets[0]
    row = fill(sheet, indicator.code, value=value, source="省局")
    if number_format:
        sheet.cell(row=row, column=COL["value"]).number_format = number_format
    preview = upload(client, world, save(workbook)).context["preview"]
    return _outcome(preview, row)


def history_outcome(client, world, indicator, value, number_format=None):
    """The same through the history workbook (one row, for 2025Q2)."""
    response = client.get(reverse("figure_history_template", args=[world.plan.code]))
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    sheet.delete_rows(excel.FIRST_ROW, sheet.max_row)
    row = excel.FIRST_ROW
    for name, cell in (
        ("indicator", indicator.code),
        ("name", NAMES[indicator.code]),
        ("period", str(Q2)),
        ("value", value),
        ("source", "统计公报"),
    ):
        sheet.cell(row=row, column=HCOL[name], value=cell)
    if number_format:
        sheet.cell(row=row, column=HCOL["value"]).number_format = number_format
    preview = history_upload(client, world, save(workbook)).context["preview"]
    return _outcome(preview, row)


def _outcome(preview, row):
    by_number = {r.number: r for r in preview.rows}
    entry = {int(e.ref): e for e in preview.entries}.get(row)
    errors = by_number[row].errors
    if errors:
        assert len(errors) == 1, errors
        return None, errors[0]
    return entry.data.value, None


DOORS = [grid_outcome, quarter_outcome, history_outcome]


@pytest.mark.parametrize(
    ("typed", "indicator", "saved", "message"),
    [
        ("1,234", "stock", D("1234"), None),
        ("１，２３４．５", "stock", D("1234.5"), None),
        ("1 234", "stock", D("1234"), None),
        ("1234.5678", "stock", D("1234.5678"), None),
        ("94.12%", "share", D("94.12"), None),
        ("９４．１２％", "share", D("94.12"), None),
        ("94.12%", "stock", None, "请去掉“%”"),
        ("1,2", "stock", None, "小数点请用“.”"),
        ("1e3", "stock", None, "不要用科学计数法"),
        ("12万", "stock", None, "“12万”写作 120000"),
        ("1.23456", "stock", None, "最多保留4位小数（“1.23456”有5位）"),
    ],
)
@pytest.mark.parametrize("door", DOORS, ids=lambda d: d.__name__)
def test_every_door_reads_a_spelling_the_same_way(client, quarter_world, door, typed, indicator, saved, message):
    client.force_login(quarter_world.staff)
    value, error = door(client, quarter_world, getattr(quarter_world, indicator), typed)
    assert value == saved
    if message is None:
        assert error is None
    else:
        assert message in error


@pytest.mark.parametrize(
    ("stored", "saved", "message"),
    [
        (1.23456, None, "最多保留4位小数"),  # refused as a number cell, as the same text is
        (0.1 + 0.2, D("0.3"), None),  # binary noise is rounded to 15 significant digits first
        (1234.000000000001, D("1234"), None),
        (1e24, None, "整数部分最多16位"),
    ],
)
@pytest.mark.parametrize("door", [quarter_outcome, history_outcome], ids=lambda d: d.__name__)
def test_a_number_cell_follows_the_decimal_rule(client, quarter_world, door, stored, saved, message):
    client.force_login(quarter_world.staff)
    value, error = door(client, quarter_world, quarter_world.stock, stored)
    assert value == saved
    assert (error is None) if message is None else (message in error)


# --- Percentages as a spreadsheet stores them ------------------------------------------------------------


@pytest.mark.parametrize("door", [quarter_outcome, history_outcome], ids=lambda d: d.__name__)
@pytest.mark.parametrize("number_format", ["0.00%", "0%", "#,##0.00%", "[Red]0.0%"])
def test_a_cell_formatted_as_a_percentage_means_its_percentage_on_a_rate(client, quarter_world, door, number_format):
    client.force_login(quarter_world.staff)
    assert door(client, quarter_world, quarter_world.share, 0.9412, number_format) == (D("94.12"), None)


@pytest.mark.parametrize("door", [quarter_outcome, history_outcome], ids=lambda d: d.__name__)
def test_a_percentage_cell_on_an_indicator_that_is_not_a_percentage_is_refused(client, quarter_world, door):
    client.force_login(quarter_world.staff)
    value, error = door(client, quarter_world, quarter_world.stock, 0.9412, "0.00%")
    assert value is None
    assert "单元格设置成了百分比格式（显示为 94.12%），但该项不是百分比" in error


def test_a_percentage_cell_is_saved_as_its_percentage_and_nothing_else_is_rescaled(client, quarter_world):
    """The whole round trip: 94.12% stored as 0.9412 is saved as 94.12; a plain 0.9412 stays 0.9412; a
    quoted "%" in a number format is only text, not a percentage."""
    client.force_login(quarter_world.staff)
    workbook = download(client, quarter_world)
    sheet = workbook.worksheets[0]
    share_row = fill(sheet, "A4", value=0.9412, source="统计局")
    sheet.cell(row=share_row, column=COL["value"]).number_format = "0.00%"
    stock_row = fill(sheet, "A1", value=1200, source="省局")
    sheet.cell(row=stock_row, column=COL["value"]).number_format = '0" %"'
    preview = upload(client, quarter_world, save(workbook)).context["preview"]
    assert preview.ok, [r.errors for r in preview.rows]
    assert preview.writes == 2
    client.post(reverse("figure_import_preview", args=[preview.upload.pk]))
    saved = {f.indicator.code: f.value for f in QuarterlyFigure.objects.filter(period_end=Q3.end)}
    assert saved == {"A1": D("1200"), "A4": D("94.12")}


def test_the_preview_never_counts_rows_with_errors_among_those_it_will_save(client, quarter_world):
    FigureFactory(indicator=quarter_world.stock, period_end=Q2.end, value=D(100))
    client.force_login(quarter_world.staff)
    workbook = download(client, quarter_world)
    sheet = workbook.worksheets[0]
    fill(sheet, "A1", value=90, source="省局")  # a stock that falls, with no comment: a create with an error
    fill(sheet, "A4", value=15, source="统计局")
    fill(sheet, "A2", value="1,2", source="统计局")  # unreadable: no action at all
    response = upload(client, quarter_world, save(workbook))
    preview = response.context["preview"]
    assert [(r.code, r.action) for r in preview.rows if r.errors] == [("A1", "create"), ("A2", "")]
    assert preview.writes == 1 and preview.error_rows == 2 and not preview.ok
    page = response.content.decode()
    assert "将保存 1 行" in page and "将保存 2 行" not in page


# --- The parser's properties -------------------------------------------------------------------------------

no_deadline = settings(deadline=None)
"""Pure and fast, but a loaded CI machine must not turn a slow example into a failure."""

figures_decimals = st.decimals(
    min_value=D("-999999999999.9999"), max_value=D("999999999999.9999"), places=4, allow_nan=False
)


def spellings(number: D, percent: bool) -> list[str]:
    """Every accepted way of writing `number` (at most 4 decimals)."""
    text = format(number.normalize(), "f") if number else "0"
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _, fraction = digits.partition(".")
    grouped = f"{int(whole):,}"
    tail = f".{fraction}" if fraction else ""
    written = [
        f"{sign}{whole}{tail}",
        f"  {sign}{whole}{tail} ",
        f"{sign}{grouped}{tail}",
        f"{sign}{grouped.replace(',', '，')}{tail}",
        f"{sign}{grouped.replace(',', ' ')}{tail}",
        f"{sign}{whole}{tail}".translate(str.maketrans("0123456789.-", "０１２３４５６７８９．－")),
        f"{sign}{whole}{tail}{'0' * 3 if fraction else ''}",
    ]
    if not sign:
        written.append(f"+{whole}{tail}")
    if percent:
        written += [f"{sign}{whole}{tail}%", f"{sign}{whole}{tail}％"]
    return written


@no_deadline
@given(number=figures_decimals, percent=st.booleans())
def test_every_accepted_spelling_of_a_number_parses_back_to_it(number, percent):
    for text in spellings(number, percent):
        assert parse_number(text, percent=percent) == number, text


cell_decimals = st.decimals(min_value=D("-99999999999.9999"), max_value=D("99999999999.9999"), places=4)
"""A float holds 15 significant digits (as Excel does): 11 whole digits and 4 decimals."""


@no_deadline
@given(number=cell_decimals)
def test_a_number_cell_parses_to_the_number_it_shows(number):
    """What a spreadsheet stores for a number typed with at most 4 decimals (its nearest float) reads back
    as that number; as a percentage cell of a rate, as 100 times it."""
    assert parse_number(float(number)) == number
    fraction = float(number / 100)
    assert parse_number(PercentCell(fraction), percent=True) == number


@no_deadline
@given(number=figures_decimals, extra=st.integers(min_value=1, max_value=9))
def test_more_decimals_than_kept_are_refused_never_rounded(number, extra):
    longer = number + D(extra).scaleb(-5) * (1 if number >= 0 else -1)
    with pytest.raises(NumberRefused, match="最多保留4位小数"):
        parse_number(format(longer, "f"))


def test_the_parser_refuses_what_it_documents_as_refused():
    for text in ("1,2", "1,23,456", "1e3", "12万", "5k", "1.", "NaN"):
        with pytest.raises(NumberRefused):
            parse_number(text, percent=True)
    with pytest.raises(NumberRefused, match="不是百分比"):
        parse_number(PercentCell(0.5))
    assert parse_number(PercentCell(None), percent=True) is None
    assert numbers.parse_number("50%", percent=True) == D(50)
