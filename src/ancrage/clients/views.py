"""Staff pages of clients: lookup, registration, profile, identity, consents, printable form.

Thin views: objects come from `core.tenancy` (a foreign or forged id is a 404), identities only
from `selectors.identity_read(s)` (audited; refused to roles without the identity capability),
every write through `ancrage.clients.services`.
"""

import csv
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ancrage.clients import records, selectors, services
from ancrage.clients.forms import (
    ConsentForm,
    ConsentPrintForm,
    IdentityForm,
    LookupForm,
    OverrideForm,
    ProfileForm,
    RegisterForm,
)
from ancrage.clients.models import Client, ConsentRecord, Purpose
from ancrage.core import tenancy
from ancrage.core.audit import audit_record
from ancrage.core.tenancy import object_for
from ancrage.core.views import form_page
from ancrage.network.models import Organization

VIEW = tenancy.VIEW_CLIENTS
CHANGE = tenancy.CHANGE_CLIENTS
RECENT_SHOWN = 50
SERVICES_SHOWN = 100
FORM_TEMPLATE = "clients/form.html"


def _to_client(client: Client) -> HttpResponse:
    return redirect("clients:client_detail", pk=client.pk)


def _identity_or_403(request: HttpRequest, client: Client) -> None:
    if not selectors.can_read_identity(request.user, client):
        raise PermissionDenied


@login_required
@require_GET
def client_list(request: HttpRequest) -> HttpResponse:
    """The lookup box (code, or a few letters of the name) and the latest registrations."""
    if not tenancy.has_capability(request.user, VIEW):
        raise PermissionDenied
    names_searchable = bool(selectors.identity_organization_ids(request.user))
    form = LookupForm(request.GET or None, names_searchable=names_searchable)
    query = form.cleaned_data.get("q", "") if form.is_valid() else ""
    if query:
        shown = selectors.client_lookup(user=request.user, query=query)
        exact = [c for c in shown if c.code == selectors.normalize_code(query)]
        if len(exact) == 1 and len(shown) == 1:
            return _to_client(exact[0])  # a code typed in full: straight to the file
    else:
        shown = list(
            selectors.clients_for(request.user)
            .select_related("organization")
            .order_by("-created_at", "-pk")[:RECENT_SHOWN]
        )
    identities = selectors.identities_read(
        actor=request.user,
        clients=shown,
        reason="lookup" if query else "client list",
        request=request,
    )
    return render(
        request,
        "clients/client_list.html",
        {
            "form": form,
            "query": query,
            "rows": [(client, identities.get(client.pk)) for client in shown],
            "registration_organizations": selectors.registration_organizations(request.user),
            "names_searchable": names_searchable,
            "several_organizations": len({c.organization_id for c in shown}) > 1,
        },
    )


@login_required
def client_create(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = object_for(Organization, request.user, tenancy.READ_IDENTITY, pk=organization_pk)
    if organization.pk not in selectors.identity_organization_ids(request.user):
        raise PermissionDenied
    form = RegisterForm(request.POST or None)
    return form_page(
        request,
        form,
        save=lambda form: services.client_register(
            actor=request.user,
            organization=organization,
            profile=form.profile_arguments(),
            identity=form.identity_arguments(),
            languages=list(form.cleaned_data.get("languages") or []),
            confirm_distinct=form.cleaned_data.get("confirm_distinct", False),
        ),
        success=lambda client: (
            _("Client registered under the code %(code)s.") % {"code": client.code}
        ),
        done=_to_client,
        title=_("Register a client of %(name)s") % {"name": organization.name},
        template="clients/register.html",
        context={"organization": organization},
    )


def _read_only(request: HttpRequest) -> HttpResponse | None:
    """Pages that only read answer other methods with 405, once the object is known to be
    visible (a foreign id stays a 404 whatever the method)."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return None


@login_required
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client = object_for(Client, request.user, VIEW, pk=pk)
    if refused := _read_only(request):
        return refused
    user = request.user
    identity = None
    if selectors.can_read_identity(user, client):
        identity = selectors.identity_read(
            actor=user, client=client, reason="profile", request=request
        )
    today = timezone.localdate()
    return render(
        request,
        "clients/client_detail.html",
        {
            "client": client,
            "identity": identity,
            "is_newcomer": client.is_newcomer(today),
            "languages": client.languages.all(),
            "consents": selectors.consent_overview(client, on=today),
            "can_change": tenancy.has_capability(user, CHANGE, client.organization_id),
            "can_read_identity": identity is not None,
            "services": records.service_history(client)[:SERVICES_SHOWN],
            "assessments": records.assessments_of(client)[:SERVICES_SHOWN],
            "referrals": client.referrals.select_related("to_organization"),
        },
    )


@login_required
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    client = object_for(Client, request.user, CHANGE, pk=pk)
    form = ProfileForm(
        request.POST or None,
        initial={**ProfileForm.profile_initial(client), "version": client.version},
    )
    return form_page(
        request,
        form,
        save=lambda form: services.client_update(
            actor=request.user,
            client=client,
            version=form.cleaned_data["version"],
            languages=list(form.cleaned_data.get("languages") or []),
            **form.profile_arguments(),
        ),
        success=_("Profile saved."),
        done=_to_client,
        title=_("Profile of client %(code)s") % {"code": client.code},
        template=FORM_TEMPLATE,
        context={"client": client},
    )


@login_required
def identity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    client = object_for(Client, request.user, VIEW, pk=pk)
    _identity_or_403(request, client)
    initial: dict[str, Any] = {}
    if request.method != "POST":
        identity = selectors.identity_read(
            actor=request.user, client=client, reason="identity edit", request=request
        )
        initial = {**IdentityForm.identity_initial(identity), "version": identity.version}
    form = IdentityForm(request.POST or None, initial=initial)
    return form_page(
        request,
        form,
        save=lambda form: services.identity_update(
            actor=request.user,
            client=client,
            version=form.cleaned_data["version"],
            **form.identity_arguments(),
        ),
        success=_("Identity saved."),
        done=lambda _identity: _to_client(client),
        title=_("Identity of client %(code)s") % {"code": client.code},
        template=FORM_TEMPLATE,
        context={"client": client, "vault": True},
    )


@login_required
def consents(request: HttpRequest, pk: int) -> HttpResponse:
    client = object_for(Client, request.user, VIEW, pk=pk)
    can_change = tenancy.has_capability(request.user, CHANGE, client.organization_id)
    if request.method == "POST" and not can_change:
        raise PermissionDenied
    today = timezone.localdate()
    return form_page(
        request,
        ConsentForm(request.POST or None, client=client),
        save=lambda form: services.consent_record(
            actor=request.user, client=client, **form.service_arguments()
        ),
        success=_("Consent recorded."),
        done=lambda _record: redirect("clients:consents", pk=client.pk),
        title=_("Consents of client %(code)s") % {"code": client.code},
        template="clients/consents.html",
        context={
            "client": client,
            "can_change": can_change,
            "can_override": tenancy.has_capability(
                request.user, tenancy.OVERRIDE_CONSENT, client.organization_id
            ),
            "lines": selectors.consent_overview(client, on=today),
            "history": selectors.consent_history(client),
            "overrides": client.overrides.select_related("counterpart", "decided_by"),
            "today": today,
        },
    )


@login_required
def consent_override(request: HttpRequest, pk: int) -> HttpResponse:
    client = object_for(Client, request.user, tenancy.OVERRIDE_CONSENT, pk=pk)
    return form_page(
        request,
        OverrideForm(request.POST or None, client=client),
        save=lambda form: services.consent_override(
            actor=request.user, client=client, **form.cleaned_data
        ),
        success=_("Authorization recorded, with its reason."),
        done=lambda _override: redirect("clients:consents", pk=client.pk),
        title=_("Authorize without consent — client %(code)s") % {"code": client.code},
        template=FORM_TEMPLATE,
        context={"client": client, "override": True},
    )


@login_required
def consent_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The consent form to print, in the person's language; the staff toolbar stays in theirs."""
    client = object_for(Client, request.user, VIEW, pk=pk)
    if refused := _read_only(request):
        return refused
    form = ConsentPrintForm(request.GET or None, client=client)
    options = form.cleaned_data if form.is_valid() else {}
    language = options.get("language") or client.document_language or settings.LANGUAGE_CODE
    identity = None
    if selectors.can_read_identity(request.user, client):
        identity = selectors.identity_read(
            actor=request.user, client=client, reason="consent form", request=request
        )
    staff_language = translation.get_language()
    with translation.override(language):
        return render(
            request,
            "clients/consent_print.html",
            {
                "client": client,
                "organization": client.organization,
                "identity": identity,
                "counterpart": options.get("counterpart"),
                "purposes": Purpose.choices,
                "states": ConsentRecord.State.choices,
                "form": form,
                "form_language": language,
                "form_bidi": translation.get_language_bidi(),
                "staff_language": staff_language,
                "today": timezone.localdate(),
            },
        )


def _cell(value: Any) -> str:
    text = str(value)
    # A spreadsheet would run a cell starting with these as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@login_required
@require_GET
def client_export(request: HttpRequest) -> HttpResponse:
    """Pseudonymous profiles as CSV: codes and profile fields, never a field of the vault."""
    if not tenancy.has_capability(request.user, VIEW):
        raise PermissionDenied
    today = timezone.localdate()
    rows = selectors.profile_rows(selectors.clients_for(request.user), on=today)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="clients-{today}.csv"'
    columns = list(rows[0]) if rows else list(selectors.PROFILE_COLUMNS)
    writer = csv.writer(response)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row[column]) for column in columns])
    audit_record(
        actor=request.user,
        action="export",
        reason="pseudonymous client profiles",
        details={"rows": len(rows), "url": reverse("clients:client_export")},
        request=request,
    )
    return response
