"""Staff pages of activities: plan activities and sessions, record attendance, log outreach.

Thin views, as in the network app: objects come from `core.tenancy` (a foreign id is a 404),
forms only parse, every write goes through `ancrage.activities.services`.
"""

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from ancrage.activities import services
from ancrage.activities.forms import (
    ActivityForm,
    AttendanceForm,
    OutreachForm,
    SeriesForm,
    SessionForm,
)
from ancrage.activities.models import Activity, Attendance, OutreachContact, Session
from ancrage.core import tenancy
from ancrage.core.tenancy import object_for
from ancrage.core.translated import pick
from ancrage.core.views import form_page
from ancrage.network.models import Organization

RECORD = tenancy.RECORD_ACTIVITIES
UPCOMING_SHOWN = 20
MISSING_SHOWN = 50


# ---------------------------------------------------------------------------------------------
# Reads (all through the tenancy scope)


def _sessions(user: Any) -> QuerySet[Session]:
    return tenancy.scoped(Session, user, RECORD).select_related(
        "activity", "activity__organization", "activity__site", "activity__borough", "attendance"
    )


def _missing_attendance(user: Any) -> QuerySet[Session]:
    """Past, scheduled sessions with no head count yet, oldest first."""
    return _sessions(user).filter(
        starts_at__lte=timezone.now(),
        status=Session.Status.SCHEDULED,
        attendance__isnull=True,
    )


def _next_missing(user: Any, session: Session) -> Session | None:
    """The session of the same organization to count next: the following one, else the oldest."""
    # Ids first: sorting thousands of joined rows to keep one cost 300 ms at city scale, 10 here.
    missing = (
        _missing_attendance(user)
        .filter(activity__organization_id=session.activity.organization_id)
        .exclude(pk=session.pk)
        .order_by("starts_at", "pk")
        .values_list("pk", flat=True)
    )
    pk = missing.filter(starts_at__gte=session.starts_at).first() or missing.first()
    return None if pk is None else _sessions(user).get(pk=pk)


def _form_page(
    request: HttpRequest,
    form: Any,
    *,
    template: str = "activities/staff/form.html",
    **options: Any,
) -> HttpResponse:
    return form_page(request, form, template=template, **options)


def _to_activity(activity_id: int) -> Callable[[Any], HttpResponse]:
    return lambda _result: redirect("activities:manage_activity", pk=activity_id)


def _when(session: Session) -> str:
    start = timezone.localtime(session.starts_at)
    return f"{start:%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------------------------------------
# Pages


@login_required
def manage_list(request: HttpRequest) -> HttpResponse:
    if not tenancy.has_capability(request.user, RECORD):
        raise PermissionDenied
    now = timezone.now()
    upcoming = (
        _sessions(request.user)
        .filter(ends_at__gte=now, status=Session.Status.SCHEDULED)
        .order_by("starts_at")[:UPCOMING_SHOWN]
    )
    missing = _missing_attendance(request.user).order_by("-starts_at")[:MISSING_SHOWN]
    activities = (
        tenancy.scoped(Activity, request.user, RECORD)
        .select_related("organization", "activity_type", "borough", "site")
        .order_by("organization__name", "-created_at")
    )
    organizations = tenancy.scoped(Organization, request.user, RECORD).order_by("name")
    return render(
        request,
        "activities/staff/manage_list.html",
        {
            "upcoming": upcoming,
            "missing": missing,
            "activities": activities,
            "organizations": organizations,
        },
    )


@login_required
def manage_activity_create(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = object_for(Organization, request.user, RECORD, pk=organization_pk)
    return _form_page(
        request,
        ActivityForm(
            request.POST or None,
            organization=organization,
            initial={"borough": organization.borough, "is_public": True},
        ),
        save=lambda form: services.activity_create(
            actor=request.user,
            organization=organization,
            officer=request.user,
            **form.service_arguments(),
        ),
        success=_("Activity created. Add its sessions."),
        done=lambda activity: redirect("activities:manage_activity", pk=activity.pk),
        title=_("New activity for %(name)s") % {"name": organization.name},
        context={"organization": organization, "wide": True},
    )


@login_required
def manage_activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = object_for(Activity, request.user, RECORD, pk=pk)
    return _form_page(
        request,
        ActivityForm(request.POST or None, organization=activity.organization, activity=activity),
        save=lambda form: services.activity_update(
            actor=request.user, activity=activity, **form.service_arguments()
        ),
        success=_("Activity saved."),
        done=_to_activity(activity.pk),
        title=_("Edit %(name)s") % {"name": activity.name},
        context={"activity": activity, "organization": activity.organization, "wide": True},
    )


@login_required
def manage_activity(request: HttpRequest, pk: int) -> HttpResponse:
    activity = object_for(Activity, request.user, RECORD, pk=pk)
    sessions = activity.sessions.select_related("attendance").order_by("starts_at")
    has_series = hasattr(activity, "recurrence")
    return render(
        request,
        "activities/staff/activity_detail.html",
        {
            "activity": activity,
            "description": pick(activity.description),
            "sessions": sessions,
            "now": timezone.now(),
            "session_form": SessionForm(),
            # Its own ids: both forms have a start time, and a label must name one field only.
            "series_form": None if has_series else SeriesForm(auto_id="id_series_%s"),
            "partners": activity.partner_links.select_related("partner"),
        },
    )


@login_required
def manage_session_new(request: HttpRequest, pk: int) -> HttpResponse:
    activity = object_for(Activity, request.user, RECORD, pk=pk)
    return _form_page(
        request,
        SessionForm(request.POST or None),
        save=lambda form: services.session_schedule(
            actor=request.user, activity=activity, **form.service_arguments()
        ),
        success=lambda session: _("Session added on %(when)s.") % {"when": _when(session)},
        done=_to_activity(activity.pk),
        title=_("New session of %(name)s") % {"name": activity.name},
        context={"activity": activity},
    )


@login_required
def manage_series_new(request: HttpRequest, pk: int) -> HttpResponse:
    activity = object_for(Activity, request.user, RECORD, pk=pk)
    return _form_page(
        request,
        SeriesForm(request.POST or None),
        save=lambda form: services.series_schedule(
            actor=request.user, activity=activity, **form.service_arguments()
        ),
        success=lambda sessions: (
            ngettext("%(count)d session scheduled.", "%(count)d sessions scheduled.", len(sessions))
            % {"count": len(sessions)}
        ),
        done=_to_activity(activity.pk),
        title=_("Series of sessions of %(name)s") % {"name": activity.name},
        context={"activity": activity},
    )


@login_required
@require_http_methods(["GET", "POST"])
def manage_session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session = object_for(Session, request.user, RECORD, pk=pk)
    activity = session.activity
    error = None
    if request.method == "POST":
        try:
            services.session_cancel(actor=request.user, session=session)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request, _("Session of %(when)s cancelled.") % {"when": _when(session)}
            )
            return redirect("activities:manage_activity", pk=activity.pk)
    return render(
        request,
        "activities/staff/session_cancel.html",
        {"session": session, "activity": activity, "error": error},
    )


@login_required
def manage_session_move(request: HttpRequest, pk: int) -> HttpResponse:
    session = object_for(Session, request.user, RECORD, pk=pk)
    activity = session.activity
    start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    initial = {"day": start.date(), "start_time": start.time(), "end_time": end.time()}
    return _form_page(
        request,
        SessionForm(request.POST or None, initial=initial),
        save=lambda form: services.session_move(
            actor=request.user, session=session, **form.service_arguments()
        ),
        success=lambda moved: _("Session moved to %(when)s.") % {"when": _when(moved)},
        done=_to_activity(activity.pk),
        title=_("Move the session of %(when)s") % {"when": _when(session)},
        context={"activity": activity},
    )


@login_required
def manage_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session = object_for(Session, request.user, RECORD, pk=pk)
    activity = session.activity
    attendance = Attendance.objects.filter(session=session).first()
    form = AttendanceForm(request.POST or None, initial=AttendanceForm.initial_for(attendance))

    @functools.cache
    def next_missing() -> Session | None:
        return _next_missing(request.user, session)

    def done(saved: Attendance) -> HttpResponse:
        following = next_missing()
        if following is None:
            return redirect("activities:manage_list")
        return redirect("activities:manage_attendance", pk=following.pk)

    def success(saved: Attendance) -> str:
        text = ngettext(
            "Attendance saved: %(total)d person.",
            "Attendance saved: %(total)d people.",
            saved.total,
        ) % {"total": saved.total}
        following = next_missing()
        if following is None:
            return text + " " + _("Every past session has its attendance.")
        return (
            text
            + " "
            + _("Next session without attendance: %(name)s, %(when)s.")
            % {"name": following.activity.name, "when": _when(following)}
        )

    return _form_page(
        request,
        form,
        save=lambda form: services.attendance_record(
            actor=request.user, session=session, counts=form.counts()
        ),
        success=success,
        done=done,
        title=_("Attendance"),
        template="activities/staff/attendance.html",
        context={
            "session": session,
            "activity": activity,
            "attendance": attendance,
            "is_future": session.starts_at > timezone.now(),
            "is_cancelled": session.status == Session.Status.CANCELLED,
        },
    )


@login_required
def manage_outreach_create(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = object_for(Organization, request.user, RECORD, pk=organization_pk)
    contacts = (
        tenancy.scoped(OutreachContact, request.user, RECORD)
        .filter(organization=organization)
        .select_related("borough", "officer")
        .order_by("-met_on", "-pk")
    )
    return _form_page(
        request,
        OutreachForm(
            request.POST or None,
            initial={"met_on": timezone.localdate(), "borough": organization.borough},
        ),
        save=lambda form: services.outreach_record(
            actor=request.user,
            organization=organization,
            officer=request.user,
            **form.service_arguments(),
        ),
        success=_("Outreach recorded."),
        done=lambda _contact: redirect(
            reverse("activities:manage_outreach_create", args=[organization.pk])
        ),
        title=_("Outreach of %(name)s") % {"name": organization.name},
        template="activities/staff/outreach.html",
        context={
            "organization": organization,
            "contacts": contacts[:200],
            "totals": _outreach_totals(contacts),
        },
    )


def _outreach_totals(contacts: QuerySet[OutreachContact]) -> dict[str, int]:
    totals = contacts.aggregate(
        contacts=Count("pk"),
        people_met=Sum("people_met"),
        came_later=Sum("came_to_library_later", filter=Q(came_to_library_later__gt=0)),
    )
    return {key: value or 0 for key, value in totals.items()}


urlpatterns = [
    path("manage/", manage_list, name="manage_list"),
    path(
        "manage/organizations/<int:organization_pk>/new/",
        manage_activity_create,
        name="manage_activity_create",
    ),
    path(
        "manage/organizations/<int:organization_pk>/outreach/",
        manage_outreach_create,
        name="manage_outreach_create",
    ),
    path("manage/<int:pk>/", manage_activity, name="manage_activity"),
    path("manage/<int:pk>/edit/", manage_activity_edit, name="manage_activity_edit"),
    path("manage/<int:pk>/sessions/new/", manage_session_new, name="manage_session_new"),
    path("manage/<int:pk>/series/new/", manage_series_new, name="manage_series_new"),
    path("manage/sessions/<int:pk>/attendance/", manage_attendance, name="manage_attendance"),
    path("manage/sessions/<int:pk>/cancel/", manage_session_cancel, name="manage_session_cancel"),
    path("manage/sessions/<int:pk>/move/", manage_session_move, name="manage_session_move"),
]
