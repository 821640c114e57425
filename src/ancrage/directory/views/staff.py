"""Staff pages: an organization describes its services; the city reviews edits.

Thin views, as in the activities app: objects come from `core.tenancy` (a foreign or forged id is
a 404), forms only parse, every write goes through `ancrage.directory.services`, which checks the
capability again and follows `workflow.TRANSITIONS`.

Who reads what: the staff of the service's organization who hold `directory.edit`, and the city's
coordinators (`directory.review`), who read every service and decide on edits but change none.
"""

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ancrage.core import tenancy
from ancrage.core.tenancy import object_for, scoped
from ancrage.core.views import form_page
from ancrage.directory import selectors, services
from ancrage.directory.content import service_content
from ancrage.directory.forms import (
    ProgramForm,
    RequireReviewForm,
    ReviewRequirementForm,
    ServiceForm,
    TransitionForm,
)
from ancrage.directory.models import Program, Service, ServiceRevision
from ancrage.directory.workflow import EDITABLE_STATES, OPEN_STATES
from ancrage.network.models import Organization

EDIT = tenancy.EDIT_SERVICES
REVIEW = tenancy.REVIEW_SERVICES
PAGE_SIZE = 50
FORM_TEMPLATE = "directory/staff/form.html"


# ---------------------------------------------------------------------------------------------
# Objects a page may show


def _readable(model: type[Model], user: Any, **lookup: Any) -> Any:
    """Editors of the owning organization and the city's reviewers read; others get 404/403."""
    for capability in (EDIT, REVIEW):
        found = scoped(model, user, capability).filter(**lookup).first()
        if found is not None:
            return found
    return object_for(model, user, EDIT, **lookup)


def _service(user: Any, pk: uuid.UUID) -> Service:
    return _readable(Service, user, pk=pk)


def _revision(user: Any, pk: int) -> ServiceRevision:
    if not 0 < pk <= tenancy.BIGINT_MAX:
        raise Http404
    revision = _readable(ServiceRevision, user, pk=pk)
    return ServiceRevision.objects.select_related(
        "service", "service__organization", "author", "decided_by"
    ).get(pk=revision.pk)


def _can(user: Any, capability: str, organization_id: int) -> bool:
    return tenancy.has_capability(user, capability, organization_id)


def _querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# ---------------------------------------------------------------------------------------------
# My services


@login_required
def manage_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    can_edit = tenancy.has_capability(user, EDIT)
    can_review = tenancy.has_capability(user, REVIEW)
    if not (can_edit or can_review):
        raise PermissionDenied
    stale_only = request.GET.get("stale") == "1"
    page = Paginator(selectors.staff_services(user, stale_only=stale_only), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    organizations = (
        selectors.editable_organizations(user) if can_edit else Organization.objects.none()
    )
    return render(
        request,
        "directory/staff/list.html",
        {
            "page": page,
            "rows": selectors.staff_service_rows(page.object_list),
            "stale_only": stale_only,
            "stale_count": selectors.stale_count(user) if can_edit else 0,
            "organizations": organizations[:50],
            "can_edit": can_edit,
            "can_review": can_review,
            "waiting_count": selectors.review_queue(user).count() if can_review else 0,
            "querystring": _querystring_without_page(request),
            "stale_months": selectors.STALE_AFTER_MONTHS,
        },
    )


@login_required
def manage_service_create(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = object_for(Organization, request.user, EDIT, pk=organization_pk)
    return form_page(
        request,
        ServiceForm(request.POST or None, organization=organization),
        save=lambda form: services.service_create(
            organization=organization, actor=request.user, content=form.content()
        ),
        success=_("Draft saved. Check it, then publish it."),
        done=lambda revision: redirect("directory:manage_revision", pk=revision.pk),
        title=_("New service of %(name)s") % {"name": organization.name},
        template="directory/staff/service_form.html",
        context={"organization": organization},
    )


@login_required
def manage_service(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    service = _service(request.user, pk)
    organization = service.organization
    current = selectors.open_revision(service)
    if service.is_published:
        content = service_content(service)
    else:
        last = service.revisions.order_by("-number").first()
        content = last.content if last else {}
    return render(
        request,
        "directory/staff/service.html",
        {
            "service": service,
            "name": selectors.service_display_name(service),
            "view": selectors.content_view(content, organization),
            "open_revision": current,
            "is_stale": selectors.is_stale(service),
            "under_review": selectors.review_required(organization.pk),
            "can_edit": _can(request.user, EDIT, organization.pk),
            "can_review": _can(request.user, REVIEW, organization.pk),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def manage_service_edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Open an edit (a draft from the current content), or point at the one under way."""
    service = object_for(Service, request.user, EDIT, pk=pk)
    error = None
    if request.method == "POST":
        try:
            revision = services.revision_start(service=service, actor=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect("directory:manage_revision_edit", pk=revision.pk)
    return render(
        request,
        "directory/staff/start_edit.html",
        {
            "service": service,
            "name": selectors.service_display_name(service),
            "open_revision": selectors.open_revision(service),
            "error": error,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def manage_service_verify(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """ "Still accurate": confirm the public content without changing it."""
    service = object_for(Service, request.user, EDIT, pk=pk)
    error = None
    if request.method == "POST":
        try:
            services.service_verify(service=service, actor=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Thank you: the service is marked as verified today."))
            return redirect("directory:manage_service", pk=service.pk)
    return render(
        request,
        "directory/staff/verify.html",
        {
            "service": service,
            "name": selectors.service_display_name(service),
            "is_stale": selectors.is_stale(service),
            "error": error,
        },
    )


@login_required
def manage_service_history(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    service = _service(request.user, pk)
    return render(
        request,
        "directory/staff/history.html",
        {
            "service": service,
            "name": selectors.service_display_name(service),
            "entries": selectors.service_history(service),
            "verifications": selectors.verifications(service),
        },
    )


# ---------------------------------------------------------------------------------------------
# Edits (revisions)


def _after_transition(request: HttpRequest, revision: ServiceRevision, name: str) -> HttpResponse:
    words = {
        "publish": _("Published: the public page shows this version now."),
        "approve": _("Approved: the public page shows this version now."),
        "submit": _("Submitted: a city coordinator will review it."),
        "return": _("Returned to the organization with your comments."),
        "withdraw": _("Edit withdrawn: the public page is unchanged."),
    }
    messages.success(request, words[name])
    if name == "return" and _can(request.user, REVIEW, revision.service.organization_id):
        return redirect("directory:manage_review_queue")
    if name == "submit":
        return redirect("directory:manage_revision", pk=revision.pk)
    return redirect("directory:manage_service", pk=revision.service_id)


@login_required
@require_http_methods(["GET", "POST"])
def manage_revision(request: HttpRequest, pk: int) -> HttpResponse:
    """An edit as the public will see it, what it changes, and the decisions one may take."""
    revision = _revision(request.user, pk)
    service = revision.service
    form = TransitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["transition"]
        try:
            services.revision_transition(
                revision=revision,
                actor=request.user,
                name=name,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _after_transition(request, revision, name)
        revision.refresh_from_db()
    actions = selectors.revision_actions(revision, request.user)
    if not any(t.comment_required for t in actions):
        form.fields["comment"].help_text = ""
    return render(
        request,
        "directory/staff/revision.html",
        {
            "revision": revision,
            "service": service,
            "name": selectors.service_display_name(service),
            "view": selectors.content_view(revision.content, service.organization),
            # An edit under way is compared with the public page; a past one, on the history page.
            "is_open": revision.state in OPEN_STATES,
            "changes": selectors.changes_since_published(revision)
            if revision.state in OPEN_STATES
            else [],
            "actions": actions,
            "form": form,
            "can_edit_content": revision.state in EDITABLE_STATES
            and _can(request.user, EDIT, service.organization_id),
            "under_review": selectors.review_required(service.organization_id),
        },
    )


@login_required
def manage_revision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not 0 < pk <= tenancy.BIGINT_MAX:
        raise Http404
    revision = object_for(ServiceRevision, request.user, EDIT, pk=pk)
    service = revision.service
    if revision.state not in EDITABLE_STATES:
        messages.info(
            request,
            _("This edit is %(state)s: it can no longer be changed.")
            % {"state": revision.get_state_display().lower()},
        )
        return redirect("directory:manage_revision", pk=revision.pk)
    return form_page(
        request,
        ServiceForm(
            request.POST or None, organization=service.organization, content=revision.content
        ),
        save=lambda form: services.revision_save(
            revision=revision, actor=request.user, content=form.content()
        ),
        success=_("Draft saved. Check it, then publish it."),
        done=lambda saved: redirect("directory:manage_revision", pk=saved.pk),
        title=_("Edit %(name)s") % {"name": selectors.service_display_name(service)},
        template="directory/staff/service_form.html",
        context={"organization": service.organization, "service": service, "revision": revision},
    )


# ---------------------------------------------------------------------------------------------
# Programs


@login_required
def manage_program_create(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = object_for(Organization, request.user, EDIT, pk=organization_pk)
    return form_page(
        request,
        ProgramForm(request.POST or None),
        save=lambda form: services.program_create(
            organization=organization, actor=request.user, **form.service_arguments()
        ),
        success=_("Program saved."),
        done=lambda _program: redirect("directory:manage_list"),
        title=_("New program of %(name)s") % {"name": organization.name},
        template=FORM_TEMPLATE,
        context={"organization": organization},
    )


@login_required
def manage_program_edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    program = object_for(Program, request.user, EDIT, pk=pk)
    return form_page(
        request,
        ProgramForm(request.POST or None, initial=ProgramForm.initial_for(program)),
        save=lambda form: services.program_update(
            program=program, actor=request.user, **form.service_arguments(program)
        ),
        success=_("Program saved."),
        done=lambda _program: redirect("directory:manage_list"),
        title=_("Edit the program %(name)s") % {"name": program.name},
        template=FORM_TEMPLATE,
        context={"organization": program.organization},
    )


# ---------------------------------------------------------------------------------------------
# Review (city coordinators)


def _organizations_to_review(user: Any) -> QuerySet[Organization]:
    return scoped(Organization, user, REVIEW).order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def manage_review_queue(request: HttpRequest) -> HttpResponse:
    """Edits waiting for a decision, and the organizations whose edits are reviewed."""
    if not tenancy.has_capability(request.user, REVIEW):
        raise PermissionDenied
    require_form = RequireReviewForm(
        request.POST or None, organizations=_organizations_to_review(request.user)
    )
    if request.method == "POST" and require_form.is_valid():
        organization = require_form.cleaned_data["organization"]
        try:
            services.review_require(
                organization=organization,
                actor=request.user,
                reason=require_form.cleaned_data["reason"],
            )
        except ValidationError as error:
            require_form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("From now on, the edits of %(name)s wait for a review.")
                % {"name": organization.name},
            )
            return redirect("directory:manage_review_queue")
    return render(
        request,
        "directory/staff/review_queue.html",
        {
            "queue": selectors.review_queue(request.user)[:200],
            "requirements": selectors.organizations_under_review(request.user),
            "require_form": require_form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def manage_review_settings(request: HttpRequest, organization_pk: int) -> HttpResponse:
    """Require or lift the review of one organization's edits."""
    organization = object_for(Organization, request.user, REVIEW, pk=organization_pk)
    requirement = (
        selectors.organizations_under_review(request.user).filter(organization=organization).first()
    )
    form = ReviewRequirementForm(
        request.POST or None, initial={"decision": "lift" if requirement else "require"}
    )
    if request.method == "POST" and form.is_valid():
        decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
        change = services.review_require if decision == "require" else services.review_lift
        try:
            change(organization=organization, actor=request.user, reason=reason)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("From now on, the edits of %(name)s wait for a review.")
                % {"name": organization.name}
                if decision == "require"
                else _("%(name)s publishes its edits itself again.") % {"name": organization.name},
            )
            return redirect("directory:manage_review_queue")
    return render(
        request,
        "directory/staff/review_settings.html",
        {"organization": organization, "requirement": requirement, "form": form},
    )


urlpatterns = [
    path("manage/", manage_list, name="manage_list"),
    path("manage/review/", manage_review_queue, name="manage_review_queue"),
    path(
        "manage/organizations/<int:organization_pk>/new/",
        manage_service_create,
        name="manage_service_create",
    ),
    path(
        "manage/organizations/<int:organization_pk>/programs/new/",
        manage_program_create,
        name="manage_program_create",
    ),
    path(
        "manage/organizations/<int:organization_pk>/review/",
        manage_review_settings,
        name="manage_review_settings",
    ),
    path("manage/programs/<uuid:pk>/edit/", manage_program_edit, name="manage_program_edit"),
    path("manage/revisions/<int:pk>/", manage_revision, name="manage_revision"),
    path("manage/revisions/<int:pk>/edit/", manage_revision_edit, name="manage_revision_edit"),
    path("manage/<uuid:pk>/", manage_service, name="manage_service"),
    path("manage/<uuid:pk>/edit/", manage_service_edit, name="manage_service_edit"),
    path("manage/<uuid:pk>/verify/", manage_service_verify, name="manage_service_verify"),
    path("manage/<uuid:pk>/history/", manage_service_history, name="manage_service_history"),
]
