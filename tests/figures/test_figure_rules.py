"""The pure rules a figure must meet (figures.rules), table-driven."""

from decimal import Decimal as D

import pytest

from figures.rules import (
    NOT_GREATER,
    PER_POPULATION,
    CrossRule,
    Measured,
    RowContext,
    RowInput,
    RowSpec,
    check_cross,
    check_row,
    outlier_hint,
    plain,
    unit_scale,
    year_to_date_rate,
)

STOCK = RowSpec(measure_type="stock", unit="件")
FLOW = RowSpec(measure_type="flow", unit="亿元")
FLOW_YTD = RowSpec(measure_type="flow", unit="亿元", entry_mode="ytd")
RATE = RowSpec(measure_type="rate", unit="%")
RATIO = RowSpec(measure_type="rate", unit="%", is_ratio=True)
SHARE = RowSpec(measure_type="stock", unit="%")
POINTS = RowSpec(measure_type="stock", unit="百分点")


@pytest.mark.parametrize(
    ("spec", "entry", "context", "field", "fragment"),
    [
        (STOCK, RowInput(value=D(-1)), RowContext(), "value", "不能为负数"),
        (FLOW, RowInput(value=D(-5)), RowContext(), "value", "不能为负数"),
        (RATE, RowInput(value=D("100.5")), RowContext(), "value", "0–100"),
        (RATE, RowInput(value=D(-1)), RowContext(), "value", "负数"),
        (SHARE, RowInput(value=D(101)), RowContext(), "value", "0–100"),
        (STOCK, RowInput(value=D(90)), RowContext(previous=D(100)), "comment", "下降"),
        (STOCK, RowInput(value=D(301)), RowContext(previous=D(100)), "comment", "3倍"),
        (FLOW, RowInput(value=D(31)), RowContext(previous=D(10)), "comment", "3倍"),
        (RATIO, RowInput(value=D(95)), RowContext(), "numerator", "分子、分母"),
        (RATIO, RowInput(numerator=D(5)), RowContext(), "denominator", "请填写分母"),
        (RATIO, RowInput(numerator=D(5), denominator=D(0)), RowContext(), "denominator", "大于0"),
        (RATIO, RowInput(numerator=D(11), denominator=D(10)), RowContext(), "numerator", "不能大于分母"),
        (RATIO, RowInput(numerator=D(-1), denominator=D(10)), RowContext(), "numerator", "负数"),
        (STOCK, RowInput(numerator=D(1), denominator=D(2)), RowContext(), "numerator", "不按分子"),
        (FLOW_YTD, RowInput(value=D(5)), RowContext(earlier_in_year=D(8)), "value", "不能小于"),
        (FLOW_YTD, RowInput(value=D(5)), RowContext(earlier_in_year=None), "value", "缺少数据"),
    ],
)
def test_bad_rows_are_refused_next_to_the_field(spec, entry, context, field, fragment):
    check = check_row(spec, entry, context)
    assert not check.ok
    assert any(fragment in message for message in check.errors[field]), check.errors


@pytest.mark.parametrize(
    ("spec", "entry", "context", "value", "ytd"),
    [
        (STOCK, RowInput(value=D(120)), RowContext(previous=D(100)), D(120), None),
        (STOCK, RowInput(value=D(90), comment="统计口径调整"), RowContext(previous=D(100)), D(90), None),
        (STOCK, RowInput(value=D(500), comment="集中授权"), RowContext(previous=D(100)), D(500), None),
        (FLOW, RowInput(value=D(4)), RowContext(earlier_in_year=D(6)), D(4), D(10)),
        (FLOW_YTD, RowInput(value=D(10)), RowContext(earlier_in_year=D(6)), D(4), D(10)),
        (FLOW_YTD, RowInput(value=D(6)), RowContext(earlier_in_year=D(0)), D(6), D(6)),
        (RATIO, RowInput(numerator=D(9), denominator=D(10)), RowContext(), D(90), None),
        (RATIO, RowInput(numerator=D(1), denominator=D(3)), RowContext(), D("33.3333"), None),
        (RATE, RowInput(value=D(0)), RowContext(previous=D(50)), D(0), None),
        (RATE, RowInput(value=D(95)), RowContext(previous=D(20)), D(95), None),
        (POINTS, RowInput(value=D("-0.5")), RowContext(), D("-0.5"), None),
    ],
)
def test_good_rows_give_the_stored_period_value(spec, entry, context, value, ytd):
    check = check_row(spec, entry, context)
    assert check.ok, check.errors
    assert check.value == value
    assert check.year_to_date == ytd


def test_year_to_date_entry_keeps_what_was_typed():
    check = check_row(FLOW_YTD, RowInput(value=D(10)), RowContext(earlier_in_year=D(6)))
    assert (check.entered_value, check.entry_form, check.value) == (D(10), "ytd", D(4))


def test_an_empty_row_stays_empty_not_zero():
    check = check_row(STOCK, RowInput(comment="暂无"), RowContext(previous=D(100)), submitting=True)
    assert check.ok and check.value is None


def test_a_warning_without_comment_names_the_previous_value():
    check = check_row(STOCK, RowInput(value=D(90)), RowContext(previous=D(100)))
    assert check.warnings == ["累计数较上期（100）下降"]
    assert "请在说明中注明原因" in check.errors["comment"][0]


def test_submitting_requires_a_source():
    check = check_row(STOCK, RowInput(value=D(1)), RowContext(), submitting=True)
    assert "统计口径/发布来源" in check.errors["source"][0]
    assert check_row(STOCK, RowInput(value=D(1), source="省知识产权局"), RowContext(), submitting=True).ok


def test_a_rate_over_several_periods_pools_numerators_and_denominators():
    # 9/10 and 1/90 average to 45.6% as percentages, but 10 of 100 cases closed is 10%.
    assert year_to_date_rate([(D(9), D(10)), (D(1), D(90))]) == D(10)
    assert year_to_date_rate([]) is None


@pytest.mark.parametrize(
    ("left", "right", "blocking"),
    [
        (Measured("高价值", D(120), "件"), Measured("有效", D(100), "件"), True),
        (Measured("高价值", D(80), "件"), Measured("有效", D(100), "件"), False),
        (Measured("高价值", D(2), "万件"), Measured("有效", D(15000), "件"), True),
    ],
)
def test_not_greater_compares_in_base_units(left, right, blocking):
    issues = check_cross([CrossRule(NOT_GREATER, "hv", "all")], {"hv": left, "all": right}, year=2025)
    assert bool(issues) is blocking
    if blocking:
        assert "不应大于" in issues[0].message and issues[0].blocking


def test_per_population_must_agree_with_count_and_population():
    rule = CrossRule(PER_POPULATION, "per10k", "count")
    count = Measured("有效发明专利拥有量", D(10000), "件")
    fine = check_cross(
        [rule],
        {"per10k": Measured("每万人口", D(20), "件"), "count": count},
        year=2025,
        population=D(500),
        population_year=2025,
    )
    wrong = check_cross(
        [rule],
        {"per10k": Measured("每万人口", D(25), "件"), "count": count},
        year=2025,
        population=D(500),
        population_year=2025,
    )
    assert fine == []
    assert wrong[0].blocking and "应约为20" in wrong[0].message


def test_per_population_without_population_is_a_notice_not_a_refusal():
    rule = CrossRule(PER_POPULATION, "per10k", "count")
    issues = check_cross(
        [rule], {"per10k": Measured("每万人口", D(25), "件"), "count": Measured("总量", D(10000), "件")}, year=2025
    )
    assert len(issues) == 1 and not issues[0].blocking and "常住人口" in issues[0].message


def test_rules_missing_a_side_are_skipped():
    assert check_cross([CrossRule(NOT_GREATER, "a", "b")], {"a": Measured("a", D(5), "件")}, year=2025) == []


@pytest.mark.parametrize(
    ("number", "text"), [(D("1200.0000"), "1200"), (D("0.1000"), "0.1"), (None, ""), (D("-0.00001"), "0")]
)
def test_plain(number, text):
    assert plain(number) == text


def test_unit_scale():
    assert unit_scale("万件") == 10000 and unit_scale("件") == 1 and unit_scale("亿元") == 100_000_000
    assert unit_scale("万") == 1


@pytest.mark.parametrize(
    ("value", "history", "flagged"),
    [
        (D(120), [D(100), D(104), D(98), D(102), D(101)], "标准差"),  # far beyond its usual scatter
        (D(103), [D(100), D(104), D(98), D(102), D(101)], ""),
        (D(500), [D(100), D(100), D(100), D(100)], "超出"),  # no scatter at all: the range check decides
        (D(130), [D(100), D(100), D(100), D(100)], ""),
        (D(120), [D(100), D(104), D(98)], ""),  # too little history to judge
        (None, [D(100), D(104), D(98), D(102)], ""),
    ],
)
def test_outlier_hint_is_a_hint_from_the_indicators_own_history(value, history, flagged):
    hint = outlier_hint(value, history)
    assert (flagged in hint) if flagged else hint == ""
