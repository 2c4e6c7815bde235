"""The readings page (口径与解读): every place a plan's data interprets its document, settled by the city."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import can_settle_reading
from indicators import readings
from indicators.definitions import indicator_answering_lead_set, reading_settle
from indicators.forms import AnsweringLeadForm, ReadingSettleForm
from indicators.models import Indicator, Reading
from plans.models import Plan


def _plan(request, code):
    return get_object_or_404(Plan.objects.visible_to(request.user).select_related("city"), code=code)


@login_required
def plan_readings(request, code):
    plan = _plan(request, code)
    views = readings.plan_readings(plan=plan)
    co_led = (
        Indicator.objects.filter(plan=plan, lead_links__order=1)
        .select_related("lead_department")
        .prefetch_related("lead_links__department")
        .order_by("order")
    )
    return render(
        request,
        "indicators/plan_readings.html",
        {
            "plan": plan,
            "readings": views,
            "pending": sum(1 for v in views if v.reading.is_pending),
            "co_led": co_led,
            "can_settle": can_settle_reading(request.user, plan.city_id),
        },
    )


@login_required
@require_POST
def reading_settle_view(request, code, pk):
    plan = _plan(request, code)
    reading = get_object_or_404(Reading.objects.select_related("indicator__plan"), pk=pk, indicator__plan=plan)
    form = ReadingSettleForm(request.POST)
    if form.is_valid():
        try:
            reading_settle(user=request.user, reading=reading, **form.cleaned_data)
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, f"{reading.indicator.code} {reading.topic}：{error}")
        else:
            messages.success(
                request, _("%(code)s %(topic)s：已确认") % {"code": reading.indicator.code, "topic": reading.topic}
            )
    else:
        messages.error(
            request, _("%(code)s %(topic)s：请选择一种读法") % {"code": reading.indicator.code, "topic": reading.topic}
        )
    return redirect(reverse("plan_readings", args=[plan.code]) + f"#reading-{reading.pk}")


@login_required
@require_POST
def answering_lead_view(request, code, pk):
    plan = _plan(request, code)
    indicator = get_object_or_404(Indicator.objects.select_related("plan", "lead_department"), pk=pk, plan=plan)
    form = AnsweringLeadForm(request.POST)
    if form.is_valid():
        try:
            indicator_answering_lead_set(
                user=request.user,
                indicator=indicator,
                department_id=form.cleaned_data["department"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, f"{indicator.code}：{error}")
        else:
            messages.success(request, _("%(code)s：已更改答复督办的牵头单位") % {"code": indicator.code})
    else:
        messages.error(request, _("%(code)s：请选择牵头单位") % {"code": indicator.code})
    return redirect(reverse("plan_readings", args=[plan.code]) + "#leads")
