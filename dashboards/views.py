"""Dashboard pages. Thin: read the as-of quarter, call one selector, render; what a user may not see is 404."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from accounts.access import user_role
from accounts.models import Role
from dashboards import selectors
from plans.models import City


def _as_of(request) -> selectors.AsOf:
    return selectors.as_of_from(request.GET.get("as_of"))


def _as_of_form(choices, **keep) -> dict:
    """The as-of selector (templates/dashboards/_as_of.html, included by base.html); `keep` rides along."""
    return {"choices": choices, "keep": [(k, v) for k, v in keep.items() if v]}


def _overview(request, as_of):
    page = selectors.cities_overview(user=request.user, as_of=as_of, page=request.GET.get("page"))
    return render(request, "dashboards/overview.html", {"page": page, "as_of_form": _as_of_form(page.choices)})


def _city(request, as_of, **city):
    plan_code = request.GET.get("plan")
    page = selectors.city_dashboard(user=request.user, as_of=as_of, plan_code=plan_code, **city)
    return render(
        request, "dashboards/city.html", {"page": page, "as_of_form": _as_of_form(page.choices, plan=plan_code)}
    )


@login_required
def home(request):
    """Department clerks land on their tasks; a city's other users on their city; administrators and anyone
    allowed several cities on the overview."""
    role = user_role(request.user)
    if role == Role.DEPARTMENT:
        return redirect("tasks:mine")
    as_of = _as_of(request)
    if role not in (None, Role.ADMIN, Role.PROVINCIAL) and request.user.profile.city_id:
        return _city(request, as_of, city_id=request.user.profile.city_id)
    if role == Role.PROVINCIAL:
        assigned = list(City.objects.visible_to(request.user).values_list("pk", flat=True)[:2])
        if len(assigned) == 1:
            return _city(request, as_of, city_id=assigned[0])
    return _overview(request, as_of)


@login_required
def overview(request):
    return _overview(request, _as_of(request))


@login_required
def city(request, code):
    return _city(request, _as_of(request), city_code=code)


@login_required
def indicator(request, pk):
    page = selectors.indicator_page(user=request.user, pk=pk, as_of=_as_of(request))
    return render(request, "dashboards/indicator.html", {"page": page, "as_of_form": _as_of_form(page.choices)})


@login_required
def compare(request):
    key = request.GET.get("key")
    page = selectors.comparison(user=request.user, key=key, as_of=_as_of(request))
    return render(
        request, "dashboards/compare.html", {"page": page, "as_of_form": _as_of_form(page.choices, key=page.key)}
    )
