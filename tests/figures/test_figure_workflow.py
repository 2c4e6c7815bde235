"""The figure workflow services: drafts, submit, approve/return, corrections, concurrency, history."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from core.errors import Forbidden
from figures import services as figures
from figures.rules import RowInput
from figures.selectors import figure_grid, figure_history, quarter_revision
from indicators import definitions
from indicators import tasks as indicator_tasks
from indicators.models import QuarterlyFigure, RecomputeMark
from tests.factories import CrossCheckFactory, FigureFactory, IndicatorFactory, PopulationFactory
from tests.figures.conftest import Q2, Q3

pytestmark = pytest.mark.django_db
Status = QuarterlyFigure.Status


def save(world, user, quarter=Q3, revision=None, **rows):
    """Save rows given as indicator attribute name → RowInput."""
    entries = [figures.Entry(getattr(world, name), quarter.end, data) for name, data in rows.items()]
    return figures.figure_entries_save(user=user, plan=world.plan, entries=entries, revision=revision)


def row(value=None, **kwargs):
    kwargs.setdefault("source", "市知识产权局统计")
    return RowInput(value=None if value is None else D(str(value)), **kwargs)


def submit(world, user=None, quarter=Q3):
    return figures.figure_quarter_submit(user=user or world.staff, plan=world.plan, quarter=quarter)


def approve_all(world, quarter=Q3):
    for figure in QuarterlyFigure.objects.filter(status=Status.SUBMITTED, period_end=quarter.end):
        figures.figure_approve(user=world.reviewer, figure=figure)


def current(indicator, quarter=Q3):
    return QuarterlyFigure.objects.filter(indicator=indicator, period_end=quarter.end).order_by("-version").first()


def test_saved_draft_keeps_empty_rows_empty(quarter_world):
    outcomes = save(quarter_world, quarter_world.staff, stock=row(120), share=RowInput())
    assert [o.action for o in outcomes] == ["create", "empty"]
    assert QuarterlyFigure.objects.count() == 1
    figure = current(quarter_world.stock)
    assert figure.status == Status.DRAFT and figure.value == 120 and figure.created_by == quarter_world.staff


def test_year_to_date_entry_stores_the_period_amount_and_keeps_the_entered_total(quarter_world):
    FigureFactory(indicator=quarter_world.flow, period_end=Q2.end, value=D(6))
    FigureFactory(indicator=quarter_world.flow, period_end=Q2.previous.end, value=D(4))
    save(quarter_world, quarter_world.staff, flow=row(13))
    figure = current(quarter_world.flow)
    assert (figure.value, figure.entered_value, figure.entry_form) == (D(3), D(13), "ytd")


def test_ratio_rate_is_computed_from_numerator_and_denominator(quarter_world):
    save(quarter_world, quarter_world.staff, ratio=RowInput(numerator=D(45), denominator=D(50), source="执法年报"))
    figure = current(quarter_world.ratio)
    assert figure.value == D(90) and figure.numerator == 45 and figure.denominator == 50


def test_one_bad_row_saves_nothing(quarter_world):
    with pytest.raises(figures.EntriesInvalid) as caught:
        save(quarter_world, quarter_world.staff, stock=row(120), share=row(120))
    assert [o.entry.indicator for o in caught.value.failed] == [quarter_world.share]
    assert "0–100" in caught.value.failed[0].errors["value"][0]
    assert not QuarterlyFigure.objects.exists()


def test_falling_stock_needs_a_comment(quarter_world):
    FigureFactory(indicator=quarter_world.stock, period_end=Q2.end, value=D(150))
    with pytest.raises(figures.EntriesInvalid) as caught:
        save(quarter_world, quarter_world.staff, stock=row(140))
    assert "下降" in caught.value.failed[0].errors["comment"][0]
    save(quarter_world, quarter_world.staff, stock=row(140, comment="部分专利失效"))
    assert current(quarter_world.stock).value == 140


def test_jump_over_three_times_needs_a_comment(quarter_world):
    FigureFactory(indicator=quarter_world.stock, period_end=Q2.end, value=D(100))
    with pytest.raises(figures.EntriesInvalid) as caught:
        save(quarter_world, quarter_world.staff, stock=row(301))
    assert "3倍" in caught.value.failed[0].errors["comment"][0]


def test_staff_of_another_city_and_readers_cannot_save(quarter_world):
    for user in (quarter_world.other_staff, quarter_world.reviewer, quarter_world.leader, quarter_world.provincial):
        with pytest.raises(Forbidden):
            save(quarter_world, user, stock=row(1))


def test_second_save_of_the_same_quarter_is_refused_naming_who_changed_it(quarter_world):
    quarter_world.staff.first_name = "张三"
    quarter_world.staff.save()
    revision = quarter_revision(plan=quarter_world.plan, period_ends={Q3.end})
    save(quarter_world, quarter_world.staff, revision=revision, stock=row(120))
    with pytest.raises(figures.ConcurrentEdit) as caught:
        save(quarter_world, quarter_world.staff2, revision=revision, stock=row(130))
    assert "张三" in str(caught.value) and "未保存" in str(caught.value)
    assert current(quarter_world.stock).value == 120


def test_submit_marks_late_after_the_deadline_and_not_before(quarter_world):
    save(quarter_world, quarter_world.staff, stock=row(120))
    submit(quarter_world)
    assert current(quarter_world.stock).is_late  # 2025Q3 + 15 days is long past
    quarter_world.plan.reporting_lag_days = 32000
    quarter_world.plan.save()
    save(quarter_world, quarter_world.staff, quarter=Q2, stock=row(110))
    submit(quarter_world, quarter=Q2)
    assert not current(quarter_world.stock, Q2).is_late


def test_submit_requires_a_source(quarter_world):
    save(quarter_world, quarter_world.staff, stock=row(120, source=""))
    with pytest.raises(figures.EntriesInvalid) as caught:
        submit(quarter_world)
    assert "统计口径/发布来源" in caught.value.failed[0].errors["source"][0]
    assert current(quarter_world.stock).status == Status.DRAFT


def test_submitting_checks_its_own_permission(quarter_world):
    # Guards figures_submit: it used to trust its callers to check who may submit.
    save(quarter_world, quarter_world.staff, stock=row(120))
    with pytest.raises(Forbidden):
        figures.figures_submit(
            user=quarter_world.reviewer,
            plan=quarter_world.plan,
            figures=[current(quarter_world.stock)],
            reason="提交",
        )
    assert current(quarter_world.stock).status == Status.DRAFT


def test_submit_with_nothing_saved_is_refused(quarter_world):
    with pytest.raises(ValidationError, match="没有可提交的数据"):
        submit(quarter_world)


def test_cross_rule_high_value_not_above_all_patents(quarter_world):
    high = IndicatorFactory(
        plan=quarter_world.plan,
        code="A5",
        order=5,
        name="高价值发明专利拥有量",
        catalogue_key="high_value_invention_patents",
    )
    quarter_world.high = high
    save(quarter_world, quarter_world.staff, stock=row(100), high=row(150))
    with pytest.raises(figures.EntriesInvalid) as caught:
        submit(quarter_world)
    (failed,) = caught.value.failed
    assert failed.entry.indicator == high
    assert "不应大于“有效发明专利拥有量”" in failed.errors["value"][0]


def test_cross_rule_of_the_plan_itself(quarter_world):
    CrossCheckFactory(plan=quarter_world.plan, left_key="part", right_key="whole")
    quarter_world.part = IndicatorFactory(plan=quarter_world.plan, code="P", catalogue_key="part")
    quarter_world.whole = IndicatorFactory(plan=quarter_world.plan, code="W", catalogue_key="whole")
    FigureFactory(indicator=quarter_world.whole, period_end=Q3.end, value=D(10))
    save(quarter_world, quarter_world.staff, part=row(11))
    with pytest.raises(figures.EntriesInvalid):
        submit(quarter_world)


def test_cross_rule_per_population_uses_the_population_of_the_year(quarter_world):
    per10k = IndicatorFactory(
        plan=quarter_world.plan,
        code="A6",
        name="每万人口发明专利拥有量",
        catalogue_key="valid_invention_patents_per_10k",
    )
    quarter_world.per10k = per10k
    PopulationFactory(city=quarter_world.city, year=2024, value=D(500))
    save(quarter_world, quarter_world.staff, stock=row(10000), per10k=row(25))
    with pytest.raises(figures.EntriesInvalid) as caught:
        submit(quarter_world)
    assert "2024年常住人口（500万人）" in caught.value.failed[0].errors["value"][0]
    save(quarter_world, quarter_world.staff, revision=None, per10k=row(20))
    assert submit(quarter_world) == []


def test_per_population_without_population_submits_with_a_notice(quarter_world):
    quarter_world.per10k = IndicatorFactory(
        plan=quarter_world.plan,
        code="A6",
        name="每万人口发明专利拥有量",
        catalogue_key="valid_invention_patents_per_10k",
    )
    save(quarter_world, quarter_world.staff, stock=row(10000), per10k=row(25))
    notices = submit(quarter_world)
    assert len(notices) == 1 and "常住人口" in notices[0]


def test_approval_enqueues_the_recompute_after_commit(quarter_world, django_capture_on_commit_callbacks, monkeypatch):
    calls = []
    monkeypatch.setattr(indicator_tasks.indicator_recompute_task, "apply_async", lambda args, **kw: calls.append(args))
    save(quarter_world, quarter_world.staff, stock=row(120))
    submit(quarter_world)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        figures.figure_approve(user=quarter_world.reviewer, figure=current(quarter_world.stock))
    assert calls == []
    # The need is recorded with the approval itself, before any message is sent.
    assert RecomputeMark.objects.filter(indicator=quarter_world.stock).exists()
    for callback in callbacks:
        callback()
    assert calls == [(quarter_world.stock.pk,)]


def test_approval_recomputes_progress_in_process(quarter_world, django_capture_on_commit_callbacks):
    save(quarter_world, quarter_world.staff, stock=row(150))
    submit(quarter_world)
    with django_capture_on_commit_callbacks(execute=True):
        figures.figure_approve(user=quarter_world.reviewer, figure=current(quarter_world.stock))
    quarter_world.stock.refresh_from_db()
    assert quarter_world.stock.progress.current == 150
    assert not RecomputeMark.objects.exists()


def test_reviewer_never_approves_their_own_submission(quarter_world):
    save(quarter_world, quarter_world.admin, stock=row(120))
    submit(quarter_world, user=quarter_world.admin)
    with pytest.raises(ValidationError, match="不能审核自己提交的数据"):
        figures.figure_approve(user=quarter_world.admin, figure=current(quarter_world.stock))
    with pytest.raises(Forbidden):
        figures.figure_approve(user=quarter_world.staff, figure=current(quarter_world.stock))
    with pytest.raises(Forbidden):
        figures.figure_approve(user=quarter_world.other_reviewer, figure=current(quarter_world.stock))


def test_return_needs_a_reason_shown_to_the_submitter(quarter_world):
    save(quarter_world, quarter_world.staff, stock=row(120))
    submit(quarter_world)
    figure = current(quarter_world.stock)
    with pytest.raises(ValidationError, match="必须填写原因"):
        figures.figure_return(user=quarter_world.reviewer, figure=figure, reason="  ")
    figures.figure_return(user=quarter_world.reviewer, figure=figure, reason="与统计公报不一致")
    grid = figure_grid(user=quarter_world.staff, plan=quarter_world.plan, quarter=Q3)
    returned = grid.rows[0].current
    assert returned.status == Status.RETURNED and returned.return_reason == "与统计公报不一致"
    assert returned.reviewed_by == quarter_world.reviewer and grid.rows[0].lock_reason == ""


def test_returned_figure_is_fixed_and_resubmitted_keeping_history(quarter_world):
    save(quarter_world, quarter_world.staff, stock=row(120))
    submit(quarter_world)
    figures.figure_return(user=quarter_world.reviewer, figure=current(quarter_world.stock), reason="请核实")
    save(quarter_world, quarter_world.staff, stock=row(125))
    submit(quarter_world)
    approve_all(quarter_world)
    figure = current(quarter_world.stock)
    assert (figure.version, figure.status, figure.value) == (1, Status.APPROVED, 125)
    reasons = [e.reason for e in figure_history(user=quarter_world.staff, indicator=quarter_world.stock)]
    assert reasons == ["审核通过", "提交审核", "保存草稿", "退回：请核实", "提交审核", "保存草稿"]


def test_approved_figure_is_locked_and_the_grid_says_why(quarter_world):
    save(quarter_world, quarter_world.staff, stock=row(120))
    submit(quarter_world)
    approve_all(quarter_world)
    with pytest.raises(figures.EntriesInvalid) as caught:
        save(quarter_world, quarter_world.staff, stock=row(130))
    assert "已审核通过" in caught.value.failed[0].errors["value"][0]
    row_ = figure_grid(user=quarter_world.staff, plan=quarter_world.plan, quarter=Q3).rows[0]
    assert "已审核通过" in row_.lock_reason and row_.can_correct


def test_archived_plan_locks_every_row(quarter_world):
    quarter_world.plan.is_archived = True
    quarter_world.plan.save()
    grid = figure_grid(user=quarter_world.staff, plan=quarter_world.plan, quarter=Q3)
    assert not grid.can_enter and all("归档" in r.lock_reason for r in grid.rows)
    with pytest.raises(figures.EntriesInvalid):
        save(quarter_world, quarter_world.staff, stock=row(1))


def test_correction_is_a_new_version_that_needs_approval_again(quarter_world):
    save(quarter_world, quarter_world.staff, stock=row(120))
    submit(quarter_world)
    approve_all(quarter_world)
    original = current(quarter_world.stock)
    with pytest.raises(ValidationError, match="必须填写原因"):
        figures.figure_correct(user=quarter_world.staff, figure=original, data=row(125), reason="")
    correction = figures.figure_correct(user=quarter_world.staff, figure=original, data=row(125), reason="统计公报修订")
    original.refresh_from_db()
    assert (correction.version, correction.status, original.status) == (2, Status.SUBMITTED, Status.APPROVED)
    with pytest.raises(ValidationError, match="待处理的更正"):
        figures.figure_correct(user=quarter_world.staff, figure=original, data=row(126), reason="再次")
    figures.figure_approve(user=quarter_world.reviewer, figure=correction)
    original.refresh_from_db()
    assert original.status == Status.SUPERSEDED
    assert current(quarter_world.stock).status == Status.APPROVED and current(quarter_world.stock).value == 125


def test_provisional_figure_is_replaced_by_the_official_one_without_losing_it(quarter_world):
    save(quarter_world, quarter_world.staff, stock=row(118, is_provisional=True))
    submit(quarter_world)
    approve_all(quarter_world)
    provisional = current(quarter_world.stock)
    official = figures.figure_correct(
        user=quarter_world.staff,
        figure=provisional,
        data=row(121, source="国家知识产权局正式发布"),
        reason="以正式数据替换预估数",
    )
    figures.figure_approve(user=quarter_world.reviewer, figure=official)
    versions = list(
        QuarterlyFigure.objects.filter(indicator=quarter_world.stock)
        .order_by("version")
        .values_list("version", "status", "value", "is_provisional")
    )
    assert versions == [(1, "superseded", D(118), True), (2, "approved", D(121), False)]


def test_history_records_who_when_old_new_and_why(quarter_world):
    save(quarter_world, quarter_world.staff, stock=row(120))
    save(quarter_world, quarter_world.staff, stock=row(122))
    entries = figure_history(user=quarter_world.staff, indicator=quarter_world.stock)
    latest = entries[0]
    assert latest.who == "staff" and latest.reason == "保存草稿"
    assert [(c.field, c.old, c.new) for c in latest.changes if c.field == "value"] == [("value", "120", "122")]


def test_readers_see_only_approved_states_in_the_history(quarter_world):
    save(quarter_world, quarter_world.staff, stock=row(120))
    submit(quarter_world)
    assert figure_history(user=quarter_world.leader, indicator=quarter_world.stock) == []
    approve_all(quarter_world)
    entries = figure_history(user=quarter_world.leader, indicator=quarter_world.stock)
    assert [e.reason for e in entries] == ["审核通过"]


def test_definition_change_after_approved_figures_needs_admin_and_reason(quarter_world):
    save(quarter_world, quarter_world.staff, stock=row(120))
    submit(quarter_world)
    approve_all(quarter_world)
    stock = quarter_world.stock
    with pytest.raises(Forbidden):
        definitions.indicator_definition_change(
            user=quarter_world.staff, indicator=stock, changes={"target_value": D(300)}, reason="调整"
        )
    with pytest.raises(ValidationError, match="必须填写原因"):
        definitions.indicator_definition_change(
            user=quarter_world.admin, indicator=stock, changes={"target_value": D(300)}, reason=""
        )
    definitions.indicator_definition_change(
        user=quarter_world.admin, indicator=stock, changes={"target_value": D(300)}, reason="领导小组会议调整目标"
    )
    record = stock.history.first()
    assert record.history_change_reason == "领导小组会议调整目标" and record.history_user == quarter_world.admin


def test_definition_change_without_approved_figures_needs_no_reason(quarter_world):
    definitions.indicator_definition_change(
        user=quarter_world.admin, indicator=quarter_world.stock, changes={"target_value": D(300)}
    )
    quarter_world.stock.refresh_from_db()
    assert quarter_world.stock.target_value == 300


def test_staff_enter_an_unknown_base_with_its_source(quarter_world):
    ratio = quarter_world.ratio
    with pytest.raises(ValidationError) as caught:
        definitions.indicator_base_enter(
            user=quarter_world.staff, indicator=ratio, base_value=D(85), base_year=None, source=""
        )
    assert set(caught.value.message_dict) == {"base_year", "base_source"}
    with pytest.raises(Forbidden):
        definitions.indicator_base_enter(
            user=quarter_world.leader, indicator=ratio, base_value=D(85), base_year=2021, source="年报"
        )
    entry = definitions.indicator_base_enter(
        user=quarter_world.staff, indicator=ratio, base_value=D(85), base_year=2021, source="2021年执法年报"
    )
    ratio.refresh_from_db()
    assert ratio.base_value is None and entry.state == "pending"  # it counts once a reviewer approves it
    with pytest.raises(ValidationError, match="等待审核"):
        definitions.indicator_base_enter(
            user=quarter_world.staff, indicator=ratio, base_value=D(86), base_year=2021, source="x"
        )
    definitions.base_entry_approve(user=quarter_world.reviewer, entry=entry)
    ratio.refresh_from_db()
    assert (ratio.base_value, ratio.base_year, ratio.base_source) == (D(85), 2021, "2021年执法年报")
    assert ratio.history.first().history_change_reason == "基期值审核通过（来源：2021年执法年报；录入人：staff）"
    with pytest.raises(ValidationError, match="已存在"):
        definitions.indicator_base_enter(
            user=quarter_world.staff, indicator=ratio, base_value=D(86), base_year=2021, source="x"
        )


def test_clearing_a_draft_keeps_it_empty_and_it_is_not_submitted(quarter_world):
    save(quarter_world, quarter_world.staff, stock=row(120), share=row(15))
    outcomes = save(quarter_world, quarter_world.staff, stock=RowInput())
    assert outcomes[0].action == "clear"
    cleared = current(quarter_world.stock)
    assert cleared.value is None and cleared.status == Status.DRAFT  # empty, not zero, nothing deleted
    submit(quarter_world)
    assert current(quarter_world.stock).status == Status.DRAFT
    assert current(quarter_world.share).status == Status.SUBMITTED


def test_yearly_statistics_are_entered_for_the_fourth_quarter_only(quarter_world):
    yearly = IndicatorFactory(plan=quarter_world.plan, code="Y1", name="专利密集型产业增加值", frequency="yearly")
    q3 = figure_grid(user=quarter_world.staff, plan=quarter_world.plan, quarter=Q3)
    q4 = figure_grid(user=quarter_world.staff, plan=quarter_world.plan, quarter=Q3.next)
    assert yearly not in [r.indicator for r in q3.rows] and yearly in [r.indicator for r in q4.rows]
    quarter_world.yearly = yearly
    with pytest.raises(figures.EntriesInvalid) as caught:
        save(quarter_world, quarter_world.staff, yearly=row(5))
    assert "只能填报第4季度" in caught.value.failed[0].errors["period"][0]
    FigureFactory(indicator=yearly, period_end=Q3.next.end.replace(year=2024), value=D(4))
    save(quarter_world, quarter_world.staff, quarter=Q3.next, yearly=row(5))
    assert q4.rows[-1].indicator == yearly
    grid = figure_grid(user=quarter_world.staff, plan=quarter_world.plan, quarter=Q3.next)
    assert grid.rows[-1].previous.value == 4  # the previous year, not the previous quarter
