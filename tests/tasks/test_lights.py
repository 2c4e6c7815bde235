"""The step's date and light of an open 督办 item are written twice: as SQL Case expressions (tasks.selectors.
_supervision_base, for the lists that filter and order by light in the database) and in Python over the rows
a page has read (open_supervision_values, through tasks.rules). On generated items — every status, dates
around the yellow window, missing measure dates, items raised later — both give the same rows, dates, lights
and order, for every role and several dates."""

import datetime as dt
import random

import pytest
from django.db.models import Q
from django.utils import timezone

from tasks import rules
from tasks.models import SupervisionItem
from tasks.selectors import open_supervision_values, supervision_items_for_city

pytestmark = pytest.mark.django_db

S = rules.SupervisionStatus


def generated_items(world, today, n=80, seed=20):
    rng = random.Random(seed)
    made = []
    departments = [world.lead, world.responsible, world.owner]
    for _ in range(n):
        status = rng.choice(list(S))
        due = today + dt.timedelta(days=rng.randint(-6, 12))
        made.append(
            SupervisionItem(
                plan=world.plan,
                department=rng.choice(departments),
                reason="manual",
                task=rng.choice([world.task, world.second]),
                status=status,
                acknowledge_due=rng.choice([due, due - dt.timedelta(days=1)]),
                due_date=due,
                measures_due=rng.choice([None, due, due + dt.timedelta(days=3)]),
                created_at=timezone.now() - dt.timedelta(days=rng.randint(0, 20)),
                closed_at=timezone.now() if status == S.CLOSED else None,
                close_note="办结。" if status == S.CLOSED else "",
            )
        )
    made.append(  # another city's item: never listed for this city's users
        SupervisionItem(
            plan=world.other_plan, department=world.far_department, reason="manual", task=world.far_task, due_date=today
        )
    )
    SupervisionItem.objects.bulk_create(made)


@pytest.mark.parametrize("user", ["staff", "leader", "lead_user", "resp_user", "far_staff", "provincial", "admin"])
def test_python_lights_and_order_agree_with_the_database(world, today, user):
    generated_items(world, today)
    user = getattr(world, user)
    for as_of in (today - dt.timedelta(days=7), today - dt.timedelta(days=1), today, today + dt.timedelta(days=4)):
        in_database = [
            (i.pk, i.status, i.current_due, i.light)
            for i in supervision_items_for_city(world.city, as_of).visible_to(user).filter(created_at__date__lte=as_of)
        ]
        in_python = [
            (r["pk"], r["status"], r["current_due"], r["light"])
            for r in open_supervision_values(user=user, as_of=as_of, where=Q(plan__city=world.city))
        ]
        assert in_python == in_database
        assert all(light is None or isinstance(light, str) for *_, light in in_python)
    if user.username == "staff":  # the generated data reach every light and both ends of the order
        lights = [light for *_, light in in_python]
        assert set(lights) == {rules.Light.RED, rules.Light.YELLOW, rules.Light.GREEN}
        assert any(due is None for _pk, _status, due, _light in in_python)
