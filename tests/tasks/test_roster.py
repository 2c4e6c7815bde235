"""The leading-group roster of a city: 组长, 副组长, 成员 with posts, linked to their department's tasks."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plans.models import LeadingGroupMember
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def member(world, order, role, name, post, department=None):
    return LeadingGroupMember.objects.create(
        plan=world.plan, order=order, role=role, name=name, post=post, department=department
    )


def test_roster_lists_roles_posts_and_department_links(client, world):
    member(world, 1, "leader", "张三", "市长", None)
    member(world, 2, "deputy_leader", "李四", "副市长", None)
    member(world, 3, "member", "王五", "市科技局局长", world.lead)
    client.force_login(world.lead_user)
    response = client.get(f"/leading-group/{world.city.code}/")
    page = response.content.decode()
    for text in ("组长", "张三", "市长", "副组长", "李四", "成员", "王五", "市科技局局长"):
        assert text in page
    assert f'href="/departments/{world.lead.pk}/tasks/"' in page
    [wang] = [m for m in response.context["members"] if m.name == "王五"]
    assert wang.task_count == 1


def test_roster_home_goes_to_the_users_city(client, world):
    client.force_login(world.resp_user)
    assert client.get("/leading-group/")["Location"] == f"/leading-group/{world.city.code}/"


def test_roster_query_count_does_not_grow_with_members(client, world):
    client.force_login(world.staff)
    member(world, 1, "leader", "张三", "市长", world.lead)
    with CaptureQueriesContext(connection) as small:
        client.get(f"/leading-group/{world.city.code}/")
    for n in range(2, 20):
        member(world, n, "member", f"成员{n}", "局长", DepartmentFactory(city=world.city))
    with CaptureQueriesContext(connection) as large:
        client.get(f"/leading-group/{world.city.code}/")
    assert len(large) == len(small)
