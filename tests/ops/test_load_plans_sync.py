"""load_plans keeps a database in step with its fixture: a diff first, removals guarded, the city's
decisions (settled readings, entered bases, a picked 督办 lead) kept across reloads."""

import copy
import datetime as dt
from decimal import Decimal

import pytest
import yaml
from django.core.management import CommandError, call_command

from accounts.models import Role
from indicators.definitions import base_entry_approve, indicator_base_enter, reading_settle
from indicators.models import Indicator, IndicatorLead, ProgressSnapshot, Reading
from ops.fixtures import plan_fixture_load
from plans.models import Plan
from tasks.models import SupervisionItem, TaskAssignment
from tests.factories import FigureFactory, TaskUpdateFactory, make_user

pytestmark = pytest.mark.django_db

BASE = {
    "city": {"code": "testcity", "name": "测试市"},
    "plan": {
        "code": "testcity-2024-2026",
        "title": "测试方案",
        "period_start": dt.date(2024, 1, 1),
        "period_end": dt.date(2026, 12, 31),
    },
    "departments": [
        {"name": "市市场监管局", "is_programme_owner": True},
        {"name": "市农业农村局"},
        {"name": "各县区政府", "kind": "district_group"},
    ],
    "indicators": [
        {
            "code": "T-01",
            "order": 1,
            "category": "创造",
            "name": "转让许可数量",
            "unit": "件",
            "measure_type": "annual",
            "target_form": "compound_growth",
            "target_value": 10,
            "target_date": dt.date(2026, 12, 31),
            "base_year": 2023,
            "base_quote": "年均增幅10%以上",
            "lead_department": ["市市场监管局", "市农业农村局"],
            "readings": [
                {
                    "code": "base_year",
                    "topic": "基期年份",
                    "quote": "年均增幅10%以上",
                    "question": "文件没有写基期年份。",
                    "chosen": "2023",
                    "options": [
                        {"key": "2023", "label": "以2023年为基期", "changes": {"base_year": 2023}},
                        {"key": "2024", "label": "以2024年为基期", "changes": {"base_year": 2024}},
                    ],
                }
            ],
        },
        {
            "code": "T-02",
            "order": 2,
            "category": "运用",
            "name": "质押融资额",
            "unit": "亿元",
            "measure_type": "flow",
            "target_form": "absolute",
            "target_value": 200,
            "target_date": dt.date(2026, 12, 31),
        },
    ],
    "blanket_assignments": [
        {"from_task": {"section": "二、", "number": "1"}, "quote": "以下均需落实", "departments": ["各县区政府"]}
    ],
    "tasks": [
        {
            "section": "二、",
            "number": "1",
            "order": 1,
            "title": "一",
            "text": "一",
            "responsible": ["市市场监管局", "各县区政府"],
        },
        {"section": "二、", "number": "2", "order": 2, "title": "二", "text": "二", "responsible": ["市农业农村局"]},
        {"section": "二、", "number": "3", "order": 3, "title": "三", "text": "三", "lead": ["各县区政府"]},
    ],
}


def _write(tmp_path, doc, name="testcity.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def loaded(tmp_path):
    path = _write(tmp_path, BASE)
    plan_fixture_load(path=path)
    return path


def _without_t02(tmp_path):
    doc = copy.deepcopy(BASE)
    doc["indicators"] = doc["indicators"][:1]
    return _write(tmp_path, doc)


def test_blanket_clause_adds_its_bodies_to_every_later_task_once(loaded):
    rows = TaskAssignment.objects.filter(department__name="各县区政府").values_list("task__number", "role")
    assert sorted(rows) == [("1", "responsible"), ("2", "responsible"), ("3", "lead")]


def test_dry_run_prints_the_diff_and_keeps_nothing(loaded, tmp_path, capsys):
    doc = copy.deepcopy(BASE)
    doc["indicators"][1]["target_value"] = 250
    doc["indicators"] = doc["indicators"][:2]
    doc["tasks"] = doc["tasks"][:2]
    call_command("load_plans", str(_write(tmp_path, doc)), "--dry-run")
    out = capsys.readouterr().out
    assert "试运行" in out
    assert "~ 更新 指标 T-02：target_value 200 → 250" in out
    assert "- 删除 任务 二、3 三" in out
    assert Indicator.objects.get(code="T-02").target_value == Decimal("200")
    assert Plan.objects.get().tasks.count() == 3


def test_a_second_load_reports_no_change(loaded, capsys):
    call_command("load_plans", str(loaded))
    assert "无变化" in capsys.readouterr().out


def test_a_row_the_fixture_no_longer_names_is_removed(loaded, tmp_path, capsys):
    call_command("load_plans", str(_without_t02(tmp_path)))
    assert "- 删除 指标 T-02" in capsys.readouterr().out
    assert not Indicator.objects.filter(code="T-02").exists()


def test_removing_an_indicator_with_figures_is_refused_saying_what_and_why(loaded, tmp_path):
    FigureFactory(indicator=Indicator.objects.get(code="T-02"), period_end=dt.date(2024, 3, 31), value=5)
    doc = copy.deepcopy(BASE)
    doc["indicators"] = doc["indicators"][:1]
    doc["tasks"][0]["title"] = "改名"
    with pytest.raises(CommandError, match="指标“T-02 质押融资额”不在方案文件中，但有季度数据 1 条，不能删除"):
        call_command("load_plans", str(_write(tmp_path, doc)))
    assert Indicator.objects.filter(code="T-02").exists()
    assert Plan.objects.get().tasks.get(number="1").title == "一"  # nothing saved half-way


def test_removing_an_assignment_with_task_updates_is_refused(loaded, tmp_path):
    assignment = TaskAssignment.objects.get(task__number="2", department__name="市农业农村局")
    TaskUpdateFactory(task=assignment.task, department=assignment.department)
    doc = copy.deepcopy(BASE)
    doc["tasks"][1]["responsible"] = ["市市场监管局"]
    with pytest.raises(CommandError, match="任务分工“二、2 市农业农村局（责任单位）”.*任务进展 1 条"):
        call_command("load_plans", str(_write(tmp_path, doc)))


def test_a_settled_reading_an_entered_base_and_a_picked_lead_survive_a_reload(loaded):
    city = Plan.objects.get().city
    reviewer = make_user("t_reviewer", Role.REVIEWER, city=city)
    staff = make_user("t_staff", Role.BUREAU_STAFF, city=city)
    indicator = Indicator.objects.get(code="T-01")
    reading_settle(user=reviewer, reading=indicator.readings.get(), option="2024", reason="按方案期第一年")
    indicator.refresh_from_db()
    entry = indicator_base_enter(
        user=staff, indicator=indicator, base_value=Decimal("12"), base_year=None, source="统计局"
    )
    base_entry_approve(user=reviewer, entry=entry)
    Indicator.objects.filter(pk=indicator.pk).update(
        lead_department=IndicatorLead.objects.get(indicator=indicator, order=1).department, lead_picked_by_bureau=True
    )
    plan_fixture_load(path=loaded)
    indicator.refresh_from_db()
    assert (indicator.base_year, indicator.base_value, indicator.lead_department.name) == (2024, 12, "市农业农村局")
    reading = Reading.objects.get(indicator=indicator)
    assert (reading.state, reading.chosen, reading.settled_by) == ("confirmed", "2024", reviewer)


def test_a_reading_whose_chosen_option_differs_from_the_stored_field_is_refused(tmp_path):
    doc = copy.deepcopy(BASE)
    doc["indicators"][0]["base_year"] = 2022
    with pytest.raises(CommandError, match="T-01 解读 base_year: 采用的读法与指标字段不一致（base_year）"):
        call_command("load_plans", str(_write(tmp_path, doc)))
    assert not Plan.objects.exists()


def test_removing_an_indicator_with_progress_history_or_a_supervision_item_is_refused(loaded, tmp_path):
    t02 = Indicator.objects.get(code="T-02")
    snapshot = ProgressSnapshot.objects.create(
        indicator=t02, quarter_end=dt.date(2024, 3, 31), status="lagging", data_date=dt.date(2024, 3, 31)
    )
    with pytest.raises(CommandError, match="季度进度记录 1 条"):
        call_command("load_plans", str(_without_t02(tmp_path)))
    snapshot.delete()
    SupervisionItem.objects.create(
        plan=t02.plan,
        department=t02.lead_department,
        reason=SupervisionItem.Reason.INDICATOR_LAGGING,
        indicator=t02,
        due_date=dt.date(2024, 5, 1),
    )
    with pytest.raises(CommandError, match="督办事项 1 项"):
        call_command("load_plans", str(_without_t02(tmp_path)))
    assert Indicator.objects.filter(code="T-02").exists()


def test_audit_rows_alone_do_not_block_a_removal(loaded, tmp_path, capsys):
    """The indicator's change history and a progress row computed with no data are not the city's work."""
    t02 = Indicator.objects.get(code="T-02")
    t02.name = "改过名的指标"
    t02.save()
    ProgressSnapshot.objects.create(indicator=t02, quarter_end=dt.date(2024, 3, 31), status="no_data")
    assert t02.history.count() >= 2
    call_command("load_plans", str(_without_t02(tmp_path)))
    assert "- 删除 指标 T-02" in capsys.readouterr().out
    assert not Indicator.objects.filter(code="T-02").exists()
