"""Round tables: members, meetings and minutes, recommendations followed to an answer, the public
tracker.

Thin views: what a person may see comes from `roundtables` selectors (through `core.tenancy`: a
forged or foreign id is a 404, visible but not allowed a 403), every write from its services. The
method is checked after the scoping, so a foreign id is a 404 whatever the method.
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
from django.views.decorators.http import require_safe

from ancrage.core import tenancy
from ancrage.core.views import form_page, public_page
from ancrage.surveys import recommendations as workflow
from ancrage.surveys import roundtables
from ancrage.surveys.forms_roundtables import (
    MeetingForm,
    MemberAddForm,
    MemberEditForm,
    RecommendationForm,
    StepForm,
)
from ancrage.surveys.models import TableMember

RUN = tenancy.RUN_ROUND_TABLE
ANSWER_GROUP = "answer"


def _not_allowed(request: HttpRequest, *methods: str) -> HttpResponse | None:
    if request.method in methods or (request.method == "HEAD" and "GET" in methods):
        return None
    return HttpResponseNotAllowed(methods)


def _runs(request: HttpRequest, table_id: int) -> bool:
    return tenancy.has_capability(request.user, RUN, table_id)


# --- Tables --------------------------------------------------------------------------------------


@login_required
@require_safe
def table_list(request: HttpRequest) -> HttpResponse:
    """The round tables the user may open, the seats of their organizations at tables, and the
    recommendations their organizations received."""
    return render(
        request,
        "surveys/roundtables/table_list.html",
        {
            "tables": roundtables.tables_for(request.user).order_by("name"),
            "seats": roundtables.seats_of(request.user),
            "received": sum(len(lines) for _s, _l, lines in roundtables.received_by(request.user)),
        },
    )


@login_required
def table_detail(request: HttpRequest, table_pk: int) -> HttpResponse:
    table = roundtables.table_for(request.user, table_pk)
    if refused := _not_allowed(request, "GET"):
        return refused
    today = timezone.localdate()
    insider = roundtables.inside(request.user, table)
    return render(
        request,
        "surveys/roundtables/table_detail.html",
        {
            "table": table,
            "members": roundtables.members_of(table, today=today),
            "meetings": roundtables.meetings_of(request.user, table),
            "by_state": roundtables.recommendations_of(request.user, table, today=today),
            "may_run": _runs(request, table.pk),
            "inside": insider,
        },
    )


# --- Members -------------------------------------------------------------------------------------


@login_required
def table_member_add(request: HttpRequest, table_pk: int) -> HttpResponse:
    table = roundtables.table_for(request.user, table_pk, RUN)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    return form_page(
        request,
        MemberAddForm(request.POST or None, organizations=roundtables.member_choices(table)),
        save=lambda form: roundtables.table_member_add(
            actor=request.user, table=table, **form.cleaned_data
        ),
        success=lambda seat: (
            _("%(name)s is now a member of the table.") % {"name": seat.member.name}
        ),
        done=lambda seat: redirect("surveys:table_detail", table_pk=table.pk),
        title=_("Add a member organization"),
        template="surveys/roundtables/form.html",
        context={"table": table},
    )


@login_required
def table_member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    seat = tenancy.object_for(TableMember, request.user, RUN, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    initial = {"role": seat.role, "joined_on": seat.joined_on, "left_on": seat.left_on}
    return form_page(
        request,
        MemberEditForm(request.POST or None, initial=initial),
        save=lambda form: roundtables.table_member_update(
            actor=request.user, seat=seat, **form.cleaned_data
        ),
        success=_("Member saved."),
        done=lambda seat: redirect("surveys:table_detail", table_pk=seat.table_id),
        title=_("%(name)s at the table") % {"name": seat.member.name},
        template="surveys/roundtables/form.html",
        context={"table": seat.table},
    )


@login_required
def table_member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm (the page works without JavaScript), POST removes."""
    seat = tenancy.object_for(TableMember, request.user, RUN, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    table = seat.table
    if request.method != "POST":
        return render(
            request, "surveys/roundtables/member_remove.html", {"seat": seat, "table": table}
        )
    name = seat.member.name
    roundtables.table_member_remove(actor=request.user, seat=seat)
    messages.success(request, _("%(name)s is no longer listed at the table.") % {"name": name})
    return redirect("surveys:table_detail", table_pk=table.pk)


# --- Meetings ------------------------------------------------------------------------------------


@login_required
def table_meeting_create(request: HttpRequest, table_pk: int) -> HttpResponse:
    table = roundtables.table_for(request.user, table_pk, RUN)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    return form_page(
        request,
        MeetingForm(request.POST or None),
        save=lambda form: roundtables.meeting_record(
            actor=request.user, table=table, **form.service_arguments()
        ),
        success=_("Meeting saved."),
        done=lambda meeting: redirect("surveys:table_meeting", pk=meeting.pk),
        title=_("New meeting"),
        template="surveys/roundtables/form.html",
        context={"table": table},
    )


@login_required
def table_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = roundtables.meeting_for(request.user, pk)
    if refused := _not_allowed(request, "GET"):
        return refused
    return render(
        request,
        "surveys/roundtables/meeting_detail.html",
        {
            "meeting": meeting,
            "table": meeting.table,
            "show_minutes": roundtables.minutes_visible(request.user, meeting),
            "may_run": _runs(request, meeting.table_id),
            "recommendations": [
                line
                for _s, _l, lines in roundtables.recommendations_of(request.user, meeting.table)
                for line in lines
                if line.recommendation.meeting_id == meeting.pk
            ],
        },
    )


@login_required
def table_meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = roundtables.meeting_for(request.user, pk, RUN)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    initial = {
        name: getattr(meeting, name)
        for name in ("held_on", "title", "place", "minutes", "minutes_public")
    }
    return form_page(
        request,
        MeetingForm(request.POST or None, initial=initial),
        save=lambda form: roundtables.meeting_update(
            actor=request.user, meeting=meeting, **form.service_arguments()
        ),
        success=_("Meeting saved."),
        done=lambda meeting: redirect("surveys:table_meeting", pk=meeting.pk),
        title=_("Meeting of %(date)s") % {"date": meeting.held_on.isoformat()},
        template="surveys/roundtables/form.html",
        context={"table": meeting.table},
    )


# --- Recommendations -----------------------------------------------------------------------------


def _recommendation_form(request: HttpRequest, table: Any, **kwargs: Any) -> RecommendationForm:
    return RecommendationForm(
        request.POST or None,
        addressees=roundtables.addressee_choices(table),
        meetings=roundtables.meetings_of(request.user, table),
        **kwargs,
    )


@login_required
def recommendation_create(request: HttpRequest, table_pk: int) -> HttpResponse:
    table = roundtables.table_for(request.user, table_pk, RUN)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    return form_page(
        request,
        _recommendation_form(request, table),
        save=lambda form: roundtables.recommendation_draft(
            actor=request.user, table=table, **form.service_arguments()
        ),
        success=_("Recommendation drafted. Record its adoption by the table when it comes."),
        done=lambda rec: redirect("surveys:recommendation_detail", pk=rec.pk),
        title=_("New recommendation"),
        template="surveys/roundtables/form.html",
        context={"table": table},
    )


@login_required
def recommendation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = roundtables.recommendation_for(request.user, pk, RUN)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    table = recommendation.table
    initial = {
        "title": recommendation.title,
        "text": recommendation.text,
        "addressed_to": recommendation.addressed_to_id,
        "meeting": recommendation.meeting_id,
        "remind_after_days": recommendation.remind_after_days,
        "is_public": recommendation.is_public,
        "version": recommendation.version,
    }
    form = _recommendation_form(request, table, initial=initial)
    if recommendation.state not in workflow.EDITABLE_STATES:
        # What the table adopted is shown, not offered for editing.
        for name in ("title", "text", "addressed_to", "meeting"):
            form.fields[name].disabled = True
    return form_page(
        request,
        form,
        save=lambda form: roundtables.recommendation_update(
            actor=request.user,
            recommendation=recommendation,
            version=form.cleaned_data.get("version"),
            **form.service_arguments(),
        ),
        success=_("Recommendation saved."),
        done=lambda rec: redirect("surveys:recommendation_detail", pk=rec.pk),
        title=_("Edit the recommendation"),
        template="surveys/roundtables/form.html",
        context={"table": table, "recommendation": recommendation},
    )


def _panels(
    steps: list[workflow.Step], version: int, posted: str, data: Any
) -> list[dict[str, Any]]:
    """The step forms of the page: one per step, the three answers together (one answer text)."""
    groups: dict[str, list[workflow.Step]] = {}
    for step in steps:
        groups.setdefault(ANSWER_GROUP if step.answer else step.name, []).append(step)
    panels = []
    for group, members in groups.items():
        bound = data if group == posted else None
        panels.append(
            {
                "group": group,
                "steps": members,
                "dated": any(s.dated for s in members),
                "answer": any(s.answer for s in members),
                "form": StepForm(bound, prefix=group, initial={"version": version}),
            }
        )
    return panels


@login_required
def recommendation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A recommendation, its history, and the steps the person may take (each a POST checked
    against the version they saw)."""
    recommendation = roundtables.recommendation_for(request.user, pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    today = timezone.localdate()
    actors = workflow.actors_for(request.user, recommendation)
    steps = workflow.allowed_steps(recommendation.state, actors)
    posted = ""
    chosen = None
    status = 200
    if request.method == "POST":
        if not actors:
            raise PermissionDenied
        chosen = next((s for s in steps if s.name == request.POST.get("step")), None)
        if chosen is not None:
            posted = ANSWER_GROUP if chosen.answer else chosen.name
    panels = _panels(steps, recommendation.version, posted, request.POST)
    if request.method == "POST":
        panel = next((p for p in panels if p["group"] == posted), None)
        if panel is None or chosen is None:
            messages.error(
                request,
                _("This step is not possible now: the recommendation is “%(state)s”.")
                % {"state": recommendation.get_state_display()},
            )
            status = 400
        else:
            form = panel["form"]
            if form.is_valid():
                try:
                    roundtables.recommendation_step(
                        actor=request.user,
                        recommendation=recommendation,
                        step=chosen.name,
                        version=form.cleaned_data["version"],
                        on=form.cleaned_data.get("on"),
                        answer=form.cleaned_data.get("answer") or "",
                        note=form.cleaned_data.get("note") or "",
                        today=today,
                    )
                except ValidationError as error:
                    form.add_service_errors(error)
                else:
                    messages.success(request, _("Done: the recommendation's state is recorded."))
                    return redirect("surveys:recommendation_detail", pk=recommendation.pk)
            status = 400
    line = roundtables.Line(
        recommendation,
        workflow.days_waiting(recommendation, today),
        recommendation.state in workflow.UNANSWERED
        and workflow.waited_enough(recommendation, today),
    )
    return render(
        request,
        "surveys/roundtables/recommendation_detail.html",
        {
            "recommendation": recommendation,
            "line": line,
            "table": recommendation.table,
            "panels": panels,
            "inside": roundtables.inside(request.user, recommendation.table),
            "may_open_table": roundtables.tables_for(request.user)
            .filter(pk=recommendation.table_id)
            .exists(),
            "may_run": _runs(request, recommendation.table_id),
            "events": recommendation.events.select_related("actor"),
            "editable": recommendation.state in workflow.EDITABLE_STATES,
        },
        status=status,
    )


@login_required
@require_safe
def recommendation_received(request: HttpRequest) -> HttpResponse:
    """Recommendations sent to the user's organizations, by state, with their days waiting."""
    return render(
        request,
        "surveys/roundtables/received.html",
        {"by_state": roundtables.received_by(request.user)},
    )


# --- The public tracker --------------------------------------------------------------------------


@public_page
@require_safe
def tracker(request: HttpRequest, table_pk: int) -> HttpResponse:
    """What became of the table's recommendations, for anyone: those it made public, once sent."""
    table = roundtables.public_table(table_pk)
    by_state = roundtables.public_recommendations(table)
    return render(
        request,
        "surveys/roundtables/tracker.html",
        {
            "table": table,
            "by_state": by_state,
            "count": sum(len(lines) for _s, _l, lines in by_state),
            "meetings": roundtables.public_meetings(table),
        },
    )


urlpatterns = [
    path("tables/", table_list, name="table_list"),
    path("tables/<int:table_pk>/", table_detail, name="table_detail"),
    path("tables/<int:table_pk>/members/new/", table_member_add, name="table_member_add"),
    path("tables/members/<int:pk>/", table_member_edit, name="table_member_edit"),
    path("tables/members/<int:pk>/remove/", table_member_remove, name="table_member_remove"),
    path("tables/<int:table_pk>/meetings/new/", table_meeting_create, name="table_meeting_create"),
    path("tables/meetings/<int:pk>/", table_meeting, name="table_meeting"),
    path("tables/meetings/<int:pk>/edit/", table_meeting_edit, name="table_meeting_edit"),
    path(
        "tables/<int:table_pk>/recommendations/new/",
        recommendation_create,
        name="recommendation_create",
    ),
    path("recommendations/received/", recommendation_received, name="recommendation_received"),
    path("recommendations/<int:pk>/", recommendation_detail, name="recommendation_detail"),
    path("recommendations/<int:pk>/edit/", recommendation_edit, name="recommendation_edit"),
    path("tables/<int:table_pk>/tracker/", tracker, name="tracker"),
]
