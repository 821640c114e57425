"""Pages of a funder's partnership advisor: the organizations they follow (with their agreements
under the funder's programs, renewal dates and open follow-ups) and the visits recorded.

An advisor reaches only the organizations holding an agreement with their own funder, and only
that funder's agreements and visits. The organization does not see the visit notes: they are the
funder's working notes (the agreed follow-ups are told to the organization at the visit itself).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ancrage.core import tenancy
from ancrage.core.forms import valid_id
from ancrage.core.views import form_page
from ancrage.funding import selectors, services
from ancrage.funding.forms import FollowForm, VisitForm
from ancrage.funding.models import FollowedOrganization
from ancrage.funding.views_agreements import _not_allowed
from ancrage.network.models import Organization


def _require_advisor(request: HttpRequest) -> None:
    if not tenancy.has_capability(request.user, tenancy.ADVISE):
        raise PermissionDenied


def _one(queryset: QuerySet, pk: Any, *, visible: QuerySet) -> Any:
    """The row of the advisor's scope; else 403 when the user may see it otherwise (their own
    organization, a colleague's follow), 404 when not (forged, foreign, out-of-range ids), as
    `tenancy.object_for` does."""
    checked = valid_id(pk)
    found = queryset.filter(pk=checked).first() if checked is not None else None
    if found is not None:
        return found
    if checked is not None and visible.filter(pk=checked).exists():
        raise PermissionDenied
    raise Http404


@login_required
@require_GET
def advisor_home(request: HttpRequest) -> HttpResponse:
    _require_advisor(request)
    today = timezone.localdate()
    entries = selectors.advisor_home(request.user, today)
    followed = {entry.follow.organization_id for entry in entries}
    candidates = selectors.funded_organizations(request.user).exclude(pk__in=followed)
    return render(
        request,
        "funding/advisor_home.html",
        {
            "entries": entries,
            "follow_form": FollowForm(organizations=candidates),
            "has_candidates": candidates.exists(),
            "funders": selectors.advised_funders(request.user),
            "today": today,
        },
    )


def _funders_of(request: HttpRequest, organization: Organization) -> QuerySet[Organization]:
    """The user's funders that hold an agreement with the organization (usually one)."""
    return (
        selectors.advised_funders(request.user)
        .filter(funding_programs__agreements__organization=organization)
        .distinct()
    )


@login_required
@require_POST
def advisor_follow(request: HttpRequest) -> HttpResponse:
    _require_advisor(request)
    form = FollowForm(request.POST, organizations=selectors.funded_organizations(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose an organization your funder has an agreement with."))
        return redirect("funding:advisor_home")
    organization = form.cleaned_data["organization"]
    try:
        for funder in _funders_of(request, organization):
            services.organization_follow(
                actor=request.user, funder=funder, organization=organization
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("funding:advisor_home")
    messages.success(request, _("You now follow %(name)s.") % {"name": organization.name})
    return redirect("funding:advisor_home")


@login_required
def advisor_unfollow(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm (the page works without JavaScript), POST stops following."""
    follow = _one(
        selectors.follows_of(request.user),
        pk,
        visible=tenancy.scoped(FollowedOrganization, request.user, tenancy.VIEW),
    )
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    name = follow.organization.name
    if request.method != "POST":
        return render(request, "funding/unfollow_confirm.html", {"follow": follow})
    services.organization_unfollow(actor=request.user, follow=follow)
    messages.success(request, _("You no longer follow %(name)s.") % {"name": name})
    return redirect("funding:advisor_home")


def _advised_organization(request: HttpRequest, organization_pk: int) -> Organization:
    return _one(
        selectors.funded_organizations(request.user),
        organization_pk,
        visible=tenancy.scoped(Organization, request.user, tenancy.VIEW),
    )


@login_required
def advisor_organization(request: HttpRequest, organization_pk: int) -> HttpResponse:
    """One organization as its funder's advisor sees it: the funder's agreements, the visits."""
    organization = _advised_organization(request, organization_pk)
    if refused := _not_allowed(request, "GET"):
        return refused
    today = timezone.localdate()
    agreements = list(selectors.funder_agreements(request.user, organization))
    renewals = {r.agreement.pk: r for r in selectors.renewal_calendar(agreements, today)}
    follow = selectors.follows_of(request.user).filter(organization=organization).first()
    return render(
        request,
        "funding/advisor_organization.html",
        {
            "organization": organization,
            "agreements": [(a, renewals.get(a.pk)) for a in agreements],
            "visits": selectors.visits_to(request.user, organization),
            "follow": follow,
            "today": today,
        },
    )


@login_required
def visit_create(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = _advised_organization(request, organization_pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    form = VisitForm(
        request.POST or None,
        funders=_funders_of(request, organization),
        initial={"visited_on": timezone.localdate()},
    )
    return form_page(
        request,
        form,
        save=lambda form: services.visit_record(
            actor=request.user, organization=organization, **form.service_arguments()
        ),
        success=_("Visit recorded."),
        done=lambda visit: redirect(
            "funding:advisor_organization", organization_pk=organization.pk
        ),
        title=_("Record a visit to %(name)s") % {"name": organization.name},
        template="funding/visit_form.html",
        context={"organization": organization},
    )


urlpatterns = [
    path("advisor/", advisor_home, name="advisor_home"),
    path("advisor/follow/", advisor_follow, name="advisor_follow"),
    path("advisor/follows/<int:pk>/unfollow/", advisor_unfollow, name="advisor_unfollow"),
    path(
        "advisor/organizations/<int:organization_pk>/",
        advisor_organization,
        name="advisor_organization",
    ),
    path(
        "advisor/organizations/<int:organization_pk>/visits/new/",
        visit_create,
        name="visit_create",
    ),
]
