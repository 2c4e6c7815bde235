"""A base entered by the bureau counts only after review: pending until a reviewer approves it (or returns it
with a reason); the engine judges with approved bases only; both pages show it."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.errors import Conflict, Forbidden
from indicators import definitions
from indicators.models import BaseEntry
from indicators.services import indicator_rule
from notifications.selectors import notifications_for
from tests.factories import IndicatorFactory
from tests.figures.conftest import Q3

pytestmark = pytest.mark.django_db


@pytest.fixture
def entered(quarter_world):
    """The ratio indicator's unknown base, entered by staff."""
    return definitions.indicator_base_enter(
        user=quarter_world.staff, indicator=quarter_world.ratio, base_value=D(85), base_year=2021, source="执法年报"
    )


def test_an_entered_base_waits_for_review_and_the_engine_goes_on_without_it(quarter_world, entered):
    quarter_world.ratio.refresh_from_db()
    assert entered.state == BaseEntry.State.PENDING and quarter_world.ratio.base_value is None
    assert indicator_rule(quarter_world.ratio).base_value is None
    [notice] = notifications_for(user=quarter_world.reviewer)
    assert notice.title == "「执法案件结案率」录入了基期值85（2021年），待审核" and notice.body == "来源：执法年报"


def test_approved_it_counts_and_staff_are_told(quarter_world, entered):
    definitions.base_entry_approve(user=quarter_world.reviewer, entry=entered)
    quarter_world.ratio.refresh_from_db()
    assert (quarter_world.ratio.base_value, quarter_world.ratio.base_source) == (D(85), "执法年报")
    assert indicator_rule(quarter_world.ratio).base_value == 85
    assert [n.title for n in notifications_for(user=quarter_world.staff)] == [
        "「执法案件结案率」的基期值85审核通过，进度将重新计算"
    ]
    assert list(notifications_for(user=quarter_world.reviewer)) == []  # the 待审核 notice closed


def test_returned_it_never_counts_says_why_and_another_may_be_entered(quarter_world, entered):
    with pytest.raises(ValidationError, match="退回时必须填写原因"):
        definitions.base_entry_return(user=quarter_world.reviewer, entry=entered, reason=" ")
    definitions.base_entry_return(user=quarter_world.reviewer, entry=entered, reason="年报为2022年口径")
    quarter_world.ratio.refresh_from_db()
    assert quarter_world.ratio.base_value is None
    assert "「执法案件结案率」的基期值被退回：年报为2022年口径" in [
        n.title for n in notifications_for(user=quarter_world.staff)
    ]
    again = definitions.indicator_base_enter(
        user=quarter_world.staff, indicator=quarter_world.ratio, base_value=D(86), base_year=2022, source="年报"
    )
    assert again.state == BaseEntry.State.PENDING


def test_only_another_reviewer_of_the_city_decides_and_only_once(quarter_world, entered):
    with pytest.raises(Forbidden):
        definitions.base_entry_approve(user=quarter_world.staff2, entry=entered)
    with pytest.raises(Forbidden):
        definitions.base_entry_approve(user=quarter_world.other_reviewer, entry=entered)
    unknown = IndicatorFactory(plan=quarter_world.plan, code="A9", base_value=None, base_year=None)
    own = definitions.indicator_base_enter(
        user=quarter_world.admin, indicator=unknown, base_value=D(1), base_year=2021, source="年报"
    )
    with pytest.raises(ValidationError, match="自己录入"):
        definitions.base_entry_approve(user=quarter_world.admin, entry=own)
    definitions.base_entry_approve(user=quarter_world.reviewer, entry=entered)
    with pytest.raises(Conflict, match="已由 reviewer 处理（已审核）"):
        definitions.base_entry_return(user=quarter_world.reviewer, entry=entered, reason="晚了")


def test_the_pages_show_the_pending_base(client, quarter_world, entered):
    client.force_login(quarter_world.staff)
    html = client.get(reverse("indicator_figures", args=[quarter_world.ratio.pk])).content.decode()
    assert "待审核" in html and "执法年报" in html and "保存基期值" not in html
    client.force_login(quarter_world.reviewer)
    review = reverse("figure_review", args=[quarter_world.plan.code, str(Q3)])
    html = client.get(review).content.decode()
    assert "待审核的基期值" in html and "执法案件结案率" in html
    response = client.post(
        reverse("base_entry_decide", args=[entered.pk]), {"action": "return", "reason": "", "next": review}
    )
    assert response.status_code == 302 and response["Location"] == review
    html = client.get(review).content.decode()
    assert "退回时必须填写原因" in html and "待审核的基期值" in html
    client.post(reverse("base_entry_decide", args=[entered.pk]), {"action": "return", "reason": "口径不符"})
    client.force_login(quarter_world.staff)
    html = client.get(reverse("indicator_figures", args=[quarter_world.ratio.pk])).content.decode()
    assert "录入的基期值 85 被 reviewer 退回：口径不符" in html and "保存基期值" in html
    response = client.post(reverse("base_entry_decide", args=[entered.pk]), {"action": "approve"})
    assert response.status_code == 403  # staff may not decide their own entry: refused, never a 500
