"""The notification inbox page."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from notifications import selectors, services
from notifications.filtersets import NotificationFilterSet


@login_required
def inbox(request):
    filterset = NotificationFilterSet(request.GET, queryset=selectors.notifications_for(user=request.user))
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"filterset": filterset, "page": page})


@login_required
def open_notification(request, pk):
    """Follow a notification's link, marking it read on the way."""
    notification = selectors.notification_of(user=request.user, pk=pk)
    if notification is None:
        raise Http404
    services.notifications_mark_read(user=request.user, ids=[notification.pk])
    if notification.link and url_has_allowed_host_and_scheme(notification.link, allowed_hosts={request.get_host()}):
        return redirect(notification.link)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_read(request):
    ids = request.POST.getlist("id")
    services.notifications_mark_read(user=request.user, ids=[int(i) for i in ids if i.isdigit()] if ids else None)
    return redirect("notifications:inbox")
