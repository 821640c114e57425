"""Privacy pages (Law 25): the organization's privacy page (retention policy, incident register,
de-identification log, lookup of a person by code), and per person: a copy of everything held
about them (JSON, PDF in their language), rectification links and their requests.

A person's copy is for roles that may read identities in the owning organization; the policy
and the register are the director's (`clients.privacy`). Writes go through `clients.privacy`.
"""

import json
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ancrage.clients import privacy, selectors
from ancrage.clients.models import Client
from ancrage.core import tenancy
from ancrage.core.forms import ServiceErrorsMixin, valid_id
from ancrage.core.models import PrivacyIncident, PrivacyRequest
from ancrage.core.tenancy import object_for
from ancrage.core.views import form_page
from ancrage.network.models import Organization

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
FORM_TEMPLATE = "clients/privacy/form.html"


# --- Forms (they parse; the rules are in clients.privacy) --------------------------------------


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Client code"), max_length=100, required=False)


class RetentionForm(ServiceErrorsMixin, forms.Form):
    inactive_years = forms.IntegerField(
        label=gettext_lazy("Years without activity before de-identification"),
        min_value=privacy.INACTIVE_YEARS_MIN,
        max_value=privacy.INACTIVE_YEARS_MAX,
        help_text=gettext_lazy(
            "After this many years without any activity in a person's file, their identity is "
            "erased; the pseudonymous profile stays for statistics."
        ),
    )


class IncidentForm(ServiceErrorsMixin, forms.Form):
    discovered_on = forms.DateField(label=gettext_lazy("Discovered on"), widget=DATE)
    occurred_on = forms.DateField(label=gettext_lazy("Occurred on"), required=False, widget=DATE)
    description = forms.CharField(
        label=gettext_lazy("What happened"),
        max_length=privacy.INCIDENT_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "The information concerned and the circumstances. Do not name the people affected."
        ),
    )
    people_affected = forms.IntegerField(
        label=gettext_lazy("Number of people affected"),
        min_value=0,
        max_value=privacy.PEOPLE_AFFECTED_MAX,
    )
    serious_injury_risk = forms.TypedChoiceField(
        label=gettext_lazy("Risk of serious injury"),
        choices=[("no", gettext_lazy("No")), ("yes", gettext_lazy("Yes"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reported_on = forms.DateField(
        label=gettext_lazy("Reported to the Commission d'accès à l'information on"),
        required=False,
        widget=DATE,
    )
    people_notified_on = forms.DateField(
        label=gettext_lazy("People notified on"), required=False, widget=DATE
    )
    measures = forms.CharField(
        label=gettext_lazy("Measures taken"),
        max_length=privacy.INCIDENT_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    @staticmethod
    def initial_of(incident: PrivacyIncident) -> dict[str, Any]:
        initial = {name: getattr(incident, name) for name in privacy.INCIDENT_FIELDS}
        initial["serious_injury_risk"] = "yes" if incident.serious_injury_risk else "no"
        return initial


class RequestForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Request"), choices=PrivacyRequest.Kind.choices)
    received_on = forms.DateField(label=gettext_lazy("Received on"), widget=DATE)
    completed_on = forms.DateField(label=gettext_lazy("Done on"), required=False, widget=DATE)


def _language_choices() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


# --- The organization's privacy page -------------------------------------------------------------


def _privacy_organization(request: HttpRequest, organization_pk: int) -> Organization:
    organization = object_for(Organization, request.user, tenancy.VIEW, pk=organization_pk)
    user = request.user
    if not (
        organization.pk in selectors.identity_organization_ids(user)
        or tenancy.has_capability(user, tenancy.MANAGE_PRIVACY, organization.pk)
    ):
        raise PermissionDenied
    return organization


@login_required
def privacy_home(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = _privacy_organization(request, organization_pk)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    user = request.user
    can_read_identity = organization.pk in selectors.identity_organization_ids(user)
    manages = tenancy.has_capability(user, tenancy.MANAGE_PRIVACY, organization.pk)
    form = CodeForm(request.GET or None)
    not_found = False
    if can_read_identity and form.is_valid() and form.cleaned_data["code"]:
        code = selectors.normalize_code(form.cleaned_data["code"])
        found = Client.objects.filter(organization=organization, code=code).first()
        if found is not None:
            return redirect("clients:privacy_client", pk=found.pk)
        not_found = True
    return render(
        request,
        "clients/privacy/home.html",
        {
            "organization": organization,
            "form": form,
            "not_found": not_found,
            "can_read_identity": can_read_identity,
            "manages": manages,
            "inactive_years": privacy.retention_years(organization.pk),
            "incidents": privacy.incidents(organization) if manages else [],
            "deidentifications": privacy.deidentifications(organization)[:200] if manages else [],
            "pending": privacy.pending_requests(organization) if manages else [],
        },
    )


def _to_privacy(organization_pk: int) -> HttpResponse:
    return redirect("clients:privacy", organization_pk=organization_pk)


@login_required
def retention_edit(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = object_for(
        Organization, request.user, tenancy.MANAGE_PRIVACY, pk=organization_pk
    )
    form = RetentionForm(
        request.POST or None,
        initial={"inactive_years": privacy.retention_years(organization.pk)},
    )
    return _form(
        request,
        form,
        save=lambda form: privacy.retention_policy_set(
            actor=request.user, organization=organization, **form.cleaned_data
        ),
        success=_("Retention policy saved."),
        done=lambda _policy: _to_privacy(organization.pk),
        title=_("Retention policy of %(name)s") % {"name": organization.name},
        organization=organization,
    )


@login_required
def incident_create(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = object_for(
        Organization, request.user, tenancy.MANAGE_PRIVACY, pk=organization_pk
    )
    return _form(
        request,
        IncidentForm(request.POST or None),
        save=lambda form: privacy.incident_record(
            actor=request.user, organization=organization, **form.cleaned_data
        ),
        success=_("Incident recorded in the register."),
        done=lambda _incident: _to_privacy(organization.pk),
        title=_("Record a privacy incident"),
        organization=organization,
    )


@login_required
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    incident = object_for(PrivacyIncident, request.user, tenancy.MANAGE_PRIVACY, pk=pk)
    return _form(
        request,
        IncidentForm(request.POST or None, initial=IncidentForm.initial_of(incident)),
        save=lambda form: privacy.incident_update(
            actor=request.user, incident=incident, **form.cleaned_data
        ),
        success=_("Incident saved."),
        done=lambda _incident: _to_privacy(incident.organization_id),
        title=_("Privacy incident discovered on %(day)s")
        % {"day": incident.discovered_on.isoformat()},
        organization=incident.organization,
    )


def _form(request: HttpRequest, form: Any, *, organization: Organization, **kwargs: Any):
    return form_page(
        request, form, template=FORM_TEMPLATE, context={"organization": organization}, **kwargs
    )


# --- One person ---------------------------------------------------------------------------------


def _person(request: HttpRequest, pk: int) -> Client:
    """The client, for someone who may read their identity; 404 if not visible at all."""
    client = object_for(Client, request.user, tenancy.READ_IDENTITY, pk=pk)
    # Platform superusers pass the scope; reading names still needs a membership.
    if not selectors.can_read_identity(request.user, client):
        raise PermissionDenied
    return client


@login_required
def privacy_client(request: HttpRequest, pk: int) -> HttpResponse:
    client = _person(request, pk)
    form = RequestForm(
        request.POST or None, initial={"received_on": timezone.localdate().isoformat()}
    )
    if request.method == "POST" and "complete" in request.POST:
        found = PrivacyRequest.objects.filter(
            client_id=client.pk, pk=_int(request.POST.get("complete"))
        ).first()
        if found is not None and found.completed_on is None:
            privacy.privacy_request_complete(actor=request.user, privacy_request=found)
        return redirect("clients:privacy_client", pk=client.pk)
    return form_page(
        request,
        form,
        save=lambda form: privacy.privacy_request_record(
            actor=request.user, client=client, **form.cleaned_data
        ),
        success=_("Request recorded."),
        done=lambda _request: redirect("clients:privacy_client", pk=client.pk),
        title=_("Privacy of client %(code)s") % {"code": client.code},
        template="clients/privacy/client.html",
        context={
            "client": client,
            "organization": client.organization,
            "requests": PrivacyRequest.objects.filter(client_id=client.pk).select_related(
                "recorded_by"
            ),
            "languages": _language_choices(),
            "document_language": client.document_language or settings.LANGUAGE_CODE,
            "can_change": tenancy.has_capability(
                request.user, tenancy.CHANGE_CLIENTS, client.organization_id
            ),
            "deidentified": privacy.deidentifications(client.organization)
            .filter(client_id=client.pk)
            .first(),
        },
    )


def _int(value: Any) -> int:
    return valid_id(value) or 0


def _read_only(request: HttpRequest) -> HttpResponse | None:
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return None


@login_required
def export_json(request: HttpRequest, pk: int) -> HttpResponse:
    client = _person(request, pk)
    if refused := _read_only(request):
        return refused
    data = privacy.client_export(actor=request.user, client=client, request=request)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{client.code}-{day}.json"'
    return response


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict:
    # The document is self-contained: WeasyPrint never fetches anything (no file, no network).
    raise ValueError(f"External resource refused: {url[:80]}")


def export_document(
    *, actor: Any, client: Client, language: str, request: HttpRequest | None = None
) -> str:
    """The export as an HTML document in `language` (the PDF is made from it); audited."""
    with translation.override(language):
        dossier = privacy.client_dossier(
            actor=actor, client=client, request=request, file_format="pdf"
        )
        return render_to_string(
            "clients/privacy/export_pdf.html",
            {
                "dossier": dossier,
                "client": client,
                "organization": client.organization,
                "language": language,
                "bidi": translation.get_language_bidi(),
            },
        )


@login_required
def export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    client = _person(request, pk)
    if refused := _read_only(request):
        return refused
    wanted = request.GET.get("language", "")
    codes = {code for code, _name in _language_choices()}
    language = next(
        (
            code
            for code in (wanted, client.document_language, settings.LANGUAGE_CODE)
            if code in codes
        ),
        settings.LANGUAGE_CODE,
    )
    html = export_document(actor=request.user, client=client, language=language, request=request)
    from weasyprint import HTML  # imported on use: it takes half a second to load

    pdf = HTML(string=html, url_fetcher=_no_fetch).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Language"] = language
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{client.code}-{day}.pdf"'
    return response
