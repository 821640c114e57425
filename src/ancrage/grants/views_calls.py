"""Calls for projects: the funder's pages to prepare and publish a call, the public page of open calls.

Funder pages need `grants.manage` in the call's funder (a foreign or forged id is a 404 for
everyone else). The public pages need no login and speak every public language.
"""

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
from ancrage.core.choices import OrganizationKind
from ancrage.core.tenancy import object_for
from ancrage.core.translated import pick
from ancrage.core.views import form_page, public_page
from ancrage.grants import selectors, services, workflow
from ancrage.grants.forms import CallForm, CriteriaForm, EnvelopesForm, ObjectivesForm
from ancrage.grants.models import CallState, GrantCall
from ancrage.network.models import Organization

MANAGE = tenancy.MANAGE_CALLS


def _not_allowed(request: HttpRequest, *methods: str) -> HttpResponse | None:
    """The method check comes after the scoping, so that a foreign id is a 404 whatever the
    method (a 405 would tell the id exists)."""
    if request.method in methods or (request.method == "HEAD" and "GET" in methods):
        return None
    return HttpResponseNotAllowed(methods)


def _funders(user) -> object:
    return tenancy.scoped(Organization, user, MANAGE).order_by("name")


# --- The funder's pages -----------------------------------------------------------------------


@login_required
def call_list(request: HttpRequest) -> HttpResponse:
    if not tenancy.has_capability(request.user, MANAGE):
        raise PermissionDenied
    if refused := _not_allowed(request, "GET"):
        return refused
    return render(
        request, "grants/call_list.html", {"calls": selectors.calls_managed(request.user)}
    )


@login_required
def call_create(request: HttpRequest) -> HttpResponse:
    if not tenancy.has_capability(request.user, MANAGE):
        raise PermissionDenied
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    return form_page(
        request,
        CallForm(request.POST or None, funders=_funders(request.user)),
        save=lambda form: services.call_create(
            actor=request.user,
            funder=form.cleaned_data["funder"],
            **form.service_arguments(),
        ),
        success=_("Call saved. Now give it its envelopes, objectives and criteria."),
        done=lambda call: redirect("grants:call_detail", pk=call.pk),
        title=_("New call for projects"),
        template="grants/call_form.html",
    )


@login_required
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = object_for(GrantCall, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET"):
        return refused
    return render(
        request,
        "grants/call_detail.html",
        {
            "call": call,
            "is_draft": call.state == CallState.DRAFT,
            "problems": services.publication_problems(call)
            if call.state == CallState.DRAFT
            else [],
            "summary": selectors.call_summary(call),
            "counts": selectors.application_counts(call),
            "announcements": selectors.announcements_of(call),
            "eligible_count": selectors.eligible_organizations(call).count(),
            "past_deadline": timezone.now() > call.closes_at,
        },
    )


@login_required
def call_edit(request: HttpRequest, pk: int) -> HttpResponse:
    call = object_for(GrantCall, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    return form_page(
        request,
        CallForm(request.POST or None, call=call),
        save=lambda form: services.call_update(
            actor=request.user, call=call, **form.service_arguments()
        ),
        success=_("Call saved."),
        done=lambda call: redirect("grants:call_detail", pk=call.pk),
        title=_("Edit the call %(title)s") % {"title": call.title},
        template="grants/call_form.html",
        context={"call": call},
    )


def _table_page(request, call, form, *, save, title, template, context=None):
    if request.method == "POST" and request.POST.get("action") == "more":
        form.is_valid()  # show what was typed, with more rows, without saving
        return render(
            request, template, {"form": form, "title": title, "call": call, **(context or {})}
        )
    return form_page(
        request,
        form,
        save=save,
        success=_("Saved."),
        done=lambda _result: redirect("grants:call_detail", pk=call.pk),
        title=title,
        template=template,
        context={"call": call, **(context or {})},
    )


@login_required
def call_years(request: HttpRequest, pk: int) -> HttpResponse:
    call = object_for(GrantCall, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    form = EnvelopesForm(request.POST or None, call=call)
    return _table_page(
        request,
        call,
        form,
        save=lambda form: services.call_years_set(
            actor=request.user, call=call, envelopes=form.envelopes()
        ),
        title=_("Envelope per year: %(title)s") % {"title": call.title},
        template="grants/call_years.html",
    )


@login_required
def call_objectives(request: HttpRequest, pk: int) -> HttpResponse:
    call = object_for(GrantCall, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    form = ObjectivesForm(request.POST or None, call=call)
    return _table_page(
        request,
        call,
        form,
        save=lambda form: services.call_objectives_set(
            actor=request.user, call=call, objectives=form.objectives()
        ),
        title=_("Objectives: %(title)s") % {"title": call.title},
        template="grants/call_objectives.html",
    )


@login_required
def call_criteria(request: HttpRequest, pk: int) -> HttpResponse:
    call = object_for(GrantCall, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    form = CriteriaForm(request.POST or None, call=call)
    return _table_page(
        request,
        call,
        form,
        save=lambda form: services.call_criteria_set(
            actor=request.user, call=call, criteria=form.criteria()
        ),
        title=_("Criteria and weights: %(title)s") % {"title": call.title},
        template="grants/call_criteria.html",
    )


def _call_step(request: HttpRequest, pk: int, step, success: str) -> HttpResponse:
    call = object_for(GrantCall, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "POST"):
        return refused
    try:
        step(actor=request.user, call=call)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("grants:call_detail", pk=call.pk)


@login_required
def call_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _call_step(
        request,
        pk,
        services.call_publish,
        _("Call published and announced to the eligible organizations."),
    )


@login_required
def call_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _call_step(
        request, pk, services.call_close, _("Call closed: the applications go to review.")
    )


@login_required
def call_applications(request: HttpRequest, pk: int) -> HttpResponse:
    call = object_for(GrantCall, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET"):
        return refused
    applications = list(selectors.applications_for_call(call))
    requested = selectors.requested_by_application(call, states=tuple(workflow.SENT_STATES))
    years = sorted(selectors.envelope_of(call))
    rows = [
        {
            "application": application,
            "amounts": [requested.get(application.pk, {}).get(year) for year in years],
            "total": sum(requested.get(application.pk, {}).values(), selectors.ZERO),
        }
        for application in applications
    ]
    return render(
        request,
        "grants/call_applications.html",
        {"call": call, "rows": rows, "years": years, "summary": selectors.call_summary(call)},
    )


@login_required
def funder_application(request: HttpRequest, pk: int) -> HttpResponse:
    """An application sent to the funder's call, read-only, with its overlap check."""
    if not tenancy.has_capability(request.user, MANAGE):
        raise PermissionDenied
    application = selectors.application_for_funder(request.user, pk)
    if refused := _not_allowed(request, "GET"):
        return refused
    application = selectors.application_detail(application)
    return render(
        request,
        "grants/funder_application.html",
        {
            "application": application,
            "call": application.call,
            "budget": selectors.budget_table(application),
            "target_group_names": selectors.target_group_names(application),
            "overlaps": selectors.overlaps_for(application),
            "documents": _documents(application),
        },
    )


def _documents(application) -> list[dict]:
    attached = {d.requirement: d for d in application.documents.all()}
    return [
        {"position": i, "name": pick(texts), "document": attached.get(i)}
        for i, texts in enumerate(application.call.documents_required or [])
    ]


# --- The public pages -------------------------------------------------------------------------


@public_page
@require_safe
def public_calls(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    return render(
        request,
        "grants/public/calls.html",
        {"calls": [_public_view(call) for call in selectors.public_calls(now)], "now": now},
    )


@public_page
@require_safe
def public_call(request: HttpRequest, code: str) -> HttpResponse:
    call = selectors.public_call(code)
    return render(request, "grants/public/call.html", {"call": _public_view(call)})


def _public_view(call: GrantCall) -> dict:
    now = timezone.now()
    envelope = selectors.envelope_of(call)
    return {
        "call": call,
        "title": call.title,
        "description": pick(call.descriptions),
        "funder": call.funder.name,
        "envelope": sorted(envelope.items()),
        "total": sum(envelope.values(), selectors.ZERO),
        "objectives": [str(o) for o in call.objectives.all()],
        "criteria": list(call.criteria.all()),
        "kinds": [
            OrganizationKind(kind).label
            for kind in call.eligible_kinds
            if kind in OrganizationKind.values
        ],
        "boroughs": [b.name for b in call.eligible_boroughs.all()],
        "documents": [pick(texts) for texts in call.documents_required or []],
        "cap": call.max_per_organization,
        "opens_at": timezone.localtime(call.opens_at),
        "closes_at": timezone.localtime(call.closes_at),
        "is_open": workflow.takes_applications(call, now),
        "not_yet": call.state == CallState.PUBLISHED and now < call.opens_at,
    }


urlpatterns = [
    path("calls/", call_list, name="call_list"),
    path("calls/new/", call_create, name="call_create"),
    path("calls/<int:pk>/", call_detail, name="call_detail"),
    path("calls/<int:pk>/edit/", call_edit, name="call_edit"),
    path("calls/<int:pk>/years/", call_years, name="call_years"),
    path("calls/<int:pk>/objectives/", call_objectives, name="call_objectives"),
    path("calls/<int:pk>/criteria/", call_criteria, name="call_criteria"),
    path("calls/<int:pk>/publish/", call_publish, name="call_publish"),
    path("calls/<int:pk>/close/", call_close, name="call_close"),
    path("calls/<int:pk>/applications/", call_applications, name="call_applications"),
    path("received/<int:pk>/", funder_application, name="funder_application"),
    path("open/", public_calls, name="public_calls"),
    path("open/<slug:code>/", public_call, name="public_call"),
]
