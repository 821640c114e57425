"""Staff pages of services, needs and referrals: fast entry of a service, bulk entry for a group
session, needs assessment, referrals (send, inbox and outbox, steps), the organization's own
service types.

Objects come from `core.tenancy` (a foreign or forged id is a 404); writes go through
`clients.records` and `clients.referrals`.
"""

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from ancrage.activities.models import Session
from ancrage.clients import records, referrals, selectors, workflow
from ancrage.clients.forms_records import (
    GroupServiceForm,
    NeedsForm,
    ReferralForm,
    ReferralStepForm,
    ServiceRecordForm,
)
from ancrage.clients.models import Client, Purpose, Referral, ServiceType
from ancrage.core import tenancy
from ancrage.core.forms import ServiceErrorsMixin, valid_id
from ancrage.core.tenancy import object_for
from ancrage.core.views import form_page
from ancrage.network.models import Organization

CHANGE = tenancy.CHANGE_CLIENTS
KNOWN_SHOWN = 100


def _to_client(client: Client) -> HttpResponse:
    return redirect("clients:client_detail", pk=client.pk)


@login_required
def service_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The fast entry: a known client's service in a few keystrokes."""
    client = object_for(Client, request.user, CHANGE, pk=pk)
    today = timezone.localdate()
    eligibility = records.eligibility_on(actor=request.user, client=client, on=today)
    form = ServiceRecordForm(request.POST or None, client=client, best=eligibility.best)
    return form_page(
        request,
        form,
        save=lambda form: records.service_record(
            actor=request.user, client=client, **form.cleaned_data
        ),
        success=lambda record: (
            _("Service recorded for %(code)s: %(summary)s")
            % {"code": client.code, "summary": record.eligibility["summary"]}
        ),
        done=lambda _record: _to_client(client),
        title=_("Record a service — client %(code)s") % {"code": client.code},
        template="clients/service_form.html",
        context={
            "client": client,
            "eligibility": eligibility,
            "today": today,
            "manages_service_types": tenancy.has_capability(
                request.user, tenancy.CHANGE, client.organization_id
            ),
        },
    )


@login_required
def needs_create(request: HttpRequest, pk: int) -> HttpResponse:
    client = object_for(Client, request.user, CHANGE, pk=pk)
    return form_page(
        request,
        NeedsForm(request.POST or None),
        save=lambda form: records.needs_assess(
            actor=request.user,
            client=client,
            on=form.cleaned_data["on"],
            needs=list(form.cleaned_data["needs"]),
            note=form.cleaned_data.get("note") or "",
        ),
        success=_("Needs recorded."),
        done=lambda _assessment: _to_client(client),
        title=_("Needs assessment — client %(code)s") % {"code": client.code},
        template="clients/form.html",
        context={"client": client},
    )


@login_required
def referral_create(request: HttpRequest, pk: int) -> HttpResponse:
    client = object_for(Client, request.user, CHANGE, pk=pk)
    lines = [
        line
        for line in selectors.consent_overview(client)
        if line.purpose in (Purpose.REFERRAL, Purpose.SHARING)
    ]
    return form_page(
        request,
        ReferralForm(request.POST or None, client=client),
        save=lambda form: referrals.referral_send(
            actor=request.user, client=client, **form.service_arguments()
        ),
        success=lambda referral: (
            _("Referral sent to %(name)s.") % {"name": referral.to_organization.name}
        ),
        done=lambda referral: redirect("clients:referral_detail", pk=referral.pk),
        title=_("Refer client %(code)s") % {"code": client.code},
        template="clients/referral_form.html",
        context={"client": client, "lines": lines},
    )


@login_required
@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    if not tenancy.has_capability(request.user, tenancy.VIEW_CLIENTS):
        raise PermissionDenied
    days = referrals.REMIND_AFTER_DAYS
    inbox = list(referrals.inbox(request.user)[:200])
    waiting_since = timezone.now() - timedelta(days=days)
    return render(
        request,
        "clients/referral_list.html",
        {
            "inbox": inbox,
            "outbox": referrals.outbox(request.user)[:200],
            "overdue": [
                r for r in inbox if r.state in workflow.UNANSWERED and r.sent_at <= waiting_since
            ],
            "days": days,
        },
    )


@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = object_for(Referral, request.user, tenancy.VIEW, pk=pk)
    if not referrals.can_read(request.user, referral):
        raise Http404
    actors = referrals.actors_for(request.user, referral)
    steps = workflow.allowed_steps(referral.state, actors)
    form = ReferralStepForm(request.POST or None, steps=steps)
    if request.method == "POST":
        if not steps:
            raise PermissionDenied
        if form.is_valid():
            try:
                referrals.referral_step(
                    actor=request.user,
                    referral=referral,
                    step=form.cleaned_data["step"],
                    comment=form.cleaned_data.get("comment") or "",
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                return redirect("clients:referral_detail", pk=referral.pk)
    sender_side = tenancy.has_capability(
        request.user, tenancy.VIEW_CLIENTS, referral.from_organization_id
    )
    return render(
        request,
        "clients/referral_detail.html",
        {
            "referral": referral,
            "needs": referral.needs.all(),
            "events": referral.events.select_related("actor", "organization"),
            "identity": referrals.identity_shared(
                actor=request.user, referral=referral, request=request
            ),
            "sender_side": sender_side,
            "steps": steps,
            "form": form,
        },
    )


@login_required
@require_GET
def group_sessions(request: HttpRequest) -> HttpResponse:
    if not tenancy.has_capability(request.user, CHANGE):
        raise PermissionDenied
    return render(
        request,
        "clients/group_sessions.html",
        {"sessions": records.group_sessions_for(request.user)[:100]},
    )


@login_required
def group_services(request: HttpRequest, pk: int) -> HttpResponse:
    """Bulk entry: one service for each participant of a group session, one save."""
    session = object_for(Session, request.user, CHANGE, pk=pk)
    organization_id = session.activity.organization_id
    known = (
        Client.objects.filter(
            organization_id=organization_id, services__session__activity_id=session.activity_id
        )
        .distinct()
        .order_by("code")[:KNOWN_SHOWN]
    )
    known = Client.objects.filter(pk__in=list(known.values_list("pk", flat=True))).order_by("code")
    minutes = max(1, min(records.MINUTES_MAX, round(session.hours * 60)))
    form = GroupServiceForm(
        request.POST or None,
        organization_id=organization_id,
        known=known,
        initial={"minutes": minutes},
    )
    return form_page(
        request,
        form,
        save=lambda form: records.service_record_group(
            actor=request.user,
            session=session,
            clients=form.cleaned_data["participants"],
            service_type=form.cleaned_data["service_type"],
            minutes=form.cleaned_data["minutes"],
            note=form.cleaned_data.get("note") or "",
        ),
        success=lambda saved: _("%(count)d services recorded.") % {"count": len(saved)},
        done=lambda _saved: redirect("clients:group_sessions"),
        title=_("Services of a group session"),
        template="clients/group_services.html",
        context={"session": session},
    )


# --- The organization's own service types ----------------------------------------------------


class ServiceTypeForm(ServiceErrorsMixin, forms.Form):
    name_fr = forms.CharField(
        label=gettext_lazy("Name in French"), max_length=records.SERVICE_TYPE_NAME_MAX
    )
    name_en = forms.CharField(
        label=gettext_lazy("Name in English"), max_length=records.SERVICE_TYPE_NAME_MAX
    )

    def names(self) -> dict[str, str]:
        return {"fr": self.cleaned_data["name_fr"], "en": self.cleaned_data["name_en"]}


def _own_type(user: Any, organization: Organization, value: Any) -> ServiceType:
    """One of the organization's own types; the department's, another organization's or a
    forged id is a 404."""
    pk = valid_id(value)
    if pk is None:
        raise Http404
    service_type = object_for(ServiceType, user, tenancy.CHANGE, pk=pk)
    if service_type.organization_id != organization.pk:
        raise Http404
    return service_type


def _save_names(form: ServiceTypeForm, save: Any) -> ServiceType | None:
    """Parse, call the service; None (errors next to the fields) when refused."""
    if not form.is_valid():
        return None
    try:
        return save(form.names())
    except ValidationError as error:
        form.add_service_errors(error)
        return None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def service_types(request: HttpRequest, organization_pk: int) -> HttpResponse:
    """The department's offer for reference and the organization's own types: add, rename, take
    out of use and back, delete one never used. Read by those who see the clients; changed by
    the director or a coordinator (`network.change`)."""
    user = request.user
    organization = object_for(Organization, user, tenancy.VIEW, pk=organization_pk)
    manages = tenancy.has_capability(user, tenancy.CHANGE, organization.pk)
    if not (manages or tenancy.has_capability(user, tenancy.VIEW_CLIENTS, organization.pk)):
        raise PermissionDenied
    here = redirect("clients:service_types", organization_pk=organization.pk)
    add_form = ServiceTypeForm(prefix="add")
    rename_form = renaming = None
    action = request.POST.get("action") if request.method == "POST" else None
    if request.method == "POST" and not manages:
        raise PermissionDenied
    if action == "add":
        add_form = ServiceTypeForm(request.POST, prefix="add")
        added = _save_names(
            add_form,
            lambda names: records.service_type_add(
                actor=user, organization=organization, names=names
            ),
        )
        if added is not None:
            messages.success(request, _("“%(name)s” added.") % {"name": added.name})
            return here
    elif action == "rename":
        renaming = _own_type(user, organization, request.POST.get("service_type"))
        rename_form = ServiceTypeForm(request.POST, prefix="rename")
        renamed = _save_names(
            rename_form,
            lambda names: records.service_type_rename(
                actor=user, service_type=renaming, names=names
            ),
        )
        if renamed is not None:
            messages.success(request, _("Name saved: “%(name)s”.") % {"name": renamed.name})
            return here
    elif action in ("out_of_use", "in_use"):
        changed = records.service_type_set_in_use(
            actor=user,
            service_type=_own_type(user, organization, request.POST.get("service_type")),
            in_use=action == "in_use",
        )
        done = (
            _("“%(name)s” is back in use.")
            if changed.is_active
            else _("“%(name)s” is out of use: it no longer appears at entry.")
        )
        messages.success(request, done % {"name": changed.name})
        return here
    elif action == "remove":
        removed = _own_type(user, organization, request.POST.get("service_type"))
        try:
            records.service_type_remove(actor=user, service_type=removed)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("“%(name)s” deleted.") % {"name": removed.name})
        return here
    elif request.method == "POST":
        messages.error(request, _("Unknown action: nothing was changed."))
        return here
    elif manages and "rename" in request.GET:
        renaming = _own_type(user, organization, request.GET.get("rename"))
        rename_form = ServiceTypeForm(
            prefix="rename",
            initial={
                "name_fr": renaming.names.get("fr", ""),
                "name_en": renaming.names.get("en", ""),
            },
        )
    return render(
        request,
        "clients/service_types.html",
        {
            "organization": organization,
            "manages": manages,
            "offer": records.department_offer(),
            "own": records.own_service_types(organization.pk),
            "add_form": add_form,
            "rename_form": rename_form,
            "renaming": renaming,
        },
    )
