"""Report pages: choose a city and quarter (or a comparison), follow the build, download the file.

Thin: reads are selectors, the request is a service; a plan or job the user may not see answers 404.
"""

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.periods import closed_quarters
from reports import selectors, services
from reports.bulletin import pdf_available
from reports.forms import ExportRequestForm
from reports.models import ExportJob

CONTENT_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
}
RECENT_JOBS = 10


@login_required
def index(request):
    today = timezone.localdate()
    user = request.user
    plans = [
        (plan, closed_quarters(plan.period_start, plan.period_end, today=today))
        for plan in selectors.report_plans(user=user)
    ]
    cities = selectors.comparison_cities(user=user)
    return render(
        request,
        "reports/index.html",
        {
            "plans": plans,
            "comparison_quarters": selectors.comparison_quarters(
                plans=selectors.report_plans(user=user).filter(city__in=cities), today=today
            ),
            "catalogue_keys": selectors.comparison_keys(cities=cities),
            "jobs": selectors.export_jobs(user=user)[:RECENT_JOBS],
            "ttl_hours": settings.REPORT_EXPORT_TTL_HOURS,
            "pdf_available": pdf_available(),
        },
    )


@login_required
@require_POST
def job_create(request):
    form = ExportRequestForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("reports:index")
    data = form.cleaned_data
    plan = None
    if data["report_type"] in ExportJob.PLAN_KINDS:
        plan = selectors.report_plan(user=request.user, code=data["plan"])
    try:
        job = services.export_job_request(
            user=request.user,
            kind=data["report_type"],
            quarter=data["quarter"],
            plan=plan,
            catalogue_key=data["catalogue_key"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("reports:index")
    return redirect("reports:job_detail", pk=job.pk)


@login_required
def job_detail(request, pk):
    return render(request, "reports/job_detail.html", {"job": selectors.export_job(user=request.user, pk=pk)})


@login_required
@require_POST
def job_restart(request, pk):
    """A failed job (a build that failed, was interrupted or waited too long) starts again from its page."""
    if services.export_job_restart(job=selectors.export_job(user=request.user, pk=pk)):
        messages.success(request, _("已重新开始生成。"))
    return redirect("reports:job_detail", pk=pk)


@login_required
def job_download(request, pk):
    return export_file_response(selectors.export_job(user=request.user, pk=pk))


def export_file_response(job: ExportJob) -> FileResponse:
    """The file as an attachment, for its requester only and only until it expires."""
    if not job.is_downloadable:
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = CONTENT_TYPES[Path(job.file.name).suffix.lower()]
    response = FileResponse(handle, as_attachment=True, filename=job.filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
