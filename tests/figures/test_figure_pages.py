"""The figure pages: entry grid, review, correction, indicator history, base and definition forms."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.periods import Quarter
from figures import services as figures
from figures.rules import RowInput
from indicators.models import QuarterlyFigure
from tests.factories import FigureFactory, IndicatorFactory
from tests.figures.conftest import Q2, Q3

pytestmark = pytest.mark.django_db
Status = QuarterlyFigure.Status


def grid_url(world, quarter=Q3):
    return reverse("figure_grid", args=[world.plan.code, str(quarter)])


def grid_data(world, client, rows=None, action="save"):
    """The posted grid: the page's revision plus rows as {indicator: {field: text}}."""
    page = client.get(grid_url(world))
    data = {"revision": page.context["grid"].revision, "action": action}
    for row in page.context["grid"].rows:
        if row.form is None:
            continue
        for name in row.form.fields:
            value = row.form.initial.get(name)
            if value not in (None, False):
                data[f"r{row.indicator.pk}-{name}"] = "on" if value is True else value
    for indicator, fields in (rows or {}).items():
        for name, value in fields.items():
            data[f"r{indicator.pk}-{name}"] = value
    return data


def test_grid_shows_every_quantitative_indicator_with_its_semantics(client, quarter_world):
    IndicatorFactory(
        plan=quarter_world.plan, code="Q1", name="定性目标", target_form="qualitative", unit="", target_value=None
    )
    FigureFactory(indicator=quarter_world.stock, period_end=Q2.end, value=D(100))
    client.force_login(quarter_world.staff)
    response = client.get(grid_url(quarter_world))
    assert response.status_code == 200
    rows = response.context["grid"].rows
    assert [r.indicator.code for r in rows] == ["A1", "A2", "A3", "A4"]
    html = response.content.decode()
    assert (
        "有效发明专利拥有量" in html
        and "亿元" in html
        and "1–9月累计" in html
        and "1–N月" not in html
        and "结案数" in html
    )
    assert rows[0].previous.value == 100
    assert "定性目标" not in html


def test_grid_queries_do_not_grow_with_indicators(client, quarter_world, django_assert_max_num_queries):
    client.force_login(quarter_world.staff)
    with CaptureQueriesContext(connection) as few:
        client.get(grid_url(quarter_world))
    for n in range(30):
        indicator = IndicatorFactory(plan=quarter_world.plan, code=f"X{n}")
        FigureFactory(indicator=indicator, period_end=Q2.end)
        FigureFactory(indicator=indicator, period_end=Q3.end, status=Status.DRAFT)
    with django_assert_max_num_queries(len(few)):
        assert len(client.get(grid_url(quarter_world)).context["grid"].rows) == 34


def test_save_draft_then_the_page_shows_it(client, quarter_world):
    client.force_login(quarter_world.staff)
    data = grid_data(quarter_world, client, {quarter_world.stock: {"value": "1,200", "source": "省局"}})
    response = client.post(grid_url(quarter_world), data, follow=True)
    assert "草稿已保存" in response.content.decode()
    figure = QuarterlyFigure.objects.get()
    assert figure.value == 1200 and figure.status == Status.DRAFT
    assert QuarterlyFigure.objects.filter(indicator=quarter_world.share).count() == 0


def test_messages_appear_next_to_the_field_and_nothing_is_saved(client, quarter_world):
    client.force_login(quarter_world.staff)
    data = grid_data(
        quarter_world, client, {quarter_world.stock: {"value": "一百"}, quarter_world.share: {"value": "120"}}
    )
    response = client.post(grid_url(quarter_world), data)
    rows = {r.indicator.code: r for r in response.context["grid"].rows}
    assert rows["A1"].form.errors["value"] == ["请输入数字，例如 1234.5 或 1,234.5。"]
    assert rows["A4"].form.errors["value"] == ["比率应在0–100之间。"]  # shown in the same round
    assert not QuarterlyFigure.objects.exists()
    data[f"r{quarter_world.stock.pk}-value"] = "100"
    response = client.post(grid_url(quarter_world), data)
    rows = {r.indicator.code: r for r in response.context["grid"].rows}
    assert "比率应在0–100之间。" in rows["A4"].form.errors["value"]
    assert "比率应在0–100之间" in response.content.decode()
    assert not QuarterlyFigure.objects.exists()


def test_warning_on_the_comment_field_until_a_comment_is_given(client, quarter_world):
    FigureFactory(indicator=quarter_world.stock, period_end=Q2.end, value=D(100))
    client.force_login(quarter_world.staff)
    data = grid_data(quarter_world, client, {quarter_world.stock: {"value": "90"}})
    response = client.post(grid_url(quarter_world), data)
    form = response.context["grid"].rows[0].form
    assert "下降" in form.errors["comment"][0]
    data[f"r{quarter_world.stock.pk}-comment"] = "部分专利到期失效"
    assert client.post(grid_url(quarter_world), data).status_code == 302


def test_submit_from_the_grid_and_submission_errors_are_shown(client, quarter_world):
    client.force_login(quarter_world.staff)
    data = grid_data(quarter_world, client, action="submit", rows={quarter_world.stock: {"value": "120"}})
    response = client.post(grid_url(quarter_world), data)
    assert "已保存为草稿，但有1项未通过提交检查" in response.content.decode()
    assert "提交前请填写统计口径/发布来源。" in response.context["grid"].rows[0].form.errors["source"]
    assert QuarterlyFigure.objects.get().status == Status.DRAFT  # the draft itself was saved
    data = grid_data(quarter_world, client, action="submit", rows={quarter_world.stock: {"source": "省局"}})
    response = client.post(grid_url(quarter_world), data, follow=True)
    assert "已提交审核" in response.content.decode()
    figure = QuarterlyFigure.objects.get()
    assert figure.status == Status.SUBMITTED and figure.is_late
    assert "逾期" in response.content.decode() and "已提交，等待审核" in response.content.decode()


def test_second_save_of_the_same_quarter_is_refused_on_the_page(client, quarter_world):
    client.force_login(quarter_world.staff)
    stale = grid_data(quarter_world, client, {quarter_world.stock: {"value": "130"}})
    quarter_world.staff2.first_name = "李四"
    quarter_world.staff2.save()
    other = grid_data(quarter_world, client, {quarter_world.stock: {"value": "120"}})
    client.force_login(quarter_world.staff2)
    client.post(grid_url(quarter_world), other)
    client.force_login(quarter_world.staff)
    response = client.post(grid_url(quarter_world), stale, follow=True)
    assert "已被 李四 于" in response.content.decode()
    assert QuarterlyFigure.objects.get().value == 120


def test_reviewer_sees_the_grid_read_only_and_cannot_post(client, quarter_world):
    client.force_login(quarter_world.reviewer)
    response = client.get(grid_url(quarter_world))
    assert response.status_code == 200 and all(r.form is None for r in response.context["grid"].rows)
    assert client.post(grid_url(quarter_world), {"revision": "0"}).status_code == 403


def test_future_quarter_or_quarter_outside_the_plan_is_404(client, quarter_world):
    client.force_login(quarter_world.staff)
    assert client.get(reverse("figure_grid", args=[quarter_world.plan.code, "2030Q1"])).status_code == 404
    assert client.get(reverse("figure_grid", args=[quarter_world.plan.code, "2019Q1"])).status_code == 404


def _submitted(world, user=None):
    figures.figure_entries_save(
        user=user or world.staff,
        plan=world.plan,
        entries=[
            figures.Entry(world.stock, Q3.end, RowInput(value=D(120), source="省局")),
            figures.Entry(world.share, Q3.end, RowInput(value=D(15), source="统计局")),
        ],
    )
    figures.figure_quarter_submit(user=user or world.staff, plan=world.plan, quarter=Q3)


def test_review_page_approves_and_returns_with_reason(client, quarter_world):
    _submitted(quarter_world)
    client.force_login(quarter_world.reviewer)
    url = reverse("figure_review", args=[quarter_world.plan.code, str(Q3)])
    stock, share = (QuarterlyFigure.objects.get(indicator=i) for i in (quarter_world.stock, quarter_world.share))
    seen = {f"revision-{f.pk}": f.revision for f in (stock, share)}  # what the page carries
    response = client.post(url, {**seen, f"decision-{stock.pk}": "approve", f"decision-{share.pk}": "return"})
    assert "退回时必须填写原因。" in response.content.decode()
    stock.refresh_from_db()
    assert stock.status == Status.SUBMITTED  # all or nothing
    response = client.post(
        url,
        {
            **seen,
            f"decision-{stock.pk}": "approve",
            f"decision-{share.pk}": "return",
            f"reason-{share.pk}": "与统计公报不符",
        },
        follow=True,
    )
    assert "已审核通过1条，退回1条" in response.content.decode()
    client.force_login(quarter_world.staff)
    page = client.get(grid_url(quarter_world)).content.decode()
    assert "与统计公报不符" in page and "已审核通过（reviewer" in page


def test_review_page_is_forbidden_to_staff_and_own_submissions_cannot_be_chosen(client, quarter_world):
    _submitted(quarter_world, user=quarter_world.admin)
    client.force_login(quarter_world.staff)
    assert client.get(reverse("figure_review", args=[quarter_world.plan.code, str(Q3)])).status_code == 403
    client.force_login(quarter_world.admin)
    response = client.get(reverse("figure_review", args=[quarter_world.plan.code, str(Q3)]))
    assert "本人提交，不能自审" in response.content.decode()
    url = reverse("figure_review", args=[quarter_world.plan.code, str(Q3)])
    own = QuarterlyFigure.objects.get(indicator=quarter_world.stock)
    response = client.post(url, {"action": "approve_unflagged", f"revision-{own.pk}": own.revision})
    assert "请至少选择一条数据的审核结果" in response.content.decode()  # own figures are never approved in bulk
    response = client.post(url, {f"decision-{own.pk}": "approve", f"revision-{own.pk}": own.revision})
    assert "不能审核自己提交的数据" in response.content.decode()


def test_correction_page_creates_a_version_for_review(client, quarter_world):
    _submitted(quarter_world)
    figures.figure_review(
        user=quarter_world.reviewer,
        decisions=[figures.Decision(f, figures.APPROVE) for f in QuarterlyFigure.objects.all()],
    )
    stock = QuarterlyFigure.objects.get(indicator=quarter_world.stock)
    client.force_login(quarter_world.staff)
    url = reverse("figure_correct", args=[stock.pk])
    response = client.post(url, {"value": "125", "source": "省局", "correction_reason": ""})
    assert "更正时必须填写原因。" in response.content.decode()
    response = client.post(url, {"value": "125", "source": "省局", "correction_reason": "公报修订"}, follow=True)
    assert "更正已提交" in response.content.decode()
    assert QuarterlyFigure.objects.filter(indicator=quarter_world.stock, version=2, status=Status.SUBMITTED).exists()


def test_indicator_page_shows_figures_and_history(client, quarter_world):
    _submitted(quarter_world)
    client.force_login(quarter_world.staff)
    response = client.get(reverse("indicator_figures", args=[quarter_world.stock.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and "数据变更记录" in html and "提交审核" in html and "2025Q3" in html
    client.force_login(quarter_world.leader)
    html = client.get(reverse("indicator_figures", args=[quarter_world.stock.pk])).content.decode()
    assert "提交审核" not in html and "暂无数据" in html


def test_base_form_on_the_indicator_page(client, quarter_world):
    client.force_login(quarter_world.staff)
    url = reverse("indicator_figures", args=[quarter_world.ratio.pk])
    assert "录入基期值" in client.get(url).content.decode()
    response = client.post(
        reverse("indicator_base", args=[quarter_world.ratio.pk]),
        {"base_value": "85", "base_year": "2021", "base_source": "执法年报"},
        follow=True,
    )
    html = response.content.decode()
    assert "基期值已录入，待审核通过后计入进度" in html and "待审核" in html and "保存基期值" not in html
    client.force_login(quarter_world.reviewer)
    entry = quarter_world.ratio.base_entries.get()
    response = client.post(
        reverse("base_entry_decide", args=[entry.pk]),
        {"action": "approve", "next": reverse("figure_review", args=[quarter_world.plan.code, "2025Q3"])},
        follow=True,
    )
    assert "基期值已审核通过" in response.content.decode()
    html = client.get(url).content.decode()
    assert "基期值审核通过（来源：执法年报；录入人：staff）" in html
    client.force_login(quarter_world.leader)
    response = client.post(
        reverse("indicator_base", args=[quarter_world.stock.pk]),
        {"base_value": "1", "base_year": "2021", "base_source": "x"},
    )
    assert response.status_code == 403


def test_definition_page_is_for_administrators_with_a_reason(client, quarter_world):
    FigureFactory(indicator=quarter_world.stock, period_end=Q2.end)
    url = reverse("indicator_definition", args=[quarter_world.stock.pk])
    client.force_login(quarter_world.staff)
    assert client.get(url).status_code == 403
    client.force_login(quarter_world.admin)
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(target_value="300", reason="")
    response = client.post(url, data)
    assert "必须填写原因" in response.content.decode()
    data["reason"] = "省里下达新目标"
    response = client.post(url, data, follow=True)
    assert "指标定义已修改" in response.content.decode() and "省里下达新目标" in response.content.decode()


def test_index_lists_plans_with_quarters_for_entry_roles_only(client, quarter_world):
    client.force_login(quarter_world.staff)
    html = client.get(reverse("figure_index")).content.decode()
    assert quarter_world.plan.title in html and "2025Q3" in html and quarter_world.other_plan.title not in html
    assert 'href="/figures/"' in html  # the nav link
    client.force_login(quarter_world.leader)
    html = client.get(reverse("figure_index")).content.decode()
    assert quarter_world.plan.title not in html and 'href="/figures/"' not in html


def test_a_stale_review_page_decides_nothing_and_says_who_acted_first(client, quarter_world):
    # Guards against approving from a stale page: the figure was approved after the reviewer loaded it.
    _submitted(quarter_world)
    stock = QuarterlyFigure.objects.get(indicator=quarter_world.stock)
    seen = stock.revision
    figures.figure_approve(user=quarter_world.admin, figure=stock)
    client.force_login(quarter_world.reviewer)
    url = reverse("figure_review", args=[quarter_world.plan.code, str(Q3)])
    response = client.post(
        url, {f"revision-{stock.pk}": seen, f"decision-{stock.pk}": "return", f"reason-{stock.pk}": "x"}
    )
    assert "您的审核未执行" in response.content.decode()
    with pytest.raises(figures.AlreadyDecided, match="您的审核未执行"):
        figures.figure_approve(user=quarter_world.reviewer, figure=stock, revision=seen)
    assert QuarterlyFigure.objects.get(pk=stock.pk).status == Status.APPROVED


def test_review_rows_show_the_previous_quarter_the_change_and_an_outlier_hint(client, quarter_world):
    for n, value in enumerate([100, 104, 98, 102, 101], start=1):
        FigureFactory(
            indicator=quarter_world.stock,
            period_end=Quarter(2024, 1 + (n - 1) % 4).end if n <= 4 else Q2.end,
            value=value,
        )
    _submitted(quarter_world)  # the stock's Q3 figure: 120
    client.force_login(quarter_world.reviewer)
    page = client.get(reverse("figure_review", args=[quarter_world.plan.code, str(Q3)])).content.decode()
    assert "+19" in page  # 120 against Q2's 101
    assert "与本指标历史数据相比异常" in page


def test_approving_with_the_broker_down_answers_at_once_and_says_the_recompute_follows(
    client, quarter_world, monkeypatch, django_capture_on_commit_callbacks
):
    """Regression (issue 18): with Redis stopped an approval answered 500 after 19 s, though it was saved,
    and its recompute was never sent."""
    from kombu.exceptions import OperationalError as BrokerError

    from indicators import tasks as indicator_tasks
    from indicators.models import IndicatorProgress, RecomputeMark

    def broker_down(*args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    monkeypatch.setattr(indicator_tasks.indicator_recompute_task, "apply_async", broker_down)
    _submitted(quarter_world)
    client.force_login(quarter_world.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("figure_review", args=[quarter_world.plan.code, str(Q3)]),
            {"action": "approve_unflagged", **{f"revision-{f.pk}": f.revision for f in QuarterlyFigure.objects.all()}},
            follow=True,
        )
    page = response.content.decode()
    assert response.status_code == 200 and "已审核通过" in page and "指标进度将在后台重新计算" in page
    approved = QuarterlyFigure.objects.filter(status=QuarterlyFigure.Status.APPROVED)
    marked = set(RecomputeMark.objects.values_list("indicator_id", flat=True))
    assert approved.exists() and marked == set(approved.values_list("indicator_id", flat=True))
    assert not IndicatorProgress.objects.filter(indicator_id__in=marked).exists()  # it follows, from the sweep
