from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from plans.selectors import plan_detail, plan_list


@login_required
def home(request):
    return render(request, "plans/plan_list.html", {"plans": plan_list(user=request.user)})


@login_required
def plan(request, code):
    return render(request, "plans/plan_detail.html", {"plan": plan_detail(user=request.user, code=code)})
