"""The comparison (issue 16): offered to provincial viewers and administrators only; only quantitative keys that
two or more of the cities' current plans share; every choice named by catalogue_labels; values beside progress."""

import pytest

from indicators.models import Indicator, TargetForm
from indicators.selectors import catalogue_labels
from tests.dashboards.conftest import AS_OF_QUARTER
from tests.dashboards.test_pages import chart_data, get
from tests.factories import IndicatorFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["leader", "staff", "reviewer", "lead_user", "far_leader"])
def test_a_citys_users_get_the_styled_403_and_no_link(client, world, username):
    user = getattr(world.users, username)
    response = get(client, user, "/compare/")
    assert response.status_code == 403
    assert "无权操作" in response.content.decode() and "跨市对比仅对省级用户和管理员开放" in response.content.decode()
    home = get(client, user, "/cities/own/" if username != "far_leader" else "/cities/far/").content.decode()
    assert 'href="/compare/"' not in home


@pytest.mark.parametrize("username", ["provincial", "admin"])
def test_provincial_viewers_and_administrators_compare(client, world, username):
    response = get(client, getattr(world.users, username), "/compare/")
    assert response.status_code == 200
    assert 'href="/compare/"' in response.content.decode()


def test_only_keys_two_or_more_cities_share_are_offered(client, world):
    # hosted_enterprises: 本市 and 外市; the provincial viewer sees 本市 and 旧市 only
    admin = {k["catalogue_key"] for k in get(client, world.users.admin, "/compare/").context["page"].keys}
    provincial = {k["catalogue_key"] for k in get(client, world.users.provincial, "/compare/").context["page"].keys}
    assert admin == {"valid_invention_patents", "hosted_enterprises"}
    assert provincial == {"valid_invention_patents"}
    assert get(client, world.users.provincial, "/compare/", key="hosted_enterprises").status_code == 404


def test_a_qualitative_measure_is_never_offered(client, world):
    for plan in (world.plan, world.far):
        IndicatorFactory(
            plan=plan,
            code=f"Q{plan.pk}",
            name="知识产权保护中心建设",
            target_form=TargetForm.QUALITATIVE,
            unit="",
            target_value=None,
            base_value=None,
            base_year=None,
            catalogue_key="protection_centre",
        )
    keys = {k["catalogue_key"] for k in get(client, world.users.admin, "/compare/").context["page"].keys}
    assert "protection_centre" not in keys


def test_every_choice_is_named_by_the_catalogue_and_says_how_many_cities_have_data(client, world):
    response = get(client, world.users.admin, "/compare/")
    labels = catalogue_labels(Indicator.objects.all())
    html = response.content.decode()
    for k in response.context["page"].keys:
        assert k["name"] == labels[k["catalogue_key"]]
        assert f"{k['name']}（{k['cities']}个城市，{k['reported']}个有数据）" in html


def test_each_citys_value_with_its_unit_stands_beside_its_progress(client, world):
    response = get(client, world.users.admin, "/compare/", key="valid_invention_patents", as_of=AS_OF_QUARTER)
    texts = {r["city"]: r["text"] for r in chart_data(response)["rows"]}
    assert texts["本市"] == "12.0%（112件）"
    html = response.content.decode()
    assert '<td class="num" data-testid="compare-value">112件</td>' in html
