"""The one reading of a figure's number and notes (figures.numbers), and the three doors agreeing on it."""

from decimal import Decimal as D

import pytest

from figures import numbers
from figures.forms import FigureRowForm
from figures.numbers import NumberRefused, TextRefused, clean_text, parse_number
from indicators.models import QuarterlyFigure
from tests.figures.conftest import Q2, Q3
from tests.figures.test_figure_api import api, create
from tests.figures.test_figure_pages import grid_data, grid_url

ACCEPTED = [
    ("1234", False, D("1234")),
    ("  12 ", False, D("12")),
    ("-3.5", False, D("-3.5")),
    ("+2", False, D("2")),
    (".5", False, D("0.5")),
    ("1,234", False, D("1234")),
    ("1,234,567.25", False, D("1234567.25")),
    ("1，234", False, D("1234")),
    ("1 234", False, D("1234")),
    ("１２３４．５", False, D("1234.5")),
    ("－３", False, D("-3")),
    ("95%", True, D("95")),
    ("９５．５％", True, D("95.5")),
    ("1.2300000", False, D("1.23")),
    ("-0", False, D("0")),
    ("", False, None),
    ("　", False, None),
    (None, False, None),
    (1200, False, D("1200")),
    (0.1 + 0.2, False, D("0.3")),  # a spreadsheet's float noise, rounded to 15 significant digits first
    (13.499999999999998, False, D("13.5")),
    (D("7.25"), False, D("7.25")),
]


@pytest.mark.parametrize(("value", "percent", "expected"), ACCEPTED)
def test_accepted_spellings(value, percent, expected):
    assert parse_number(value, percent=percent) == expected


REFUSED = [
    ("1,2", "小数点请用“.”"),
    ("1,23,456", "每三位一组"),
    ("1,2345", "每三位一组"),
    ("1e3", "不要用科学计数法"),
    ("2.5E-3", "不要用科学计数法"),
    ("12万", "“12万”写作 120000"),
    ("3亿", "单位字样"),
    ("5k", "单位字样"),
    ("95%", "请去掉“%”"),
    ("1.23456", "最多保留4位小数（“1.23456”有5位）"),
    (1.23456, "最多保留4位小数"),  # a number cell is refused the same as the same text, never rounded
    ("12345678901234567", "整数部分最多16位"),
    (1e24, "整数部分最多16位"),
    (float("nan"), "请输入数字"),
    (float("inf"), "请输入数字"),
    ("NaN", "请输入数字"),
    ("Infinity", "请输入数字"),
    ("12abc", "请输入数字"),
    ("约十五", "请输入数字"),
    ("10²", "请输入数字"),  # not read as 102
    ("١٢", "请输入数字"),  # Arabic-Indic digits are not a Chinese office's spelling
    ("1.", "请输入数字"),
    (True, "请输入数字"),
]


@pytest.mark.parametrize(("value", "message"), REFUSED)
def test_refused_spellings_say_how_to_write_the_number(value, message):
    with pytest.raises(NumberRefused) as refused:
        parse_number(value)
    assert message in str(refused.value)


def test_control_characters_are_refused_naming_the_field_and_the_character():
    with pytest.raises(TextRefused) as refused:
        clean_text("说明\x07文字", label="说明", max_length=2000)
    assert "“说明”第3个字符" in str(refused.value) and "U+0007" in str(refused.value)
    with pytest.raises(TextRefused):
        clean_text("a\x0bb", label="来源", max_length=200)
    with pytest.raises(TextRefused):
        clean_text("line\nbreak", label="来源", max_length=200, multiline=False)
    assert clean_text(" 第一行\r\n第二行\t注 ", label="说明", max_length=2000) == "第一行\n第二行\t注"


def test_one_limit_on_comments_and_sources():
    assert clean_text("字" * numbers.COMMENT_MAX, label="说明", max_length=numbers.COMMENT_MAX)
    with pytest.raises(TextRefused) as refused:
        clean_text("字" * (numbers.COMMENT_MAX + 1), label="说明", max_length=numbers.COMMENT_MAX)
    assert "最多2000个字" in str(refused.value)


def test_a_trailing_percent_is_accepted_on_a_percentage_value_only(quarter_world):
    share = FigureRowForm(data={"value": "15.5%"}, indicator=quarter_world.share)
    assert share.is_valid() and share.row_input().value == D("15.5")
    stock = FigureRowForm(data={"value": "15%"}, indicator=quarter_world.stock)
    assert not stock.is_valid() and "请去掉“%”" in stock.errors["value"][0]
    ratio = FigureRowForm(data={"numerator": "45%", "denominator": "50"}, indicator=quarter_world.ratio)
    assert not ratio.is_valid() and "请去掉“%”" in ratio.errors["numerator"][0]


# --- The grid and the API read the same (the Excel import goes through the grid's form: test_bad_workbooks)


@pytest.mark.parametrize(
    ("typed", "saved", "message"),
    [
        ("1,234", D("1234"), None),
        ("１，２３４", D("1234"), None),
        ("1,2", None, "小数点请用“.”"),
        ("1e3", None, "科学计数法"),
        ("12万", None, "单位字样"),
        ("1.23456", None, "最多保留4位小数"),
    ],
)
def test_grid_and_api_accept_and_refuse_the_same_spellings(client, quarter_world, typed, saved, message):
    client.force_login(quarter_world.staff)
    data = grid_data(quarter_world, client, {quarter_world.stock: {"value": typed, "source": "省局"}})
    response = client.post(grid_url(quarter_world), data)
    grid_figure = QuarterlyFigure.objects.filter(indicator=quarter_world.stock, period_end=Q3.end).first()
    api_response = create(api(quarter_world.staff), quarter_world.stock, value=typed, quarter=str(Q2))
    if saved is None:
        rows = {r.indicator.code: r for r in response.context["grid"].rows}
        assert message in rows["A1"].form.errors["value"][0]
        assert grid_figure is None
        assert api_response.status_code == 400 and message in api_response.json()["value"][0]
    else:
        assert grid_figure.value == saved
        assert api_response.status_code == 201 and D(api_response.json()["value"]) == saved


def test_api_reads_a_json_number_like_a_number_cell(quarter_world):
    staff = api(quarter_world.staff)
    response = create(staff, quarter_world.stock, value=0.1 + 0.2)
    assert response.status_code == 201 and D(response.json()["value"]) == D("0.3")
    response = create(staff, quarter_world.share, value=1.23456)
    assert response.status_code == 400 and "最多保留4位小数" in response.json()["value"][0]
    response = create(staff, quarter_world.share, value=True)
    assert response.status_code == 400


def test_api_refuses_what_the_grid_refuses_in_comments_and_sources(client, quarter_world):
    staff = api(quarter_world.staff)
    response = create(staff, quarter_world.stock, value="1", comment="x" * (numbers.COMMENT_MAX + 1))
    assert response.status_code == 400 and "comment" in response.json()
    response = create(staff, quarter_world.stock, value="1", comment="响铃\x07")
    assert response.status_code == 400 and "“说明”" in response.json()["comment"][0]
    response = create(staff, quarter_world.stock, value="1", source="省局\x0b")
    assert response.status_code == 400 and "“统计口径/发布来源”" in response.json()["source"][0]
    assert not QuarterlyFigure.objects.exists()
    client.force_login(quarter_world.staff)
    data = grid_data(quarter_world, client, {quarter_world.stock: {"value": "1", "comment": "响铃\x07"}})
    rows = {r.indicator.code: r for r in client.post(grid_url(quarter_world), data).context["grid"].rows}
    assert "U+0007" in rows["A1"].form.errors["comment"][0]
    assert not QuarterlyFigure.objects.exists()
