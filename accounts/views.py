"""The users page of a city's user administrator, the audit log, API tokens, and the password change that
clears a first password. Thin: every rule is in accounts.rules, accounts.selectors and accounts.services."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import ApiTokenForm, AuditFilterForm, UserForm
from accounts.rules import can_manage_users, is_system_admin

AUDIT_PAGE_SIZE = 50


def _manager_required(view):
    """Anyone else gets 404: the users pages do not exist for them."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not can_manage_users(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
    return wrapped


@_manager_required
def user_list(request):
    users = selectors.managed_users(request.user)
    return render(
        request,
        "accounts/user_list.html",
        {"users": users, "system_admin": is_system_admin(request.user)},
    )


@_manager_required
def user_create(request):
    form = UserForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(actor=request.user, ip=services.client_ip(request), **form.service_kwargs())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("已创建用户 %(name)s，首次登录须修改初始密码。") % {"name": user.username})
            return redirect("users")
    return render(request, "accounts/user_form.html", {"form": form, "target": None})


@_manager_required
def user_edit(request, pk):
    target = selectors.managed_user_get(request.user, pk)
    form = UserForm(request.POST or None, actor=request.user, user=target)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(
                actor=request.user, user=target, ip=services.client_ip(request), **form.service_kwargs()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("已保存用户 %(name)s。") % {"name": target.username})
            return redirect("users")
    return render(request, "accounts/user_form.html", {"form": form, "target": target})


@require_POST
@_manager_required
def user_active(request, pk):
    target = selectors.managed_user_get(request.user, pk)
    active = request.POST.get("active") == "1"
    try:
        services.user_set_active(actor=request.user, user=target, active=active, ip=services.client_ip(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        text = _("已启用用户 %(name)s。") if active else _("已停用用户 %(name)s。")
        messages.success(request, text % {"name": target.username})
    return redirect("users")


@require_POST
@_manager_required
def user_unlock(request, pk):
    target = selectors.managed_user_get(request.user, pk)
    services.user_unlock(actor=request.user, user=target, ip=services.client_ip(request))
    messages.success(request, _("已解除 %(name)s 的登录锁定。") % {"name": target.username})
    return redirect("users")


@_manager_required
def audit_list(request):
    form = AuditFilterForm(request.GET or None, actor=request.user)
    events = selectors.audit_events(request.user)
    if request.GET:
        events = form.filter(events)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/audit_list.html", {"form": form, "page": page, "query": query.urlencode()})


@login_required
def token_list(request):
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.api_token_create(
                user=request.user, name=form.cleaned_data["name"], ip=services.client_ip(request)
            )
        except ValidationError as error:
            form.add_error("name", error.message_dict.get("name", error.messages))
        else:
            form = ApiTokenForm()
    return render(
        request,
        "accounts/token_list.html",
        {"form": form, "tokens": selectors.api_tokens(request.user), "new_key": new_key},
    )


@require_POST
@login_required
def token_revoke(request, pk):
    token = selectors.api_token_get(request.user, pk)
    services.api_token_revoke(token=token, ip=services.client_ip(request))
    messages.success(request, _("已撤销令牌“%(name)s”，使用它的请求将立即被拒绝。") % {"name": token.name})
    return redirect("api_tokens")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page; a successful change is recorded and clears the first-password flag."""

    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_change_record(
            user=self.request.user, ip=services.client_ip(self.request), session=self.request.session
        )
        return response


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): a Chinese page, 429."""
    from django.conf import settings

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60) if settings.AXES_COOLOFF_TIME else 0
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(request, "accounts/locked_out.html", context, status=429)
