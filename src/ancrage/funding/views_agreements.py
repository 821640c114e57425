"""Pages of an organization's agreements (amounts, targets, renewal, restrictions), its funding
portfolio and renewal calendar. Staff of the organization only: `VIEW_PORTFOLIO` to read,
`MANAGE_AGREEMENTS` to enter and correct."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ancrage.core import tenancy
from ancrage.core.forms import valid_id
from ancrage.core.tenancy import object_for
from ancrage.core.views import form_page
from ancrage.funding import selectors, services
from ancrage.funding.forms import AgreementForm, AmountForm, TargetForm
from ancrage.funding.models import Agreement, AgreementAmount, AgreementTarget
from ancrage.network.models import Organization

READ = tenancy.VIEW_PORTFOLIO
MANAGE = tenancy.MANAGE_AGREEMENTS


def _not_allowed(request: HttpRequest, *methods: str) -> HttpResponse | None:
    """The method check comes after the scoping, so that a foreign id is a 404 whatever the
    method (a 405 would tell the id exists)."""
    if request.method in methods or (request.method == "HEAD" and "GET" in methods):
        return None
    return HttpResponseNotAllowed(methods)


def _may_manage(request: HttpRequest, organization_id: int) -> bool:
    return tenancy.has_capability(request.user, MANAGE, organization_id)


@login_required
def agreement_list(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = object_for(Organization, request.user, READ, pk=organization_pk)
    if refused := _not_allowed(request, "GET"):
        return refused
    today = timezone.localdate()
    agreements = list(selectors.agreements_of(request.user, organization))
    return render(
        request,
        "funding/agreement_list.html",
        {
            "organization": organization,
            "current": [a for a in agreements if a.ends_on >= today],
            "ended": [a for a in agreements if a.ends_on < today],
            "may_manage": _may_manage(request, organization.pk),
            "today": today,
        },
    )


def _periods(agreement: Agreement) -> list[tuple[date, date, str]]:
    """The fiscal years and quarters of the agreement, clipped to it, to choose from."""
    periods = []
    year = selectors.fiscal_year_of(agreement.starts_on)
    while year.first <= agreement.ends_on:
        periods.append(
            (
                max(year.first, agreement.starts_on),
                min(year.last, agreement.ends_on),
                _("Fiscal year %(label)s") % {"label": year.label},
            )
        )
        for number, (start, end) in enumerate(year.quarters(), start=1):
            if start <= agreement.ends_on and end >= agreement.starts_on:
                periods.append(
                    (
                        max(start, agreement.starts_on),
                        min(end, agreement.ends_on),
                        _("Q%(number)d %(label)s") % {"number": number, "label": year.label},
                    )
                )
        year = selectors.FiscalYear(year.start_year + 1)
        if len(periods) > 200:  # a century-long agreement is refused anyway; keep the list sane
            break
    return periods


@login_required
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = object_for(Agreement, request.user, READ, pk=pk)
    if refused := _not_allowed(request, "GET"):
        return refused
    today = timezone.localdate()
    renewal = selectors.renewal_calendar([agreement], today)
    return render(
        request,
        "funding/agreement_detail.html",
        {
            "agreement": agreement,
            "organization": agreement.organization,
            "amounts": agreement.amounts.order_by("period_start"),
            "targets": agreement.targets.order_by("period_start", "metric"),
            "renewal": renewal[0] if renewal else None,
            "alerts": agreement.alerts.order_by("-sent_at"),
            "may_manage": _may_manage(request, agreement.organization_id),
        },
    )


@login_required
def agreement_create(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = object_for(Organization, request.user, MANAGE, pk=organization_pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    return form_page(
        request,
        AgreementForm(request.POST or None, programs=selectors.programs_for_agreements()),
        save=lambda form: services.agreement_create(
            actor=request.user, organization=organization, **form.service_arguments()
        ),
        success=_("Agreement saved. Add what it pays each year and its targets."),
        done=lambda agreement: redirect("funding:agreement_detail", pk=agreement.pk),
        title=_("New agreement of %(name)s") % {"name": organization.name},
        template="funding/agreement_form.html",
        context={"organization": organization},
    )


@login_required
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = object_for(Agreement, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    form = AgreementForm(
        request.POST or None,
        programs=selectors.programs_for_agreements(),
        initial=AgreementForm.initial_for(agreement),
    )
    return form_page(
        request,
        form,
        save=lambda form: services.agreement_update(
            actor=request.user,
            agreement=agreement,
            version=form.cleaned_data.get("version") or 0,
            **form.service_arguments(),
        ),
        success=_("Agreement saved."),
        done=lambda agreement: redirect("funding:agreement_detail", pk=agreement.pk),
        title=_("Edit the agreement %(name)s") % {"name": agreement.program.name},
        template="funding/agreement_form.html",
        context={"organization": agreement.organization, "agreement": agreement},
    )


@login_required
def amount_set(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = object_for(Agreement, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    return form_page(
        request,
        AmountForm(request.POST or None, periods=_periods(agreement)),
        save=lambda form: services.amount_set(
            actor=request.user, agreement=agreement, **form.service_arguments()
        ),
        success=_("Amount saved."),
        done=lambda _amount: redirect("funding:amount_set", pk=agreement.pk),
        title=_("Amounts of the agreement %(name)s") % {"name": agreement.program.name},
        template="funding/period_form.html",
        context={
            "agreement": agreement,
            "organization": agreement.organization,
            "amounts": agreement.amounts.order_by("period_start"),
        },
    )


@login_required
def target_set(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = object_for(Agreement, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    return form_page(
        request,
        TargetForm(request.POST or None, periods=_periods(agreement)),
        save=lambda form: services.target_set(
            actor=request.user, agreement=agreement, **form.service_arguments()
        ),
        success=_("Target saved."),
        done=lambda _target: redirect("funding:target_set", pk=agreement.pk),
        title=_("Targets of the agreement %(name)s") % {"name": agreement.program.name},
        template="funding/period_form.html",
        context={
            "agreement": agreement,
            "organization": agreement.organization,
            "targets": agreement.targets.order_by("period_start", "metric"),
        },
    )


def _remove_page(request: HttpRequest, agreement: Agreement, what: str) -> HttpResponse:
    return render(
        request,
        "funding/remove_confirm.html",
        {"agreement": agreement, "organization": agreement.organization, "what": what},
    )


@login_required
def amount_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm (the page works without JavaScript), POST removes."""
    amount = object_for(AgreementAmount, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    agreement = amount.agreement
    if request.method != "POST":
        return _remove_page(
            request,
            agreement,
            _("the amount of %(start)s → %(end)s (%(amount)s $)")
            % {
                "start": amount.period_start.isoformat(),
                "end": amount.period_end.isoformat(),
                "amount": amount.amount,
            },
        )
    services.amount_remove(actor=request.user, amount=amount)
    messages.success(request, _("Amount removed."))
    return redirect("funding:amount_set", pk=agreement.pk)


@login_required
def target_remove(request: HttpRequest, pk: int) -> HttpResponse:
    target = object_for(AgreementTarget, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    agreement = target.agreement
    if request.method != "POST":
        return _remove_page(
            request,
            agreement,
            _("the target %(metric)s of %(start)s → %(end)s (%(value)d)")
            % {
                "metric": target.get_metric_display(),
                "start": target.period_start.isoformat(),
                "end": target.period_end.isoformat(),
                "value": target.value,
            },
        )
    services.target_remove(actor=request.user, target=target)
    messages.success(request, _("Target removed."))
    return redirect("funding:target_set", pk=agreement.pk)


@login_required
@require_GET
def portfolio(request: HttpRequest) -> HttpResponse:
    """The funding portfolio of one of the user's organizations (`?organization=` to choose)."""
    organizations = list(selectors.portfolio_organizations(request.user)[:500])
    if not organizations:
        raise PermissionDenied
    chosen = request.GET.get("organization")
    if chosen:
        pk = valid_id(chosen)
        if pk is None:
            raise Http404
        organization = object_for(Organization, request.user, READ, pk=pk)
    else:
        organization = organizations[0]
    today = timezone.localdate()
    figures = selectors.portfolio(request.user, organization, today)
    return render(
        request,
        "funding/portfolio.html",
        {
            "organization": organization,
            "organizations": organizations if len(organizations) > 1 else [],
            "portfolio": figures,
            "today": today,
            "may_manage": _may_manage(request, organization.pk),
            "bar_width": selectors.BAR_WIDTH,
        },
    )


urlpatterns = [
    path("portfolio/", portfolio, name="portfolio"),
    path("organizations/<int:organization_pk>/agreements/", agreement_list, name="agreement_list"),
    path(
        "organizations/<int:organization_pk>/agreements/new/",
        agreement_create,
        name="agreement_create",
    ),
    path("agreements/<int:pk>/", agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/edit/", agreement_edit, name="agreement_edit"),
    path("agreements/<int:pk>/amounts/", amount_set, name="amount_set"),
    path("agreements/<int:pk>/targets/", target_set, name="target_set"),
    path("amounts/<int:pk>/remove/", amount_remove, name="amount_remove"),
    path("targets/<int:pk>/remove/", target_remove, name="target_remove"),
]
