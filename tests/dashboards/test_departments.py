"""部门落实情况: the counts and lights per department and quarter, the plan's rule, who may see and set it, the
API's numbers, the roster's lights, and a fixed number of queries whatever the data."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.periods import Quarter
from tasks import rules
from tasks.departments import department_overview
from tasks.models import DepartmentLightRule, Instruction, SupervisionItem
from tests.dashboards.conftest import AS_OF_QUARTER
from tests.dashboards.test_queries import grow

pytestmark = pytest.mark.django_db
Q = Quarter.parse(AS_OF_QUARTER)
S = rules.Signal


def aware(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


def overview(world):
    return department_overview(plan=world.plan, quarter=Q).by_department()


def url(world, **params):
    return f"/departments/{world.plan.code}/", params


def get(client, user, path, params=None):
    client.force_login(user)
    return client.get(path, params or {})


def problems(world):
    """An unanswered 批示 and a 督办 item overdue at 签收, both for 市财政局, before the quarter's end."""
    Instruction.objects.create(
        plan=world.plan,
        indicator=world.a,
        department=world.partner,
        author=world.users.leader,
        text="请财政局说明资金安排。",
        created_at=aware(dt.date(2025, 6, 1)),
    )
    SupervisionItem.objects.create(
        plan=world.plan,
        department=world.partner,
        reason=SupervisionItem.Reason.MANUAL,
        task=world.task,
        acknowledge_due=dt.date(2025, 6, 5),
        due_date=dt.date(2025, 6, 20),
        created_at=aware(dt.date(2025, 6, 1)),
    )


def test_counts_per_department_as_lead_and_for_its_reports(world):
    rows = overview(world)
    science, partner, owner = rows[world.lead.pk], rows[world.partner.pk], rows[world.owner.pk]
    # A lags under 市科技局, whose consolidated 2025Q2 report came in after the deadline (it was entered today)
    assert (science.counts[S.LAGGING], science.counts[S.LATE_REPORTS]) == (1, 1)
    assert science.lagging == [world.a.name]
    assert (science.light, science.causes) == (rules.Light.YELLOW, [S.LAGGING, S.LATE_REPORTS])
    # 市财政局 reported for 2025Q1 only: its 2025Q2 report is missing
    assert partner.counts[S.MISSING_REPORTS] == 1 and partner.light == rules.Light.YELLOW
    # C is at risk under the bureau: counted, but at risk lights nothing by default
    assert owner.counts[S.AT_RISK] == 1 and owner.at_risk == [world.c.name]
    assert owner.counts[S.MISSING_REPORTS] == 1 and owner.causes == [S.MISSING_REPORTS]


def test_an_overdue_item_or_an_unanswered_instruction_turns_the_department_red_and_first(world):
    problems(world)
    result = department_overview(plan=world.plan, quarter=Q)
    partner = result.by_department()[world.partner.pk]
    assert partner.counts[S.OVERDUE_SUPERVISION] == 1 and partner.counts[S.UNANSWERED_INSTRUCTIONS] == 1
    assert partner.light == rules.Light.RED
    assert result.rows[0].department == world.partner
    assert [r.light for r in result.rows] == sorted((r.light for r in result.rows), key=rules.LIGHT_RANK.get)


def test_an_instruction_answered_after_the_quarter_still_counts_for_it(world):
    problems(world)
    Instruction.objects.update(answer="已安排。", answered_at=aware(dt.date(2025, 8, 1)))
    assert overview(world)[world.partner.pk].counts[S.UNANSWERED_INSTRUCTIONS] == 1
    later = department_overview(plan=world.plan, quarter=Quarter(2025, 3)).by_department()
    assert later[world.partner.pk].counts[S.UNANSWERED_INSTRUCTIONS] == 0


def test_indicators_led_only_by_default_are_counted_apart_and_light_nothing(world):
    world.c.lead_department_defaulted = True
    world.c.save()
    owner = overview(world)[world.owner.pk]
    assert owner.counts[S.AT_RISK] == 0 and owner.defaulted_at_risk == 1 and owner.at_risk == []
    DepartmentLightRule.objects.create(plan=world.plan, at_risk="red")
    assert overview(world)[world.owner.pk].light == rules.Light.YELLOW  # its missing report only


def test_the_plans_rule_decides_the_light(world):
    DepartmentLightRule.objects.create(plan=world.plan, at_risk="red", missing_reports="", late_reports="")
    rows = overview(world)
    assert rows[world.owner.pk].light == rules.Light.RED  # C at risk
    assert rows[world.partner.pk].light == rules.Light.GREEN  # a missing report lights nothing now
    assert rows[world.lead.pk].causes == [S.LAGGING]


# --- The page ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["leader", "staff", "reviewer", "admin"])
def test_the_office_and_the_leaders_see_the_overview_labelled_as_a_reference(client, world, username):
    response = get(client, getattr(world.users, username), *url(world, quarter=AS_OF_QUARTER))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="reference-badge" data-testid="reference">参考</span>' in html
    assert "不是正式考核结果" in html
    assert [r.department for r in response.context["page"].overview.rows][0] in (world.lead, world.owner)
    assert "逾期督办事项：红灯" in html and "预警指标（牵头）：—" in html


@pytest.mark.parametrize("username", ["lead_user", "provincial"])
def test_departments_and_provincial_viewers_get_the_styled_403(client, world, username):
    response = get(client, getattr(world.users, username), *url(world))
    assert response.status_code == 403
    assert "无权操作" in response.content.decode() and "部门落实情况仅对" in response.content.decode()


def test_another_citys_plan_is_404_and_a_bad_quarter_is_404(client, world):
    assert get(client, world.users.leader, f"/departments/{world.far.code}/").status_code == 404
    for quarter in ("banana", "2019Q1", "2031Q1"):
        assert get(client, world.users.leader, *url(world, quarter=quarter)).status_code == 404


def test_departments_home_opens_the_users_city_plan(client, world):
    response = get(client, world.users.leader, "/departments/")
    assert response.status_code == 302 and response["Location"] == f"/departments/{world.plan.code}/"
    assert get(client, world.users.provincial, "/departments/").status_code == 403


def test_the_office_sets_the_rule_and_a_leader_may_not(client, world):
    levels = {s.value: "" for s in rules.Signal} | {"at_risk": "red"}
    client.force_login(world.users.leader)
    assert client.post(f"/departments/{world.plan.code}/rule/", levels).status_code == 403
    assert not DepartmentLightRule.objects.exists()
    client.force_login(world.users.staff)
    response = client.post(f"/departments/{world.plan.code}/rule/", {**levels, "quarter": AS_OF_QUARTER})
    assert response.status_code == 302 and response["Location"].endswith(f"?quarter={AS_OF_QUARTER}")
    assert DepartmentLightRule.objects.get(plan=world.plan).levels[S.AT_RISK] == rules.Light.RED
    page = client.get(*url(world, quarter=AS_OF_QUARTER)).context["page"]
    assert page.overview.by_department()[world.owner.pk].light == rules.Light.RED


def test_a_bad_level_is_refused_with_the_signals_name_and_nothing_saved(client, world):
    client.force_login(world.users.staff)
    levels = {s.value: "" for s in rules.Signal} | {"lagging": "purple"}
    response = client.post(f"/departments/{world.plan.code}/rule/", levels)
    assert response.status_code == 400
    assert "滞后指标（牵头）" in response.content.decode()
    assert not DepartmentLightRule.objects.exists()


def test_the_page_reads_a_fixed_number_of_queries(client, world):
    def count():
        client.force_login(world.users.leader)
        with CaptureQueriesContext(connection) as context:
            assert client.get(*url(world, quarter=AS_OF_QUARTER)).status_code == 200
        return len(context.captured_queries)

    before = count()
    grow(world, 3)
    problems(world)
    assert count() == before <= 18, before  # the request's own (session, user, nav badges) included


# --- The API gives the page's numbers ----------------------------------------------------------------------


def test_the_api_gives_the_pages_numbers(client, world):
    problems(world)
    client.force_login(world.users.leader)
    page = client.get(*url(world, quarter=AS_OF_QUARTER)).context["page"].overview
    data = client.get(f"/api/v1/plans/{world.plan.pk}/department-overview/", {"quarter": AS_OF_QUARTER}).json()
    assert data["quarter"] == AS_OF_QUARTER and data["rule"]["overdue_supervision"] == "red"
    assert [(d["department"], d["light"], d["counts"]) for d in data["departments"]] == [
        (r.department.pk, r.light.value, {s.value: n for s, n in r.counts.items()}) for r in page.rows
    ]


def test_the_api_refuses_like_the_page(client, world):
    client.force_login(world.users.provincial)
    assert client.get(f"/api/v1/plans/{world.plan.pk}/department-overview/").status_code == 403
    client.force_login(world.users.leader)
    assert client.get(f"/api/v1/plans/{world.far.pk}/department-overview/").status_code == 404
    response = client.get(f"/api/v1/plans/{world.plan.pk}/department-overview/", {"quarter": "2025Q9"})
    assert response.status_code == 400 and "quarter" in response.json()


# --- The roster ----------------------------------------------------------------------------------------


def test_the_roster_shows_each_members_unit_with_its_light(client, world):
    from plans.models import LeadingGroupMember

    LeadingGroupMember.objects.create(
        plan=world.plan, order=1, role="member", name="张三", post="市科技局局长", department=world.lead
    )
    html = get(client, world.users.leader, "/leading-group/own/").content.decode()
    light = department_overview(
        plan=world.plan,
        quarter=rules.default_quarter(world.plan.period_start, world.plan.period_end, timezone.localdate()),
    ).by_department()[world.lead.pk]
    assert f'class="light light-{light.light}">{light.light_label}</a>' in html
    assert (
        'data-testid="member-light"' not in get(client, world.users.provincial, "/leading-group/own/").content.decode()
    )
