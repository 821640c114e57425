"""Funded projects: the organization's projects, reports and activities; the funder's schedule,
payments and the city's view of what the programme funded.

The organization's pages need `grants.apply` in the project's organization; the funder's need
`grants.manage` in the call's funder. A foreign or forged id is a 404, a member without the
capability gets a 403, and only then is the method checked (405).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from ancrage.core import tenancy
from ancrage.core.audit import audit_record
from ancrage.core.tenancy import object_for
from ancrage.grants import projects
from ancrage.grants.forms_projects import ActivityLinkForm, PayForm, ReportForm, ScheduleForm
from ancrage.grants.models import Application, GrantCall
from ancrage.surveys.exports import CONTENT_TYPES, to_csv

APPLY = tenancy.APPLY_GRANTS
MANAGE = tenancy.MANAGE_CALLS


def _not_allowed(request: HttpRequest, *methods: str) -> HttpResponse | None:
    """After the scoping: a foreign id is a 404 whatever the method."""
    if request.method in methods or (request.method == "HEAD" and "GET" in methods):
        return None
    return HttpResponseNotAllowed(methods)


def _logic_model(application: Application) -> list[Any]:
    return list(application.logic_model.order_by("position", "pk"))


def _reports(application: Application, today: Any) -> list[dict[str, Any]]:
    rows = _logic_model(application)
    return [
        {
            "report": report,
            "late": projects.is_late(report, today),
            "progress": projects.progress_of(report, rows) if report.submitted_at else [],
        }
        for report in application.progress_reports.order_by("due_on", "pk")
    ]


# --- The organization's pages ----------------------------------------------------------------


@login_required
def my_projects(request: HttpRequest) -> HttpResponse:
    if not tenancy.has_capability(request.user, APPLY):
        raise PermissionDenied
    if refused := _not_allowed(request, "GET"):
        return refused
    return render(
        request,
        "grants/projects/my_projects.html",
        {"lines": projects.project_lines(projects.projects_of(request.user))},
    )


def _project_page(
    request: HttpRequest,
    application: Application,
    link_form: ActivityLinkForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    reports = _reports(application, today)
    submitted = [r["report"] for r in reports if r["report"].submitted_at]
    activities, participants = projects.activity_lines(application, suppressed=False)
    return render(
        request,
        "grants/projects/project_detail.html",
        {
            "application": application,
            "money": projects.money_of(application),
            "period": projects.period_of(application),
            "reports": reports,
            "progress": projects.progress_of(
                submitted[-1] if submitted else None, _logic_model(application)
            ),
            "instalments": list(application.instalments.order_by("due_on", "pk")),
            "activities": activities,
            "participants": participants,
            "link_form": link_form or ActivityLinkForm(application=application),
            "today": today,
        },
        status=status,
    )


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The organization's funded project: its money, reports due, progress and activities."""
    application = projects.project_for_applicant(request.user, pk)
    if refused := _not_allowed(request, "GET"):
        return refused
    return _project_page(request, application)


@login_required
def project_activity_link(request: HttpRequest, pk: int) -> HttpResponse:
    application = projects.project_for_applicant(request.user, pk)
    if refused := _not_allowed(request, "POST"):
        return refused
    form = ActivityLinkForm(request.POST, application=application)
    if form.is_valid():
        try:
            link = projects.activity_link(
                actor=request.user, application=application, activity=form.cleaned_data["activity"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("“%(activity)s” is linked to the project.") % {"activity": link.activity.name},
            )
            return redirect("grants:project_detail", pk=application.pk)
    return _project_page(request, application, link_form=form, status=400)


@login_required
def project_activity_unlink(request: HttpRequest, pk: int) -> HttpResponse:
    link = projects.link_for_applicant(request.user, pk)
    if refused := _not_allowed(request, "POST"):
        return refused
    application = link.application
    name = link.activity.name
    projects.activity_unlink(actor=request.user, link=link)
    messages.success(
        request, _("“%(activity)s” is no longer linked to the project.") % {"activity": name}
    )
    return redirect("grants:project_detail", pk=application.pk)


@login_required
def project_report(request: HttpRequest, pk: int) -> HttpResponse:
    """A progress report: the form while it is due, what was sent once submitted."""
    report = projects.report_for_applicant(request.user, pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    application = report.application
    rows = _logic_model(application)
    form = ReportForm(request.POST or None, rows=rows)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                projects.report_submit(
                    actor=request.user, report=report, **form.service_arguments()
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Progress report submitted to the funder."))
                return redirect("grants:project_detail", pk=application.pk)
        report.refresh_from_db()
        status = 400
    return render(
        request,
        "grants/projects/report.html",
        {
            "application": application,
            "report": report,
            "form": form,
            "late": projects.is_late(report),
            "progress": projects.progress_of(report, rows),
            "indicator_rows": [(row, form[f"indicator_{row.pk}"]) for row in rows],
        },
        status=status,
    )


# --- The funder's pages ----------------------------------------------------------------------


@login_required
def call_projects(request: HttpRequest, pk: int) -> HttpResponse:
    """The funded projects of a call: allocated, paid and remaining; reports late."""
    call = object_for(GrantCall, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET"):
        return refused
    lines = projects.project_lines(projects.funded_of(call))
    return render(
        request,
        "grants/projects/call_projects.html",
        {
            "call": call,
            "lines": lines,
            "allocated": sum((line.money.allocated for line in lines), projects.ZERO),
            "paid": sum((line.money.paid for line in lines), projects.ZERO),
        },
    )


def _funder_page(
    request: HttpRequest,
    application: Application,
    pay_errors: dict[int, PayForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    instalments = list(application.instalments.order_by("due_on", "pk"))
    pay_errors = pay_errors or {}
    activities, participants = projects.activity_lines(application, suppressed=True)
    return render(
        request,
        "grants/projects/funder_project.html",
        {
            "application": application,
            "call": application.call,
            "money": projects.money_of(application),
            "period": projects.period_of(application),
            "reports": _reports(application, today),
            "instalments": [
                (
                    instalment,
                    pay_errors.get(instalment.pk) or PayForm(instalment=instalment)
                    if instalment.paid_on is None
                    else None,
                )
                for instalment in instalments
            ],
            "set_up": bool(instalments) or application.progress_reports.exists(),
            "activities": activities,
            "participants": participants,
            "threshold": projects.threshold_of(application.call),
            "today": today,
        },
        status=status,
    )


@login_required
def funder_project(request: HttpRequest, pk: int) -> HttpResponse:
    application = projects.project_for_funder(request.user, pk)
    if refused := _not_allowed(request, "GET"):
        return refused
    return _funder_page(request, application)


@login_required
def project_setup(request: HttpRequest, pk: int) -> HttpResponse:
    application = projects.project_for_funder(request.user, pk)
    if refused := _not_allowed(request, "POST"):
        return refused
    try:
        projects.project_setup(actor=request.user, application=application)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Schedule set up: check the dates and amounts, and change them if needed.")
        )
    return redirect("grants:funder_project", pk=application.pk)


@login_required
def project_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the reports not yet submitted and the instalments not yet paid."""
    application = projects.project_for_funder(request.user, pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    open_reports = list(
        application.progress_reports.filter(submitted_at__isnull=True).order_by("due_on")
    )
    unpaid = list(application.instalments.filter(paid_on__isnull=True).order_by("due_on"))
    form = ScheduleForm(request.POST or None, reports=open_reports, instalments=unpaid)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                projects.schedule_save(
                    actor=request.user, application=application, **form.service_arguments()
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Schedule saved."))
                return redirect("grants:funder_project", pk=application.pk)
        status = 400
    return render(
        request,
        "grants/projects/schedule.html",
        {
            "application": application,
            "call": application.call,
            "form": form,
            "money": projects.money_of(application),
            "period": projects.period_of(application),
            "submitted": application.progress_reports.filter(submitted_at__isnull=False).order_by(
                "due_on"
            ),
            "paid": application.instalments.filter(paid_on__isnull=False).order_by("due_on"),
        },
        status=status,
    )


@login_required
def instalment_pay(request: HttpRequest, pk: int) -> HttpResponse:
    instalment = projects.instalment_for_funder(request.user, pk)
    if refused := _not_allowed(request, "POST"):
        return refused
    form = PayForm(request.POST, instalment=instalment)
    if form.is_valid():
        try:
            projects.instalment_pay(
                actor=request.user, instalment=instalment, paid_on=form.cleaned_data["paid_on"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Instalment recorded as paid."))
            return redirect("grants:funder_project", pk=instalment.application_id)
    application = projects.project_for_funder(request.user, instalment.application_id)
    return _funder_page(request, application, pay_errors={instalment.pk: form}, status=400)


@login_required
def call_programme(request: HttpRequest, pk: int) -> HttpResponse:
    """What the programme funded, by objective and by borough (participants suppressed)."""
    call = object_for(GrantCall, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET"):
        return refused
    return render(
        request,
        "grants/projects/programme.html",
        {"call": call, "figures": projects.programme_figures(call)},
    )


@login_required
def call_programme_csv(request: HttpRequest, pk: int) -> HttpResponse:
    call = object_for(GrantCall, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET"):
        return refused
    figures = projects.programme_figures(call)
    response = HttpResponse(
        to_csv([[call.title], [], *projects.figures_lines(figures)]),
        content_type=CONTENT_TYPES["csv"],
    )
    response["Content-Disposition"] = f'attachment; filename="programme-{call.code}.csv"'
    audit_record(
        actor=request.user,
        action="export",
        target=call,
        organization_id=call.funder_id,
        reason="funded projects by objective and borough",
        details={"projects": figures.projects},
    )
    return response


urlpatterns = [
    path("projects/", my_projects, name="my_projects"),
    path("projects/<int:pk>/", project_detail, name="project_detail"),
    path("projects/<int:pk>/activities/", project_activity_link, name="project_activity_link"),
    path(
        "project-activities/<int:pk>/unlink/",
        project_activity_unlink,
        name="project_activity_unlink",
    ),
    path("project-reports/<int:pk>/", project_report, name="project_report"),
    path("calls/<int:pk>/projects/", call_projects, name="call_projects"),
    path("calls/<int:pk>/programme/", call_programme, name="call_programme"),
    path("calls/<int:pk>/programme.csv", call_programme_csv, name="call_programme_csv"),
    path("funded-projects/<int:pk>/", funder_project, name="funder_project"),
    path("funded-projects/<int:pk>/setup/", project_setup, name="project_setup"),
    path("funded-projects/<int:pk>/schedule/", project_schedule, name="project_schedule"),
    path("instalments/<int:pk>/pay/", instalment_pay, name="instalment_pay"),
]
