"""Write the load test's targets (demo accounts, their city, plan and indicator ids, fresh API tokens) as JSON.

Usage: python loadtest/targets.py OUT.json — against the database the server under test uses. The tokens are
named `loadtest` and replaced on every run, so a repeated run never piles them up.
"""

import datetime as dt
import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipcity.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from accounts.models import ApiToken, Role  # noqa: E402
from accounts.services import api_token_create  # noqa: E402
from core.periods import Quarter  # noqa: E402
from plans.selectors import current_plan  # noqa: E402


def account(user, today):
    plan = current_plan(list(user.profile.city.plans.order_by("period_start")), today)
    return {
        "username": user.username,
        "city": user.profile.city.code,
        "plan": plan.code,
        "plan_id": plan.pk,
        # The quarter grid of an ended plan stops at its last quarter (a later one is 404).
        "quarter": str(Quarter.latest_ended_by(min(Quarter.last_closed(today).end, plan.period_end))),
        "indicators": list(plan.indicators.values_list("pk", flat=True)[:30]),
    }


def main(out: str) -> None:
    today = dt.date.today()
    users = get_user_model().objects.select_related("profile__city").filter(profile__city__isnull=False)
    leaders = [account(u, today) for u in users.filter(profile__role=Role.LEADER).order_by("username")]
    clerks = [account(u, today) for u in users.filter(profile__role=Role.BUREAU_STAFF).order_by("username")]
    ApiToken.objects.filter(name="loadtest").delete()
    tokens = []
    for user in users.filter(profile__role=Role.REVIEWER).order_by("username"):
        _, secret = api_token_create(user=user, name="loadtest")
        tokens.append({**account(user, today), "token": secret})
    if not (leaders and clerks and tokens):
        sys.exit("loadtest/targets.py: the database has no demo accounts (run load_plans and load_demo first)")
    targets = {"quarter": str(Quarter.last_closed(today)), "leaders": leaders, "clerks": clerks, "tokens": tokens}
    with open(out, "w", encoding="utf-8") as f:
        json.dump(targets, f, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1])
