from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from plans import selectors


@login_required
def plan_list(request):
    return render(request, "plans/plan_list.html", {"plans": selectors.plan_list(user=request.user)})


@login_required
def plan(request, code):
    return render(request, "plans/plan_detail.html", {"plan": selectors.plan_detail(user=request.user, code=code)})
