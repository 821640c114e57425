"""Applications: the organization's project, logic model, budget, partners and co-applicants; submission; the overlap check.

The application form goes in steps (project, budget, logic model, partners, documents), each saved
on its own with the version the person saw; the overview shows what still stops the submission and
the services, activities and projects close to this one. Pages need `grants.apply` in the
applicant organization (a foreign or forged id is a 404); a co-applicant organization reads the
application and confirms its part from its own page.
"""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from ancrage.core import tenancy
from ancrage.core.translated import pick
from ancrage.core.views import form_page
from ancrage.grants import selectors, services, workflow
from ancrage.grants.forms import (
    BudgetForm,
    CoApplicantForm,
    DocumentForm,
    LogicModelForm,
    PartnersForm,
    ProjectForm,
    StepForm,
)
from ancrage.grants.models import Application, ApplicationDocument, CoApplicant
from ancrage.network.models import Organization

APPLY = tenancy.APPLY_GRANTS


def _not_allowed(request: HttpRequest, *methods: str) -> HttpResponse | None:
    """After the scoping: a foreign id is a 404 whatever the method."""
    if request.method in methods or (request.method == "HEAD" and "GET" in methods):
        return None
    return HttpResponseNotAllowed(methods)


def _application(request: HttpRequest, pk: int) -> Application:
    return selectors.application_for_applicant(request.user, pk)


def _step_labels() -> list[tuple[str, str]]:
    return [
        ("grants:application_edit", _("Project")),
        ("grants:application_budget", _("Budget")),
        ("grants:application_logic_model", _("Logic model")),
        ("grants:application_partners", _("Partners and co-applicants")),
        ("grants:application_documents", _("Documents")),
    ]


def _context(application: Application, current: str = "") -> dict[str, Any]:
    return {
        "application": application,
        "call": application.call,
        "steps": _step_labels(),
        "current_step": current,
        "editable": application.state in workflow.EDITABLE_STATES,
    }


def _read_only(request: HttpRequest, application: Application) -> HttpResponse | None:
    """A submitted (or decided, withdrawn) application is read on its overview page."""
    if application.state in workflow.EDITABLE_STATES:
        return None
    messages.info(
        request,
        _("This application is %(state)s: it can no longer be changed.")
        % {"state": application.get_state_display().lower()},
    )
    return redirect("grants:application_detail", pk=application.pk)


# --- Lists and the start -----------------------------------------------------------------------


@login_required
def my_applications(request: HttpRequest) -> HttpResponse:
    if not tenancy.has_capability(request.user, APPLY):
        raise PermissionDenied
    if refused := _not_allowed(request, "GET"):
        return refused
    return render(
        request,
        "grants/my_applications.html",
        {
            "open_calls": selectors.open_calls_for(request.user),
            "applications": selectors.applications_of(request.user),
            "co_applications": selectors.co_applications_of(request.user),
        },
    )


@login_required
def application_create(request: HttpRequest, call_pk: int) -> HttpResponse:
    if not tenancy.has_capability(request.user, APPLY):
        raise PermissionDenied
    call = selectors.open_calls().filter(pk=call_pk).first()
    if call is None:
        raise Http404
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    mine = tenancy.scoped(Organization, request.user, APPLY).order_by("name")
    eligible = [o.pk for o in mine if not selectors.eligibility_problems(call, o)]
    form = ProjectForm(request.POST or None, call=call, organizations=mine.filter(pk__in=eligible))
    return form_page(
        request,
        form,
        save=lambda form: services.application_create(
            actor=request.user,
            call=call,
            organization=form.cleaned_data["organization"],
            **form.service_arguments(),
        ),
        success=_("Draft saved. Continue with the budget."),
        done=lambda application: redirect("grants:application_budget", pk=application.pk),
        title=_("Apply to %(title)s") % {"title": call.title},
        template="grants/application_create.html",
        context={
            "call": call,
            "ineligible": [
                (o, selectors.eligibility_problems(call, o)) for o in mine if o.pk not in eligible
            ],
        },
    )


# --- The overview and the steps ----------------------------------------------------------------


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    if refused := _not_allowed(request, "GET"):
        return refused
    application = selectors.application_detail(application)
    now = timezone.now()
    actors = workflow.actors_for(request.user, application)
    steps = workflow.allowed_steps(application, actors, now)
    return render(
        request,
        "grants/application_detail.html",
        {
            **_context(application),
            "problems": services.submission_problems(application, now)
            if application.state in workflow.EDITABLE_STATES
            else [],
            "budget": selectors.budget_table(application),
            "target_group_names": selectors.target_group_names(application),
            "overlaps": selectors.overlaps_for(application),
            "documents": _documents(application),
            "step_form": StepForm(application=application),
            "may_submit": any(s.name == "submit" for s in steps),
            "may_withdraw": any(s.name == "withdraw" for s in steps),
        },
    )


@login_required
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    if redirected := _read_only(request, application):
        return redirected
    form = ProjectForm(request.POST or None, call=application.call, application=application)
    return form_page(
        request,
        form,
        save=lambda form: services.application_update(
            actor=request.user,
            application=application,
            version=form.version(),
            **form.service_arguments(),
        ),
        success=_("Project saved."),
        done=lambda a: redirect("grants:application_budget", pk=a.pk),
        title=_("Project: %(title)s") % {"title": application.title},
        template="grants/application_step.html",
        context=_context(application, "grants:application_edit"),
    )


def _posted_totals(form: BudgetForm) -> list[dict[str, Any]]:
    """The totals of what was typed, per year, computed here (nothing saved)."""
    data = getattr(form, "cleaned_data", {})
    zero = Decimal("0")
    totals = []
    for year in form.years:
        requested = data.get(f"requested_{year}") or zero
        total = sum(
            (
                data.get(f"amount_{i}") or zero
                for i in form.row_numbers
                if data.get(f"year_{i}") == year
            ),
            zero,
        )
        totals.append(
            {
                "year": year,
                "requested": requested,
                "total": total,
                "difference": total - requested,
                "adds_up": total == requested,
            }
        )
    return totals


def _saved_totals(application: Application) -> list[dict[str, Any]]:
    return [
        {
            "year": row.year,
            "requested": row.requested,
            "total": row.total,
            "difference": row.difference,
            "adds_up": row.adds_up,
        }
        for row in selectors.budget_table(application)
    ]


@login_required
def application_budget(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    if redirected := _read_only(request, application):
        return redirected
    years = sorted(selectors.envelope_of(application.call))
    form = BudgetForm(request.POST or None, application=application, years=years)
    context = {
        **_context(application, "grants:application_budget"),
        "envelope": sorted(selectors.envelope_of(application.call).items()),
    }
    title = _("Budget: %(title)s") % {"title": application.title}
    if request.method == "POST" and request.POST.get("action") in ("totals", "more"):
        form.is_valid()  # parse, compute the totals, save nothing
        return render(
            request,
            "grants/application_budget.html",
            {**context, "form": form, "title": title, "totals": _posted_totals(form)},
        )
    return form_page(
        request,
        form,
        save=lambda form: services.application_budget_set(
            actor=request.user,
            application=application,
            version=form.version(),
            requested=form.requested(),
            lines=form.lines(),
        ),
        success=_("Budget saved."),
        done=lambda a: redirect("grants:application_budget", pk=a.pk),
        title=title,
        template="grants/application_budget.html",
        context={
            **context,
            "totals": _posted_totals(form) if form.is_bound else _saved_totals(application),
        },
    )


def _rows_page(request, application, form, *, save, success, next_step, title, current):
    context = _context(application, current)
    if request.method == "POST" and request.POST.get("action") == "more":
        form.is_valid()
        return render(
            request, "grants/application_rows.html", {**context, "form": form, "title": title}
        )
    return form_page(
        request,
        form,
        save=save,
        success=success,
        done=lambda a: redirect(next_step, pk=a.pk),
        title=title,
        template="grants/application_rows.html",
        context=context,
    )


@login_required
def application_logic_model(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    if redirected := _read_only(request, application):
        return redirected
    form = LogicModelForm(request.POST or None, application=application)
    return _rows_page(
        request,
        application,
        form,
        save=lambda form: services.application_logic_model_set(
            actor=request.user,
            application=application,
            version=form.version(),
            rows=form.logic_rows(),
        ),
        success=_("Logic model saved."),
        next_step="grants:application_partners",
        title=_("Logic model: %(title)s") % {"title": application.title},
        current="grants:application_logic_model",
    )


def _other_organizations(application: Application):
    return Organization.objects.exclude(pk=application.organization_id).order_by("name")


@login_required
def application_partners(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    if redirected := _read_only(request, application):
        return redirected
    others = _other_organizations(application)
    form = PartnersForm(request.POST or None, application=application, organizations=others)
    context_extra = {
        "co_applicants": application.co_applicants.select_related("organization"),
        "co_form": CoApplicantForm(application=application, organizations=others),
    }
    title = _("Partners and co-applicants: %(title)s") % {"title": application.title}
    context = {**_context(application, "grants:application_partners"), **context_extra}
    if request.method == "POST" and request.POST.get("action") == "more":
        form.is_valid()
        return render(
            request, "grants/application_partners.html", {**context, "form": form, "title": title}
        )
    return form_page(
        request,
        form,
        save=lambda form: services.application_partners_set(
            actor=request.user,
            application=application,
            version=form.version(),
            partners=form.partners(),
        ),
        success=_("Partners saved."),
        done=lambda a: redirect("grants:application_partners", pk=a.pk),
        title=title,
        template="grants/application_partners.html",
        context=context,
    )


@login_required
def co_applicant_add(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    if refused := _not_allowed(request, "POST"):
        return refused
    others = _other_organizations(application)
    form = CoApplicantForm(request.POST, application=application, organizations=others)
    if form.is_valid():
        try:
            services.co_applicant_add(
                actor=request.user,
                application=application,
                version=form.version(),
                organization=form.cleaned_data["organization"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _(
                    "%(name)s is named co-applicant: its director or coordinator confirms from their own page."
                )
                % {"name": form.cleaned_data["organization"].name},
            )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("grants:application_partners", pk=application.pk)


@login_required
def co_applicant_remove(request: HttpRequest, pk: int, co_pk: int) -> HttpResponse:
    application = _application(request, pk)
    row = application.co_applicants.filter(pk=co_pk).first()
    if row is None:
        raise Http404
    if refused := _not_allowed(request, "POST"):
        return refused
    form = StepForm(request.POST, application=application)
    try:
        if not form.is_valid():
            raise ValidationError(_("Reload the page and try again."))
        services.co_applicant_remove(actor=request.user, co_applicant=row, version=form.version())
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Co-applicant removed."))
    return redirect("grants:application_partners", pk=application.pk)


def _documents(application: Application) -> list[dict[str, Any]]:
    attached = {d.requirement: d for d in application.documents.all()}
    return [
        {"position": i, "name": pick(texts), "document": attached.get(i)}
        for i, texts in enumerate(application.call.documents_required or [])
    ]


@login_required
def application_documents(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    if redirected := _read_only(request, application):
        return redirected
    documents = _documents(application)
    form = DocumentForm(
        request.POST or None,
        request.FILES or None,
        application=application,
        requirements=[(d["position"], d["name"]) for d in documents],
    )

    def save(form: DocumentForm) -> Any:
        upload = form.cleaned_data["file"]
        if upload.size > services.DOCUMENT_MAX_BYTES:
            raise ValidationError({"file": _("The file is larger than 10 MB.")})
        return services.application_document_attach(
            actor=request.user,
            application=application,
            version=form.version(),
            requirement=form.cleaned_data["requirement"],
            name=upload.name,
            content_type=upload.content_type or "",
            content=upload.read(),
        )

    return form_page(
        request,
        form,
        save=save,
        success=_("Document attached."),
        done=lambda _d: redirect("grants:application_documents", pk=application.pk),
        title=_("Documents: %(title)s") % {"title": application.title},
        template="grants/application_documents.html",
        context={**_context(application, "grants:application_documents"), "documents": documents},
    )


@login_required
def application_document_remove(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    application = _application(request, pk)
    document = application.documents.filter(pk=doc_pk).first()
    if document is None:
        raise Http404
    if refused := _not_allowed(request, "POST"):
        return refused
    form = StepForm(request.POST, application=application)
    try:
        if not form.is_valid():
            raise ValidationError(_("Reload the page and try again."))
        services.application_document_remove(
            actor=request.user, document=document, version=form.version()
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Document removed."))
    return redirect("grants:application_documents", pk=application.pk)


@login_required
def application_document(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    """A document as it was sent: for the applicant, and for the funder once the application
    is sent to it."""
    try:
        application = _application(request, pk)
    except (Http404, PermissionDenied):
        application = selectors.application_for_funder(request.user, pk)
    document = ApplicationDocument.objects.filter(application=application, pk=doc_pk).first()
    if document is None:
        raise Http404
    if refused := _not_allowed(request, "GET"):
        return refused
    response = HttpResponse(bytes(document.content), content_type=document.content_type)
    safe_name = "".join(c for c in document.name if c.isalnum() or c in "._- ")[:100] or "document"
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _step(request: HttpRequest, pk: int, take: Any, success: str) -> HttpResponse:
    application = _application(request, pk)
    if refused := _not_allowed(request, "POST"):
        return refused
    form = StepForm(request.POST, application=application)
    try:
        if not form.is_valid():
            raise ValidationError(_("Reload the page and try again."))
        take(actor=request.user, application=application, version=form.version())
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("grants:application_detail", pk=application.pk)


@login_required
def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        services.application_submit,
        _("Application submitted. The funder receives it as it is now."),
    )


@login_required
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, services.application_withdraw, _("Application withdrawn."))


# --- The co-applicant's page ----------------------------------------------------------------------


@login_required
def co_application(request: HttpRequest, pk: int) -> HttpResponse:
    """A co-applicant organization reads the application and confirms its part (pk: its row)."""
    row = selectors.co_applicant_for(request.user, pk)
    if refused := _not_allowed(request, "GET"):
        return refused
    application = selectors.application_detail(row.application)
    return render(
        request,
        "grants/co_application.html",
        {
            "row": row,
            "application": application,
            "call": application.call,
            "budget": selectors.budget_table(application),
            "target_group_names": selectors.target_group_names(application),
            "editable": application.state in workflow.EDITABLE_STATES,
        },
    )


@login_required
def co_applicant_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    row: CoApplicant = selectors.co_applicant_for(request.user, pk)
    if refused := _not_allowed(request, "POST"):
        return refused
    try:
        services.co_applicant_confirm(actor=request.user, co_applicant=row)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(name)s confirms it carries the project with %(applicant)s.")
            % {"name": row.organization.name, "applicant": row.application.organization.name},
        )
    return redirect("grants:co_application", pk=row.pk)


urlpatterns = [
    path("applications/", my_applications, name="my_applications"),
    path("calls/<int:call_pk>/apply/", application_create, name="application_create"),
    path("applications/<int:pk>/", application_detail, name="application_detail"),
    path("applications/<int:pk>/project/", application_edit, name="application_edit"),
    path("applications/<int:pk>/budget/", application_budget, name="application_budget"),
    path(
        "applications/<int:pk>/logic-model/",
        application_logic_model,
        name="application_logic_model",
    ),
    path("applications/<int:pk>/partners/", application_partners, name="application_partners"),
    path("applications/<int:pk>/co-applicants/", co_applicant_add, name="co_applicant_add"),
    path(
        "applications/<int:pk>/co-applicants/<int:co_pk>/remove/",
        co_applicant_remove,
        name="co_applicant_remove",
    ),
    path("applications/<int:pk>/documents/", application_documents, name="application_documents"),
    path(
        "applications/<int:pk>/documents/<int:doc_pk>/",
        application_document,
        name="application_document",
    ),
    path(
        "applications/<int:pk>/documents/<int:doc_pk>/remove/",
        application_document_remove,
        name="application_document_remove",
    ),
    path("applications/<int:pk>/submit/", application_submit, name="application_submit"),
    path("applications/<int:pk>/withdraw/", application_withdraw, name="application_withdraw"),
    path("co-applications/<int:pk>/", co_application, name="co_application"),
    path("co-applications/<int:pk>/confirm/", co_applicant_confirm, name="co_applicant_confirm"),
]
