"""The role matrix: every role × action × own/other city, through pages and the API alike.

One visibility rule (accounts.access): a user sees only the cities they belong to or are assigned to, and
unapproved figures only of their own city and entering/reviewing role; everything else answers 404.
Seeing but not being allowed to act answers 403.
"""

from decimal import Decimal as D

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.access import can_enter_figures, can_review_figures, can_see_unapproved
from figures.selectors import quarter_revision
from indicators.models import QuarterlyFigure
from plans.models import City
from tests.factories import FigureFactory, IndicatorFactory
from tests.figures.conftest import Q2, Q3

pytestmark = pytest.mark.django_db
Status = QuarterlyFigure.Status
ROLES = ["staff", "reviewer", "leader", "department_user", "provincial", "other_staff", "admin", "anonymous"]


@pytest.fixture
def world(standing):
    own = IndicatorFactory(plan=standing.plan, code="A1")
    own_b = IndicatorFactory(plan=standing.plan, code="A2")
    other = IndicatorFactory(plan=standing.other_plan, code="B1")
    standing.indicator, standing.other_indicator = own, other
    standing.approved = FigureFactory(indicator=own, period_end=Q2.end, value=D(100), source="省局")
    standing.draft = FigureFactory(indicator=own, period_end=Q3.end, value=D(110), status=Status.DRAFT)
    standing.submitted = FigureFactory(
        indicator=own_b,
        period_end=Q3.end,
        value=D(50),
        status=Status.SUBMITTED,
        submitted_by=standing.staff,
        source="省局",
    )
    standing.other_approved = FigureFactory(indicator=other, period_end=Q2.end, value=D(7))
    standing.other_draft = FigureFactory(indicator=other, period_end=Q3.end, value=D(8), status=Status.DRAFT)
    return standing


def page_client(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    return client


def api_client(world, role):
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(getattr(world, role))
    return client


def expect(table: dict, role: str):
    return table[role]


OWN_GRID = dict(
    staff=200, reviewer=200, leader=404, department_user=404, provincial=404, other_staff=404, admin=200, anonymous=302
)
OTHER_GRID = dict(
    staff=404, reviewer=404, leader=404, department_user=404, provincial=404, other_staff=200, admin=200, anonymous=302
)
SAVE_OWN = dict(
    staff=302, reviewer=403, leader=404, department_user=404, provincial=404, other_staff=404, admin=302, anonymous=302
)
REVIEW_OWN = dict(
    staff=403, reviewer=200, leader=404, department_user=404, provincial=404, other_staff=404, admin=200, anonymous=302
)
INDICATOR_OWN = dict(
    staff=200, reviewer=200, leader=200, department_user=200, provincial=200, other_staff=404, admin=200, anonymous=302
)
TEMPLATE_OWN = OWN_GRID
IMPORT_OWN = dict(
    staff=200, reviewer=403, leader=404, department_user=404, provincial=404, other_staff=404, admin=200, anonymous=302
)
CORRECT_OWN = dict(
    staff=200, reviewer=403, leader=403, department_user=403, provincial=403, other_staff=404, admin=200, anonymous=302
)
DEFINITION_OWN = dict(
    staff=403, reviewer=403, leader=403, department_user=403, provincial=403, other_staff=404, admin=200, anonymous=302
)


@pytest.mark.parametrize("role", ROLES)
def test_pages(client, world, role):
    client = page_client(client, world, role)
    plan, other = world.plan.code, world.other_plan.code
    assert client.get(reverse("figure_grid", args=[plan, str(Q3)])).status_code == expect(OWN_GRID, role)
    assert client.get(reverse("figure_grid", args=[other, str(Q3)])).status_code == expect(OTHER_GRID, role)
    assert client.get(reverse("figure_review", args=[plan, str(Q3)])).status_code == expect(REVIEW_OWN, role)
    assert client.get(reverse("indicator_figures", args=[world.indicator.pk])).status_code == expect(
        INDICATOR_OWN, role
    )
    assert client.get(reverse("figure_quarter_template", args=[plan, str(Q3)])).status_code == expect(
        TEMPLATE_OWN, role
    )
    assert client.get(reverse("figure_quarter_import", args=[plan, str(Q3)])).status_code == expect(IMPORT_OWN, role)
    assert client.get(reverse("figure_correct", args=[world.approved.pk])).status_code == expect(CORRECT_OWN, role)
    assert client.get(reverse("indicator_definition", args=[world.indicator.pk])).status_code == expect(
        DEFINITION_OWN, role
    )


@pytest.mark.parametrize("role", ROLES)
def test_saving_the_grid(client, world, role):
    client = page_client(client, world, role)
    data = {
        "revision": quarter_revision(plan=world.plan, period_ends={Q3.end}),
        "action": "save",
        f"r{world.indicator.pk}-value": "111",
    }
    response = client.post(reverse("figure_grid", args=[world.plan.code, str(Q3)]), data)
    assert response.status_code == expect(SAVE_OWN, role)
    world.draft.refresh_from_db()
    assert (world.draft.value == 111) is (role in ("staff", "admin"))


API_DRAFT = dict(
    staff=200, reviewer=200, leader=404, department_user=404, provincial=404, other_staff=404, admin=200, anonymous=403
)
API_APPROVED = dict(
    staff=200, reviewer=200, leader=200, department_user=200, provincial=200, other_staff=404, admin=200, anonymous=403
)
API_OTHER_DRAFT = dict(
    staff=404, reviewer=404, leader=404, department_user=404, provincial=404, other_staff=200, admin=200, anonymous=403
)
API_APPROVE = dict(
    staff=403, reviewer=200, leader=404, department_user=404, provincial=404, other_staff=404, admin=200, anonymous=403
)
API_CREATE = dict(
    staff=201, reviewer=403, leader=403, department_user=403, provincial=403, other_staff=404, admin=201, anonymous=403
)
API_LIST = dict(staff=3, reviewer=3, leader=1, department_user=1, provincial=1, other_staff=2, admin=5, anonymous=None)


@pytest.mark.parametrize("role", ROLES)
def test_api(world, role):
    client = api_client(world, role)
    listing = client.get("/api/v1/figures/")
    assert listing.status_code == 403 if role == "anonymous" else listing.json()["count"] == API_LIST[role]
    assert client.get(f"/api/v1/figures/{world.draft.pk}/").status_code == expect(API_DRAFT, role)
    assert client.get(f"/api/v1/figures/{world.approved.pk}/").status_code == expect(API_APPROVED, role)
    assert client.get(f"/api/v1/figures/{world.other_draft.pk}/").status_code == expect(API_OTHER_DRAFT, role)
    assert client.get(f"/api/v1/figures/{world.draft.pk}/history/").status_code == expect(API_DRAFT, role)
    response = client.post(
        "/api/v1/figures/",
        {"indicator": world.indicator.pk, "quarter": "2025Q1", "value": "90", "source": "省局"},
        format="json",
    )
    assert response.status_code == expect(API_CREATE, role)
    assert client.post(f"/api/v1/figures/{world.submitted.pk}/approve/").status_code == expect(API_APPROVE, role)


def test_approving_is_refused_on_a_submission_of_ones_own(world):
    client = api_client(world, "admin")
    world.submitted.submitted_by = world.admin
    world.submitted.save()
    response = client.post(f"/api/v1/figures/{world.submitted.pk}/approve/")
    assert response.status_code == 400 and response.json() == {"non_field_errors": ["不能审核自己提交的数据。"]}


@pytest.mark.parametrize(
    ("role", "cities", "enter", "review", "unapproved"),
    [
        ("staff", {"own"}, True, False, True),
        ("reviewer", {"own"}, False, True, True),
        ("leader", {"own"}, False, False, False),
        ("department_user", {"own"}, False, False, False),
        ("provincial", {"own"}, False, False, False),
        ("other_staff", {"other"}, False, False, False),
        ("admin", {"own", "other"}, True, True, True),
        ("anonymous", set(), False, False, False),
    ],
)
def test_the_rule_itself(world, role, cities, enter, review, unapproved):
    user = getattr(world, role)
    city = world.city.pk
    assert {c.code for c in City.objects.visible_to(user)} == cities
    assert (can_enter_figures(user, city), can_review_figures(user, city), can_see_unapproved(user, city)) == (
        enter,
        review,
        unapproved,
    )
